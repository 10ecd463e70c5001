// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "SupervisedEngine.h"

#include <QtCore/QJsonArray>
#include <QtCore/QTimer>

class QNetworkAccessManager;

namespace smoothwan {

// Contract: runs Engarde's client (`engarde-client <config>`) under supervision with a YAML
// configuration generated from our settings and WAN list (clientYaml(): listenAddr, dstAddr,
// writeTimeout, excludedInterfaces, interfaceLabels, dstOverrides, webManager). Interfaces
// excluded: the configured ones, WANs that are disabled or of tier never, and loopback; every WAN
// gets its name as label. When the web manager is configured it is given fresh credentials on
// each start and polled (GET /api/v1/get-list, basic auth) for per-interface status, published
// as adapters[]. The configuration file is written atomically, mode 0600, in runtimeDir.
class EngardeAdapter : public SupervisedEngine
{
    Q_OBJECT

public:
    static const char *const InstallHint;
    static constexpr int PollIntervalMs = 2000;
    static constexpr int WriteTimeoutMs = 10;

    struct WebCredentials
    {
        QString user;
        QString password;
    };

    EngardeAdapter(const Clock &clock, const EngardeConfig &config, const QString &runtimeDir,
                   const QString &program = {}, QObject *parent = nullptr);
    ~EngardeAdapter() override;

    QString type() const override { return QStringLiteral("engarde"); }
    QString tunnelInterface() const override { return {}; } // the WireGuard interface is not ours
    QString configPath() const;

    static std::optional<QByteArray> clientYaml(const EngardeConfig &config, const QList<EngineWan> &wans,
                                                const WebCredentials &web, QString *error);

protected:
    std::optional<ProcessSupervisor::Options> prepare(QString *error) override;
    void addStatus(QJsonObject &status) const override;
    void onRunning(bool running) override;

private:
    void poll();

    EngardeConfig m_config;
    QString m_runtimeDir;
    QString m_program;
    WebCredentials m_web;
    QNetworkAccessManager *m_network = nullptr;
    QTimer m_pollTimer;
    QJsonArray m_interfaces;
    QString m_webError;
};

} // namespace smoothwan
