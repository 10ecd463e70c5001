// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "MptcpEndpoints.h"

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QObject>

#include <QtNetwork/QHostAddress>
#include <functional>

namespace smoothwan {

// What the MPTCP manager needs to know of one WAN.
struct MptcpWan
{
    QString name;      // the WAN's stable name (config key), not its interface
    QString interface; // the device subflows leave through
    QHostAddress address;
    bool usable = false; // the health tracker says up (or degraded); its up-rounds already gate this
    bool metered = false;
    friend bool operator==(const MptcpWan &, const MptcpWan &) = default;
};

// The kernel's MPTCP endpoints for SmoothWAN's own engine: exactly one endpoint per usable WAN
// address, flag `subflow` (plus `backup` when the WAN is metered), so one MPTCP connection (LAN TCP
// carried by ss-redir) opens a subflow over every WAN. A WAN that stops being usable loses its
// endpoint at once: the kernel closes the subflows bound to it and reinjects their data on the
// others instead of waiting for retransmission timeouts. A WAN usable again gets it back.
//
// Ours are the endpoints with an id in [IdFirst, IdLast]; every other endpoint (added by hand, by
// mptcpd, by NetworkManager) is left alone, and a WAN whose address already has a foreign endpoint
// is skipped (the foreign one serves). The limits are set to the number of WANs (at most 8).
class MptcpManager : public QObject
{
    Q_OBJECT

public:
    static constexpr std::uint8_t IdFirst = 100;
    static constexpr std::uint8_t IdLast = 199;

    explicit MptcpManager(MptcpEndpoints *endpoints, QObject *parent = nullptr);

    // Makes the kernel's endpoints in our range match `wans` (call on every WAN state change).
    // Returns false with the first error; what could be done is done.
    bool update(const QList<MptcpWan> &wans, QString *error);
    // Removes every endpoint in our range (engine off, daemon --cleanup). Limits are left as they are.
    bool cleanup(QString *error);

    // The desired endpoints for `wans`, ids chosen by `idFor` (pure: for tests and update()).
    static QList<MptcpEndpoint> desired(const QList<MptcpWan> &wans,
                                        const std::function<std::uint8_t(const QString &)> &idFor);
    static bool isOurs(std::uint8_t id) { return id >= IdFirst && id <= IdLast; }

private:
    std::uint8_t idFor(const QString &wan, const QList<MptcpEndpoint> &kernel);

    MptcpEndpoints *m_endpoints;
    QHash<QString, std::uint8_t> m_ids; // WAN name -> its endpoint id, stable while we run
};

} // namespace smoothwan
