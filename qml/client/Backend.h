// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Command.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtCore/QUrl>
#include <QtCore/QVariant>
#include <QtQml/qqmlregistration.h>

QT_BEGIN_NAMESPACE
class QQmlEngine;
class QJSEngine;
class QWebSocket;
QT_END_NAMESPACE

namespace smoothwan::client {

// The one connection of the UI to a router's API (docs/protocol.md): authenticates, subscribes to
// the whole state document, applies the snapshot and the JSON Patch deltas, resyncs on a gap or a
// patch that does not apply, reconnects with backoff, and marks everything stale while the
// connection is lost. QML sees it as the singleton `Backend`.
class Backend : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Backend)
    QML_SINGLETON
    Q_PROPERTY(QString status READ status NOTIFY statusChanged)
    Q_PROPERTY(bool live READ live NOTIFY liveChanged)
    Q_PROPERTY(QString statusMessage READ statusMessage NOTIFY statusMessageChanged)
    Q_PROPERTY(QString url READ url NOTIFY urlChanged)
    Q_PROPERTY(QString user READ user NOTIFY userChanged)
    Q_PROPERTY(QString role READ role NOTIFY roleChanged)
    Q_PROPERTY(bool isLocal READ isLocal NOTIFY isLocalChanged)
    Q_PROPERTY(bool setupRequired READ setupRequired NOTIFY setupRequiredChanged)
    Q_PROPERTY(QString serverVersion READ serverVersion NOTIFY serverVersionChanged)
    Q_PROPERTY(QString serverFingerprint READ serverFingerprint NOTIFY serverFingerprintChanged)
    Q_PROPERTY(QString pinState READ pinState NOTIFY pinStateChanged)
    Q_PROPERTY(QVariant wans READ wans NOTIFY wansChanged)
    Q_PROPERTY(QVariant candidates READ candidates NOTIFY candidatesChanged)
    Q_PROPERTY(QVariant routing READ routing NOTIFY routingChanged)
    Q_PROPERTY(QVariant engine READ engine NOTIFY engineChanged)
    Q_PROPERTY(QVariant system READ system NOTIFY systemChanged)
    Q_PROPERTY(QVariant events READ events NOTIFY eventsChanged)
    Q_PROPERTY(double lastUpdate READ lastUpdate NOTIFY lastUpdateChanged)
    Q_PROPERTY(bool canOperate READ canOperate NOTIFY canOperateChanged)
    Q_PROPERTY(bool canAdmin READ canAdmin NOTIFY canAdminChanged)

public:
    // No default argument on purpose: Qt 6.4 makes a QML singleton with `new T` when T is default
    // constructible and only uses create() otherwise, and QML must see instance().
    explicit Backend(QObject *parent);
    ~Backend() override;

    // The application-wide instance QML sees (made on first use, owned by the application).
    static Backend *instance();
    static Backend *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);

    QString status() const { return m_status; }
    bool live() const { return m_status == QLatin1String("ready"); }
    QString statusMessage() const { return m_statusMessage; }
    QString url() const { return m_url.toString(); }
    QString user() const { return m_user; }
    QString role() const { return m_role; }
    bool isLocal() const { return m_isLocal; }
    bool setupRequired() const { return m_setupRequired; }
    QString serverVersion() const { return m_serverVersion; }
    QString serverFingerprint() const { return m_serverFingerprint; }
    QString pinState() const { return m_pinState; }
    QVariant wans() const { return m_slices.value(QStringLiteral("wans")); }
    QVariant candidates() const { return m_slices.value(QStringLiteral("candidates")); }
    QVariant routing() const { return m_slices.value(QStringLiteral("routing")); }
    QVariant engine() const { return m_slices.value(QStringLiteral("engine")); }
    QVariant system() const { return m_slices.value(QStringLiteral("system")); }
    QVariant events() const { return m_slices.value(QStringLiteral("events")); }
    double lastUpdate() const { return m_lastUpdate; }
    bool canOperate() const;
    bool canAdmin() const;

    // The state document as the client holds it (for C++ models and tests).
    const QJsonObject &document() const { return m_document; }
    QJsonValue slice(const QString &name) const { return m_document.value(name); }

    // Tuning for tests and benches: reconnect backoff (first delay, cap) and ping interval/timeout.
    void setBackoff(int firstMs, int maxMs);
    void setPing(int intervalMs, int timeoutMs);
    int nextRetryMs() const { return m_retryDelayMs; }

    Q_INVOKABLE void connectToRouter(const QString &url, const QString &token);
    Q_INVOKABLE void login(const QString &url, const QString &username, const QString &password);
    Q_INVOKABLE void connectLocal(const QString &url, const QString &tokenFile);
    Q_INVOKABLE void disconnectFromRouter();
    Q_INVOKABLE void trustServer();
    Q_INVOKABLE smoothwan::client::Command *call(const QString &type, const QVariant &args = {});

Q_SIGNALS:
    void statusChanged();
    void liveChanged();
    void statusMessageChanged();
    void urlChanged();
    void userChanged();
    void roleChanged();
    void isLocalChanged();
    void setupRequiredChanged();
    void serverVersionChanged();
    void serverFingerprintChanged();
    void pinStateChanged();
    void wansChanged();
    void candidatesChanged();
    void routingChanged();
    void engineChanged();
    void systemChanged();
    void eventsChanged();
    void lastUpdateChanged();
    void canOperateChanged();
    void canAdminChanged();
    // A snapshot or delta was applied (after the property signals); for benches and tests.
    void documentApplied();

private:
    enum class Mode { None, Token, Password, Local };

    void start(const QUrl &url, Mode mode);
    void open();
    void onConnected();
    void onText(const QString &text);
    void onLost(const QString &why);
    void scheduleReconnect(const QString &why);
    void stop(const QString &status, const QString &message);
    void closeSocket();
    void send(const QJsonObject &message);
    qint64 request(const QString &type, QJsonObject args = {});
    void handleResult(const QJsonObject &m);
    void handleState(const QJsonObject &m);
    void resync(const QString &why);
    void applyDocument(const QJsonObject &document, const QStringList &changed);
    void clearDocument();
    void failPending(const QString &message);
    QString readLocalToken(QString *error) const;

    void setStatus(const QString &status, const QString &message);
    void setPinState(const QString &state);
    void setFingerprint(const QString &fp);
    void setRole(const QString &role);
    void setUser(const QString &user);
    void setIsLocal(bool local);
    void setSetupRequired(bool required);
    void setServerVersion(const QString &version);
    void setUrl(const QUrl &url);

    QWebSocket *m_ws = nullptr;
    QUrl m_url;
    Mode m_mode = Mode::None;
    QString m_token;    // device or session token (memory only)
    QString m_username; // password login in progress
    QString m_password;
    QString m_tokenFile;
    bool m_want = false;          // keep connecting
    bool m_wasReady = false;      // reached ready since the last explicit connect
    bool m_authenticated = false; // auth_ok on the current socket
    qint64 m_nextId = 0;
    qint64 m_sub = 0;
    qint64 m_resyncId = 0; // the last resync request
    qint64 m_rev = 0;
    bool m_resyncing = false;
    qint64 m_pingId = 0;
    QHash<qint64, QPointer<Command>> m_pending;

    QTimer m_retryTimer;
    QTimer m_pingTimer;
    QTimer m_pongTimer;
    int m_firstRetryMs = 500;
    int m_maxRetryMs = 15000;
    int m_retryDelayMs = 500;
    int m_pingIntervalMs = 20000;
    int m_pongTimeoutMs = 10000;

    QString m_status = QStringLiteral("offline");
    QString m_statusMessage;
    QString m_user;
    QString m_role;
    bool m_isLocal = false;
    bool m_setupRequired = false;
    QString m_serverVersion;
    QString m_serverFingerprint;
    QString m_pinState = QStringLiteral("none");
    QJsonObject m_document;
    QHash<QString, QVariant> m_slices;
    double m_lastUpdate = 0;
};

} // namespace smoothwan::client
