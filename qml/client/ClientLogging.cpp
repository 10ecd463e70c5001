// SPDX-License-Identifier: GPL-3.0-or-later
#include "ClientLogging.h"

Q_LOGGING_CATEGORY(lcClient, "smoothwan.client", QtInfoMsg)
