// SPDX-License-Identifier: GPL-3.0-or-later
#include "Logging.h"

Q_LOGGING_CATEGORY(lcConfig, "smoothwan.config", QtInfoMsg)
Q_LOGGING_CATEGORY(lcState, "smoothwan.state", QtInfoMsg)
Q_LOGGING_CATEGORY(lcDaemon, "smoothwan.daemon", QtInfoMsg)
Q_LOGGING_CATEGORY(lcWan, "smoothwan.wan", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEvents, "smoothwan.events", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEngine, "smoothwan.engine", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSpeedify, "smoothwan.speedify", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRouting, "smoothwan.routing", QtInfoMsg)
Q_LOGGING_CATEGORY(lcApi, "smoothwan.api", QtInfoMsg)
