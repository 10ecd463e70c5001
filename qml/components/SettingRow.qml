// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// A labelled setting: label (and an optional hint under it) on the left, the control(s) on the
// right in `controlWidth`; below 560 px of width the control goes under the label instead.
Item {
    id: root
    property string label: ""
    property string hint: ""
    default property alias controls: controlRow.data
    readonly property bool stacked: width < 560
    readonly property real controlWidth: stacked ? width : width - labelColumn.width - Theme.spacing

    implicitHeight: stacked ? labelColumn.implicitHeight + Theme.spacing / 2 + controlRow.implicitHeight
                            : Math.max(labelColumn.implicitHeight, controlRow.implicitHeight)

    Column {
        id: labelColumn
        width: root.stacked ? root.width : Math.min(220, root.width * 0.32)
        y: root.stacked ? 0 : Math.max(0, (Math.min(controlRow.implicitHeight, Theme.touchTarget) - labelText.implicitHeight) / 2)
        Text {
            id: labelText
            width: parent.width
            text: root.label
            color: Theme.text
            font.pixelSize: Theme.fontBody
            wrapMode: Text.Wrap
        }
        Text {
            width: parent.width
            visible: root.hint.length > 0
            text: root.hint
            color: Theme.textDim
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.Wrap
        }
    }
    Row {
        id: controlRow
        x: root.stacked ? 0 : root.width - root.controlWidth
        y: root.stacked ? labelColumn.implicitHeight + Theme.spacing / 2 : 0
        width: root.controlWidth
        spacing: Theme.spacing
    }
}
