// SPDX-License-Identifier: GPL-3.0-or-later
#include "AtomicFile.h"

#include <QtCore/QFileInfo>
#include <QtCore/QSaveFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace smoothwan {

bool fsyncDirectory(const QString &dir)
{
    const QByteArray encoded = QFile::encodeName(dir);
    const int fd = ::open(encoded.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

AtomicWriteResult writeAtomically(const QString &path, const QByteArray &data, int mode)
{
    // QSaveFile writes a temporary file in the target directory, fsyncs it and renames it
    // over the target on commit(). It does not fsync the directory: we do that below.
    QSaveFile file(path);
    file.setDirectWriteFallback(false);
    if (!file.open(QIODevice::WriteOnly))
        return {false, QStringLiteral("cannot write %1: %2").arg(path, file.errorString())};
    if (::fchmod(file.handle(), static_cast<mode_t>(mode)) != 0)
        return {
            false,
            QStringLiteral("cannot set the mode of %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)))};
    if (file.write(data) != data.size()) {
        const QString error = file.errorString();
        file.cancelWriting();
        return {false, QStringLiteral("cannot write %1: %2").arg(path, error)};
    }
    if (!file.commit())
        return {false, QStringLiteral("cannot replace %1: %2").arg(path, file.errorString())};
    if (!fsyncDirectory(QFileInfo(path).absolutePath()))
        return {false, QStringLiteral("cannot sync the directory of %1: %2")
                           .arg(path, QString::fromLocal8Bit(std::strerror(errno)))};
    return {true, {}};
}

} // namespace smoothwan
