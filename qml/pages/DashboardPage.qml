// SPDX-License-Identifier: GPL-3.0-or-later
import QtQml
import QtQuick
import SmoothWAN.Client
import SmoothWAN.Ui

// The dashboard: the LAN's path and the bonding engine, total download/upload as a live chart,
// one tile per WAN, and the newest event. Made to be read from a metre away on the 7" display.
ScrollPage {
    id: page
    objectName: "dashboardPage"
    signal openPage(string name)
    signal openWan(string name)

    readonly property bool live: Backend.live
    readonly property var engine: Backend.engine || ({})
    readonly property var routing: Backend.routing || ({})
    readonly property var wanList: Backend.wans || []
    readonly property real totalRx: wanList.reduce((sum, w) => sum + (w.rxBps || 0), 0)
    readonly property real totalTx: wanList.reduce((sum, w) => sum + (w.txBps || 0), 0)
    readonly property var newestEvent: {
        const e = Backend.events || []
        let best = null
        for (let i = 0; i < e.length; ++i)
            if (best === null || e[i].id > best.id)
                best = e[i]
        return best
    }

    property WanModel wanModel: WanModel { backend: Backend }
    property HistoryBuffer history: HistoryBuffer { keys: ["rxBps", "txBps"] }
    property var historyCommand: null

    function loadHistory() {
        historyCommand = Backend.call("history.get", { seconds: 600 })
    }
    Connections {
        target: page.historyCommand
        function onFinished() {
            if (page.historyCommand.succeeded)
                page.history.load(page.historyCommand.result, "")
        }
    }
    Component.onCompleted: if (Backend.live) loadHistory()
    onLiveChanged: if (live) loadHistory()

    // One local sample a second while live; a gap (null) while not, so nothing old looks current.
    Timer {
        interval: 1000
        repeat: true
        running: true
        onTriggered: {
            const t = Math.floor(Date.now() / 1000)
            page.history.append(t, page.live ? { rxBps: page.totalRx, txBps: page.totalTx } : {})
        }
    }

    stale: !live

    // The path of the LAN and the engine.
    Card {
        id: bond
        objectName: "bondCard"
        width: page.contentWidth

        readonly property string path: page.routing.path || "none"
        readonly property bool pathOk: path !== "none" && path !== "blocked"
        readonly property string engineType: page.engine.type || "none"
        readonly property string serverText: {
            const s = page.engine.server
            if (!s)
                return ""
            if (typeof s === "string")
                return s
            return s.tag || [s.city, s.country].filter(x => x).join(", ")
        }

        Item {
            width: parent.width
            height: Math.max(pathColumn.implicitHeight, totals.implicitHeight)
            Rectangle {
                id: pathDot
                width: Theme.fontBody
                height: width
                radius: width / 2
                y: (pathText.implicitHeight - height) / 2
                color: !page.live ? Theme.stateStale : bond.pathOk ? Theme.stateUp : Theme.stateDown
            }
            Column {
                id: pathColumn
                anchors.left: pathDot.right
                anchors.leftMargin: Theme.spacing
                anchors.right: totals.left
                anchors.rightMargin: Theme.spacing
                spacing: 2
                Text {
                    id: pathText
                    objectName: "pathText"
                    width: parent.width
                    text: {
                        switch (bond.path) {
                        case "tunnel": return qsTr("Bonded through %1").arg(page.engineName(bond.engineType))
                        case "balance": return qsTr("Balanced across WANs")
                        case "blocked": return qsTr("Blocked by the kill switch")
                        case "none": return qsTr("No internet path")
                        default: return qsTr("Internet via %1").arg(bond.path)
                        }
                    }
                    color: page.live ? Theme.text : Theme.textDim
                    font.pixelSize: Theme.fontLarge
                    font.bold: true
                    elide: Text.ElideRight
                }
                Text {
                    objectName: "engineText"
                    width: parent.width
                    visible: text.length > 0
                    text: {
                        if (bond.engineType === "none")
                            return qsTr("Policy %1 · no bonding engine").arg(page.routing.policy || "–")
                        const parts = [page.engineName(bond.engineType) + " " + (page.engine.state || "")]
                        if (bond.serverText.length > 0)
                            parts.push(bond.serverText)
                        if (page.engine.mode)
                            parts.push(qsTr("mode %1").arg(page.engine.mode))
                        return parts.join(" · ")
                    }
                    color: page.live ? Theme.textDim : Theme.textDisabled
                    font.pixelSize: Theme.fontSmall
                    elide: Text.ElideRight
                }
                Text {
                    width: parent.width
                    visible: !bond.pathOk && text.length > 0
                    text: page.routing.reason || ""
                    color: page.live ? Theme.textDim : Theme.textDisabled
                    font.pixelSize: Theme.fontSmall
                    elide: Text.ElideRight
                }
            }
            Column {
                id: totals
                anchors.right: parent.right
                Text {
                    anchors.right: parent.right
                    objectName: "totalRxText"
                    text: "↓ " + Theme.formatRate(page.totalRx)
                    color: page.live ? Theme.chartDown : Theme.textDisabled
                    font.pixelSize: Theme.fontValue
                    font.bold: true
                }
                Text {
                    anchors.right: parent.right
                    objectName: "totalTxText"
                    text: "↑ " + Theme.formatRate(page.totalTx)
                    color: page.live ? Theme.chartUp : Theme.textDisabled
                    font.pixelSize: Theme.fontLarge
                    font.bold: true
                }
            }
        }
    }

    TimeSeriesChart {
        id: totalChart
        objectName: "totalChart"
        width: page.contentWidth
        height: Theme.chartHeight
        title: qsTr("Total, 10 min")
        stale: !page.live
        minimumMax: 1e6
        unit: "bps"
        times: page.history.times
        series: [
            { name: qsTr("↓"), color: Theme.chartDown, values: page.history.columns.rxBps || [] },
            { name: qsTr("↑"), color: Theme.chartUp, values: page.history.columns.txBps || [] }
        ]
    }

    // One tile per WAN.
    Grid {
        id: tiles
        objectName: "wanTiles"
        width: page.contentWidth
        columns: Math.max(1, Math.min(page.wanList.length,
                                      Math.floor((width + Theme.spacing) / (Theme.tileMinWidth + Theme.spacing))))
        spacing: Theme.spacing
        readonly property real tileWidth: (width - (columns - 1) * spacing) / columns
        // Outer ids from a delegate: see components/SegmentedPicker.qml.
        // qmllint disable unqualified
        Repeater {
            model: page.wanModel
            delegate: WanTile {
                required property var model
                objectName: "wanTile_" + model.name
                width: tiles.tileWidth
                name: model.name
                type: model.type || ""
                wanState: model.state || "unknown"
                reason: model.reason || ""
                wanEnabled: model.enabled !== false
                priority: model.priority || ""
                rxBps: model.rxBps
                txBps: model.txBps
                latencyMs: model.latencyMs
                lossPct: model.lossPct
                usage: model.usage || ({})
                live: page.live
                onClicked: page.openWan(name)
            }
        }
        // qmllint enable unqualified
    }

    Card {
        visible: page.wanList.length === 0
        width: page.contentWidth
        title: qsTr("No WANs")
        Text {
            width: parent.width
            text: Backend.status === "ready"
                  ? qsTr("No internet connection is configured yet. Plug one in and add it in the setup.")
                  : qsTr("Waiting for the router…")
            color: Theme.text
            font.pixelSize: Theme.fontBody
            wrapMode: Text.Wrap
        }
        SwButton {
            visible: Backend.status === "ready"
            enabled: Backend.canAdmin
            text: qsTr("Open the setup")
            highlighted: true
            onClicked: page.openPage("wizard")
        }
    }

    EventsTicker {
        objectName: "eventsTicker"
        width: page.contentWidth
        time: page.newestEvent ? page.newestEvent.time : ""
        severity: page.newestEvent ? page.newestEvent.severity : "info"
        message: page.newestEvent ? page.newestEvent.message : ""
        stale: !page.live
        onClicked: page.openPage("events")
    }

    function engineName(type) {
        switch (type) {
        case "speedify": return "Speedify"
        case "engarde": return "Engarde"
        case "tinyfec": return "tinyfecVPN"
        case "selfhosted": return qsTr("your VPS")
        default: return qsTr("the tunnel")
        }
    }
}
