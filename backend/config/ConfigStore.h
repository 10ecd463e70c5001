// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "Config.h"
#include "ConfigError.h"

#include <QtCore/QObject>

namespace smoothwan {

// Owns the configuration file: loads it, keeps the last good configuration when a reload
// fails, and writes changes atomically.
// - load(): reads `path`; if it is missing or invalid, falls back to the last-good copy
//   (`<path>.last-good`) and reports the errors of `path`. Returns false only when no
//   usable configuration exists at all (then current() holds the built-in defaults).
// - reload(): re-reads `path`; on error keeps current() unchanged and returns the errors.
// - write(): validates `yaml` first; only valid content is written (atomically), then
//   becomes current() and the new last-good copy.
// changed() is emitted whenever current() changes (not when a reload yields an equal Config).
// Both files are written with mode 0600 (they may hold secrets). A missing `path` with no usable
// last-good copy is reported as "file not found" and load() returns false: the daemon runs on
// the defaults and says so. Failing to refresh the last-good copy is logged, not reported as an
// error of the configuration. Contents are parsed by ConfigLoader (its limits apply).
class ConfigStore : public QObject
{
    Q_OBJECT

public:
    explicit ConfigStore(QString path, QObject *parent = nullptr);

    const QString &path() const { return m_path; }
    QString lastGoodPath() const;
    const Config &current() const { return m_current; }

    bool load(ConfigErrors *errors);
    bool reload(ConfigErrors *errors);
    bool write(const QByteArray &yaml, ConfigErrors *errors);

Q_SIGNALS:
    void changed(const smoothwan::Config &before, const smoothwan::Config &after);

private:
    void setCurrent(const Config &config);
    void refreshLastGood(const QByteArray &content);

    QString m_path;
    Config m_current;
};

} // namespace smoothwan
