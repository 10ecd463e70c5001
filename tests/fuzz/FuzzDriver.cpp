// SPDX-License-Identifier: GPL-3.0-or-later
// A stand-in for libFuzzer's main() in builds without Clang's -fsanitize=fuzzer (the usual GCC +
// ASan build): runs every input of the corpus directories, then mutates them (bit flips, byte
// inserts and deletes, chunk copies, splices) with a fixed seed until -max_total_time seconds
// have passed. It accepts libFuzzer's command line, so CI calls both the same way.
#include <QtCore/QByteArray>
#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QList>

#include <cstdint>
#include <cstdio>
#include <random>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {

void run(const QByteArray &input)
{
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t *>(input.constData()), std::size_t(input.size()));
}

QByteArray mutate(QByteArray in, const QList<QByteArray> &corpus, std::mt19937 &rng)
{
    auto pick = [&](std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
    const int rounds = 1 + int(pick(4));
    for (int r = 0; r < rounds; ++r) {
        const qsizetype pos = qsizetype(pick(std::size_t(in.size()) + 1));
        switch (pick(6)) {
        case 0:
            if (!in.isEmpty())
                in[pos % in.size()] = char(in[pos % in.size()] ^ (1 << pick(8)));
            break;
        case 1:
            in.insert(pos, char(pick(256)));
            break;
        case 2:
            if (!in.isEmpty())
                in.remove(pos % in.size(), qsizetype(1 + pick(8)));
            break;
        case 3: { // repeat a chunk (deep nesting, long strings)
            const qsizetype len = qsizetype(1 + pick(16));
            const QByteArray chunk = in.mid(pos, len);
            for (std::size_t k = 0, n = 1 + pick(64); k < n; ++k)
                in.insert(pos, chunk);
            break;
        }
        case 4: { // splice from another input
            const QByteArray &other = corpus[qsizetype(pick(std::size_t(corpus.size())))];
            in = in.left(pos) + other.mid(qsizetype(pick(std::size_t(other.size()) + 1)));
            break;
        }
        default: { // an interesting token
            static const char *const tokens[] = {"\"",    "{",  "}",     "[",       "]",     ":",  ",",
                                                 "null",  "-1", "1e308", "\\u0000", "\n",    "&a", "*a",
                                                 "!!str", "- ", ": ",    "\xff",    "$(id)", "../"};
            in.insert(pos, tokens[pick(sizeof tokens / sizeof *tokens)]);
            break;
        }
        }
    }
    return in.left(1 << 20);
}

} // namespace

int main(int argc, char *argv[])
{
    double maxSeconds = 5;
    QList<QByteArray> corpus;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg.startsWith("-max_total_time=")) {
            maxSeconds = arg.mid(16).toDouble();
        } else if (arg.startsWith('-')) {
            continue; // other libFuzzer options
        } else {
            const QDir dir(QString::fromLocal8Bit(arg));
            for (const QString &f : dir.entryList(QDir::Files, QDir::Name)) {
                QFile file(dir.filePath(f));
                if (file.open(QIODevice::ReadOnly))
                    corpus.append(file.readAll());
            }
        }
    }
    if (corpus.isEmpty())
        corpus.append(QByteArray());
    for (const QByteArray &input : std::as_const(corpus))
        run(input);
    std::mt19937 rng(12345);
    QElapsedTimer timer;
    timer.start();
    long runs = 0;
    while (timer.elapsed() < qint64(maxSeconds * 1000)) {
        run(mutate(corpus[qsizetype(rng() % std::uint32_t(corpus.size()))], corpus, rng));
        ++runs;
    }
    std::printf("fuzz driver: %lld corpus inputs, %ld mutated runs in %.1f s\n", qlonglong(corpus.size()), runs,
                double(timer.elapsed()) / 1000);
    return 0;
}
