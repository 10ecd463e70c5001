// SPDX-License-Identifier: GPL-3.0-or-later
#include "MptcpManager.h"

#include "Logging.h"

#include <QtCore/QSet>

#include <algorithm>

namespace smoothwan {

MptcpManager::MptcpManager(MptcpEndpoints *endpoints, QObject *parent)
    : QObject(parent)
    , m_endpoints(endpoints)
{ }

QList<MptcpEndpoint> MptcpManager::desired(const QList<MptcpWan> &wans,
                                           const std::function<std::uint8_t(const QString &)> &idFor)
{
    QList<MptcpEndpoint> out;
    QSet<QHostAddress> seen;
    for (const MptcpWan &w : wans) {
        if (!w.usable || w.address.isNull() || seen.contains(w.address))
            continue;
        seen.insert(w.address);
        MptcpEndpoint e;
        e.id = idFor(w.name);
        if (e.id == 0)
            continue; // our range is full
        e.address = w.address;
        e.interface = w.interface;
        e.flags = MptcpEndpoint::Subflow | (w.metered ? std::uint32_t(MptcpEndpoint::Backup) : 0u);
        out.append(e);
    }
    return out;
}

std::uint8_t MptcpManager::idFor(const QString &wan, const QList<MptcpEndpoint> &kernel)
{
    if (const auto it = m_ids.constFind(wan); it != m_ids.constEnd())
        return *it;
    QSet<int> used;
    for (const auto id : std::as_const(m_ids))
        used.insert(id);
    for (const auto &e : kernel)
        used.insert(e.id);
    for (int id = IdFirst; id <= IdLast; ++id) {
        if (!used.contains(id)) {
            m_ids.insert(wan, static_cast<std::uint8_t>(id));
            return static_cast<std::uint8_t>(id);
        }
    }
    return 0;
}

bool MptcpManager::update(const QList<MptcpWan> &wans, QString *error)
{
    QList<MptcpEndpoint> kernel;
    if (!m_endpoints->list(&kernel, error))
        return false;
    QList<MptcpEndpoint> ours;
    QSet<QHostAddress> foreignAddresses;
    for (const auto &e : std::as_const(kernel)) {
        if (isOurs(e.id))
            ours.append(e);
        else
            foreignAddresses.insert(e.address);
    }
    // Ids of WANs gone from the configuration are forgotten (their endpoints are removed below).
    QSet<QString> names;
    for (const auto &w : wans)
        names.insert(w.name);
    for (auto it = m_ids.begin(); it != m_ids.end();) {
        if (names.contains(it.key()))
            ++it;
        else
            it = m_ids.erase(it);
    }
    QList<MptcpWan> eligible;
    for (const auto &w : wans) {
        if (foreignAddresses.contains(w.address)) {
            qCDebug(lcEngine) << "mptcp: WAN" << w.name << "address" << w.address.toString()
                              << "has an endpoint that is not ours; left alone";
            continue;
        }
        eligible.append(w);
    }
    // After a restart: a WAN whose address already has one of our endpoints adopts its id, so the
    // subflows on it are not disturbed.
    for (const auto &w : std::as_const(eligible)) {
        if (m_ids.contains(w.name))
            continue;
        for (const auto &e : std::as_const(ours)) {
            if (e.address == w.address && !m_ids.values().contains(e.id)) {
                m_ids.insert(w.name, e.id);
                break;
            }
        }
    }
    const QList<MptcpEndpoint> want = desired(eligible, [&](const QString &n) { return idFor(n, kernel); });

    bool ok = true;
    auto fail = [&](const QString &e) {
        qCWarning(lcEngine).noquote() << e;
        if (ok && error)
            *error = e;
        ok = false;
    };
    // Withdraw first: a WAN that went down must stop carrying subflows at once.
    for (const auto &have : std::as_const(ours)) {
        const auto match = std::find_if(want.cbegin(), want.cend(), [&](const auto &w) { return w.id == have.id; });
        const bool keep = match != want.cend() && match->address == have.address &&
                          match->interface == have.interface &&
                          (match->flags & ~std::uint32_t(MptcpEndpoint::Backup)) ==
                              (have.flags & ~std::uint32_t(MptcpEndpoint::Backup));
        if (keep) {
            const bool backup = match->flags & MptcpEndpoint::Backup;
            if (backup != bool(have.flags & MptcpEndpoint::Backup)) {
                QString e;
                if (m_endpoints->setBackup(have.id, backup, &e))
                    qCInfo(lcEngine) << "mptcp: endpoint" << have.id << have.address.toString() << "backup" << backup;
                else
                    fail(e);
            }
            continue;
        }
        QString e;
        if (m_endpoints->remove(have.id, &e))
            qCInfo(lcEngine) << "mptcp: withdrew endpoint" << have.id << have.address.toString() << have.interface;
        else
            fail(e);
    }
    for (const auto &w : want) {
        const bool present = std::any_of(ours.cbegin(), ours.cend(), [&](const auto &h) {
            return h.id == w.id && h.address == w.address && h.interface == w.interface &&
                   (h.flags & ~std::uint32_t(MptcpEndpoint::Backup)) ==
                       (w.flags & ~std::uint32_t(MptcpEndpoint::Backup));
        });
        if (present)
            continue;
        QString e;
        if (m_endpoints->add(w, &e))
            qCInfo(lcEngine) << "mptcp: added endpoint" << w.id << w.address.toString()
                             << w.interface << (w.flags & MptcpEndpoint::Backup ? "backup" : "");
        else
            fail(e);
    }
    // Limits: one subflow and one accepted announcement per WAN.
    const auto n = static_cast<std::uint32_t>(std::clamp<qsizetype>(wans.size(), 1, 8));
    const MptcpLimits wantLimits {n, n};
    MptcpLimits have;
    QString e;
    if (!m_endpoints->limits(&have, &e))
        fail(e);
    else if (have != wantLimits && !m_endpoints->setLimits(wantLimits, &e))
        fail(e);
    return ok;
}

bool MptcpManager::cleanup(QString *error)
{
    QList<MptcpEndpoint> kernel;
    if (!m_endpoints->list(&kernel, error))
        return false;
    bool ok = true;
    for (const auto &e : std::as_const(kernel)) {
        if (!isOurs(e.id))
            continue;
        QString err;
        if (!m_endpoints->remove(e.id, &err)) {
            if (ok && error)
                *error = err;
            ok = false;
        }
    }
    m_ids.clear();
    return ok;
}

} // namespace smoothwan
