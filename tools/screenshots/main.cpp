// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwan-screenshots: loads the UI (Main.qml) offscreen at a given size, connects it to a
// router, shows every page (the detail page of the first WAN, the wizard and the router list
// too), waits for each to settle and saves what the window shows as <out>/<size>/<page>.png.
// With --state, the router is a scripted one in this process (tests/support's ScriptedApiServer)
// serving a fixed state document: for states the lab cannot show (e.g. the self-hosted engine
// connected to a VPS). --scroll-to scrolls the page until an item (by objectName) is in view;
// --name saves the one page under another name.
//
//   smoothwan-screenshots --url ws://127.0.0.1:8443 --token-file FILE --size 800x480 --out docs/screenshots
//   smoothwan-screenshots --state tools/screenshots/states/engine-selfhosted.json --pages engine
//       --scroll-to path_lte --name engine-selfhosted --size 800x480 --out docs/screenshots
#include "AppSettings.h"
#include "Backend.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QTextStream>
#include <QtCore/QTimer>
#include <QtGui/QGuiApplication>
#include <QtGui/QImage>
#include <QtQml/QQmlApplicationEngine>
#include <QtQuick/QQuickItem>
#include <QtQuick/QQuickWindow>

#include <functional>
#include <memory>

#ifdef SMOOTHWAN_SCREENSHOTS_SCRIPTED
#include "ScriptedApiServer.h"
#endif

namespace {

Q_LOGGING_CATEGORY(lcShots, "smoothwan.screenshots")

// Runs the event loop for `ms` milliseconds.
void settle(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// Runs the event loop until `done` or `timeoutMs`; returns done().
bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done() && timer.elapsed() < timeoutMs)
        settle(50);
    return done();
}

// The first visible item named `name` under `item` (visual children, depth first).
QQuickItem *findVisibleItem(QQuickItem *item, const QString &name)
{
    if (!item || !item->isVisible())
        return nullptr;
    if (item->objectName() == name)
        return item;
    const QList<QQuickItem *> children = item->childItems();
    for (QQuickItem *child : children) {
        if (QQuickItem *found = findVisibleItem(child, name))
            return found;
    }
    return nullptr;
}

// Scrolls the Flickable holding `item` as little as needed for all of it to be in view (its top
// wins when it is taller than the view). Returns false when there is no such item.
bool scrollIntoView(QQuickWindow *window, const QString &name)
{
    QQuickItem *item = findVisibleItem(window->contentItem(), name);
    QQuickItem *flick = item ? item->parentItem() : nullptr;
    while (flick && !flick->inherits("QQuickFlickable"))
        flick = flick->parentItem();
    if (!flick)
        return false;
    auto *content = flick->property("contentItem").value<QQuickItem *>();
    if (!content)
        return false;
    const qreal top = item->mapToItem(content, QPointF(0, 0)).y();
    const qreal bottom = top + item->height();
    const qreal view = flick->height();
    const qreal margin = 8;
    qreal y = flick->property("contentY").toReal();
    if (bottom + margin > y + view)
        y = bottom + margin - view;
    if (top - margin < y)
        y = top - margin;
    const qreal max = qMax<qreal>(0, flick->property("contentHeight").toReal() - view);
    flick->setProperty("contentY", qBound<qreal>(0, y, max));
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("smoothwan-screenshots"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Saves a PNG of every page of the SmoothWAN UI."));
    parser.addHelpOption();
    const QCommandLineOption urlOption(QStringLiteral("url"), QStringLiteral("The router's API."),
                                       QStringLiteral("url"), QStringLiteral("ws://127.0.0.1:8443"));
    const QCommandLineOption tokenFileOption(QStringLiteral("token-file"), QStringLiteral("A file holding a token."),
                                             QStringLiteral("file"));
    const QCommandLineOption sizeOption(QStringLiteral("size"), QStringLiteral("Window size, WxH."),
                                        QStringLiteral("size"), QStringLiteral("800x480"));
    const QCommandLineOption outOption(QStringLiteral("out"),
                                       QStringLiteral("Output folder (a <size> folder is made in it)."),
                                       QStringLiteral("dir"), QStringLiteral("docs/screenshots"));
    const QCommandLineOption themeOption(QStringLiteral("theme"), QStringLiteral("dark or light."),
                                         QStringLiteral("theme"), QStringLiteral("dark"));
    const QCommandLineOption settleOption(QStringLiteral("settle-ms"), QStringLiteral("Wait per page (ms)."),
                                          QStringLiteral("ms"), QStringLiteral("2500"));
    const QCommandLineOption pagesOption(
        QStringLiteral("pages"), QStringLiteral("Comma-separated pages (default: all)."), QStringLiteral("list"));
    const QCommandLineOption stateOption(
        QStringLiteral("state"),
        QStringLiteral("Render against a scripted router serving this JSON state document (instead of --url)."),
        QStringLiteral("file"));
    const QCommandLineOption scrollOption(
        QStringLiteral("scroll-to"), QStringLiteral("Scroll each page until the item of this objectName is in view."),
        QStringLiteral("name"));
    const QCommandLineOption nameOption(QStringLiteral("name"), QStringLiteral("Save the (one) page as <name>.png."),
                                        QStringLiteral("name"));
    parser.addOptions({urlOption, tokenFileOption, sizeOption, outOption, themeOption, settleOption, pagesOption,
                       stateOption, scrollOption, nameOption});
    parser.process(app);

    QTextStream err(stderr);
    const QStringList size = parser.value(sizeOption).split(QLatin1Char('x'));
    const int width = size.value(0).toInt();
    const int height = size.value(1).toInt();
    if (size.size() != 2 || width < 320 || height < 240) {
        err << "smoothwan-screenshots: --size must be WxH, e.g. 800x480\n";
        return 2;
    }
    QString token = qEnvironmentVariable("SMOOTHWAN_TOKEN");
    if (parser.isSet(tokenFileOption)) {
        QFile file(parser.value(tokenFileOption));
        if (!file.open(QIODevice::ReadOnly)) {
            err << "smoothwan-screenshots: cannot read " << file.fileName() << ": " << file.errorString() << "\n";
            return 2;
        }
        token = QString::fromUtf8(file.readAll()).trimmed();
    }

    QString url = parser.value(urlOption);
#ifdef SMOOTHWAN_SCREENSHOTS_SCRIPTED
    std::unique_ptr<smoothwan::test::ScriptedApiServer> scripted;
#endif
    if (parser.isSet(stateOption)) {
#ifdef SMOOTHWAN_SCREENSHOTS_SCRIPTED
        QFile file(parser.value(stateOption));
        if (!file.open(QIODevice::ReadOnly)) {
            err << "smoothwan-screenshots: cannot read " << file.fileName() << ": " << file.errorString() << "\n";
            return 2;
        }
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
        if (!document.isObject()) {
            err << "smoothwan-screenshots: " << file.fileName() << " is not a JSON object: " << parseError.errorString()
                << "\n";
            return 2;
        }
        scripted = std::make_unique<smoothwan::test::ScriptedApiServer>();
        scripted->setDocument(document.object());
        url = scripted->start();
        token = scripted->token();
        if (url.isEmpty()) {
            err << "smoothwan-screenshots: the scripted router could not listen\n";
            return 1;
        }
#else
        err << "smoothwan-screenshots: --state needs a build with the tests (tests/support's scripted server)\n";
        return 2;
#endif
    }

    auto *settings = smoothwan::client::AppSettings::instance();
    settings->setScreenshotMode(true);
    settings->setThemeOverride(parser.value(themeOption));
    auto *backend = smoothwan::client::Backend::instance();
    backend->connectToRouter(url, token);

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/SmoothWAN/Ui/Main.qml")));
    auto *window =
        engine.rootObjects().isEmpty() ? nullptr : qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window) {
        err << "smoothwan-screenshots: Main.qml did not load\n";
        return 1;
    }
    window->resize(width, height);

    if (!waitFor([backend] { return backend->live(); }, 20000)) {
        err << "smoothwan-screenshots: not connected to " << url << ": " << backend->statusMessage() << "\n";
        return 69;
    }

    const QVariantList wans = backend->wans().toList();
    const QString firstWan =
        wans.isEmpty() ? QString() : wans.constFirst().toMap().value(QStringLiteral("name")).toString();
    QStringList pages = {QStringLiteral("dashboard"), QStringLiteral("wan"),    QStringLiteral("engine"),
                         QStringLiteral("routing"),   QStringLiteral("events"), QStringLiteral("system"),
                         QStringLiteral("wizard"),    QStringLiteral("routers")};
    if (parser.isSet(pagesOption))
        pages = parser.value(pagesOption).split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (parser.isSet(nameOption) && pages.size() != 1) {
        err << "smoothwan-screenshots: --name needs exactly one page in --pages\n";
        return 2;
    }

    const QDir out(parser.value(outOption) + QLatin1Char('/') + parser.value(sizeOption));
    if (!QDir().mkpath(out.path())) {
        err << "smoothwan-screenshots: cannot create " << out.path() << "\n";
        return 1;
    }
    const int settleMs = parser.value(settleOption).toInt();
    int saved = 0;
    for (const QString &page : pages) {
        if (page == QLatin1String("wan")) {
            if (firstWan.isEmpty())
                continue;
            QMetaObject::invokeMethod(window, "showWan", Q_ARG(QVariant, firstWan));
        } else {
            QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, page));
        }
        settle(settleMs);
        if (parser.isSet(scrollOption)) {
            if (!scrollIntoView(window, parser.value(scrollOption))) {
                err << "smoothwan-screenshots: no visible item " << parser.value(scrollOption) << " on " << page
                    << " in a scrolling page\n";
                return 1;
            }
            settle(300);
        }
        const QImage image = window->grabWindow();
        const QString path =
            out.filePath((parser.isSet(nameOption) ? parser.value(nameOption) : page) + QStringLiteral(".png"));
        if (image.isNull() || !image.save(path)) {
            err << "smoothwan-screenshots: could not save " << path << "\n";
            return 1;
        }
        qCInfo(lcShots) << "saved" << path;
        ++saved;
    }
    QTextStream(stdout) << "smoothwan-screenshots: " << saved << " pages saved in " << out.path() << "\n";
    return 0;
}
