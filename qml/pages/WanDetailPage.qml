// SPDX-License-Identifier: GPL-3.0-or-later
import QtQml
import QtQuick
import SmoothWAN.Client
import SmoothWAN.Ui

// One WAN: its state and why, 10-minute charts of throughput, latency and loss (the server's
// history first, so they are full as soon as the page opens, then live), and its settings:
// enable, name, priority tier, weight, probe targets and profile, data caps. Every change is a
// command; each shows its progress and, when it fails, the router's error message.
ScrollPage {
    id: page
    objectName: "wanDetailPage"
    signal openWan(string name)

    property string wanName: ""
    readonly property bool live: Backend.live
    readonly property var wan: {
        const list = Backend.wans || []
        for (let i = 0; i < list.length; ++i)
            if (list[i].name === wanName)
                return list[i]
        return null
    }
    readonly property bool exists: wan !== null
    readonly property var usage: exists && wan.usage ? wan.usage : ({})
    readonly property string wanState: exists ? (wan.enabled === false ? "disabled" : wan.state) : "unknown"

    title: wanName
    showBack: true
    stale: !live

    property HistoryBuffer history: HistoryBuffer {}
    property var historyCommand: null
    property string historyFor: ""
    function loadHistory() {
        if (wanName.length === 0 || (historyFor === wanName && historyCommand !== null && historyCommand.running))
            return
        if (historyFor !== wanName)
            history.clear()
        historyFor = wanName
        historyCommand = Backend.call("history.get", { wan: wanName, seconds: 600 })
    }
    Connections {
        target: page.historyCommand
        function onFinished() {
            if (page.historyCommand.succeeded)
                page.history.load(page.historyCommand.result, page.wanName)
        }
    }
    onWanNameChanged: { loadHistory(); settings.loadProbe() }
    onLiveChanged: if (live) loadHistory()
    onExistsChanged: settings.loadProbe()
    Component.onCompleted: { loadHistory(); settings.loadProbe() }

    Timer {
        interval: 1000
        repeat: true
        running: page.wanName.length > 0
        onTriggered: {
            const t = Math.floor(Date.now() / 1000)
            const w = page.wan
            page.history.append(t, page.live && w ? { rxBps: w.rxBps, txBps: w.txBps, latencyMs: w.latencyMs,
                                                       lossPct: w.lossPct } : {})
        }
    }

    // State and addresses.
    Card {
        width: page.contentWidth
        objectName: "statusCard"
        Item {
            width: parent.width
            height: Math.max(badge.height, stateText.implicitHeight)
            Rectangle {
                id: badge
                objectName: "stateBadge"
                width: badgeText.implicitWidth + 2 * Theme.spacing
                height: badgeText.implicitHeight + 8
                radius: height / 2
                color: Theme.stateColor(page.wanState, page.live)
                Text {
                    id: badgeText
                    anchors.centerIn: parent
                    text: page.live ? Theme.stateLabel(page.wanState) : qsTr("stale")
                    color: Theme.stateTextColor(page.wanState, page.live)
                    font.pixelSize: Theme.fontBody
                    font.bold: true
                }
            }
            Text {
                id: stateText
                anchors.left: badge.right
                anchors.leftMargin: Theme.spacing
                anchors.right: parent.right
                anchors.verticalCenter: badge.verticalCenter
                text: !page.exists ? qsTr("No WAN named “%1”.").arg(page.wanName)
                                   : page.wan.enabled === false ? qsTr("Turned off") : (page.wan.reason || "")
                color: page.live ? Theme.text : Theme.textDim
                font.pixelSize: Theme.fontBody
                wrapMode: Text.Wrap
                maximumLineCount: 2
                elide: Text.ElideRight
            }
        }
        Text {
            width: parent.width
            visible: page.exists
            text: page.exists
                  ? [qsTr("Interface %1").arg(page.wan.interface || "–"),
                     (page.wan.addresses || []).join(", "),
                     page.wan.gateway ? qsTr("gateway %1").arg(page.wan.gateway) : ""].filter(x => x).join(" · ")
                  : ""
            color: page.live ? Theme.textDim : Theme.textDisabled
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.Wrap
        }
        Flow {
            width: parent.width
            visible: page.exists
            spacing: Theme.padding * 2
            Repeater {
                model: page.exists ? [
                    { label: qsTr("Download"), value: Theme.formatRate(page.wan.rxBps) },
                    { label: qsTr("Upload"), value: Theme.formatRate(page.wan.txBps) },
                    { label: qsTr("Latency"), value: Theme.formatMs(page.wan.latencyMs) },
                    { label: qsTr("Jitter"), value: Theme.formatMs(page.wan.jitterMs) },
                    { label: qsTr("Loss"), value: Theme.formatPct(page.wan.lossPct) }
                ] : []
                // Outer ids from a delegate: see components/SegmentedPicker.qml.
                // qmllint disable unqualified
                delegate: Column {
                    required property var modelData
                    Text {
                        text: modelData.label
                        color: Theme.textDim
                        font.pixelSize: Theme.fontSmall
                    }
                    Text {
                        text: modelData.value
                        color: page.live ? Theme.text : Theme.textDisabled
                        font.pixelSize: Theme.fontLarge
                        font.bold: true
                    }
                }
                // qmllint enable unqualified
            }
        }
    }

    // Charts: the throughput full width, latency and loss side by side when there is room.
    TimeSeriesChart {
        id: rateChart
        objectName: "rateChart"
        width: page.contentWidth
        height: Theme.detailChartHeight
        title: qsTr("Throughput")
        stale: !page.live
        minimumMax: 1e6
        unit: "bps"
        times: page.history.times
        series: [
            { name: qsTr("↓"), color: Theme.chartDown, values: page.history.columns.rxBps || [] },
            { name: qsTr("↑"), color: Theme.chartUp, values: page.history.columns.txBps || [] }
        ]
    }
    Flow {
        width: page.contentWidth
        spacing: Theme.spacing
        readonly property real half: page.contentWidth >= 640 ? (page.contentWidth - Theme.spacing) / 2 : page.contentWidth
        TimeSeriesChart {
            objectName: "latencyChart"
            width: parent.half
            height: Theme.detailChartHeight
            title: qsTr("Latency")
            stale: !page.live
            minimumMax: 50
            fillFirst: false
            unit: "ms"
            times: page.history.times
            series: [{ name: "", color: Theme.chartLatency, values: page.history.columns.latencyMs || [] }]
        }
        TimeSeriesChart {
            objectName: "lossChart"
            width: parent.half
            height: Theme.detailChartHeight
            title: qsTr("Loss")
            stale: !page.live
            minimumMax: 5
            unit: "pct"
            times: page.history.times
            series: [{ name: "", color: Theme.chartLoss, values: page.history.columns.lossPct || [] }]
        }
    }

    // Settings.
    Card {
        id: settings
        width: page.contentWidth
        title: qsTr("Settings")
        visible: page.exists

        // Enable (operator).
        property var enableCommand: null
        property bool enablePending: false
        SettingRow {
            width: parent.width
            label: qsTr("In use")
            hint: qsTr("Off keeps it configured but carries no traffic and sends no probes.")
            SwSwitch {
                id: enabledSwitch
                objectName: "wanEnabledSwitch"
                enabled: Backend.canOperate && page.live
                busy: settings.enableCommand !== null && settings.enableCommand.running
                checked: page.exists && page.wan.enabled !== false
                onToggled: {
                    const want = checked
                    settings.enablePending = want
                    settings.enableCommand = Backend.call("wan.set_enabled", { wan: page.wanName, enabled: want })
                    // Show the wanted position while the command runs, then the router's state.
                    checked = Qt.binding(() => settings.enableCommand && settings.enableCommand.running
                                         ? settings.enablePending : page.exists && page.wan.enabled !== false)
                }
            }
        }
        CommandStatus { width: parent.width; command: settings.enableCommand }
        RoleNote { width: parent.width; need: "operator"; allowed: Backend.canOperate }

        Rectangle { width: parent.width; height: Theme.borderWidth; color: Theme.border }

        // Everything below: admin.
        RoleNote { width: parent.width; need: "admin"; allowed: Backend.canAdmin }

        property var renameCommand: null
        SettingRow {
            id: renameRow
            width: parent.width
            label: qsTr("Name")
            SwTextField {
                id: nameField
                objectName: "nameField"
                kind: "name"
                width: renameRow.controlWidth - renameButton.width - Theme.spacing
                enabled: Backend.canAdmin
                text: page.wanName
                onAccepted: renameButton.clicked()
            }
            SwButton {
                id: renameButton
                objectName: "renameButton"
                text: qsTr("Rename")
                enabled: Backend.canAdmin && page.live && nameField.text.length > 0 && nameField.text !== page.wanName
                busy: settings.renameCommand !== null && settings.renameCommand.running
                onClicked: {
                    const newName = nameField.text
                    settings.renameCommand = Backend.call("wan.rename", { wan: page.wanName, name: newName })
                    settings.renameCommand.finished.connect(() => {
                        if (settings.renameCommand.succeeded)
                            page.openWan(newName)
                    })
                }
            }
        }
        CommandStatus { width: parent.width; command: settings.renameCommand }

        property var priorityCommand: null
        SettingRow {
            width: parent.width
            label: qsTr("Priority")
            hint: qsTr("Always: in use whenever up. Secondary and Backup: only when the tiers above are down.")
            SegmentedPicker {
                objectName: "priorityPicker"
                width: parent.width
                enabled: Backend.canAdmin && page.live
                options: [
                    { value: "always", label: Theme.tierLabel("always") },
                    { value: "secondary", label: Theme.tierLabel("secondary") },
                    { value: "backup", label: Theme.tierLabel("backup") },
                    { value: "never", label: Theme.tierLabel("never") }
                ]
                currentValue: page.exists ? (page.wan.priority || "") : ""
                busy: settings.priorityCommand !== null && settings.priorityCommand.running
                onActivated: (value) => {
                    pendingValue = value
                    settings.priorityCommand = Backend.call("wan.set_priority", { wan: page.wanName, priority: value })
                }
            }
        }
        CommandStatus { width: parent.width; command: settings.priorityCommand }

        property var weightCommand: null
        SettingRow {
            id: weightRow
            width: parent.width
            label: qsTr("Weight")
            hint: qsTr("Its share when balancing, 1–1000.")
            SwTextField {
                id: weightField
                objectName: "weightField"
                kind: "number"
                width: Math.min(weightRow.controlWidth - weightButton.width - Theme.spacing, Theme.touchTarget * 3)
                enabled: Backend.canAdmin
                text: page.exists ? String(page.wan.weight || 1) : ""
                onAccepted: weightButton.clicked()
            }
            SwButton {
                id: weightButton
                text: qsTr("Set")
                enabled: Backend.canAdmin && page.live && parseInt(weightField.text) >= 1 && parseInt(weightField.text) <= 1000
                busy: settings.weightCommand !== null && settings.weightCommand.running
                onClicked: settings.weightCommand = Backend.call("wan.set_weight",
                                                                 { wan: page.wanName, weight: parseInt(weightField.text) })
            }
        }
        CommandStatus { width: parent.width; command: settings.weightCommand }

        Rectangle { width: parent.width; height: Theme.borderWidth; color: Theme.border }

        // Health probes: the fields start from the WAN's current settings (wans[].probe), loaded
        // when the page opens or shows another WAN — never while the user is typing.
        function loadProbe() {
            const p = page.exists ? page.wan.probe : undefined
            if (!p)
                return
            settings.probeMethod = p.method || "icmp"
            targetsField.text = (p.targets || []).join(", ")
            settings.probeProfile = ""
            for (const name in settings.profiles) {
                const q = settings.profiles[name]
                if (q.interval_ms === p.intervalMs && q.timeout_ms === p.timeoutMs && q.down === p.down && q.up === p.up)
                    settings.probeProfile = name
            }
        }
        property var probeCommand: null
        property string probeProfile: ""
        property string probeMethod: "icmp"
        readonly property var profiles: ({
            fast: { interval_ms: 1000, timeout_ms: 800, down: 3, up: 3 },
            normal: { interval_ms: 2000, timeout_ms: 1000, down: 3, up: 5 },
            saver: { interval_ms: 10000, timeout_ms: 2000, down: 3, up: 3 }
        })
        SettingRow {
            id: targetsRow
            width: parent.width
            label: qsTr("Probe targets")
            hint: qsTr("Addresses answered through this WAN only, comma separated.")
            SwTextField {
                id: targetsField
                objectName: "targetsField"
                kind: "ip"
                enterAction: "next"
                width: targetsRow.controlWidth
                enabled: Backend.canAdmin
                placeholderText: "1.1.1.1, 8.8.8.8, 9.9.9.9"
            }
        }
        SettingRow {
            width: parent.width
            label: qsTr("Probe method")
            SegmentedPicker {
                width: parent.width
                enabled: Backend.canAdmin
                options: [{ value: "icmp", label: "Ping" }, { value: "tcp", label: "TCP" }, { value: "dns", label: "DNS" }]
                currentValue: settings.probeMethod
                onActivated: (value) => settings.probeMethod = value
            }
        }
        SettingRow {
            width: parent.width
            label: qsTr("Probe profile")
            hint: qsTr("Fast: every second, down after 3 s. Data saver: every 10 s, for metered links.")
            SegmentedPicker {
                objectName: "profilePicker"
                width: parent.width
                enabled: Backend.canAdmin
                options: [{ value: "fast", label: qsTr("Fast") }, { value: "normal", label: qsTr("Normal") },
                          { value: "saver", label: qsTr("Data saver") }]
                currentValue: settings.probeProfile
                onActivated: (value) => settings.probeProfile = value
            }
        }
        SwButton {
            objectName: "probeApply"
            anchors.right: parent.right
            text: qsTr("Apply probe settings")
            highlighted: true
            enabled: Backend.canAdmin && page.live && (targetsField.text.trim().length > 0 || settings.probeProfile.length > 0)
            busy: settings.probeCommand !== null && settings.probeCommand.running
            onClicked: {
                const args = { wan: page.wanName, method: settings.probeMethod }
                const targets = targetsField.text.split(/[ ,]+/).filter(x => x.length > 0)
                if (targets.length > 0)
                    args.targets = targets
                const p = settings.profiles[settings.probeProfile]
                if (p)
                    Object.assign(args, p)
                settings.probeCommand = Backend.call("wan.set_probe", args)
            }
        }
        CommandStatus { width: parent.width; command: settings.probeCommand }

        Rectangle { width: parent.width; height: Theme.borderWidth; color: Theme.border }

        // Data caps, in GB; empty = no cap.
        property var capsCommand: null
        property string capAction: page.usage.capAction || "warn"
        SettingRow {
            id: capsRow
            width: parent.width
            label: qsTr("Data caps (GB)")
            hint: qsTr("Empty: no cap. Usage: %1 today, %2 this month.")
                  .arg(Theme.formatBytes(page.usage.dayBytes)).arg(Theme.formatBytes(page.usage.monthBytes))
            SwTextField {
                id: dailyField
                objectName: "dailyCapField"
                kind: "decimal"
                enterAction: "next"
                width: (capsRow.controlWidth - Theme.spacing) / 2
                enabled: Backend.canAdmin
                placeholderText: qsTr("Daily")
                text: page.usage.dailyCapBytes ? String(page.usage.dailyCapBytes / 1e9) : ""
            }
            SwTextField {
                id: monthlyField
                objectName: "monthlyCapField"
                kind: "decimal"
                width: (capsRow.controlWidth - Theme.spacing) / 2
                enabled: Backend.canAdmin
                placeholderText: qsTr("Monthly")
                text: page.usage.monthlyCapBytes ? String(page.usage.monthlyCapBytes / 1e9) : ""
            }
        }
        SettingRow {
            width: parent.width
            label: qsTr("At the cap")
            SegmentedPicker {
                width: parent.width
                enabled: Backend.canAdmin
                options: [{ value: "warn", label: qsTr("Warn") }, { value: "disable", label: qsTr("Stop using it") }]
                currentValue: settings.capAction
                onActivated: (value) => settings.capAction = value
            }
        }
        SwButton {
            objectName: "capsApply"
            anchors.right: parent.right
            text: qsTr("Apply caps")
            highlighted: true
            enabled: Backend.canAdmin && page.live
            busy: settings.capsCommand !== null && settings.capsCommand.running
            onClicked: {
                const gb = (s) => s.trim().length === 0 ? null : Math.round(parseFloat(s) * 1e9)
                settings.capsCommand = Backend.call("wan.set_caps", {
                    wan: page.wanName, daily_bytes: gb(dailyField.text), monthly_bytes: gb(monthlyField.text),
                    action: settings.capAction
                })
            }
        }
        CommandStatus { width: parent.width; command: settings.capsCommand }
    }
}
