// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// Line icons drawn with Canvas, so the UI needs no icon font or image plugin. Painted once per
// name/colour/size change. Names: dashboard engine routing events system routers wizard back
// ethernet wifi cellular usb tether wan.
Canvas {
    id: root
    property string name: "wan"
    property color color: Theme.text
    property int size: Theme.iconSize
    implicitWidth: size
    implicitHeight: size
    onNameChanged: requestPaint()
    onColorChanged: requestPaint()
    onWidthChanged: requestPaint()

    onPaint: {
        const ctx = getContext("2d")
        ctx.reset()
        const s = Math.min(width, height)
        if (s <= 0)
            return
        ctx.save()
        ctx.scale(s / 24, s / 24)   // drawn on a 24×24 grid
        ctx.strokeStyle = color
        ctx.fillStyle = color
        ctx.lineWidth = 2
        ctx.lineCap = "round"
        ctx.lineJoin = "round"
        const line = (pts) => { ctx.beginPath(); ctx.moveTo(pts[0], pts[1]); for (let i = 2; i < pts.length; i += 2) ctx.lineTo(pts[i], pts[i + 1]); ctx.stroke() }
        const rect = (x, y, w, h) => { ctx.strokeRect(x, y, w, h) }
        const arc = (x, y, r, a0, a1) => { ctx.beginPath(); ctx.arc(x, y, r, a0, a1); ctx.stroke() }
        const dot = (x, y, r) => { ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill() }
        switch (name) {
        case "dashboard":
            rect(3, 3, 8, 8); rect(13, 3, 8, 5); rect(13, 10, 8, 11); rect(3, 13, 8, 8)
            break
        case "engine":   // bonded links: three lines merging into one
            line([2, 5, 10, 12, 22, 12]); line([2, 12, 10, 12]); line([2, 19, 10, 12])
            line([18, 8, 22, 12, 18, 16])
            break
        case "routing":  // a fork
            line([4, 20, 4, 12, 12, 4]); line([4, 12, 20, 12]); line([9, 4, 12, 4, 12, 7]); line([17, 9, 20, 12, 17, 15])
            break
        case "events":   // a list
            line([8, 6, 21, 6]); line([8, 12, 21, 12]); line([8, 18, 21, 18])
            dot(4, 6, 1.5); dot(4, 12, 1.5); dot(4, 18, 1.5)
            break
        case "system":   // sliders
            line([4, 6, 20, 6]); line([4, 12, 20, 12]); line([4, 18, 20, 18])
            dot(9, 6, 2.5); dot(16, 12, 2.5); dot(7, 18, 2.5)
            break
        case "routers":  // a stack of boxes
            rect(3, 4, 18, 6); rect(3, 14, 18, 6); dot(7, 7, 1.2); dot(7, 17, 1.2)
            break
        case "wizard":   // a star
            line([12, 2, 14.5, 9, 22, 9, 16, 13.5, 18.5, 21, 12, 16.5, 5.5, 21, 8, 13.5, 2, 9, 9.5, 9, 12, 2])
            break
        case "back":
            line([15, 4, 7, 12, 15, 20])
            break
        case "ethernet": // an RJ45 socket
            line([3, 8, 3, 20, 21, 20, 21, 8, 16, 8, 16, 5, 8, 5, 8, 8, 3, 8])
            line([8, 14, 8, 17]); line([12, 14, 12, 17]); line([16, 14, 16, 17])
            break
        case "wifi":
            arc(12, 20, 16, 1.25 * Math.PI, 1.75 * Math.PI)
            arc(12, 20, 11, 1.25 * Math.PI, 1.75 * Math.PI)
            arc(12, 20, 6, 1.25 * Math.PI, 1.75 * Math.PI)
            dot(12, 19, 1.8)
            break
        case "cellular": // signal bars
            ctx.fillRect(3, 16, 3, 5); ctx.fillRect(8, 12, 3, 9); ctx.fillRect(13, 8, 3, 13); ctx.fillRect(18, 3, 3, 18)
            break
        case "usb":
            line([12, 21, 12, 4]); line([9, 7, 12, 3, 15, 7]); line([12, 15, 6, 11, 6, 8]); line([12, 13, 18, 10, 18, 7])
            dot(12, 20, 2); dot(6, 8, 1.5); ctx.fillRect(16.5, 5, 3, 3)
            break
        case "tether":   // a phone
            ctx.beginPath(); ctx.roundedRect(6, 2, 12, 20, 2, 2); ctx.stroke(); dot(12, 18.5, 1.2)
            break
        default:         // a globe: a generic internet link
            arc(12, 12, 9, 0, 2 * Math.PI); line([3, 12, 21, 12])
            ctx.beginPath(); ctx.ellipse(8, 3, 8, 18); ctx.stroke()
            break
        }
        ctx.restore()
    }
}
