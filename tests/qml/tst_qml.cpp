// SPDX-License-Identifier: GPL-3.0-or-later
// Runner of the UI's Qt Quick Tests (tests/qml/tst_*.qml). The UI module and the client module
// are linked in; the scripted API server of tests/support is registered as
// SmoothWAN.Test/ScriptedServer so page tests can run against a programmable router.
#include <QtQml/QQmlEngine>
#include <QtQml/qqml.h>
#include <QtQuickTest/quicktest.h>

#ifdef SMOOTHWAN_HAVE_SCRIPTED_SERVER
#include "ScriptedApiServer.h"
#endif

class Setup : public QObject
{
    Q_OBJECT

public:
    Setup() = default;

public Q_SLOTS:
    void applicationAvailable()
    {
#ifdef SMOOTHWAN_HAVE_SCRIPTED_SERVER
        qmlRegisterType<smoothwan::test::ScriptedApiServer>("SmoothWAN.Test", 1, 0, "ScriptedServer");
#endif
    }
    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
    }
};

QUICK_TEST_MAIN_WITH_SETUP(smoothwan_qml, Setup)

#include "tst_qml.moc"
