// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QString>

namespace smoothwan {

// Contract: checks for every value that goes from configuration or the API into a speedify_cli
// argument. Each returns an empty string when the value is acceptable, otherwise a message
// saying why it was refused (for the user). Accepted values are still passed as single argv
// elements; these checks exist so that nothing the CLI could read as an option, a second
// argument or a different action (leading '-', whitespace, control characters, overlong or
// invalid UTF-8 text) gets that far, and so that typos fail before anything is applied.
class SpeedifyArgs
{
public:
    static constexpr int MaxArgumentBytes = 255;

    static QString checkPlain(const QString &what, const QString &value); // generic text argument
    static QString checkServerTag(const QString &tag);                    // "us-nova-17" or "#us-nova-17"
    static QString checkCountry(const QString &code);                     // two lower-case letters
    static QString checkCity(const QString &city);
    static QString checkServerNumber(const QString &num);
    static QString checkAdapterId(const QString &id); // a Linux interface name
    static QString checkDomain(const QString &domain);
    static QString checkIpv4(const QString &address); // address or CIDR
    static QString checkIpv6(const QString &address);
    static QString checkPortRule(const QString &rule); // "443/tcp", "5000-5010/udp"
    static QString checkServiceName(const QString &name);
    static QString checkUser(const QString &user);
    static QString checkPassword(const QString &password);
};

} // namespace smoothwan
