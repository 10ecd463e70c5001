// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QLoggingCategory>

// Logging categories of the Linux platform layer: smoothwan.<area>.
Q_DECLARE_LOGGING_CATEGORY(lcNetlink)

namespace smoothwan {

// For the services (smoothwand, smoothwan-server): under systemd (JOURNAL_STREAM, or stderr not a
// terminal) every line starts with journald's "<N>" priority prefix (sd-daemon(3)) — Qt on Debian 12
// is not built with journald support — otherwise with a time stamp. QT_MESSAGE_PATTERN wins.
void setUpServiceLogging();

} // namespace smoothwan
