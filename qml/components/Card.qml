// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// A surface with rounded corners holding a group of things; optional title line. Children go
// into the content column (`default property alias content`).
Rectangle {
    id: root
    property string title: ""
    property alias headerExtra: extra.data   // items shown at the right of the title
    default property alias content: column.data
    property alias spacing: column.spacing

    implicitWidth: column.implicitWidth + 2 * Theme.padding
    implicitHeight: column.implicitHeight + 2 * Theme.padding + (titleRow.visible ? titleRow.height + Theme.spacing : 0)
    radius: Theme.radius
    color: Theme.surface
    border.width: Theme.borderWidth
    border.color: Theme.border

    Item {
        id: titleRow
        visible: root.title.length > 0
        x: Theme.padding
        y: Theme.padding
        width: root.width - 2 * Theme.padding
        height: Math.max(titleText.implicitHeight, extra.implicitHeight)
        Text {
            id: titleText
            anchors.verticalCenter: parent.verticalCenter
            width: parent.width - extra.width - Theme.spacing
            text: root.title
            color: Theme.textDim
            font.pixelSize: Theme.fontSmall
            font.bold: true
            font.capitalization: Font.AllUppercase
            elide: Text.ElideRight
        }
        Row {
            id: extra
            anchors.right: parent.right
            anchors.verticalCenter: parent.verticalCenter
            spacing: Theme.spacing
        }
    }

    Column {
        id: column
        x: Theme.padding
        y: Theme.padding + (titleRow.visible ? titleRow.height + Theme.spacing : 0)
        width: root.width - 2 * Theme.padding
        spacing: Theme.spacing
    }
}
