// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// The connection banner across the top of every page: says in words why the values are not live
// ("Connection lost — retrying in 4 s"). Hidden while the connection is ready and there is
// nothing to say. Pure: bind `status` and `message` to Backend.status / Backend.statusMessage.
Rectangle {
    id: root
    property string status: "offline"   // offline connecting authenticating syncing ready stale
    property string message: ""
    property string actionText: ""        // optional button, e.g. "Review certificate"
    signal actionClicked()

    readonly property bool shown: status !== "ready" || message.length > 0
    readonly property string title: {
        switch (status) {
        case "ready": return qsTr("Connected")
        case "connecting": return qsTr("Connecting…")
        case "authenticating": return qsTr("Signing in…")
        case "syncing": return qsTr("Loading…")
        case "stale": return qsTr("Connection lost — values are stale")
        default: return qsTr("Not connected")
        }
    }
    readonly property bool bad: status === "stale" || status === "offline"

    visible: shown
    implicitHeight: shown ? Math.max(Theme.touchTarget, label.implicitHeight + Theme.spacing) : 0
    color: bad ? Theme.stateDown : status === "ready" ? Theme.surfaceRaised : Theme.stateDegraded

    Spinner {
        id: spinner
        visible: !root.bad && root.status !== "ready"
        running: visible
        color: Theme.textOnState
        size: Theme.iconSize
        x: Theme.padding
        anchors.verticalCenter: parent.verticalCenter
    }
    Text {
        id: label
        objectName: "bannerText"
        anchors.left: spinner.visible ? spinner.right : parent.left
        anchors.leftMargin: Theme.padding
        anchors.right: action.visible ? action.left : parent.right
        anchors.rightMargin: Theme.padding
        anchors.verticalCenter: parent.verticalCenter
        color: root.status === "ready" ? Theme.text : Theme.textOnState
        font.pixelSize: Theme.fontBody
        font.bold: true
        wrapMode: Text.Wrap
        maximumLineCount: 2
        elide: Text.ElideRight
        text: root.message.length > 0 && root.message !== root.title ? root.title + " — " + root.message : root.title
    }
    SwButton {
        id: action
        visible: root.actionText.length > 0
        text: root.actionText
        anchors.right: parent.right
        anchors.rightMargin: Theme.spacing
        anchors.verticalCenter: parent.verticalCenter
        onClicked: root.actionClicked()
    }
}
