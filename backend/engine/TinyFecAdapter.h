// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "SupervisedEngine.h"

namespace smoothwan {

// Contract: runs the tinyfecVPN client (`tinyvpn -c -r<server> -f<fec> --timeout <ms> --mode <0|1>
// --mtu <n> --tun-dev <name> --sub-net <ip> --keep-reconnect`) under supervision. arguments()
// validates every value (FEC spec "x:y[,x:y...]" with x increasing, ranges, interface name,
// IPv4 subnet, server host and port) and builds the argv list; a refused setting starts nothing
// and is reported as the engine's error. The program is `program` when set, else `tinyvpn` in
// PATH or /usr/local/bin.
class TinyFecAdapter : public SupervisedEngine
{
    Q_OBJECT

public:
    static const char *const InstallHint;

    TinyFecAdapter(const Clock &clock, const TinyFecConfig &config, const QString &program = {},
                   QObject *parent = nullptr);

    QString type() const override { return QStringLiteral("tinyfec"); }
    QString tunnelInterface() const override { return m_config.tunName; }
    QHostAddress tunnelGateway() const override { return QHostAddress(m_config.subnet.toIPv4Address() + 1); }

    static std::optional<QStringList> arguments(const TinyFecConfig &config, QString *error);
    static QString checkFecSpec(const QString &spec); // empty when valid
    static QString checkHost(const QString &host);    // IP literal or DNS name; empty when valid

protected:
    std::optional<ProcessSupervisor::Options> prepare(QString *error) override;
    void addStatus(QJsonObject &status) const override;

private:
    TinyFecConfig m_config;
    QString m_program;
};

} // namespace smoothwan
