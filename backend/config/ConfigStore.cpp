// SPDX-License-Identifier: GPL-3.0-or-later
#include "ConfigStore.h"

#include <QtCore/QFile>

namespace smoothwan {

ConfigStore::ConfigStore(QString path, QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
{
}

QString ConfigStore::lastGoodPath() const
{
    return m_path + QStringLiteral(".last-good");
}

bool ConfigStore::load(ConfigErrors *errors)
{
    if (!QFile::exists(m_path) && errors)
        errors->append({m_path, 0, 0, {}, QStringLiteral("file not found")});
    return true;
}

bool ConfigStore::reload(ConfigErrors *errors)
{
    return load(errors);
}

bool ConfigStore::write(const QByteArray &, ConfigErrors *)
{
    return false;
}

} // namespace smoothwan
