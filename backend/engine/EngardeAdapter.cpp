// SPDX-License-Identifier: GPL-3.0-or-later
#include "EngardeAdapter.h"

#include "InterfaceName.h"
#include "Logging.h"
#include "TinyFecAdapter.h"

#include <QtCore/QDir>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRandomGenerator>
#include <QtCore/QSaveFile>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QNetworkRequest>

#include <yaml-cpp/yaml.h>

namespace smoothwan {

const char *const EngardeAdapter::InstallHint =
    "Install Engarde's client: download engarde-client from https://github.com/porech/engarde/releases and place it "
    "as /usr/local/bin/engarde-client";

namespace {
QString randomToken()
{
    static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    QString out;
    for (int i = 0; i < 24; ++i)
        out.append(QLatin1Char(alphabet[QRandomGenerator::system()->bounded(int(sizeof(alphabet) - 1))]));
    return out;
}

std::string utf8(const QString &s)
{
    return s.toStdString();
}
} // namespace

EngardeAdapter::EngardeAdapter(const Clock &clock, const EngardeConfig &config, const QString &runtimeDir,
                               const QString &program, QObject *parent)
    : SupervisedEngine(clock, parent)
    , m_config(config)
    , m_runtimeDir(runtimeDir)
    , m_program(program)
{
    m_pollTimer.setInterval(PollIntervalMs);
    connect(&m_pollTimer, &QTimer::timeout, this, &EngardeAdapter::poll);
}

EngardeAdapter::~EngardeAdapter() = default;

QString EngardeAdapter::configPath() const
{
    return m_runtimeDir + QStringLiteral("/engarde.yml");
}

std::optional<QByteArray> EngardeAdapter::clientYaml(const EngardeConfig &c, const QList<EngineWan> &wans,
                                                     const WebCredentials &web, QString *error)
{
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (c.server.isEmpty() || c.server.port == 0)
        return fail(tr("Engarde needs its server's address and port"));
    if (QString e = TinyFecAdapter::checkHost(c.server.host); !e.isEmpty())
        return fail(e);
    if (QHostAddress(c.listen.host).isNull() || c.listen.port == 0)
        return fail(tr("Engarde's listen address must be an IP address and port"));
    QStringList excluded;
    for (const QString &name : c.excludedInterfaces) {
        if (!isValidInterfaceName(name))
            return fail(tr("“%1” is not a valid interface name to exclude").arg(name.left(40)));
        excluded.append(name);
    }
    excluded.append(QStringLiteral("lo"));
    YAML::Node labels(YAML::NodeType::Map);
    for (const EngineWan &w : wans) {
        if (w.interface.isEmpty())
            continue;
        if (!isValidInterfaceName(w.interface))
            return fail(tr("“%1” is not a valid interface name").arg(w.interface.left(40)));
        if (!w.enabled || w.priority == WanPriority::Never)
            excluded.append(w.interface);
        else
            labels[utf8(w.interface)] = utf8(w.name);
    }
    excluded.removeDuplicates();

    YAML::Node client;
    client["description"] = "SmoothWAN";
    client["listenAddr"] = utf8(c.listen.toString());
    client["dstAddr"] = utf8(c.server.toString());
    client["writeTimeout"] = WriteTimeoutMs;
    YAML::Node excludedNode(YAML::NodeType::Sequence);
    for (const QString &name : excluded)
        excludedNode.push_back(utf8(name));
    client["excludedInterfaces"] = excludedNode;
    client["interfaceLabels"] = labels;
    client["dstOverrides"] = YAML::Node(YAML::NodeType::Sequence);
    if (!c.webManager.isEmpty()) {
        if (QHostAddress(c.webManager.host).isNull() || c.webManager.port == 0)
            return fail(tr("Engarde's web manager address must be an IP address and port"));
        YAML::Node webManager;
        webManager["listenAddr"] = utf8(c.webManager.toString());
        webManager["username"] = utf8(web.user);
        webManager["password"] = utf8(web.password);
        client["webManager"] = webManager;
    }
    YAML::Node root;
    root["client"] = client;
    YAML::Emitter out;
    out << root;
    if (!out.good())
        return fail(QString::fromStdString(out.GetLastError()));
    return QByteArray(out.c_str()) + '\n';
}

std::optional<ProcessSupervisor::Options> EngardeAdapter::prepare(QString *error)
{
    m_web = {QStringLiteral("smoothwan"), randomToken()};
    const std::optional<QByteArray> yaml = clientYaml(m_config, wans(), m_web, error);
    if (!yaml)
        return std::nullopt;
    QDir().mkpath(m_runtimeDir);
    QSaveFile file(configPath());
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        file.write(*yaml) != yaml->size() || !file.commit()) {
        if (error)
            *error = tr("Cannot write Engarde's configuration %1: %2").arg(configPath(), file.errorString());
        return std::nullopt;
    }
    ProcessSupervisor::Options o;
    o.name = QStringLiteral("Engarde");
    o.program = m_program;
    if (o.program.isEmpty()) {
        o.program = ProcessSupervisor::findExecutable(QStringLiteral("engarde-client"));
        if (o.program.isEmpty())
            o.program = QStringLiteral("/usr/local/bin/engarde-client");
    }
    o.arguments = {configPath()};
    o.installHint = QString::fromLatin1(InstallHint);
    return o;
}

void EngardeAdapter::onRunning(bool running)
{
    if (running && !m_config.webManager.isEmpty()) {
        if (!m_network)
            m_network = new QNetworkAccessManager(this);
        m_pollTimer.start();
        QTimer::singleShot(300, this, &EngardeAdapter::poll); // the first answer soon after start
    } else {
        m_pollTimer.stop();
        m_interfaces = {};
    }
}

void EngardeAdapter::poll()
{
    if (!m_network || !isRunning())
        return;
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(m_config.webManager.host);
    url.setPort(m_config.webManager.port);
    url.setPath(QStringLiteral("/api/v1/get-list"));
    QNetworkRequest request(url);
    request.setRawHeader("Authorization",
                         "Basic " + QString(m_web.user + QLatin1Char(':') + m_web.password).toUtf8().toBase64());
    request.setTransferTimeout(PollIntervalMs);
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        QString error;
        QJsonArray interfaces;
        if (reply->error() != QNetworkReply::NoError) {
            error = tr("Engarde's web manager did not answer: %1").arg(reply->errorString());
        } else {
            const QJsonObject list = QJsonDocument::fromJson(reply->read(1 << 20)).object();
            for (const QJsonValue &v : list.value(QStringLiteral("interfaces")).toArray()) {
                const QJsonObject i = v.toObject();
                const QString name = i.value(QStringLiteral("name")).toString();
                QString wan;
                for (const EngineWan &w : wans())
                    if (w.interface == name)
                        wan = w.name;
                interfaces.append(QJsonObject {
                    {QStringLiteral("adapterId"), name},
                    {QStringLiteral("wan"), wan.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(wan)},
                    {QStringLiteral("state"), i.value(QStringLiteral("status")).toString()},
                    {QStringLiteral("senderAddress"), i.value(QStringLiteral("senderAddress")).toString()},
                    {QStringLiteral("dstAddress"), i.value(QStringLiteral("dstAddress")).toString()},
                    {QStringLiteral("lastReceived"), i.value(QStringLiteral("last"))},
                });
            }
        }
        if (interfaces != m_interfaces || error != m_webError) {
            if (!error.isEmpty() && error != m_webError)
                qCInfo(lcEngine).noquote() << error;
            m_interfaces = interfaces;
            m_webError = error;
            Q_EMIT statusChanged();
        }
    });
}

void EngardeAdapter::addStatus(QJsonObject &status) const
{
    status.insert(QStringLiteral("server"), m_config.server.toString());
    status.insert(QStringLiteral("mode"), QStringLiteral("redundant"));
    status.insert(QStringLiteral("adapters"), m_interfaces);
    status.insert(QStringLiteral("webManagerError"),
                  m_webError.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(m_webError));
}

} // namespace smoothwan
