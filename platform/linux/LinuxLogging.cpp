// SPDX-License-Identifier: GPL-3.0-or-later
#include "LinuxLogging.h"

#include <unistd.h>

Q_LOGGING_CATEGORY(lcNetlink, "smoothwan.netlink", QtInfoMsg)

namespace smoothwan {

void setUpServiceLogging()
{
    if (qEnvironmentVariableIsSet("QT_MESSAGE_PATTERN"))
        return;
    const bool journal = qEnvironmentVariableIsSet("JOURNAL_STREAM") || !::isatty(STDERR_FILENO);
    if (journal)
        qSetMessagePattern(QStringLiteral("%{if-debug}<7>%{endif}%{if-info}<6>%{endif}%{if-warning}<4>%{endif}"
                                          "%{if-critical}<3>%{endif}%{if-fatal}<2>%{endif}%{category}: %{message}"));
    else
        qSetMessagePattern(QStringLiteral("%{time hh:mm:ss.zzz} %{if-warning}warning: %{endif}"
                                          "%{if-critical}error: %{endif}%{category}: %{message}"));
}

} // namespace smoothwan
