// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwan: the touchscreen UI (--kiosk) and the remote desktop client. Always a client of a
// router's API (docs/protocol.md); see docs/operations.md "The UI".
#include "AppSettings.h"
#include "Backend.h"
#include "RouterListModel.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QFile>
#include <QtCore/QLoggingCategory>
#include <QtCore/QRegularExpression>
#include <QtGui/QCursor>
#include <QtGui/QGuiApplication>
#include <QtGui/QWindow>
#include <QtQml/QQmlApplicationEngine>

#include <cstdio>

Q_LOGGING_CATEGORY(lcUi, "smoothwan.ui", QtInfoMsg)

using smoothwan::client::AppSettings;
using smoothwan::client::Backend;
using smoothwan::client::RouterListModel;

namespace {

constexpr char DefaultUrl[] = "ws://127.0.0.1:8443";
constexpr char DefaultLocalToken[] = "/var/lib/smoothwan/local-token";

int usage(const QString &message)
{
    std::fprintf(stderr, "smoothwan: %s\n", qPrintable(message));
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    // --help and --version work without a display.
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if ((arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v" || arg == "--version") &&
            qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    // Kiosk: Qt Virtual Keyboard is the input method; it must be chosen before the application
    // object exists.
    for (int i = 1; i < argc; ++i) {
        if (QByteArray(argv[i]) == "--kiosk" && qEnvironmentVariableIsEmpty("QT_IM_MODULE"))
            qputenv("QT_IM_MODULE", "qtvirtualkeyboard");
    }
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("smoothwan"));
    QGuiApplication::setApplicationVersion(QStringLiteral(SMOOTHWAN_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("SmoothWAN touchscreen UI and desktop client.\n"
                       "Kiosk: full screen on the router's own display, signed in with the local token.\n"
                       "Desktop: a window with the list of saved routers, or connected to --url."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption kioskOption(
        QStringLiteral("kiosk"),
        QStringLiteral("Full screen, no window controls, no cursor, the local token, screen blanking."));
    const QCommandLineOption urlOption(
        QStringLiteral("url"), QStringLiteral("The router's API (kiosk default %1).").arg(QLatin1String(DefaultUrl)),
        QStringLiteral("URL"));
    const QCommandLineOption tokenFileOption(
        QStringLiteral("token-file"),
        QStringLiteral("A file holding a token (kiosk default %1).").arg(QLatin1String(DefaultLocalToken)),
        QStringLiteral("FILE"));
    const QCommandLineOption userOption(QStringLiteral("user"),
                                        QStringLiteral("Sign in as USER on the login page (nothing is asked here)."),
                                        QStringLiteral("USER"));
    const QCommandLineOption sizeOption(QStringLiteral("size"), QStringLiteral("Window size, e.g. 800x480."),
                                        QStringLiteral("WxH"));
    const QCommandLineOption themeOption(QStringLiteral("theme"), QStringLiteral("dark or light (this run only)."),
                                         QStringLiteral("THEME"));
    const QCommandLineOption blankOption(
        QStringLiteral("blank-after"),
        QStringLiteral("Kiosk: blank the screen after SECONDS without a touch (0: never) until the router's "
                       "ui.blank_after says otherwise; default 300."),
        QStringLiteral("SECONDS"), QStringLiteral("300"));
    const QCommandLineOption pageOption(QStringLiteral("page"),
                                        QStringLiteral("Open this page first (dashboard, engine, routing, events, "
                                                       "system, wizard, routers)."),
                                        QStringLiteral("NAME"));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot-mode"),
                                              QStringLiteral("Steady rendering for screenshots (no animations)."));
    parser.addOptions({kioskOption, urlOption, tokenFileOption, userOption, sizeOption, themeOption, blankOption,
                       pageOption, screenshotOption});
    parser.process(app);

    const bool kiosk = parser.isSet(kioskOption);
    QSize size;
    if (parser.isSet(sizeOption)) {
        const auto m = QRegularExpression(QStringLiteral("^(\\d+)x(\\d+)$")).match(parser.value(sizeOption));
        if (!m.hasMatch())
            return usage(QStringLiteral("--size wants WIDTHxHEIGHT, e.g. 800x480"));
        size = QSize(m.captured(1).toInt(), m.captured(2).toInt());
        if (size.width() < 320 || size.height() < 240 || size.width() > 16384 || size.height() > 16384)
            return usage(QStringLiteral("--size must be between 320x240 and 16384x16384"));
    }
    const QString theme = parser.value(themeOption);
    if (!theme.isEmpty() && theme != QLatin1String("dark") && theme != QLatin1String("light"))
        return usage(QStringLiteral("--theme is dark or light"));
    bool blankOk = false;
    const int blankAfter = parser.value(blankOption).toInt(&blankOk);
    if (!blankOk || blankAfter < 0)
        return usage(QStringLiteral("--blank-after wants a number of seconds"));

    AppSettings *settings = AppSettings::instance();
    settings->setKiosk(kiosk);
    settings->setDefaultBlankAfterSeconds(kiosk ? blankAfter : 0);
    settings->setScreenshotMode(parser.isSet(screenshotOption));
    if (!theme.isEmpty())
        settings->setThemeOverride(theme);

    // Where to connect, and with which credential.
    Backend *backend = Backend::instance();
    QString firstPage = parser.value(pageOption);
    const QString url = RouterListModel::normalizeUrl(parser.value(urlOption));
    if (parser.isSet(urlOption) && url.isEmpty())
        return usage(QStringLiteral("--url: '%1' is not a router address (e.g. 192.168.1.1 or wss://router.lan:8443)")
                         .arg(parser.value(urlOption)));
    const QByteArray envToken = qgetenv("SMOOTHWAN_TOKEN");
    if (kiosk) {
        const QString tokenFile =
            parser.isSet(tokenFileOption) ? parser.value(tokenFileOption) : QString::fromLatin1(DefaultLocalToken);
        backend->connectLocal(url.isEmpty() ? QString::fromLatin1(DefaultUrl) : url, tokenFile);
        QGuiApplication::setOverrideCursor(QCursor(Qt::BlankCursor));
    } else if (!url.isEmpty() && (parser.isSet(tokenFileOption) || !envToken.isEmpty())) {
        QString token = QString::fromLatin1(envToken.trimmed());
        if (parser.isSet(tokenFileOption)) {
            QFile f(parser.value(tokenFileOption));
            if (!f.open(QIODevice::ReadOnly))
                return usage(QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString()));
            token = QString::fromLatin1(f.readAll().trimmed());
        }
        backend->connectToRouter(url, token);
    } else if (!url.isEmpty()) {
        // The login page of the router list signs in; the router is saved there with the user.
        const int row = settings->routers()->add(QString(), url);
        if (parser.isSet(userOption))
            settings->routers()->setLastUser(row, parser.value(userOption));
        if (firstPage.isEmpty())
            firstPage = QStringLiteral("routers");
    } else if (firstPage.isEmpty()) {
        firstPage = QStringLiteral("routers");
    }

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app, [] { QCoreApplication::exit(1); },
        Qt::QueuedConnection);
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/SmoothWAN/Ui/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;
    QObject *root = engine.rootObjects().constFirst();
    if (auto *window = qobject_cast<QWindow *>(root)) {
        if (kiosk) {
            window->setFlag(Qt::FramelessWindowHint);
            window->showFullScreen();
        } else if (size.isValid()) {
            window->resize(size);
        }
    }
    if (!firstPage.isEmpty() && !QMetaObject::invokeMethod(root, "showPage", Q_ARG(QVariant, QVariant(firstPage))))
        qCWarning(lcUi) << "the UI has no page" << firstPage;
    return QGuiApplication::exec();
}
