// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// The marker next to numbers that are not live: "stale" on a grey chip.
Rectangle {
    id: root
    property string text: qsTr("stale")
    implicitWidth: label.implicitWidth + Theme.spacing * 2
    implicitHeight: label.implicitHeight + 4
    radius: height / 2
    color: Theme.stateStale
    Text {
        id: label
        anchors.centerIn: parent
        text: root.text
        color: Theme.textOnState
        font.pixelSize: Theme.fontSmall
        font.bold: true
    }
}
