// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QLoggingCategory>

// The UI's API client: smoothwan.client.
Q_DECLARE_LOGGING_CATEGORY(lcClient)
