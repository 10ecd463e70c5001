// SPDX-License-Identifier: GPL-3.0-or-later
// Fuzz target: untrusted configuration YAML (uploads over config.apply). The loader must never
// crash, hang or leak; and whatever it accepts must survive ConfigWriter unchanged:
// loadString(toYaml(c)) == c. A violation aborts, so the fuzzer reports it.
#include "ConfigLoader.h"
#include "ConfigWriter.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace smoothwan;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray yaml = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    ConfigErrors errors;
    const auto config = ConfigLoader::loadString(yaml, QStringLiteral("fuzz.yaml"), &errors);
    if (!config)
        return 0;
    const QByteArray written = ConfigWriter::toYaml(*config);
    const auto again = ConfigLoader::loadString(written, QStringLiteral("written.yaml"), &errors);
    if (!again || !(*again == *config)) {
        std::fprintf(stderr, "round trip failed for:\n%s\nwritten as:\n%s\n%s\n", yaml.constData(), written.constData(),
                     errors.isEmpty() ? "" : qPrintable(errors.first().toString()));
        std::abort();
    }
    return 0;
}
