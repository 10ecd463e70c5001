// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// The side rail: one entry per page, icon above label, each at least 48 px high; the current one
// highlighted. Works the same by touch and mouse (no hover).
Rectangle {
    id: root
    property var items: []   // [{name, label, icon}]
    property string current: ""
    signal selected(string name)

    implicitWidth: Theme.railWidth
    color: Theme.surface

    Rectangle {
        anchors.right: parent.right
        width: Theme.borderWidth
        height: parent.height
        color: Theme.border
    }

    Column {
        anchors.fill: parent
        anchors.topMargin: Theme.spacing / 2
        Repeater {
            model: root.items
            // Outer ids from a delegate: see SegmentedPicker.qml.
            // qmllint disable unqualified
            delegate: Item {
                id: entry
                required property var modelData
                readonly property bool active: root.current === modelData.name
                objectName: "nav_" + modelData.name
                width: root.width - Theme.borderWidth
                height: Math.max(Theme.touchMin, Math.min(Theme.touchTarget * 1.6,
                                 (root.height - Theme.spacing) / Math.max(1, root.items.length)))
                Rectangle {
                    anchors.fill: parent
                    anchors.margins: 4
                    radius: Theme.radius
                    color: entry.active ? Theme.surfaceRaised : tap.pressed ? Theme.surfacePressed : "transparent"
                    Rectangle {
                        visible: entry.active
                        width: 4
                        height: parent.height * 0.6
                        radius: 2
                        anchors.verticalCenter: parent.verticalCenter
                        color: Theme.accent
                    }
                }
                Column {
                    anchors.centerIn: parent
                    spacing: 2
                    Icon {
                        anchors.horizontalCenter: parent.horizontalCenter
                        name: entry.modelData.icon
                        color: entry.active ? Theme.accent : Theme.textDim
                    }
                    Text {
                        anchors.horizontalCenter: parent.horizontalCenter
                        width: Math.min(implicitWidth, entry.width - 4)
                        text: entry.modelData.label
                        color: entry.active ? Theme.text : Theme.textDim
                        font.pixelSize: Theme.fontSmall
                        font.bold: entry.active
                        elide: Text.ElideRight
                        horizontalAlignment: Text.AlignHCenter
                    }
                }
                TapHandler {
                    id: tap
                    onTapped: root.selected(entry.modelData.name)
                }
            }
            // qmllint enable unqualified
        }
    }
}
