// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>

#include <cstdint>
#include <optional>

namespace smoothwan {

struct LinkAddress
{
    QHostAddress address;
    int prefixLength = 0;
    friend bool operator==(const LinkAddress &, const LinkAddress &) = default;
};

struct LinkInfo
{
    int index = 0;
    QString name;
    QString kind;            // rtnl link kind: "veth", "bridge", "tun", "" for hardware
    QByteArray mac;          // current hardware address, raw bytes
    QByteArray permanentMac; // IFLA_PERM_ADDRESS where the driver reports one
    QString devicePath;      // sysfs device path where there is one (USB port, PCI slot)
    QString driver;          // kernel driver of that device (e1000e, rndis_host, qmi_wwan), if any
    QString devType;         // DEVTYPE of the link's sysfs uevent ("wlan", "wwan", "bridge"), if any
    bool wireless = false;   // an 802.11 link (sysfs wireless/ or phy80211 exists)
    int masterIndex = 0;     // bridge or bond this link is enslaved to, 0 if none
    bool adminUp = false;    // IFF_UP
    bool operUp = false;     // IF_OPER_UP (or UNKNOWN with IFF_RUNNING, as for tun)
    bool carrier = false;    // IFF_LOWER_UP
    bool loopback = false;
    int mtu = 0;
    QList<LinkAddress> addresses;
    QList<QHostAddress> gateways; // next hops of default routes through this link (main table)
    std::uint64_t rxBytes = 0;
    std::uint64_t txBytes = 0;
    std::uint64_t rxPackets = 0;
    std::uint64_t txPackets = 0;

    friend bool operator==(const LinkInfo &, const LinkInfo &) = default;
};

// Contract: the kernel's links as the daemon sees them, kept current by events.
// - start() dumps links, addresses and routes before returning, so links() is complete
//   from then on; it returns false with a message if the source cannot be opened.
// - Every change after start() is delivered through the signals from the Qt event loop,
//   in kernel order. linkChanged carries the old and the new view of a link; a change of
//   addresses, default routes or flags is a linkChanged.
// - If the kernel drops events (receive buffer overflow), the implementation re-dumps,
//   emits the differences as ordinary signals and then resynced(); consumers never need to
//   know it happened.
// - refreshCounters() re-reads the 64-bit counters of every link; counter updates are not
//   reported through linkChanged (they change constantly), read them with links().
class LinkMonitor : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    ~LinkMonitor() override = default;

    virtual bool start(QString *error) = 0;
    virtual QList<LinkInfo> links() const = 0;
    virtual void refreshCounters() = 0;

    std::optional<LinkInfo> link(int index) const;
    std::optional<LinkInfo> linkByName(const QString &name) const;

Q_SIGNALS:
    void linkAdded(const smoothwan::LinkInfo &link);
    void linkChanged(const smoothwan::LinkInfo &before, const smoothwan::LinkInfo &after);
    void linkRemoved(const smoothwan::LinkInfo &link);
    void resynced();
};

} // namespace smoothwan
