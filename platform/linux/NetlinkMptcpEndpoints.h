// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "MptcpEndpoints.h"

struct nl_sock;

namespace smoothwan {

// The kernel's MPTCP path manager through generic netlink (family "mptcp_pm", libnl-genl-3),
// the interface `ip mptcp endpoint|limits` uses. Works on the calling thread's network namespace,
// as it was when the first call opened the socket.
class NetlinkMptcpEndpoints final : public MptcpEndpoints
{
    Q_OBJECT

public:
    explicit NetlinkMptcpEndpoints(QObject *parent = nullptr);
    ~NetlinkMptcpEndpoints() override;

    bool list(QList<MptcpEndpoint> *out, QString *error) override;
    bool add(const MptcpEndpoint &endpoint, QString *error) override;
    bool remove(std::uint8_t id, QString *error) override;
    bool setBackup(std::uint8_t id, bool backup, QString *error) override;
    bool limits(MptcpLimits *out, QString *error) override;
    bool setLimits(const MptcpLimits &limits, QString *error) override;

private:
    bool open(QString *error);

    nl_sock *m_sock = nullptr;
    int m_family = -1;
};

} // namespace smoothwan
