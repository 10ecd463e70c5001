// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// A light time-series chart: lines (the first one optionally filled) over a shared time axis,
// painted with Canvas only when the data changes (once a second at most in practice), so four
// live charts cost a few milliseconds a second and no Qt Charts/Widgets. Pure: it draws what its
// properties say.
//   times:  [t…] seconds since the epoch (ascending), shared by every series
//   series: [{name, color, values: [number|null…]}]  null = no measurement (a gap)
//   windowSeconds: the span shown, ending at the newest time (or `endTime` when set)
//   unit: "bps" (rates), "ms", "pct" or "" — how values are labelled
//   stale: everything greyed and marked — the data is not live
Item {
    id: root
    property var times: []
    property var series: []
    property int windowSeconds: 600
    property real endTime: 0          // 0: the newest of `times`
    property real minimumMax: 1       // the y axis never shrinks below this
    property bool fillFirst: true
    property bool stale: false
    property string title: ""
    property string unit: ""

    function format(v) {
        switch (unit) {
        case "bps": return Theme.formatRate(v)
        case "ms": return Theme.formatMs(v)
        case "pct": return Theme.formatPct(v)
        default: return String(Math.round(v * 100) / 100)
        }
    }

    // What was last drawn, for tests and the legend.
    readonly property real axisMax: d.axisMax
    property int paintedPoints: 0

    implicitWidth: 320
    implicitHeight: Theme.chartHeight

    onTimesChanged: d.update()
    onSeriesChanged: d.update()
    onWindowSecondsChanged: d.update()
    onEndTimeChanged: d.update()
    onStaleChanged: canvas.requestPaint()
    onWidthChanged: canvas.requestPaint()
    onHeightChanged: canvas.requestPaint()

    QtObject {
        id: d
        property real axisMax: root.minimumMax
        property real tEnd: 0

        function niceCeil(v) {
            if (v <= 0)
                return 1
            const p = Math.pow(10, Math.floor(Math.log(v) / Math.LN10))
            const m = v / p
            const steps = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]
            for (let i = 0; i < steps.length; ++i)
                if (m <= steps[i] + 1e-9)
                    return steps[i] * p
            return 10 * p
        }

        function update() {
            const t = root.times || []
            tEnd = root.endTime > 0 ? root.endTime : (t.length > 0 ? t[t.length - 1] : Date.now() / 1000)
            const tStart = tEnd - root.windowSeconds
            let max = 0
            const ser = root.series || []
            for (let s = 0; s < ser.length; ++s) {
                const vals = ser[s].values || []
                for (let i = 0; i < vals.length && i < t.length; ++i) {
                    if (t[i] < tStart || vals[i] === null || vals[i] === undefined)
                        continue
                    if (vals[i] > max)
                        max = vals[i]
                }
            }
            axisMax = niceCeil(Math.max(root.minimumMax, max * 1.1))
            canvas.requestPaint()
        }
    }

    Rectangle {
        anchors.fill: parent
        radius: Theme.radius
        color: Theme.surface
        border.width: Theme.borderWidth
        border.color: Theme.border
    }

    Canvas {
        id: canvas
        anchors.fill: parent
        anchors.margins: Theme.borderWidth
        renderStrategy: Canvas.Cooperative
        onPaint: {
            const ctx = getContext("2d")
            ctx.reset()
            const w = width, h = height
            if (w <= 0 || h <= 0)
                return
            const top = legend.height + 6, bottom = h - 4, left = 4, right = w - 4
            const plotH = bottom - top
            // Grid: quarter lines, the top one labelled by axisLabel.
            ctx.strokeStyle = Theme.chartGrid
            ctx.lineWidth = 1
            for (let g = 0; g <= 4; ++g) {
                const y = Math.round(top + plotH * g / 4) + 0.5
                ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(right, y); ctx.stroke()
            }
            const t = root.times || []
            const ser = root.series || []
            const tEnd = d.tEnd, tStart = tEnd - root.windowSeconds
            const xOf = (tt) => left + (right - left) * (tt - tStart) / root.windowSeconds
            const yOf = (v) => bottom - plotH * Math.min(1, v / d.axisMax)
            let points = 0
            for (let s = ser.length - 1; s >= 0; --s) {
                const vals = ser[s].values || []
                const colour = root.stale ? Theme.chartStale : ser[s].color
                ctx.strokeStyle = colour
                ctx.lineWidth = 2
                ctx.lineJoin = "round"
                // Runs of measured values; a null breaks the line.
                let run = []
                const flush = () => {
                    if (run.length === 0)
                        return
                    ctx.beginPath()
                    ctx.moveTo(run[0][0], run[0][1])
                    for (let i = 1; i < run.length; ++i)
                        ctx.lineTo(run[i][0], run[i][1])
                    if (run.length === 1)
                        ctx.lineTo(run[0][0] + 1, run[0][1])
                    ctx.stroke()
                    if (s === 0 && root.fillFirst) {
                        ctx.lineTo(run[run.length - 1][0], bottom)
                        ctx.lineTo(run[0][0], bottom)
                        ctx.closePath()
                        ctx.globalAlpha = 0.18
                        ctx.fillStyle = colour
                        ctx.fill()
                        ctx.globalAlpha = 1
                    }
                    points += run.length
                    run = []
                }
                for (let i = 0; i < vals.length && i < t.length; ++i) {
                    if (t[i] < tStart) continue
                    const v = vals[i]
                    if (v === null || v === undefined || isNaN(v)) { flush(); continue }
                    run.push([xOf(t[i]), yOf(v)])
                }
                flush()
            }
            root.paintedPoints = points
        }
    }

    // Legend: title, each series' newest value in its colour, and the axis maximum.
    Row {
        id: legend
        x: Theme.spacing
        y: 4
        width: parent.width - 2 * Theme.spacing - axisLabel.width
        spacing: Theme.spacing
        clip: true
        Text {
            visible: root.title.length > 0
            text: root.title
            color: Theme.textDim
            font.pixelSize: Theme.fontSmall
            font.bold: true
        }
        // Outer ids from a delegate: see SegmentedPicker.qml.
        // qmllint disable unqualified
        Repeater {
            model: root.series
            delegate: Text {
                required property var modelData
                readonly property var last: {
                    const v = modelData.values || []
                    for (let i = v.length - 1; i >= 0; --i)
                        if (v[i] !== null && v[i] !== undefined)
                            return v[i]
                    return null
                }
                text: modelData.name + " " + (last === null ? "–" : root.format(last))
                color: root.stale ? Theme.chartStale : modelData.color
                font.pixelSize: Theme.fontSmall
                font.bold: true
            }
        }
        // qmllint enable unqualified
    }
    Text {
        id: axisLabel
        anchors.right: parent.right
        anchors.rightMargin: Theme.spacing
        y: 4
        text: root.format(d.axisMax)
        color: Theme.textDim
        font.pixelSize: Theme.fontSmall
    }
    StaleChip {
        visible: root.stale
        anchors.centerIn: parent
    }
    Text {
        visible: !root.stale && root.times.length === 0
        anchors.centerIn: parent
        text: qsTr("No data yet")
        color: Theme.textDim
        font.pixelSize: Theme.fontSmall
    }
}
