// SPDX-License-Identifier: GPL-3.0-or-later
#include "AuthStore.h"

#include "AtomicFile.h"
#include "Clock.h"
#include "Logging.h"

#include <algorithm>

#include <QtCore/QCryptographicHash>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include <sodium.h>

#include <cerrno>
#include <cstring>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace smoothwan {

namespace {

constexpr int TokenBytes = 32;

QString fileName(const QString &dir)
{
    return QDir(dir).filePath(QStringLiteral("users.json"));
}

} // namespace

AuthStore::AuthStore(const Clock &clock, QString directory, QString localTokenPath, QObject *parent, bool cheapHashing)
    : QObject(parent)
    , m_clock(clock)
    , m_directory(std::move(directory))
    , m_localTokenPath(std::move(localTokenPath))
    , m_cheap(cheapHashing)
{
    m_pool.setMaxThreadCount(MaxParallelVerifications);
}

AuthStore::~AuthStore()
{
    // Verifications in flight hold copies of what they need; their answers are dropped with us.
    m_pool.waitForDone();
}

bool AuthStore::load(QString *error)
{
    if (sodium_init() < 0) {
        *error = QStringLiteral("libsodium could not be initialised");
        return false;
    }
    if (!QDir().mkpath(m_directory)) {
        *error = QStringLiteral("cannot create %1").arg(m_directory);
        return false;
    }
    QFile f(fileName(m_directory));
    if (f.exists()) {
        if (!f.open(QIODevice::ReadOnly) || f.size() > 4 * 1024 * 1024) {
            *error = QStringLiteral("cannot read %1").arg(f.fileName());
            return false;
        }
        const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
        for (const QJsonValue &v : root.value(QStringLiteral("users")).toArray()) {
            const QJsonObject o = v.toObject();
            const auto role = protocol::roleFromName(o.value(QStringLiteral("role")).toString());
            if (!role)
                continue;
            m_users.append({o.value(QStringLiteral("name")).toString(), *role,
                            o.value(QStringLiteral("hash")).toString().toLatin1()});
        }
        for (const QJsonValue &v : root.value(QStringLiteral("tokens")).toArray()) {
            const QJsonObject o = v.toObject();
            const auto role = protocol::roleFromName(o.value(QStringLiteral("role")).toString());
            if (!role)
                continue;
            m_tokens.append({o.value(QStringLiteral("name")).toString(), o.value(QStringLiteral("user")).toString(),
                             *role, QByteArray::fromHex(o.value(QStringLiteral("sha256")).toString().toLatin1()),
                             o.value(QStringLiteral("created")).toString()});
        }
        // Tighten a file someone loosened by hand: it holds password hashes.
        ::chmod(QFile::encodeName(f.fileName()).constData(), 0600);
    }
    if (!m_localTokenPath.isEmpty()) {
        QFile t(m_localTokenPath);
        QString token;
        if (t.open(QIODevice::ReadOnly))
            token = QString::fromLatin1(t.read(256)).trimmed();
        if (token.size() < 2 * TokenBytes) {
            token = newToken();
            QDir().mkpath(QFileInfo(m_localTokenPath).absolutePath());
            const auto r = writeAtomically(m_localTokenPath, token.toLatin1() + '\n', 0640);
            if (!r.ok) {
                *error = QStringLiteral("cannot write the local token %1: %2").arg(m_localTokenPath, r.error);
                return false;
            }
            qCInfo(lcApi, "created the local token %s", qPrintable(m_localTokenPath));
        }
        m_localTokenHash = sha256(token);
        giveLocalTokenToGroup();
    }
    return true;
}

void AuthStore::giveLocalTokenToGroup() const
{
    if (m_localTokenGroup.isEmpty())
        return;
    struct group entry
    {
    };
    struct group *found = nullptr;
    std::vector<char> buffer(16384);
    const QByteArray name = m_localTokenGroup.toLocal8Bit();
    if (::getgrnam_r(name.constData(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
        qCInfo(lcApi, "no group '%s': the local token %s stays readable by root only", name.constData(),
               qPrintable(m_localTokenPath));
        return;
    }
    const QByteArray path = QFile::encodeName(m_localTokenPath);
    struct stat st
    {
    };
    if (::stat(path.constData(), &st) == 0 && st.st_gid == found->gr_gid)
        return;
    if (::chown(path.constData(), static_cast<uid_t>(-1), found->gr_gid) != 0)
        qCWarning(lcApi, "cannot give the local token %s to group '%s': %s", path.constData(), name.constData(),
                  std::strerror(errno));
    else
        qCInfo(lcApi, "the local token %s is readable by group '%s'", path.constData(), name.constData());
}

bool AuthStore::save(QString *error) const
{
    QJsonArray users;
    for (const User &u : m_users)
        users.append(QJsonObject {{QStringLiteral("name"), u.name},
                                  {QStringLiteral("role"), protocol::roleName(u.role)},
                                  {QStringLiteral("hash"), QString::fromLatin1(u.hash)}});
    QJsonArray tokens;
    for (const DeviceToken &t : m_tokens)
        tokens.append(QJsonObject {{QStringLiteral("name"), t.name},
                                   {QStringLiteral("user"), t.user},
                                   {QStringLiteral("role"), protocol::roleName(t.role)},
                                   {QStringLiteral("sha256"), QString::fromLatin1(t.sha256.toHex())},
                                   {QStringLiteral("created"), t.created}});
    const QByteArray data =
        QJsonDocument(QJsonObject {{QStringLiteral("users"), users}, {QStringLiteral("tokens"), tokens}}).toJson();
    const auto r = writeAtomically(fileName(m_directory), data, 0600);
    if (!r.ok && error)
        *error = r.error;
    return r.ok;
}

QString AuthStore::newToken()
{
    unsigned char buf[TokenBytes];
    randombytes_buf(buf, sizeof buf);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(buf), sizeof buf).toHex());
}

QByteArray AuthStore::sha256(const QString &token)
{
    return QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256);
}

QString AuthStore::hashPassword(const QString &password) const
{
    const QByteArray utf8 = password.toUtf8();
    char out[crypto_pwhash_STRBYTES];
    const auto ops = m_cheap ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
    const auto mem = m_cheap ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
    if (crypto_pwhash_str(out, utf8.constData(), static_cast<unsigned long long>(utf8.size()), ops, mem) != 0)
        return {};
    return QString::fromLatin1(out);
}

bool AuthStore::hasAdmin() const
{
    return std::any_of(m_users.begin(), m_users.end(), [](const User &u) { return u.role == Role::Admin; });
}

AuthStore::Identity AuthStore::openSession(const QString &user, Role role, const QByteArray &deviceToken)
{
    expireSessions();
    Identity id;
    id.user = user;
    id.role = role;
    id.sessionToken = newToken();
    id.expiresIdleMs = m_sessionIdleMs;
    id.deviceToken = deviceToken;
    if (m_sessions.size() >= MaxSessions) {
        auto oldest = m_sessions.begin();
        for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it)
            if (it->lastUsedMs < oldest->lastUsedMs)
                oldest = it;
        m_sessions.erase(oldest);
    }
    m_sessions.insert(sha256(id.sessionToken), Session {user, role, m_clock.monotonicMs(), deviceToken});
    return id;
}

void AuthStore::endSessionsOf(const QString &user, bool keepActing)
{
    for (auto it = m_sessions.begin(); it != m_sessions.end();)
        it = it->user == user && !(keepActing && it.key() == m_actingSession) ? m_sessions.erase(it) : std::next(it);
}

void AuthStore::setActingSession(const QString &token)
{
    m_actingSession = token.isEmpty() ? QByteArray() : sha256(token);
}

void AuthStore::expireSessions()
{
    const std::int64_t now = m_clock.monotonicMs();
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        if (now - it->lastUsedMs > m_sessionIdleMs)
            it = m_sessions.erase(it);
        else
            ++it;
    }
}

bool AuthStore::blocked(const QString &address, const QString &user)
{
    const std::int64_t now = m_clock.monotonicMs();
    auto check = [now](QHash<QString, Failures> &table, const QString &key) {
        auto it = table.find(key);
        if (it == table.end())
            return false;
        if (it->blockedUntil > now)
            return true;
        if (it->blockedUntil != 0 || (!it->times.isEmpty() && now - it->times.last() > FailureWindowMs))
            table.erase(it); // the block (or the old failures) expired
        return false;
    };
    return check(m_byAddress, address) || (!user.isEmpty() && check(m_byUser, user));
}

void AuthStore::recordFailure(const QString &address, const QString &user)
{
    const std::int64_t now = m_clock.monotonicMs();
    auto record = [now](QHash<QString, Failures> &table, const QString &key) {
        // Bounded: an attacker cycling user names cannot grow this without limit.
        if (table.size() > 10000 && !table.contains(key))
            table.clear();
        Failures &f = table[key];
        f.times.append(now);
        while (!f.times.isEmpty() && now - f.times.first() > FailureWindowMs)
            f.times.removeFirst();
        if (f.times.size() >= MaxFailures) {
            f.blockedUntil = now + BlockMs;
            f.times.clear();
        }
    };
    record(m_byAddress, address);
    if (!user.isEmpty())
        record(m_byUser, user);
}

AuthStore::LoginResult AuthStore::loginWithToken(const QString &token, const QString &address)
{
    const QByteArray hash = sha256(token);
    // The local token first: the touchscreen is never subject to backoff.
    if (!m_localTokenHash.isEmpty() && sodium_memcmp(hash.constData(), m_localTokenHash.constData(), 32) == 0) {
        Identity id = openSession(QStringLiteral("local"), Role::Admin);
        id.local = true;
        return {id, {}, {}};
    }
    if (blocked(address, {}))
        return {std::nullopt, QString::fromLatin1(protocol::Error::RateLimited),
                QStringLiteral("too many failed logins from this address; try again later")};
    expireSessions();
    auto s = m_sessions.find(hash);
    if (s != m_sessions.end()) {
        s->lastUsedMs = m_clock.monotonicMs();
        Identity id;
        id.user = s->user;
        id.role = s->role;
        id.sessionToken = token;
        id.expiresIdleMs = m_sessionIdleMs;
        id.deviceToken = s->deviceToken;
        return {id, {}, {}};
    }
    for (const DeviceToken &t : m_tokens) {
        if (sodium_memcmp(hash.constData(), t.sha256.constData(), 32) == 0 && t.sha256.size() == 32) {
            // A token never grants more than its owner has now: demoting a user also demotes the
            // tokens they made (the owner `local`, the touchscreen, has no user record: admin).
            Role role = t.role;
            for (const User &u : m_users)
                if (u.name == t.user)
                    role = std::min(role, u.role);
            return {openSession(t.user, role, t.sha256), {}, {}};
        }
    }
    recordFailure(address, {});
    return {std::nullopt, QString::fromLatin1(protocol::Error::Unauthorized), QStringLiteral("invalid token")};
}

void AuthStore::loginWithPassword(const QString &user, const QString &password, const QString &address,
                                  LoginCallback done)
{
    auto fail = [&](const char *code, const QString &message) {
        done(LoginResult {std::nullopt, QString::fromLatin1(code), message});
    };
    if (!hasAdmin())
        return fail(protocol::Error::SetupRequired,
                    QStringLiteral("no admin exists yet: set the admin password on the touchscreen or with "
                                   "`smoothwanctl users setup` as root"));
    if (blocked(address, user))
        return fail(protocol::Error::RateLimited, QStringLiteral("too many failed logins; try again later"));
    if (m_pending >= MaxPendingVerifications)
        return fail(protocol::Error::Busy, QStringLiteral("too many logins in progress; try again"));
    QByteArray hash;
    for (const User &u : m_users)
        if (u.name == user)
            hash = u.hash;
    const bool known = !hash.isEmpty();
    ++m_pending;
    const QByteArray utf8 = password.toUtf8();
    m_pool.start([this, hash, utf8, user, address, known, done = std::move(done)]() {
        // An unknown user costs a hash of the same cost as a known one's verification: no user
        // enumeration by timing, and no work on the event loop.
        const bool ok = known ? crypto_pwhash_str_verify(hash.constData(), utf8.constData(),
                                                         static_cast<unsigned long long>(utf8.size())) == 0
                              : (hashPassword(QString::fromUtf8(utf8)), false);
        QMetaObject::invokeMethod(
            this,
            [this, ok, hash, user, address, done]() {
                --m_pending;
                if (!ok) {
                    recordFailure(address, user);
                    qCInfo(lcApi, "failed password login for '%s' from %s", qPrintable(user.left(32)),
                           qPrintable(address));
                    done(LoginResult {std::nullopt, QString::fromLatin1(protocol::Error::Unauthorized),
                                      QStringLiteral("invalid user name or password")});
                    return;
                }
                // The user may have been deleted, or had their password or role changed, while the
                // hash was checked: the old password opens no session, and the role is today's.
                const auto now =
                    std::find_if(m_users.begin(), m_users.end(), [&](const User &u) { return u.name == user; });
                if (now == m_users.end() || now->hash != hash) {
                    qCInfo(lcApi, "password login for '%s' from %s raced a credential change; refused",
                           qPrintable(user.left(32)), qPrintable(address));
                    done(LoginResult {std::nullopt, QString::fromLatin1(protocol::Error::Unauthorized),
                                      QStringLiteral("invalid user name or password")});
                    return;
                }
                done(LoginResult {openSession(user, now->role), {}, {}});
            },
            Qt::QueuedConnection);
    });
}

QString AuthStore::createUser(const QString &name, Role role, const QString &password, QString *message)
{
    if (std::any_of(m_users.begin(), m_users.end(), [&](const User &u) { return u.name == name; })) {
        *message = QStringLiteral("user '%1' exists").arg(name);
        return QString::fromLatin1(protocol::Error::Conflict);
    }
    if (password.size() < MinPasswordLength) {
        *message = QStringLiteral("a password has at least %1 characters").arg(MinPasswordLength);
        return QString::fromLatin1(protocol::Error::InvalidFormat);
    }
    const QString hash = hashPassword(password);
    if (hash.isEmpty()) {
        *message = QStringLiteral("hashing failed");
        return QString::fromLatin1(protocol::Error::Internal);
    }
    m_users.append({name, role, hash.toLatin1()});
    if (!save(message)) {
        m_users.removeLast();
        return QString::fromLatin1(protocol::Error::Internal);
    }
    return {};
}

QString AuthStore::setPassword(const QString &name, const QString &password, QString *message)
{
    for (User &u : m_users) {
        if (u.name != name)
            continue;
        if (password.size() < MinPasswordLength) {
            *message = QStringLiteral("a password has at least %1 characters").arg(MinPasswordLength);
            return QString::fromLatin1(protocol::Error::InvalidFormat);
        }
        u.hash = hashPassword(password).toLatin1();
        // A changed password ends that user's sessions, except the one changing it.
        endSessionsOf(name, true);
        const bool saved = save(message);
        Q_EMIT userCredentialsChanged(name, Change::Password);
        return saved ? QString() : QString::fromLatin1(protocol::Error::Internal);
    }
    *message = QStringLiteral("no such user");
    return QString::fromLatin1(protocol::Error::NotFound);
}

QString AuthStore::setRole(const QString &name, Role role, QString *message)
{
    for (User &u : m_users) {
        if (u.name != name)
            continue;
        const int admins =
            int(std::count_if(m_users.begin(), m_users.end(), [](const User &x) { return x.role == Role::Admin; }));
        if (u.role == Role::Admin && role != Role::Admin && admins == 1) {
            *message = QStringLiteral("the last admin keeps the admin role");
            return QString::fromLatin1(protocol::Error::Conflict);
        }
        u.role = role;
        endSessionsOf(name, false);
        const bool saved = save(message);
        Q_EMIT userCredentialsChanged(name, Change::Role);
        return saved ? QString() : QString::fromLatin1(protocol::Error::Internal);
    }
    *message = QStringLiteral("no such user");
    return QString::fromLatin1(protocol::Error::NotFound);
}

QString AuthStore::deleteUser(const QString &name, QString *message)
{
    for (qsizetype i = 0; i < m_users.size(); ++i) {
        if (m_users[i].name != name)
            continue;
        const int admins =
            int(std::count_if(m_users.begin(), m_users.end(), [](const User &x) { return x.role == Role::Admin; }));
        if (m_users[i].role == Role::Admin && admins == 1) {
            *message = QStringLiteral("the last admin cannot be deleted");
            return QString::fromLatin1(protocol::Error::Conflict);
        }
        m_users.removeAt(i);
        QList<QByteArray> revoked;
        m_tokens.removeIf([&](const DeviceToken &t) {
            if (t.user != name)
                return false;
            revoked.append(t.sha256);
            return true;
        });
        endSessionsOf(name, false);
        const bool saved = save(message);
        Q_EMIT userCredentialsChanged(name, Change::Deleted);
        for (const QByteArray &t : std::as_const(revoked))
            Q_EMIT deviceTokenRevoked(t);
        return saved ? QString() : QString::fromLatin1(protocol::Error::Internal);
    }
    *message = QStringLiteral("no such user");
    return QString::fromLatin1(protocol::Error::NotFound);
}

QJsonArray AuthStore::users() const
{
    QJsonArray a;
    for (const User &u : m_users)
        a.append(QJsonObject {{QStringLiteral("name"), u.name}, {QStringLiteral("role"), protocol::roleName(u.role)}});
    return a;
}

QString AuthStore::createDeviceToken(const QString &name, const QString &user, Role role, QString *token,
                                     QString *message)
{
    if (std::any_of(m_tokens.begin(), m_tokens.end(), [&](const DeviceToken &t) { return t.name == name; })) {
        *message = QStringLiteral("a token named '%1' exists").arg(name);
        return QString::fromLatin1(protocol::Error::Conflict);
    }
    *token = newToken();
    m_tokens.append({name, user, role, sha256(*token), m_clock.wallClock().toString(Qt::ISODate)});
    if (!save(message)) {
        m_tokens.removeLast();
        return QString::fromLatin1(protocol::Error::Internal);
    }
    return {};
}

QString AuthStore::revokeDeviceToken(const QString &name, QString *message)
{
    QList<QByteArray> revoked;
    m_tokens.removeIf([&](const DeviceToken &t) {
        if (t.name != name)
            return false;
        revoked.append(t.sha256);
        return true;
    });
    if (revoked.isEmpty()) {
        *message = QStringLiteral("no such token");
        return QString::fromLatin1(protocol::Error::NotFound);
    }
    // The sessions opened with the token end with it: a revoked device must log in again.
    for (auto it = m_sessions.begin(); it != m_sessions.end();)
        it = revoked.contains(it->deviceToken) ? m_sessions.erase(it) : std::next(it);
    const bool saved = save(message);
    for (const QByteArray &t : std::as_const(revoked))
        Q_EMIT deviceTokenRevoked(t);
    return saved ? QString() : QString::fromLatin1(protocol::Error::Internal);
}

QJsonArray AuthStore::deviceTokens() const
{
    QJsonArray a;
    for (const DeviceToken &t : m_tokens)
        a.append(QJsonObject {{QStringLiteral("name"), t.name},
                              {QStringLiteral("user"), t.user},
                              {QStringLiteral("role"), protocol::roleName(t.role)},
                              {QStringLiteral("created"), t.created}});
    return a;
}

void AuthStore::endSession(const QString &token)
{
    m_sessions.remove(sha256(token));
}

} // namespace smoothwan
