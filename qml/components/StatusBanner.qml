// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// A full-width banner that states the connection to the backend in words and colour.
Rectangle {
    id: root
    property string state: "offline"   // connecting | authenticating | syncing | ready | stale | offline
    property string detail: ""
    readonly property string title: {
        switch (state) {
        case "ready": return qsTr("Connected")
        case "connecting": return qsTr("Connecting…")
        case "authenticating": return qsTr("Signing in…")
        case "syncing": return qsTr("Loading…")
        case "stale": return qsTr("Connection lost — values are stale")
        default: return qsTr("Not connected")
        }
    }
    implicitHeight: Math.max(Theme.touchTarget, label.implicitHeight + 2 * Theme.spacing)
    color: state === "ready" ? Theme.stateUp : state === "stale" || state === "offline" ? Theme.stateDown : Theme.stateUnknown

    Text {
        id: label
        anchors.fill: parent
        anchors.margins: Theme.spacing
        verticalAlignment: Text.AlignVCenter
        color: Theme.background
        font.pixelSize: Theme.fontBody
        font.bold: true
        wrapMode: Text.Wrap
        text: root.detail.length > 0 ? root.title + " — " + root.detail : root.title
    }
}
