// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>

#include <cstdint>

namespace smoothwan {

// One endpoint of the kernel's in-kernel MPTCP path manager (`ip mptcp endpoint`): a local
// address MPTCP may open subflows from (flag Subflow), announce to the peer (Signal), and use only
// when no other subflow is left (Backup).
struct MptcpEndpoint
{
    enum Flag : std::uint32_t {
        Signal = 1u << 0,  // MPTCP_PM_ADDR_FLAG_SIGNAL
        Subflow = 1u << 1, // MPTCP_PM_ADDR_FLAG_SUBFLOW
        Backup = 1u << 2,  // MPTCP_PM_ADDR_FLAG_BACKUP
        Fullmesh = 1u << 3,
    };
    std::uint8_t id = 0; // 1..255; 0 asks the kernel to choose (add only)
    QHostAddress address;
    QString interface; // empty: any device
    std::uint32_t flags = 0;
    friend bool operator==(const MptcpEndpoint &, const MptcpEndpoint &) = default;
};

struct MptcpLimits
{
    std::uint32_t subflows = 0;        // extra subflows per connection (kernel max 8)
    std::uint32_t addAddrAccepted = 0; // peer announcements accepted per connection (max 8)
    friend bool operator==(const MptcpLimits &, const MptcpLimits &) = default;
};

// Contract: the kernel's MPTCP endpoints of the current network namespace. Calls are synchronous;
// on failure they return false and say why in *error, naming the cause the kernel gave
// ("already exists" for a duplicate id or address, "no such endpoint" for an unknown id,
// "invalid interface name" for a name isValidInterfaceName() refuses, "no such interface").
class MptcpEndpoints : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    ~MptcpEndpoints() override = default;

    virtual bool list(QList<MptcpEndpoint> *out, QString *error) = 0;
    virtual bool add(const MptcpEndpoint &endpoint, QString *error) = 0;
    virtual bool remove(std::uint8_t id, QString *error) = 0;
    // Turns the backup flag of endpoint `id` on or off (the only flag the kernel changes in place).
    virtual bool setBackup(std::uint8_t id, bool backup, QString *error) = 0;
    virtual bool limits(MptcpLimits *out, QString *error) = 0;
    virtual bool setLimits(const MptcpLimits &limits, QString *error) = 0;
};

} // namespace smoothwan
