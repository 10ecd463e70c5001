// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// What became of the last command a control sent: a spinner and "Sending…" while it runs, its
// error message in red when it failed, nothing when it succeeded (the state shows the result).
// `command` is the object Backend.call() returned (keep it in a property: it is JS-owned).
Item {
    id: root
    property var command: null
    property string runningText: qsTr("Sending…")
    readonly property bool running: command !== null && command.running
    readonly property bool failed: command !== null && !command.running && !command.succeeded
    readonly property string errorText: failed ? (command.errorMessage.length > 0 ? command.errorMessage : command.errorCode) : ""

    visible: running || failed
    implicitWidth: row.implicitWidth
    implicitHeight: visible ? Math.max(row.implicitHeight, 0) : 0

    Row {
        id: row
        width: root.width
        spacing: Theme.spacing
        Spinner {
            visible: root.running
            running: root.running
            size: Theme.fontBody
            anchors.verticalCenter: parent.verticalCenter
        }
        Text {
            objectName: "commandError"
            width: root.running ? root.width - Theme.fontBody - Theme.spacing : root.width
            text: root.running ? root.runningText : root.errorText
            color: root.running ? Theme.textDim : Theme.danger
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.Wrap
        }
    }
}
