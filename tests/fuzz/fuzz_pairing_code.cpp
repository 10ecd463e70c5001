// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzz target: a pairing code as a user pastes it (untrusted text from the UI, smoothwanctl or the
// API). parse() must never crash, hang or leak; what it accepts must be valid and must encode back
// to the same code (parse(encode(c)) == c); what it refuses must say why.
#include "PairingCode.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace smoothwan;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const PairingCode::ParseResult r = PairingCode::parse(text);
    if (!r.code) {
        if (r.error == PairingCode::Error::None || r.message.isEmpty()) {
            std::fprintf(stderr, "refused without a reason: %s\n", qPrintable(text));
            std::abort();
        }
        return 0;
    }
    QString error;
    const QString again = r.code->encode(&error);
    const PairingCode::ParseResult back = PairingCode::parse(again);
    if (!r.code->validate().isEmpty() || again.isEmpty() || !back.code || !(*back.code == *r.code)) {
        std::fprintf(stderr, "accepted code does not round-trip: %s (%s)\n", qPrintable(text), qPrintable(error));
        std::abort();
    }
    return 0;
}
