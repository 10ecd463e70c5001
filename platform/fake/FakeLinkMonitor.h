// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "LinkMonitor.h"

#include <QtCore/QMap>

#include <functional>

namespace smoothwan {

// In-memory LinkMonitor, scripted by tests and by simulation scenarios. Every scripting
// call emits the same signals the Linux implementation would for the same kernel change.
class FakeLinkMonitor final : public LinkMonitor
{
    Q_OBJECT

public:
    using LinkMonitor::LinkMonitor;

    bool start(QString *error) override;
    QList<LinkInfo> links() const override { return m_links.values(); }
    void refreshCounters() override { }

    // Scripting. Each returns false if the link does not exist (or already exists for add).
    int addLink(const QString &name, const QString &kind = {});
    bool removeLink(const QString &name);
    bool setAdminUp(const QString &name, bool up);
    bool setCarrier(const QString &name, bool carrier);
    bool setMtu(const QString &name, int mtu);
    bool rename(const QString &name, const QString &newName);
    bool addAddress(const QString &name, const LinkAddress &address);
    bool removeAddress(const QString &name, const LinkAddress &address);
    bool addGateway(const QString &name, const QHostAddress &gateway);
    bool removeGateway(const QString &name, const QHostAddress &gateway);
    bool setCounters(const QString &name, std::uint64_t rxBytes, std::uint64_t txBytes);
    // What sysfs and IFLA_PERM_ADDRESS would say of the link's device.
    bool setDevice(const QString &name, const QString &devicePath, const QString &driver,
                   const QByteArray &permanentMac = {});
    // What the link's sysfs uevent (DEVTYPE) and wireless/ directory would say.
    bool setDevType(const QString &name, const QString &devType, bool wireless = false);
    // Simulates a lost event burst: applies `mutate` silently, then reports the difference
    // the way a re-dump would, followed by resynced().
    void simulateOverflow(const std::function<void(FakeLinkMonitor &)> &mutate);

private:
    LinkInfo *find(const QString &name);
    template<typename F> bool change(const QString &name, F &&mutate);
    void emitDifferences(const QMap<int, LinkInfo> &before);

    QMap<int, LinkInfo> m_links;
    int m_nextIndex = 2; // 1 is lo, as in a fresh namespace
    bool m_silent = false;
};

} // namespace smoothwan
