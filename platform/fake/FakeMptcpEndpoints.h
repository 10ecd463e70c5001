// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "MptcpEndpoints.h"

#include <QtCore/QSet>

namespace smoothwan {

// In memory, with the kernel's rules: ids 1..255 unique, an address at most once, the interface
// must exist (addInterface), limits at most 8. Tests may pre-seed foreign endpoints with add().
class FakeMptcpEndpoints final : public MptcpEndpoints
{
    Q_OBJECT

public:
    using MptcpEndpoints::MptcpEndpoints;

    void addInterface(const QString &name) { m_interfaces.insert(name); }
    // Every call that changed something, for tests ("add 101", "remove 101", "backup 101 on", "limits 2 2").
    QStringList operations() const { return m_operations; }
    void clearOperations() { m_operations.clear(); }

    bool list(QList<MptcpEndpoint> *out, QString *error) override;
    bool add(const MptcpEndpoint &endpoint, QString *error) override;
    bool remove(std::uint8_t id, QString *error) override;
    bool setBackup(std::uint8_t id, bool backup, QString *error) override;
    bool limits(MptcpLimits *out, QString *error) override;
    bool setLimits(const MptcpLimits &limits, QString *error) override;

private:
    QList<MptcpEndpoint> m_endpoints;
    MptcpLimits m_limits;
    QSet<QString> m_interfaces;
    QStringList m_operations;
};

} // namespace smoothwan
