// SPDX-License-Identifier: GPL-3.0-or-later
// smoothwan: the touchscreen UI and remote desktop client.
#include <QtCore/QCommandLineParser>
#include <QtQml/QQmlApplicationEngine>
#include <QtWidgets/QApplication>

int main(int argc, char *argv[])
{
    // Qt Charts' QML types need a QApplication (QtWidgets), not just a QGuiApplication.
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("smoothwan"));
    QApplication::setApplicationVersion(QStringLiteral(SMOOTHWAN_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("SmoothWAN touchscreen UI and desktop client."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app, [] { QCoreApplication::exit(1); },
        Qt::QueuedConnection);
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/SmoothWAN/Ui/Main.qml")));
    return QApplication::exec();
}
