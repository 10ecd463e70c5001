// SPDX-License-Identifier: GPL-3.0-or-later
#include "AppSettings.h"

#include "Backend.h"
#include "ClientLogging.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QPointer>
#include <QtCore/QSaveFile>
#include <QtCore/QStandardPaths>
#include <QtQml/QJSEngine>

namespace smoothwan::client {

AppSettings::AppSettings(QObject *parent)
    : QObject(parent)
{
    QFile f(path());
    if (f.open(QIODevice::ReadOnly)) {
        const QJsonObject local = QJsonDocument::fromJson(f.readAll()).object();
        m_localTheme = local.value(QStringLiteral("theme")).toString();
        m_wizardDraft = local.value(QStringLiteral("wizardDraft")).toString();
    }
    Backend *backend = Backend::instance();
    connect(backend, &Backend::systemChanged, this, &AppSettings::onSystemChanged);
    connect(backend, &Backend::pinStateChanged, &m_routers, &RouterListModel::reloadPins);
    onSystemChanged();
}

AppSettings *AppSettings::instance()
{
    static QPointer<AppSettings> global;
    if (!global) {
        global = new AppSettings(QCoreApplication::instance());
        QJSEngine::setObjectOwnership(global, QJSEngine::CppOwnership);
    }
    return global;
}

AppSettings *AppSettings::create(QQmlEngine *qmlEngine, QJSEngine *jsEngine)
{
    Q_UNUSED(qmlEngine)
    Q_UNUSED(jsEngine)
    return instance();
}

QString AppSettings::path()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/smoothwan/ui.json");
}

void AppSettings::setKiosk(bool kiosk)
{
    if (kiosk == m_kiosk)
        return;
    m_kiosk = kiosk;
    Q_EMIT kioskChanged();
}

int AppSettings::blankAfterSeconds() const
{
    return m_daemonBlank >= 0 ? m_daemonBlank : m_defaultBlank;
}

void AppSettings::setDefaultBlankAfterSeconds(int seconds)
{
    const int before = blankAfterSeconds();
    m_defaultBlank = std::max(0, seconds);
    if (before != blankAfterSeconds())
        Q_EMIT blankAfterSecondsChanged();
}

QString AppSettings::theme() const
{
    if (!m_overrideTheme.isEmpty())
        return m_overrideTheme;
    if (!m_localTheme.isEmpty())
        return m_localTheme;
    if (!m_daemonTheme.isEmpty())
        return m_daemonTheme;
    return QStringLiteral("dark");
}

void AppSettings::setTheme(const QString &theme)
{
    const QString before = this->theme();
    m_overrideTheme.clear();
    m_localTheme = theme;
    saveLocal();
    if (before != this->theme())
        Q_EMIT themeChanged();
}

void AppSettings::setWizardDraft(const QString &draft)
{
    if (draft == m_wizardDraft)
        return;
    m_wizardDraft = draft;
    saveLocal();
    Q_EMIT wizardDraftChanged();
}

void AppSettings::saveLocal() const
{
    const QString file = path();
    QDir().mkpath(QFileInfo(file).absolutePath());
    QJsonObject local;
    if (!m_localTheme.isEmpty())
        local.insert(QStringLiteral("theme"), m_localTheme);
    if (!m_wizardDraft.isEmpty())
        local.insert(QStringLiteral("wizardDraft"), m_wizardDraft);
    QSaveFile s(file);
    if (!s.open(QIODevice::WriteOnly) || s.write(QJsonDocument(local).toJson()) < 0 || !s.commit())
        qCWarning(lcClient) << "cannot save the UI settings to" << file << s.errorString();
}

void AppSettings::setThemeOverride(const QString &theme)
{
    const QString before = this->theme();
    m_overrideTheme = theme;
    if (before != this->theme())
        Q_EMIT themeChanged();
}

void AppSettings::setScreenshotMode(bool on)
{
    if (on == m_screenshotMode)
        return;
    m_screenshotMode = on;
    Q_EMIT screenshotModeChanged();
}

void AppSettings::onSystemChanged()
{
    const QJsonObject ui =
        Backend::instance()->slice(QStringLiteral("system")).toObject().value(QStringLiteral("ui")).toObject();
    const int beforeBlank = blankAfterSeconds();
    const QString beforeTheme = theme();
    QJsonValue blank = ui.value(QStringLiteral("blankAfter"));
    if (blank.isUndefined())
        blank = ui.value(QStringLiteral("blankAfterSeconds"));
    m_daemonBlank = blank.isDouble() ? std::max(0, blank.toInt()) : -1;
    m_daemonTheme = ui.value(QStringLiteral("theme")).toString();
    if (beforeBlank != blankAfterSeconds())
        Q_EMIT blankAfterSecondsChanged();
    if (beforeTheme != theme())
        Q_EMIT themeChanged();
}

} // namespace smoothwan::client
