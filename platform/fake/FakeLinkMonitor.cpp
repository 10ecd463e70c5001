// SPDX-License-Identifier: GPL-3.0-or-later
#include "FakeLinkMonitor.h"

namespace smoothwan {

bool FakeLinkMonitor::start(QString *)
{
    if (!m_links.contains(1)) {
        LinkInfo lo;
        lo.index = 1;
        lo.name = QStringLiteral("lo");
        lo.loopback = true;
        lo.mtu = 65536;
        m_links.insert(1, lo);
    }
    return true;
}

LinkInfo *FakeLinkMonitor::find(const QString &name)
{
    for (auto it = m_links.begin(); it != m_links.end(); ++it)
        if (it->name == name)
            return &it.value();
    return nullptr;
}

template<typename F> bool FakeLinkMonitor::change(const QString &name, F &&mutate)
{
    LinkInfo *link = find(name);
    if (!link)
        return false;
    const LinkInfo before = *link;
    mutate(*link);
    link->operUp = link->adminUp && link->carrier;
    if (!m_silent && before != *link)
        Q_EMIT linkChanged(before, *link);
    return true;
}

int FakeLinkMonitor::addLink(const QString &name, const QString &kind)
{
    if (find(name))
        return 0;
    LinkInfo link;
    link.index = m_nextIndex++;
    link.name = name;
    link.kind = kind;
    link.mtu = 1500;
    link.mac = QByteArray::fromHex("020000000000");
    link.mac[5] = static_cast<char>(link.index);
    m_links.insert(link.index, link);
    if (!m_silent)
        Q_EMIT linkAdded(link);
    return link.index;
}

bool FakeLinkMonitor::removeLink(const QString &name)
{
    LinkInfo *link = find(name);
    if (!link)
        return false;
    const LinkInfo gone = *link;
    m_links.remove(gone.index);
    if (!m_silent)
        Q_EMIT linkRemoved(gone);
    return true;
}

bool FakeLinkMonitor::setAdminUp(const QString &name, bool up)
{
    return change(name, [up](LinkInfo &l) {
        l.adminUp = up;
        if (!up) {
            l.carrier = false;
            l.gateways.clear(); // the kernel drops routes through a link set down
            // ... and its IPv6 addresses (net.ipv6.conf.*.keep_addr_on_down=0, the default)
            l.addresses.removeIf(
                [](const LinkAddress &a) { return a.address.protocol() == QHostAddress::IPv6Protocol; });
        }
    });
}

bool FakeLinkMonitor::setCarrier(const QString &name, bool carrier)
{
    return change(name, [carrier](LinkInfo &l) { l.carrier = carrier && l.adminUp; });
}

bool FakeLinkMonitor::setMtu(const QString &name, int mtu)
{
    return change(name, [mtu](LinkInfo &l) { l.mtu = mtu; });
}

bool FakeLinkMonitor::rename(const QString &name, const QString &newName)
{
    if (find(newName))
        return false;
    return change(name, [&newName](LinkInfo &l) { l.name = newName; });
}

bool FakeLinkMonitor::addAddress(const QString &name, const LinkAddress &address)
{
    return change(name, [&address](LinkInfo &l) {
        if (!l.addresses.contains(address))
            l.addresses.append(address);
    });
}

bool FakeLinkMonitor::removeAddress(const QString &name, const LinkAddress &address)
{
    return change(name, [&address](LinkInfo &l) { l.addresses.removeAll(address); });
}

bool FakeLinkMonitor::addGateway(const QString &name, const QHostAddress &gateway)
{
    return change(name, [&gateway](LinkInfo &l) {
        if (!l.gateways.contains(gateway))
            l.gateways.append(gateway);
    });
}

bool FakeLinkMonitor::removeGateway(const QString &name, const QHostAddress &gateway)
{
    return change(name, [&gateway](LinkInfo &l) { l.gateways.removeAll(gateway); });
}

bool FakeLinkMonitor::setCounters(const QString &name, std::uint64_t rxBytes, std::uint64_t txBytes)
{
    LinkInfo *link = find(name);
    if (!link)
        return false;
    link->rxBytes = rxBytes;
    link->txBytes = txBytes;
    return true;
}

bool FakeLinkMonitor::setDevice(const QString &name, const QString &devicePath, const QString &driver,
                                const QByteArray &permanentMac)
{
    return change(name, [&](LinkInfo &l) {
        l.devicePath = devicePath;
        l.driver = driver;
        l.permanentMac = permanentMac;
    });
}

bool FakeLinkMonitor::setDevType(const QString &name, const QString &devType, bool wireless)
{
    return change(name, [&](LinkInfo &l) {
        l.devType = devType;
        l.wireless = wireless;
    });
}

void FakeLinkMonitor::simulateOverflow(const std::function<void(FakeLinkMonitor &)> &mutate)
{
    const QMap<int, LinkInfo> before = m_links;
    m_silent = true;
    mutate(*this);
    m_silent = false;
    emitDifferences(before);
    Q_EMIT resynced();
}

void FakeLinkMonitor::emitDifferences(const QMap<int, LinkInfo> &before)
{
    for (const LinkInfo &old : before)
        if (!m_links.contains(old.index))
            Q_EMIT linkRemoved(old);
    for (const LinkInfo &now : std::as_const(m_links)) {
        const auto old = before.constFind(now.index);
        if (old == before.constEnd())
            Q_EMIT linkAdded(now);
        else if (*old != now)
            Q_EMIT linkChanged(*old, now);
    }
}

} // namespace smoothwan
