// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// The newest event in one line: severity colour, time, message. Tap: clicked() (open the log).
Rectangle {
    id: root
    property string time: ""       // ISO 8601
    property string severity: "info"
    property string message: ""
    property bool stale: false
    signal clicked()

    implicitHeight: Theme.touchTarget
    radius: Theme.radius
    color: tap.pressed ? Theme.surfacePressed : Theme.surface
    border.width: Theme.borderWidth
    border.color: Theme.border

    readonly property color severityColor: stale ? Theme.stateStale
                                         : severity === "error" ? Theme.stateDown
                                         : severity === "warning" ? Theme.stateDegraded : Theme.accent
    readonly property string clock: {
        const d = new Date(time)
        return isNaN(d.getTime()) ? "" : Qt.formatTime(d, "hh:mm:ss")
    }

    Rectangle {
        id: dot
        width: Theme.spacing
        height: width
        radius: width / 2
        color: root.severityColor
        x: Theme.padding
        anchors.verticalCenter: parent.verticalCenter
    }
    Text {
        id: clockText
        anchors.left: dot.right
        anchors.leftMargin: Theme.spacing
        anchors.verticalCenter: parent.verticalCenter
        text: root.clock
        color: Theme.textDim
        font.pixelSize: Theme.fontSmall
        font.family: "monospace"
    }
    Text {
        objectName: "tickerText"
        anchors.left: clockText.right
        anchors.leftMargin: Theme.spacing
        anchors.right: parent.right
        anchors.rightMargin: Theme.padding
        anchors.verticalCenter: parent.verticalCenter
        text: root.message.length > 0 ? root.message : qsTr("No events yet")
        color: root.stale ? Theme.textDisabled : Theme.text
        font.pixelSize: Theme.fontBody
        elide: Text.ElideRight
    }
    TapHandler {
        id: tap
        onTapped: root.clicked()
    }
}
