// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// A small busy indicator: a rotating arc. It is painted once and only rotated while running, so
// it costs next to nothing and nothing at all when stopped.
Item {
    id: root
    property bool running: true
    property int size: Theme.iconSize
    property color color: Theme.accent
    implicitWidth: size
    implicitHeight: size

    Canvas {
        id: arc
        anchors.fill: parent
        onColorChanged: requestPaint()
        property color color: root.color
        onPaint: {
            const ctx = getContext("2d")
            ctx.reset()
            const r = Math.min(width, height) / 2 - 2
            ctx.lineWidth = Math.max(2, r / 4)
            ctx.strokeStyle = color
            ctx.lineCap = "round"
            ctx.beginPath()
            ctx.arc(width / 2, height / 2, r, 0, Math.PI * 1.4)
            ctx.stroke()
        }
        RotationAnimator on rotation {
            from: 0
            to: 360
            duration: 900
            loops: Animation.Infinite
            running: root.running && root.visible
        }
    }
}
