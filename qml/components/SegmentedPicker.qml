// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// One choice among a few, all visible at once (priority tier, probe profile, method): a row of
// segments, each at least 48 px high and wide. `options`: [{value, label}]. Tapping a segment
// emits activated(value); `currentValue` is what is shown as selected (bind it to the state, so
// the picker shows what the router has, not what was tapped).
Item {
    id: root
    property var options: []
    property string currentValue: ""
    property string pendingValue: ""   // drawn as selected-in-progress while a command runs
    property bool busy: false
    property bool enabled: true
    signal activated(string value)

    implicitWidth: row.implicitWidth
    implicitHeight: Theme.touchTarget
    opacity: enabled ? 1 : 0.55

    Rectangle {
        anchors.fill: parent
        radius: Theme.radius
        color: Theme.surfaceRaised
        border.width: Theme.borderWidth
        border.color: Theme.border
    }

    Row {
        id: row
        anchors.fill: parent
        Repeater {
            model: root.options
            // Qt 6.4's qmllint cannot see the outer ids from a delegate (pragma
            // ComponentBehavior: Bound is 6.5); they are resolved correctly at run time.
            // qmllint disable unqualified
            delegate: Rectangle {
                id: seg
                required property var modelData
                required property int index
                readonly property bool selected: root.currentValue === modelData.value
                readonly property bool pending: root.busy && root.pendingValue === modelData.value
                objectName: "segment_" + modelData.value
                width: Math.max(Theme.touchMin, root.width / Math.max(1, root.options.length))
                height: root.height
                radius: Theme.radius
                color: selected ? Theme.accent : tap.pressed ? Theme.surfacePressed : "transparent"
                border.width: pending ? 2 : 0
                border.color: Theme.accent
                Text {
                    anchors.fill: parent
                    anchors.leftMargin: Theme.spacing / 2
                    anchors.rightMargin: Theme.spacing / 2
                    text: seg.modelData.label
                    font.pixelSize: Theme.fontBody
                    font.bold: seg.selected
                    color: seg.selected ? Theme.textOnAccent : root.enabled ? Theme.text : Theme.textDisabled
                    horizontalAlignment: Text.AlignHCenter
                    verticalAlignment: Text.AlignVCenter
                    elide: Text.ElideRight
                }
                TapHandler {
                    id: tap
                    enabled: root.enabled && !root.busy
                    onTapped: if (!seg.selected) root.activated(seg.modelData.value)
                }
            }
            // qmllint enable unqualified
        }
    }
}
