// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "RouterListModel.h"

#include <QtCore/QObject>
#include <QtQml/qqmlregistration.h>

QT_BEGIN_NAMESPACE
class QQmlEngine;
class QJSEngine;
QT_END_NAMESPACE

namespace smoothwan::client {

// How the UI runs: kiosk or desktop, screen blanking, theme, the saved routers. Set from the
// command line by app/smoothwan; the daemon's `system.ui` gives the defaults when connected.
// QML sees it as the singleton `AppSettings`.
class AppSettings : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(AppSettings)
    QML_SINGLETON
    Q_PROPERTY(bool kiosk READ kiosk NOTIFY kioskChanged)
    Q_PROPERTY(int blankAfterSeconds READ blankAfterSeconds NOTIFY blankAfterSecondsChanged)
    Q_PROPERTY(QString theme READ theme WRITE setTheme NOTIFY themeChanged)
    Q_PROPERTY(bool screenshotMode READ screenshotMode NOTIFY screenshotModeChanged)
    // The first-run wizard's unfinished answers (a JSON string; never a password), kept locally.
    Q_PROPERTY(QString wizardDraft READ wizardDraft WRITE setWizardDraft NOTIFY wizardDraftChanged)
    Q_PROPERTY(smoothwan::client::RouterListModel *routers READ routers CONSTANT)

public:
    // No default argument: QML must get instance() through create() (see Backend).
    explicit AppSettings(QObject *parent);

    static AppSettings *instance();
    static AppSettings *create(QQmlEngine *qmlEngine, QJSEngine *jsEngine);
    static QString path(); // ~/.config/smoothwan/ui.json

    bool kiosk() const { return m_kiosk; }
    void setKiosk(bool kiosk);
    int blankAfterSeconds() const;
    // The command line's value, used while the daemon does not say.
    void setDefaultBlankAfterSeconds(int seconds);
    QString theme() const;
    // A user's choice, persisted locally; "" goes back to the daemon's default.
    void setTheme(const QString &theme);
    // The command line's --theme: wins over everything for this run (not persisted).
    void setThemeOverride(const QString &theme);
    bool screenshotMode() const { return m_screenshotMode; }
    void setScreenshotMode(bool on);
    RouterListModel *routers() { return &m_routers; }
    QString wizardDraft() const { return m_wizardDraft; }
    void setWizardDraft(const QString &draft);

Q_SIGNALS:
    void kioskChanged();
    void blankAfterSecondsChanged();
    void themeChanged();
    void screenshotModeChanged();
    void wizardDraftChanged();

private:
    void onSystemChanged();
    void saveLocal() const;

    bool m_kiosk = false;
    int m_defaultBlank = 0;
    int m_daemonBlank = -1; // -1: the daemon did not say
    QString m_localTheme;
    QString m_overrideTheme;
    QString m_daemonTheme;
    bool m_screenshotMode = false;
    QString m_wizardDraft;
    RouterListModel m_routers;
};

} // namespace smoothwan::client
