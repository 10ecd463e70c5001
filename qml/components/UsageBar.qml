// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// Usage against a cap: "3.2 GB / 20.0 GB" (the month; "… today" for a daily cap) over a bar that turns amber at 75 % and red
// at 90 %. Without a cap it only states the usage.
Item {
    id: root
    property real usedBytes: 0
    property real capBytes: 0        // 0: no cap
    property string period: qsTr("month")
    property bool stale: false
    readonly property real fraction: capBytes > 0 ? Math.min(1, usedBytes / capBytes) : 0
    readonly property color barColor: stale ? Theme.stateStale
                                    : fraction >= 0.9 ? Theme.stateDown
                                    : fraction >= 0.75 ? Theme.stateDegraded : Theme.accent

    implicitWidth: label.implicitWidth
    // The bar's room is kept without a cap, so tiles side by side have the same height.
    implicitHeight: label.implicitHeight + bar.height + 4

    Text {
        id: label
        width: parent.width
        text: root.capBytes > 0
              ? (root.period === qsTr("day") ? qsTr("%1 / %2 today") : qsTr("%1 / %2"))
                .arg(Theme.formatBytes(root.usedBytes)).arg(Theme.formatBytes(root.capBytes))
              : (root.period === qsTr("day") ? qsTr("%1 today") : qsTr("%1 used")).arg(Theme.formatBytes(root.usedBytes))
        color: root.stale ? Theme.textDisabled : Theme.textDim
        font.pixelSize: Theme.fontSmall
        elide: Text.ElideRight
    }
    Rectangle {
        id: bar
        opacity: root.capBytes > 0 ? 1 : 0
        anchors.top: label.bottom
        anchors.topMargin: 4
        width: parent.width
        height: 6
        radius: 3
        color: Theme.surfaceRaised
        Rectangle {
            width: parent.width * root.fraction
            height: parent.height
            radius: 3
            color: root.barColor
        }
    }
}
