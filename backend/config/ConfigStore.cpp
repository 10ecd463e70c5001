// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfigStore.h"

#include "AtomicFile.h"
#include "ConfigLoader.h"
#include "Logging.h"

#include <QtCore/QFile>
#include <QtCore/QFileInfo>

namespace smoothwan {

namespace {

constexpr int FileMode = 0600;

void appendTo(ConfigErrors *errors, const ConfigErrors &found)
{
    if (errors)
        errors->append(found);
}

} // namespace

ConfigStore::ConfigStore(QString path, QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
{ }

QString ConfigStore::lastGoodPath() const
{
    return m_path + QStringLiteral(".last-good");
}

bool ConfigStore::load(ConfigErrors *errors)
{
    QByteArray content;
    ConfigErrors found;
    if (const auto config = ConfigLoader::loadFile(m_path, &found, &content)) {
        refreshLastGood(content);
        setCurrent(*config);
        return true;
    }
    appendTo(errors, found);
    if (QFileInfo::exists(lastGoodPath())) {
        ConfigErrors lastGoodErrors;
        if (const auto config = ConfigLoader::loadFile(lastGoodPath(), &lastGoodErrors)) {
            qCWarning(lcConfig).noquote() << "using the last good configuration" << lastGoodPath();
            setCurrent(*config);
            return true;
        }
        // Written by an older version, or damaged by hand: say so, it explains the defaults.
        appendTo(errors, lastGoodErrors);
    }
    setCurrent(Config {});
    return false;
}

bool ConfigStore::reload(ConfigErrors *errors)
{
    QByteArray content;
    ConfigErrors found;
    const auto config = ConfigLoader::loadFile(m_path, &found, &content);
    if (!config) {
        appendTo(errors, found);
        return false;
    }
    refreshLastGood(content);
    setCurrent(*config);
    return true;
}

bool ConfigStore::write(const QByteArray &yaml, ConfigErrors *errors)
{
    ConfigErrors found;
    const auto config = ConfigLoader::loadString(yaml, m_path, &found);
    if (!config) {
        appendTo(errors, found);
        return false;
    }
    const AtomicWriteResult result = writeAtomically(m_path, yaml, FileMode);
    if (!result.ok) {
        appendTo(errors, {{m_path, 0, 0, {}, result.error}});
        return false;
    }
    refreshLastGood(yaml);
    setCurrent(*config);
    return true;
}

void ConfigStore::setCurrent(const Config &config)
{
    if (config == m_current)
        return;
    const Config before = m_current;
    m_current = config;
    Q_EMIT changed(before, m_current);
}

void ConfigStore::refreshLastGood(const QByteArray &content)
{
    // Only when it differs: a reload on every SIGHUP must not wear the flash of a Pi's SD card.
    QFile existing(lastGoodPath());
    if (existing.open(QIODevice::ReadOnly) && existing.read(ConfigLoader::MaxFileBytes + 1) == content)
        return;
    existing.close();
    const AtomicWriteResult result = writeAtomically(lastGoodPath(), content, FileMode);
    if (!result.ok)
        qCWarning(lcConfig).noquote() << "cannot refresh the last good copy:" << result.error;
}

} // namespace smoothwan
