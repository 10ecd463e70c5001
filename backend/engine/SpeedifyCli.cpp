// SPDX-License-Identifier: GPL-3.0-or-later
#include "SpeedifyCli.h"

#include "Logging.h"
#include "ProcessSupervisor.h"
#include "SpeedifyParser.h"

namespace smoothwan {

const char *const SpeedifyCli::DefaultPath = "/usr/share/speedify/speedify_cli";
const char *const SpeedifyCli::InstallHint =
    "Install Speedify for Linux: bash -c \"$(curl -sL https://get.speedify.com)\", then set engine.speedify.cliPath "
    "if speedify_cli is not in /usr/share/speedify";

QString SpeedifyError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::None:
        return QStringLiteral("none");
    case Kind::NotInstalled:
        return QStringLiteral("not-installed");
    case Kind::Refused:
        return QStringLiteral("refused");
    case Kind::DaemonError:
        return QStringLiteral("daemon-error");
    case Kind::InvalidParameter:
        return QStringLiteral("invalid-parameter");
    case Kind::MissingParameter:
        return QStringLiteral("missing-parameter");
    case Kind::UnknownParameter:
        return QStringLiteral("unknown-parameter");
    case Kind::Timeout:
        return QStringLiteral("timeout");
    case Kind::Crashed:
        return QStringLiteral("crashed");
    case Kind::BadOutput:
        return QStringLiteral("bad-output");
    case Kind::Cancelled:
        return QStringLiteral("cancelled");
    }
    return QStringLiteral("unknown");
}

SpeedifyCli::SpeedifyCli(const QString &configuredPath, QObject *parent)
    : QObject(parent)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_timedOut = true;
            m_process->kill();
        }
    });
    relocate(configuredPath);
}

SpeedifyCli::~SpeedifyCli()
{
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(1000);
    }
}

QString SpeedifyCli::locate(const QString &configuredPath)
{
    QStringList candidates;
    if (!configuredPath.isEmpty())
        candidates.append(configuredPath);
    const QString env = qEnvironmentVariable("SPEEDIFY_CLI");
    if (!env.isEmpty())
        candidates.append(env);
    candidates.append(QString::fromLatin1(DefaultPath));
    for (const QString &c : candidates) {
        // Only absolute paths: a bare name would be looked up in PATH, which config should not steer.
        if (!c.startsWith(QLatin1Char('/')))
            continue;
        const QString found = ProcessSupervisor::findExecutable(c);
        if (!found.isEmpty())
            return found;
    }
    return {};
}

void SpeedifyCli::relocate(const QString &configuredPath)
{
    m_configured = configuredPath;
    m_program = locate(configuredPath);
    if (m_program.isEmpty())
        qCInfo(lcSpeedify) << "speedify_cli not found (configured" << configuredPath << ")";
    else
        qCDebug(lcSpeedify) << "using" << m_program;
}

QString SpeedifyCli::describe(const QStringList &args)
{
    QStringList shown = args;
    if (shown.value(0) == QLatin1String("login") && shown.size() > 2)
        shown[2] = QStringLiteral("***");
    return shown.join(QLatin1Char(' '));
}

void SpeedifyCli::run(const QStringList &args, Callback done, int timeoutMs)
{
    m_queue.enqueue(Job {args, std::move(done), timeoutMs > 0 ? timeoutMs : m_timeoutMs, std::nullopt});
    schedule();
}

void SpeedifyCli::refuse(const QStringList &args, const QString &message, Callback done)
{
    SpeedifyError e;
    e.kind = SpeedifyError::Kind::Refused;
    e.message = message;
    m_queue.enqueue(Job {args, std::move(done), 0, e});
    schedule();
}

void SpeedifyCli::cancelAll()
{
    QQueue<Job> jobs;
    jobs.swap(m_queue);
    for (Job &job : jobs) {
        SpeedifyReply reply;
        reply.arguments = job.args;
        reply.error.kind = SpeedifyError::Kind::Cancelled;
        reply.error.message = tr("“%1” was cancelled").arg(describe(job.args));
        if (job.done)
            job.done(reply);
    }
}

void SpeedifyCli::schedule()
{
    if (m_scheduled || m_current)
        return;
    m_scheduled = true;
    QMetaObject::invokeMethod(this, &SpeedifyCli::startNext, Qt::QueuedConnection);
}

void SpeedifyCli::startNext()
{
    m_scheduled = false;
    if (m_current || m_queue.isEmpty())
        return;
    Job job = m_queue.dequeue();
    SpeedifyReply reply;
    reply.arguments = job.args;
    if (job.preset) {
        reply.error = *job.preset;
        complete(std::move(job), reply);
        return;
    }
    if (m_program.isEmpty())
        m_program = locate(m_configured); // installed since we last looked
    if (m_program.isEmpty()) {
        reply.error.kind = SpeedifyError::Kind::NotInstalled;
        reply.error.message =
            tr("Speedify is not installed: speedify_cli was not found. %1").arg(QString::fromLatin1(InstallHint));
        complete(std::move(job), reply);
        return;
    }
    m_current = std::move(job);
    m_timedOut = false;
    m_process = new QProcess(this);
    m_process->setProgram(m_program);
    m_process->setArguments(QStringList {QStringLiteral("-s")} + m_current->args);
    connect(m_process, &QProcess::finished, this, &SpeedifyCli::finishCurrent);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            finishCurrent(-1, QProcess::CrashExit);
    });
    qCDebug(lcSpeedify).noquote() << "speedify_cli -s" << describe(m_current->args);
    m_timeout.start(m_current->timeoutMs);
    m_process->start(QIODevice::ReadOnly);
}

void SpeedifyCli::finishCurrent(int exitCode, QProcess::ExitStatus status)
{
    if (!m_current || !m_process)
        return;
    m_timeout.stop();
    QProcess *process = m_process;
    m_process = nullptr;
    process->disconnect(this);
    process->deleteLater();
    Job job = std::move(*m_current);
    m_current.reset();

    const QString what = describe(job.args);
    const QByteArray out = process->readAllStandardOutput();
    const QByteArray err = process->readAllStandardError();
    const QString errText = QString::fromUtf8(err).trimmed().section(QLatin1Char('\n'), 0, 0).left(300);
    SpeedifyReply reply;
    reply.arguments = job.args;
    SpeedifyError &e = reply.error;
    e.exitCode = exitCode;
    if (m_timedOut) {
        e.kind = SpeedifyError::Kind::Timeout;
        e.message = tr("Speedify did not answer “%1” within %2 s").arg(what).arg(job.timeoutMs / 1000.0);
    } else if (process->error() == QProcess::FailedToStart) {
        e.kind = SpeedifyError::Kind::NotInstalled;
        e.message = tr("speedify_cli (%1) could not be started: %2").arg(m_program, process->errorString());
    } else if (status == QProcess::CrashExit) {
        e.kind = SpeedifyError::Kind::Crashed;
        e.message = tr("speedify_cli crashed while running “%1”").arg(what);
    } else if (exitCode == 1) {
        e.kind = SpeedifyError::Kind::DaemonError;
        e.api = SpeedifyParser::parseApiError(err);
        if (e.api)
            e.message = tr("Speedify could not do “%1”: %2 (%3)")
                            .arg(what, e.api->errorMessage,
                                 e.api->errorType.isEmpty() ? QString::number(e.api->errorCode) : e.api->errorType);
        else
            e.message =
                tr("Speedify could not do “%1”: %2").arg(what, errText.isEmpty() ? tr("no reason given") : errText);
    } else if (exitCode == 2) {
        e.kind = SpeedifyError::Kind::InvalidParameter;
        e.message = tr("Speedify rejected a value in “%1”: %2").arg(what, errText);
    } else if (exitCode == 3) {
        e.kind = SpeedifyError::Kind::MissingParameter;
        e.message = tr("Speedify says a value is missing in “%1”").arg(what);
    } else if (exitCode == 4) {
        e.kind = SpeedifyError::Kind::UnknownParameter;
        e.message = tr("This Speedify version does not know “%1”").arg(what);
    } else if (exitCode != 0) {
        e.kind = SpeedifyError::Kind::Crashed;
        e.message = tr("speedify_cli failed with exit code %1 on “%2”: %3").arg(exitCode).arg(what, errText);
    } else {
        QString parseError;
        const std::optional<QList<QJsonValue>> docs = SpeedifyParser::documents(out, &parseError);
        if (!docs || docs->isEmpty()) {
            e.kind = SpeedifyError::Kind::BadOutput;
            e.message = tr("Speedify answered “%1” with output that is not JSON (%2)")
                            .arg(what, docs ? tr("nothing") : parseError);
        } else {
            reply.documents = *docs;
        }
    }
    complete(std::move(job), reply);
    schedule();
}

void SpeedifyCli::complete(Job job, SpeedifyReply reply)
{
    reply.arguments = job.args;
    if (reply.arguments.value(0) == QLatin1String("login") && reply.arguments.size() > 2)
        reply.arguments[2] = QStringLiteral("***");
    if (!reply.ok())
        qCInfo(lcSpeedify).noquote() << SpeedifyError::kindName(reply.error.kind) << reply.error.message;
    if (job.done)
        job.done(reply);
    schedule();
}

} // namespace smoothwan
