// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QString>

namespace smoothwan {

// A Linux interface name as the kernel accepts it (dev_valid_name): 1 to 15 bytes,
// not "." or "..", no '/', ':' or whitespace. We also refuse a leading '-' (it would read
// as an option on any command line) and anything outside printable ASCII.
bool isValidInterfaceName(const QString &name);

} // namespace smoothwan
