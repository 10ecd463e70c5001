// SPDX-License-Identifier: GPL-3.0-or-later
#include "FakeMptcpEndpoints.h"

#include "InterfaceName.h"

#include <algorithm>

namespace smoothwan {

bool FakeMptcpEndpoints::list(QList<MptcpEndpoint> *out, QString *)
{
    *out = m_endpoints;
    std::sort(out->begin(), out->end(), [](const auto &a, const auto &b) { return a.id < b.id; });
    return true;
}

bool FakeMptcpEndpoints::add(const MptcpEndpoint &endpoint, QString *error)
{
    if (!endpoint.interface.isEmpty() && !isValidInterfaceName(endpoint.interface)) {
        *error = QStringLiteral("mptcp endpoint: invalid interface name \"%1\"").arg(endpoint.interface);
        return false;
    }
    if (!endpoint.interface.isEmpty() && !m_interfaces.contains(endpoint.interface)) {
        *error = QStringLiteral("mptcp endpoint: no such interface \"%1\"").arg(endpoint.interface);
        return false;
    }
    if (endpoint.address.isNull()) {
        *error = QStringLiteral("mptcp endpoint: an address is required");
        return false;
    }
    MptcpEndpoint e = endpoint;
    if (e.id == 0) {
        for (int id = 1; id <= 255 && e.id == 0; ++id) {
            if (std::none_of(m_endpoints.cbegin(), m_endpoints.cend(), [id](const auto &x) { return x.id == id; }))
                e.id = static_cast<std::uint8_t>(id);
        }
    }
    for (const auto &x : std::as_const(m_endpoints)) {
        if (x.id == e.id || x.address == e.address) {
            *error = QStringLiteral("mptcp endpoint %1 (%2): already exists").arg(e.id).arg(e.address.toString());
            return false;
        }
    }
    m_endpoints.append(e);
    m_operations.append(QStringLiteral("add %1").arg(e.id));
    return true;
}

bool FakeMptcpEndpoints::remove(std::uint8_t id, QString *error)
{
    const auto it = std::find_if(m_endpoints.begin(), m_endpoints.end(), [id](const auto &x) { return x.id == id; });
    if (it == m_endpoints.end()) {
        *error = QStringLiteral("mptcp endpoint %1: no such endpoint").arg(id);
        return false;
    }
    m_endpoints.erase(it);
    m_operations.append(QStringLiteral("remove %1").arg(id));
    return true;
}

bool FakeMptcpEndpoints::setBackup(std::uint8_t id, bool backup, QString *error)
{
    const auto it = std::find_if(m_endpoints.begin(), m_endpoints.end(), [id](const auto &x) { return x.id == id; });
    if (it == m_endpoints.end()) {
        *error = QStringLiteral("mptcp endpoint %1: no such endpoint").arg(id);
        return false;
    }
    if (backup)
        it->flags |= MptcpEndpoint::Backup;
    else
        it->flags &= ~std::uint32_t(MptcpEndpoint::Backup);
    m_operations.append(QStringLiteral("backup %1 %2").arg(id).arg(backup ? u"on" : u"off"));
    return true;
}

bool FakeMptcpEndpoints::limits(MptcpLimits *out, QString *)
{
    *out = m_limits;
    return true;
}

bool FakeMptcpEndpoints::setLimits(const MptcpLimits &limits, QString *error)
{
    if (limits.subflows > 8 || limits.addAddrAccepted > 8) {
        *error =
            QStringLiteral("mptcp limits: at most 8 (got %1, %2)").arg(limits.subflows).arg(limits.addAddrAccepted);
        return false;
    }
    m_limits = limits;
    m_operations.append(QStringLiteral("limits %1 %2").arg(limits.subflows).arg(limits.addAddrAccepted));
    return true;
}

} // namespace smoothwan
