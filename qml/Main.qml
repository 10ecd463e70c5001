// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls
import SmoothWAN.Ui

ApplicationWindow {
    id: window
    width: 800
    height: 480
    visible: true
    title: qsTr("SmoothWAN")
    color: Theme.background

    Column {
        anchors.fill: parent
        spacing: Theme.spacing
        StatusBanner {
            width: parent.width
            state: "offline"
            detail: qsTr("this version of the UI does not connect to the service yet")
        }
        Text {
            x: Theme.spacing
            color: Theme.text
            font.pixelSize: Theme.fontTitle
            text: qsTr("SmoothWAN")
        }
    }
}
