// SPDX-License-Identifier: GPL-3.0-or-later
import QtQml
import QtQuick
import QtQuick.Controls
import SmoothWAN.Client
import SmoothWAN.Ui

// The application shell: navigation rail, connection banner, the current page, the on-screen
// keyboard (kiosk) and the screen blanker (kiosk). Pages are loaded by file name from pages/, so
// a page that is not part of this build shows a note instead of breaking the shell.
//
// Hooks for tests, screenshots and the e2e test: showPage(name), showWan(name), currentPage,
// currentWan, blanked, pageItem.
ApplicationWindow {
    id: window
    width: 800
    height: 480
    minimumWidth: 640
    minimumHeight: 400
    visible: true
    title: Backend.url.length > 0 ? qsTr("SmoothWAN — %1").arg(Backend.url) : qsTr("SmoothWAN")
    color: Theme.background

    property string currentPage: "dashboard"
    property string currentWan: ""
    property bool blanked: false
    readonly property alias pageItem: pageLoader.item
    readonly property var keyboard: keyboardLoader.item

    // Page names → files in pages/.
    readonly property var pageFiles: ({
        dashboard: "DashboardPage.qml", wan: "WanDetailPage.qml", engine: "EnginePage.qml",
        routing: "RoutingPage.qml", events: "EventsPage.qml", system: "SystemPage.qml",
        wizard: "WizardPage.qml", routers: "RoutersPage.qml"
    })

    function showPage(name) {
        if (!pageFiles.hasOwnProperty(name)) {
            console.warn("showPage: no page named", name)
            return
        }
        currentPage = name
        noteActivity()
    }
    function showWan(name) {
        currentWan = name
        currentPage = "wan"
        noteActivity()
    }

    readonly property var navItems: {
        const items = [
            { name: "dashboard", label: qsTr("Home"), icon: "dashboard" },
            { name: "engine", label: qsTr("Bonding"), icon: "engine" },
            { name: "routing", label: qsTr("Routing"), icon: "routing" },
            { name: "events", label: qsTr("Events"), icon: "events" },
            { name: "system", label: qsTr("System"), icon: "system" }
        ]
        if (Backend.setupRequired || currentPage === "wizard")
            items.push({ name: "wizard", label: qsTr("Setup"), icon: "wizard" })
        if (!AppSettings.kiosk)
            items.push({ name: "routers", label: qsTr("Routers"), icon: "routers" })
        return items
    }

    // Theme inputs.
    Binding { target: Theme; property: "windowWidth"; value: window.width }
    Binding { target: Theme; property: "windowHeight"; value: window.height }
    Binding { target: Theme; property: "mode"; value: AppSettings.theme === "light" ? "light" : "dark" }
    Binding {
        target: Theme
        property: "keyboardHeight"
        value: window.keyboard ? window.keyboard.keyboardHeight : 0
    }

    Component.onCompleted: {
        if (AppSettings.kiosk)
            window.showFullScreen()
    }

    Item {
        id: shell
        anchors.fill: parent
        visible: !window.blanked   // nothing is rendered while the screen is blanked

        ConnectionBanner {
            id: banner
            objectName: "connectionBanner"
            width: parent.width
            status: Backend.status
            message: Backend.statusMessage
            actionText: !AppSettings.kiosk && (Backend.pinState === "unknown" || Backend.pinState === "mismatch")
                        ? qsTr("Review certificate") : ""
            onActionClicked: window.showPage("routers")
        }

        NavRail {
            id: rail
            objectName: "navRail"
            anchors.top: banner.bottom
            anchors.bottom: parent.bottom
            width: Theme.railWidth
            items: window.navItems
            current: window.currentPage === "wan" ? "dashboard" : window.currentPage
            onSelected: (name) => window.showPage(name)
        }

        Item {
            id: pageArea
            anchors.top: banner.bottom
            anchors.left: rail.right
            anchors.right: parent.right
            anchors.bottom: parent.bottom

            Loader {
                id: pageLoader
                objectName: "pageLoader"
                anchors.fill: parent
                source: Qt.resolvedUrl("pages/" + window.pageFiles[window.currentPage])
                onLoaded: {
                    const page = item
                    if (page.hasOwnProperty("wanName"))
                        page.wanName = Qt.binding(() => window.currentWan)
                    if (page.openPage)
                        page.openPage.connect(window.showPage)
                    if (page.openWan)
                        page.openWan.connect(window.showWan)
                    if (page.back)
                        page.back.connect(() => window.showPage("dashboard"))
                }
            }

            Column {
                visible: pageLoader.status === Loader.Error
                anchors.centerIn: parent
                width: parent.width - 2 * Theme.padding
                spacing: Theme.spacing
                Text {
                    width: parent.width
                    horizontalAlignment: Text.AlignHCenter
                    text: qsTr("This page is not part of this build.")
                    color: Theme.text
                    font.pixelSize: Theme.fontLarge
                    wrapMode: Text.Wrap
                }
                SwButton {
                    anchors.horizontalCenter: parent.horizontalCenter
                    text: qsTr("Back to the dashboard")
                    onClicked: window.showPage("dashboard")
                }
            }
        }
    }

    // The on-screen keyboard, kiosk only (the desktop has a real one).
    Loader {
        id: keyboardLoader
        active: AppSettings.kiosk
        source: "components/KioskKeyboard.qml"
        width: window.width
        y: window.height - (window.keyboard ? window.keyboard.keyboardHeight : 0)
        z: 10
    }

    // Screen blanking (kiosk): after blankAfterSeconds without a touch the screen goes black; the
    // touch that wakes it is swallowed, so it cannot press whatever was under the finger.
    function noteActivity() {
        if (blankTimer.running)
            blankTimer.restart()
    }
    property bool blankingEnabled: AppSettings.kiosk
    property int blankAfterSeconds: AppSettings.blankAfterSeconds
    Timer {
        id: blankTimer
        interval: Math.max(1, window.blankAfterSeconds) * 1000
        running: window.blankingEnabled && window.blankAfterSeconds > 0 && !window.blanked
        onTriggered: window.blanked = true
    }
    // Sees every press passively (never accepts it), above everything else.
    Item {
        anchors.fill: parent
        z: 20
        PointHandler {
            onActiveChanged: window.noteActivity()
        }
    }
    Rectangle {
        id: blankOverlay
        objectName: "blankOverlay"
        anchors.fill: parent
        z: 30
        color: "black"
        visible: window.blanked
        MouseArea {
            anchors.fill: parent
            onPressed: (mouse) => {
                mouse.accepted = true
                window.blanked = false
            }
        }
    }
}
