// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "LinkMonitor.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QMap>
#include <QtCore/QTimer>

#include <chrono>
#include <memory>

struct nl_cb;
struct nl_sock;
class QSocketNotifier;

namespace smoothwan {

// LinkMonitor on rtnetlink through libnl-3: a request socket for dumps and an event socket
// subscribed to the link, address, route and rule groups, read from the Qt event loop through
// a QSocketNotifier (so a carrier loss reaches the loop as soon as the kernel sends it).
//
// Where LinkMonitor.h leaves room, this implementation reports:
// - addresses: every IPv4 address, and every IPv6 address except link-local ones (fe80::/10),
//   which the kernel adds to any IPv6-capable link by itself. Note that the kernel removes a
//   link's IPv6 addresses when it is set down (net.ipv6.conf.*.keep_addr_on_down=0).
// - gateways: the next hops of unicast default routes (0.0.0.0/0, ::/0, with or without a
//   source prefix) in the main table whose output interface is this link, each hop of a
//   multipath route counted. A default route without a gateway (ppp, tun, wwan) is reported as
//   the unspecified address of its family (0.0.0.0 or ::).
// - addresses and gateways are sorted (IPv4 before IPv6, then by address) without duplicates,
//   so two views of the same kernel state compare equal.
// - permanentMac from IFLA_PERM_ADDRESS (drivers that know one, kernel 5.6+); devicePath is the
//   resolved /sys/class/net/<name>/device, taken only when that sysfs entry's ifindex matches
//   (sysfs shows the namespace it was mounted in); empty for virtual links.
//
// Route changes are not tracked message by message: the kernel flushes IPv4 routes of a link
// set down, or of a link losing its last address, without telling anyone, so any default-route
// event, link-down or IPv4 address removal makes the monitor re-read the routes once the
// messages at hand are processed.
//
// On a receive buffer overflow (ENOBUFS) the queued, now incomplete, events are discarded and
// links, addresses and routes are dumped again and diffed against the model; at most one such
// re-dump per resyncHoldOff(), a later one is deferred to the end of the hold-off.
//
// Signals are emitted from the event loop; do not delete the monitor from a slot (deleteLater).
class NetlinkLinkMonitor final : public LinkMonitor
{
    Q_OBJECT

public:
    static constexpr int DefaultReceiveBufferSize = 1024 * 1024;
    static constexpr std::chrono::milliseconds DefaultResyncHoldOff {10000};

    explicit NetlinkLinkMonitor(QObject *parent = nullptr);
    ~NetlinkLinkMonitor() override;

    bool start(QString *error) override;
    QList<LinkInfo> links() const override { return m_links.values(); }
    void refreshCounters() override;

    // Receive buffer of the event socket, in bytes (the kernel doubles it for bookkeeping).
    // Above net.core.rmem_max it takes CAP_NET_ADMIN (SO_RCVBUFFORCE). Tests shrink it to
    // provoke overflows. Applies at once when already started.
    void setReceiveBufferSize(int bytes);
    int receiveBufferSize() const { return m_receiveBufferSize; }

    void setResyncHoldOff(std::chrono::milliseconds holdOff) { m_resyncHoldOff = holdOff; }
    std::chrono::milliseconds resyncHoldOff() const { return m_resyncHoldOff; }

private:
    void stop();
    void applyReceiveBufferSize();
    bool dump(int type, QList<QByteArray> *messages, QString *error);
    bool readKernel(QMap<int, LinkInfo> *links, QString *error);
    bool readGateways(QHash<int, QList<QHostAddress>> *gateways, QString *error);

    void onEventsReadable();
    void applyEvent(QByteArray &message);
    void upsertLink(const LinkInfo &fresh);
    void removeLink(int index);
    void refreshGateways();

    void onOverflow();
    void resyncNow();
    void discardQueuedEvents();
    void reconcile(const QMap<int, LinkInfo> &fresh);

    nl_sock *m_request = nullptr;
    nl_sock *m_events = nullptr;
    nl_cb *m_eventCb = nullptr;
    std::unique_ptr<QSocketNotifier> m_notifier;
    // Raw messages collected by the libnl callbacks, applied once nl_recvmsgs returns.
    QList<QByteArray> m_requestMessages;
    QList<QByteArray> m_eventMessages;

    QMap<int, LinkInfo> m_links;
    bool m_routesDirty = false;

    int m_receiveBufferSize = DefaultReceiveBufferSize;
    std::chrono::milliseconds m_resyncHoldOff = DefaultResyncHoldOff;
    QElapsedTimer m_lastResync;
    QTimer m_resyncTimer;
};

} // namespace smoothwan
