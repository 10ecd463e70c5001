// SPDX-License-Identifier: GPL-3.0-or-later
#include "LinuxLogging.h"

Q_LOGGING_CATEGORY(lcNetlink, "smoothwan.netlink", QtInfoMsg)
