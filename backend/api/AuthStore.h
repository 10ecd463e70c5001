// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Protocol.h"

#include <QtCore/QHash>
#include <QtCore/QJsonArray>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QThreadPool>

#include <cstdint>
#include <functional>
#include <optional>

namespace smoothwan {

class Clock;
using protocol::Role;

// Who may use the API, and how they prove it.
// Contract:
// - Users (name, role, password) live in `<dir>/users.json`, mode 0600, written atomically.
//   Passwords are stored only as libsodium crypto_pwhash_str (Argon2id) strings. Verifications
//   run on a small thread pool (at most MaxParallelVerifications at once; each takes ~64 MiB at
//   the INTERACTIVE cost); beyond MaxPendingVerifications the answer is "busy".
// - Device tokens (named, long-lived, listable, revocable) and session tokens (idle expiry) are
//   256-bit random values handed out once; only their SHA-256 is kept (device tokens in the same
//   file, sessions in memory only, at most MaxSessions).
// - The local token (the touchscreen's and root's) is a file `<localTokenPath>`, mode 0640 (group
//   set by the caller), created when missing. It authenticates as the built-in user "local" with
//   the admin role and is exempt from login backoff: the touchscreen is never locked out.
// - Login backoff: MaxFailures failures within FailureWindowMs from one address, or for one user
//   name, block further password/token attempts from there for BlockMs; blocks expire.
// - First start: while no admin exists, password logins are refused with setup_required; only the
//   local token can create the first admin.
class AuthStore : public QObject
{
    Q_OBJECT

public:
    static constexpr int MaxParallelVerifications = 2;
    static constexpr int MaxPendingVerifications = 8;
    static constexpr int MaxFailures = 5;
    static constexpr std::int64_t FailureWindowMs = 2 * 60 * 1000;
    static constexpr std::int64_t BlockMs = 5 * 60 * 1000;
    static constexpr std::int64_t DefaultSessionIdleMs = 4 * 3600 * 1000;
    static constexpr int MinPasswordLength = 8;
    static constexpr int MaxSessions = 1000; // beyond: the least recently used session ends

    struct Identity
    {
        QString user;
        Role role = Role::Viewer;
        bool local = false;
        QString sessionToken; // a fresh session token (only on a successful login)
        std::int64_t expiresIdleMs = 0;
    };
    struct LoginResult
    {
        std::optional<Identity> identity;
        QString code; // on failure: unauthorized, busy, setup_required, rate_limited
        QString message;
    };
    using LoginCallback = std::function<void(const LoginResult &)>;

    // `cheapHashing` uses the MIN cost; only for tests.
    AuthStore(const Clock &clock, QString directory, QString localTokenPath, QObject *parent = nullptr,
              bool cheapHashing = false);
    ~AuthStore() override;

    // Loads users and device tokens and creates the local token file if needed. False with *error
    // when the directory or a file cannot be read or created.
    bool load(QString *error);

    QString localTokenPath() const { return m_localTokenPath; }
    void setSessionIdleMs(std::int64_t ms) { m_sessionIdleMs = ms; }
    bool hasAdmin() const;

    // A token login (local, device or session token). Answers synchronously.
    LoginResult loginWithToken(const QString &token, const QString &address);
    // A password login: answers later, through `done` (called on this object's thread).
    void loginWithPassword(const QString &user, const QString &password, const QString &address, LoginCallback done);

    // Users. Return an error code (empty on success) and set *message.
    QString createUser(const QString &name, Role role, const QString &password, QString *message);
    QString setPassword(const QString &name, const QString &password, QString *message);
    QString setRole(const QString &name, Role role, QString *message);
    QString deleteUser(const QString &name, QString *message);
    QJsonArray users() const;

    // Device tokens: create returns the token itself (shown once).
    QString createDeviceToken(const QString &name, const QString &user, Role role, QString *token, QString *message);
    QString revokeDeviceToken(const QString &name, QString *message);
    QJsonArray deviceTokens() const;
    // Ends a session token (logout).
    void endSession(const QString &token);

private:
    struct User
    {
        QString name;
        Role role = Role::Viewer;
        QByteArray hash; // crypto_pwhash_str
    };
    struct DeviceToken
    {
        QString name;
        QString user;
        Role role = Role::Viewer;
        QByteArray sha256;
        QString created;
    };
    struct Session
    {
        QString user;
        Role role = Role::Viewer;
        std::int64_t lastUsedMs = 0;
    };
    struct Failures
    {
        QList<std::int64_t> times;
        std::int64_t blockedUntil = 0;
    };

    bool save(QString *error) const;
    QString hashPassword(const QString &password) const; // thread-safe
    static QString newToken();
    static QByteArray sha256(const QString &token);
    Identity openSession(const QString &user, Role role);
    bool blocked(const QString &address, const QString &user);
    void recordFailure(const QString &address, const QString &user);
    void expireSessions();

    const Clock &m_clock;
    QString m_directory;
    QString m_localTokenPath;
    QByteArray m_localTokenHash;
    bool m_cheap = false;
    std::int64_t m_sessionIdleMs = DefaultSessionIdleMs;
    QList<User> m_users;
    QList<DeviceToken> m_tokens;
    QHash<QByteArray, Session> m_sessions;
    QHash<QString, Failures> m_byAddress;
    QHash<QString, Failures> m_byUser;
    QThreadPool m_pool;
    int m_pending = 0;
};

} // namespace smoothwan
