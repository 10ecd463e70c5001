// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QString>

namespace smoothwan {

// An interface name we accept: 1 to 15 characters from letters, digits, '.', '_', '-' and '@',
// starting with a letter or a digit. That is every name real WANs, LANs and tunnels carry
// (eth0, enp3s0, wwan0, usb0, br-lan, eth0.100, wg0, connectify0) and a strict subset of what
// the kernel allows (dev_valid_name would take `$(reboot)` or `a|b`): names that look like shell
// syntax or command-line options never get in, even though none would reach a shell.
bool isValidInterfaceName(const QString &name);

} // namespace smoothwan
