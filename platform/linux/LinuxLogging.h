// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QLoggingCategory>

// Logging categories of the Linux platform layer: smoothwan.<area>.
Q_DECLARE_LOGGING_CATEGORY(lcNetlink)
