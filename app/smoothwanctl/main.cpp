// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwanctl: the command-line client of smoothwand's API.
#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("smoothwanctl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SMOOTHWAN_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Command-line client of the SmoothWAN service."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("status | watch | …"));
    parser.process(app);
    // The API server does not exist yet; say so plainly instead of pretending.
    std::fprintf(stderr, "smoothwanctl: the service's API is not available in this version yet\n");
    return 69; // EX_UNAVAILABLE
}
