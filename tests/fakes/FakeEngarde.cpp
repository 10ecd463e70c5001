// SPDX-License-Identifier: GPL-3.0-or-later
// engarde-client stand-in for SmoothWAN tests: reads and validates the client YAML the real one
// reads (client.listenAddr, dstAddr, writeTimeout, excludedInterfaces, interfaceLabels,
// dstOverrides, webManager), stays running, logs a line per second and, when webManager is set,
// answers GET /api/v1/get-list (basic auth) with the non-excluded interfaces of this host.
// Environment: ENGARDE_FAKE_CRASH_AFTER_MS=<n> aborts after n ms.

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTimer>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QNetworkInterface>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>

namespace {
int invalid(const std::string &why)
{
    std::fprintf(stderr, "engarde-client stand-in: invalid configuration: %s\n", why.c_str());
    return 1;
}

bool hostPort(const std::string &text, QHostAddress *address, quint16 *port)
{
    const QString s = QString::fromStdString(text);
    const qsizetype colon = s.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    bool ok = false;
    const int p = s.mid(colon + 1).toInt(&ok);
    QString host = s.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    if (address)
        *address = QHostAddress(host);
    if (port)
        *port = quint16(p);
    return ok && p > 0 && p < 65536 && !host.isEmpty();
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.value(0) == QLatin1String("--version") || args.value(0) == QLatin1String("-h")) {
        std::printf("engarde-client stand-in for SmoothWAN tests\nusage: engarde-client [config.yml]\n");
        return 0;
    }
    const std::string path = args.value(0, QStringLiteral("engarde.yml")).toStdString();
    YAML::Node client;
    try {
        client = YAML::LoadFile(path)["client"];
    } catch (const YAML::Exception &e) {
        return invalid(e.what());
    }
    if (!client || !client.IsMap())
        return invalid("no client section");
    static const std::set<std::string> known {"description",        "listenAddr",      "dstAddr",      "writeTimeout",
                                              "excludedInterfaces", "interfaceLabels", "dstOverrides", "webManager"};
    for (const auto &kv : client)
        if (!known.count(kv.first.as<std::string>()))
            return invalid("unknown key " + kv.first.as<std::string>());
    QHostAddress listen;
    if (!client["listenAddr"] || !hostPort(client["listenAddr"].as<std::string>(), &listen, nullptr) || listen.isNull())
        return invalid("listenAddr must be ip:port");
    if (!client["dstAddr"] || !hostPort(client["dstAddr"].as<std::string>(), nullptr, nullptr))
        return invalid("dstAddr must be host:port");
    QStringList excluded;
    for (const auto &e : client["excludedInterfaces"])
        excluded.append(QString::fromStdString(e.as<std::string>()));
    QHash<QString, QString> labels;
    if (client["interfaceLabels"])
        for (const auto &kv : client["interfaceLabels"])
            labels.insert(QString::fromStdString(kv.first.as<std::string>()),
                          QString::fromStdString(kv.second.as<std::string>()));

    QTcpServer web;
    QByteArray auth;
    if (const YAML::Node wm = client["webManager"]) {
        QHostAddress address;
        quint16 port = 0;
        if (!hostPort(wm["listenAddr"].as<std::string>(""), &address, &port) || address.isNull())
            return invalid("webManager.listenAddr must be ip:port");
        auth = "Basic " + QByteArray(wm["username"].as<std::string>("").c_str())
                              .append(':')
                              .append(wm["password"].as<std::string>("").c_str())
                              .toBase64();
        if (!web.listen(address, port))
            return invalid("cannot listen on the web manager address: " + web.errorString().toStdString());
        QObject::connect(&web, &QTcpServer::newConnection, [&] {
            while (QTcpSocket *s = web.nextPendingConnection()) {
                QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
                QObject::connect(s, &QTcpSocket::readyRead, s, [&, s] {
                    const QByteArray request = s->readAll();
                    QByteArray status = "200 OK";
                    QByteArray body;
                    const QByteArray header = QByteArray("\r\nauthorization: ") + auth + "\r\n";
                    if (!request.toLower().contains(header.toLower())) {
                        status = "401 Unauthorized";
                    } else if (!request.startsWith("GET /api/v1/get-list ")) {
                        status = "404 Not Found";
                    } else {
                        QJsonArray interfaces;
                        for (const QNetworkInterface &i : QNetworkInterface::allInterfaces()) {
                            if (excluded.contains(i.name()))
                                continue;
                            const auto entries = i.addressEntries();
                            interfaces.append(
                                QJsonObject {{QStringLiteral("name"), i.name()},
                                             {QStringLiteral("label"), labels.value(i.name())},
                                             {QStringLiteral("status"), QStringLiteral("active")},
                                             {QStringLiteral("senderAddress"),
                                              entries.isEmpty() ? QString() : entries.first().ip().toString()},
                                             {QStringLiteral("dstAddress"),
                                              QString::fromStdString(client["dstAddr"].as<std::string>())},
                                             {QStringLiteral("last"), QDateTime::currentSecsSinceEpoch()}});
                        }
                        body = QJsonDocument(QJsonObject {{QStringLiteral("type"), QStringLiteral("client")},
                                                          {QStringLiteral("version"), QStringLiteral("stand-in")},
                                                          {QStringLiteral("interfaces"), interfaces}})
                                   .toJson(QJsonDocument::Compact);
                    }
                    s->write("HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " +
                             QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
                    s->disconnectFromHost();
                });
            }
        });
    }
    std::printf("engarde-client stand-in: listening on %s, sending to %s, %d interfaces excluded\n",
                client["listenAddr"].as<std::string>().c_str(), client["dstAddr"].as<std::string>().c_str(),
                int(excluded.size()));
    std::fflush(stdout);
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [] {
        std::printf("engarde-client stand-in: heartbeat\n");
        std::fflush(stdout);
    });
    tick.start(1000);
    bool ok = false;
    const int crashAfter = qEnvironmentVariableIntValue("ENGARDE_FAKE_CRASH_AFTER_MS", &ok);
    if (ok)
        QTimer::singleShot(crashAfter, [] { std::abort(); });
    return app.exec();
}
