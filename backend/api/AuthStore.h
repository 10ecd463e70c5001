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
// - A password change, role change or deletion ends the user's sessions (except the acting one on
//   their own password change, see setActingSession) and emits userCredentialsChanged; revoking a
//   device token ends the sessions opened with it and emits deviceTokenRevoked. ApiServer closes
//   the connections concerned. The local token is never affected. A password login still being
//   verified when its user's password changes or the user is deleted is refused; a role changed
//   meanwhile is the role its session gets.
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
        QByteArray deviceToken; // SHA-256 of the device token behind this login (directly or via its session)
    };
    enum class Change { Password, Role, Deleted };
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
    // The group that may read the local token (the touchscreen UI's); set before load(). When the
    // group exists, load() gives the token file to it (an existing file too); otherwise the file
    // stays root's and an info line says so.
    static constexpr char DefaultLocalTokenGroup[] = "smoothwan-ui";
    void setLocalTokenGroup(const QString &group) { m_localTokenGroup = group; }
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
    // The session of the request being handled (empty: none). A user changing their own password
    // keeps this session; their other sessions end.
    void setActingSession(const QString &token);

Q_SIGNALS:
    // `user`'s password, role or existence changed; their sessions have ended.
    void userCredentialsChanged(const QString &user, smoothwan::AuthStore::Change change);
    // A device token (by its SHA-256) was revoked, or deleted with its user; its sessions have ended.
    void deviceTokenRevoked(const QByteArray &sha256);

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
        QByteArray deviceToken; // the device token it was opened with, if any
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
    void giveLocalTokenToGroup() const;
    Identity openSession(const QString &user, Role role, const QByteArray &deviceToken = {});
    void endSessionsOf(const QString &user, bool keepActing);
    bool blocked(const QString &address, const QString &user);
    void recordFailure(const QString &address, const QString &user);
    void expireSessions();

    const Clock &m_clock;
    QString m_directory;
    QString m_localTokenPath;
    QString m_localTokenGroup = QString::fromLatin1(DefaultLocalTokenGroup);
    QByteArray m_localTokenHash;
    QByteArray m_actingSession; // SHA-256
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
