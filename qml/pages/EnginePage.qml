// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SmoothWAN.Client
import SmoothWAN.Ui

// The bonding engine: which one runs, its state, and its controls. Speedify: login, connect and
// disconnect, server, mode, transport and the other settings, streaming bypass lists, the
// adapters (the WANs inside the bond) with their live stats. Engarde and tinyfecVPN: their
// settings (kept in the configuration file, edited here through config.get/config.apply) and
// status. Self-hosted (smoothwan-server on the user's VPS): pairing with the code the server
// prints, connect and disconnect, mode and TCP aggregation (engine.selfhosted.* of the
// configuration, through the same config edit), the paths inside the bond, the session and the
// processes. Every engine: the log tail and what to install when it is missing.
ScrollPage {
    id: page
    objectName: "enginePage"
    title: qsTr("Engine")
    stale: !Backend.live
    readonly property var engine: Backend.engine || ({})
    readonly property string engineType: page.engine.type || "none"
    readonly property string engineState: page.engine.state || "unknown"
    readonly property bool notInstalled: page.engine.installed === false || page.engineState === "not-installed"
    readonly property var settings: page.engine.settings || ({})
    readonly property var bypass: page.engine.streamingBypass || ({})
    readonly property var adapters: page.engine.adapters || []
    readonly property bool loggedOut: page.engineState === "logged-out" || page.engine.speedifyState === "LOGGED_OUT"
    readonly property bool connected: page.engineState === "connected"
    // Self-hosted engine (docs/engines.md): paired with a VPS or not, and its slice's extra parts.
    readonly property bool selfhosted: page.engineType === "selfhosted"
    readonly property var pairing: page.engine.pairing || ({})
    readonly property bool paired: page.selfhosted && page.pairing.paired === true && page.engineState !== "unpaired"
    readonly property var shSession: page.engine.session || ({})
    readonly property var shTcp: page.engine.tcpAggregation || null
    readonly property var shComponents: page.engine.components || []
    readonly property bool shUnreachable: page.selfhosted && page.engineState === "unreachable"

    // Commands, each shown next to the control that sent it.
    property var typeCommand: null
    property string pendingType: ""
    property var loginCommand: null
    property var connectCommand: null
    property var settingCommand: null
    property var serversCommand: null
    property var bypassCommand: null
    property var adapterCommand: null
    property var logCommand: null
    property var configCommand: null
    property var fullLog: null        // lines from engine.log_tail, when asked for
    property var pairCommand: null
    property var unpairCommand: null
    property bool confirmingUnpair: false
    property var shConfigCommand: null     // config.get/config.apply of engine.selfhosted
    property string shPendingMode: ""      // the mode being written, shown until the engine has it
    property var shConfig: null            // engine.selfhosted as read from the configuration

    // ---- helpers -----------------------------------------------------------------------------
    function stateText(s) {
        switch (s) {
        case "off": return qsTr("No engine")
        case "not-installed": return qsTr("Not installed")
        case "stopped": return qsTr("Stopped")
        case "stopping": return qsTr("Stopping…")
        case "error": return qsTr("Error")
        case "crash-loop": return qsTr("Keeps crashing")
        case "logged-out": return qsTr("Logged out")
        case "logging-in": return qsTr("Logging in…")
        case "logged-in": return qsTr("Logged in, not connected")
        case "auto-connecting": return qsTr("Connecting automatically…")
        case "connecting": return qsTr("Connecting…")
        case "disconnecting": return qsTr("Disconnecting…")
        case "connected": return qsTr("Connected")
        case "overlimit": return qsTr("Over the data limit")
        case "running": return qsTr("Running")
        case "restarting": return qsTr("Restarting…")
        case "unpaired": return qsTr("Not paired")
        case "disconnected": return qsTr("Disconnected")
        case "starting": return qsTr("Starting…")
        case "unreachable": return qsTr("VPS unreachable")
        default: return qsTr("Unknown")
        }
    }
    function stateColor(s) {
        if (page.stale)
            return Theme.stateStale
        if (s === "connected" || s === "running")
            return Theme.stateUp
        if (s === "error" || s === "crash-loop" || s === "not-installed" || s === "overlimit" || s === "unreachable")
            return Theme.stateDown
        if (s === "off" || s === "stopped" || s === "unpaired" || s === "disconnected")
            return Theme.stateDisabled
        return Theme.stateDegraded
    }
    function engineName(t) {
        switch (t) {
        case "speedify": return "Speedify"
        case "engarde": return "Engarde"
        case "tinyfec": return "tinyfecVPN"
        case "selfhosted": return qsTr("Self-hosted")
        default: return qsTr("None")
        }
    }
    function action(name, args) {
        return Backend.call("engine.action", args === undefined ? { name: name } : { name: name, args: args })
    }
    function setType(t) {
        page.pendingType = ""
        page.typeCommand = Backend.call("engine.set_type", { engine: t })
    }
    function serverList(result) {
        if (!result)
            return []
        if (Array.isArray(result))
            return result
        const out = []
        for (const key of ["public", "private", "servers"]) {
            if (Array.isArray(result[key]))
                out.push(...result[key])
        }
        return out
    }

    // ---- configuration file edits for Engarde and tinyfecVPN ------------------------------------
    // Reads `engine.<type>` from configuration YAML as {key: value string}; list values as arrays.
    // Only the block style the daemon writes is understood; anything else yields null.
    function readEngineSection(yaml, type) {
        const lines = yaml.split("\n")
        const engineAt = lines.findIndex(l => /^engine:\s*(#.*)?$/.test(l))
        if (engineAt < 0)
            return {}
        let end = engineAt + 1
        while (end < lines.length && (/^\s*(#.*)?$/.test(lines[end]) || /^\s/.test(lines[end])))
            ++end
        let at = -1
        let indent = 0
        for (let i = engineAt + 1; i < end; ++i) {
            const m = new RegExp("^(\\s+)" + type + ":\\s*(#.*)?$").exec(lines[i])
            if (m) {
                at = i
                indent = m[1].length
                break
            }
        }
        if (at < 0)
            return {}
        const out = {}
        let listKey = ""
        for (let i = at + 1; i < end; ++i) {
            const line = lines[i]
            if (/^\s*(#.*)?$/.test(line))
                continue
            if (line.search(/\S/) <= indent)
                break
            const item = /^\s*-\s*(.*?)\s*$/.exec(line)
            if (item && listKey !== "") {
                out[listKey].push(page.unquote(item[1]))
                continue
            }
            const kv = /^\s*([a-z_]+):\s*(.*?)\s*(#.*)?$/.exec(line)
            if (!kv)
                continue
            if (kv[2] === "") {
                listKey = kv[1]
                out[listKey] = []
            } else if (kv[2].startsWith("[")) {
                listKey = ""
                out[kv[1]] = kv[2].replace(/^\[|\]$/g, "").split(",").map(s => page.unquote(s.trim())).filter(s => s !== "")
            } else {
                listKey = ""
                out[kv[1]] = page.unquote(kv[2])
            }
        }
        return out
    }
    function unquote(s) {
        if (s.length >= 2 && (s[0] === "\"" || s[0] === "'") && s[s.length - 1] === s[0])
            return s.slice(1, -1)
        return s
    }
    // Replaces (or adds) `engine.<type>` in configuration YAML with `fields` ([[key, yaml value]]).
    // Returns the new YAML, or "" when the file is not in a shape this can edit safely.
    function writeEngineSection(yaml, type, fields) {
        const lines = yaml.replace(/\n+$/, "").split("\n")
        const block = indent => [" ".repeat(indent) + type + ":"].concat(
                          fields.map(f => " ".repeat(indent + 2) + f[0] + ": " + f[1]))
        const engineAt = lines.findIndex(l => /^engine:\s*(#.*)?$/.test(l))
        if (engineAt < 0) {
            if (lines.some(l => /^engine:/.test(l)))
                return ""
            return lines.concat(["engine:"], block(2)).join("\n") + "\n"
        }
        let end = engineAt + 1
        while (end < lines.length && (/^\s*(#.*)?$/.test(lines[end]) || /^\s/.test(lines[end])))
            ++end
        let childIndent = 2
        for (let i = engineAt + 1; i < end; ++i) {
            const m = /^(\s+)[^\s#]/.exec(lines[i])
            if (m) {
                childIndent = m[1].length
                break
            }
        }
        const pad = " ".repeat(childIndent)
        let at = -1
        for (let i = engineAt + 1; i < end; ++i) {
            if (lines[i].startsWith(pad + type + ":")) {
                if (!new RegExp("^" + pad + type + ":\\s*(#.*)?$").test(lines[i]))
                    return ""
                at = i
                break
            }
        }
        if (at < 0) {
            lines.splice(end, 0, ...block(childIndent))
            return lines.join("\n") + "\n"
        }
        let stop = at + 1
        while (stop < end && (/^\s*$/.test(lines[stop]) || lines[stop].search(/\S/) > childIndent))
            ++stop
        lines.splice(at, stop - at, ...block(childIndent))
        return lines.join("\n") + "\n"
    }
    // config.get, edit the engine's section, config.apply: one command shown at a time, in the
    // page property named `slot` (configCommand unless given). `fields` is [[key, yaml value]], or a
    // function from the section as read now ({key: value string}) to that list. `applied` (if
    // given) runs with the fields once config.apply succeeded.
    function saveEngineSection(type, fields, slot, applied) {
        const key = slot || "configCommand"
        const get = Backend.call("config.get", {})
        page[key] = get
        get.finished.connect(function () {
            if (!page)   // the page was closed meanwhile
                return
            if (!get.succeeded)
                return
            const yaml = typeof get.result === "string" ? get.result : (get.result.yaml || "")
            const list = typeof fields === "function" ? fields(page.readEngineSection(yaml, type)) : fields
            const edited = page.writeEngineSection(yaml, type, list)
            if (edited === "") {
                page[key] = null
                page.configProblem = qsTr("The configuration file is written in a form this screen cannot edit safely; change engine.%1 in the file itself.").arg(type)
                return
            }
            page.configProblem = ""
            const apply = Backend.call("config.apply", { yaml: edited })
            page[key] = apply
            if (applied) {
                apply.finished.connect(function () {
                    if (page && apply.succeeded)
                        applied(list)
                })
            }
        })
    }
    // A value read by readEngineSection, written back: plain words and numbers as they are, the
    // rest quoted; lists in flow style.
    function yamlValue(v) {
        if (Array.isArray(v))
            return "[" + v.map(page.yamlValue).join(", ") + "]"
        const s = String(v)
        return /^[A-Za-z0-9_][A-Za-z0-9_.\/-]*$/.test(s) ? s : page.quoted(s)
    }
    // engine.selfhosted with `changes` ({key: value}) merged into what the file has now; the
    // other keys (interface, mtu, ports…) are kept as they are.
    function saveSelfhosted(changes) {
        page.saveEngineSection("selfhosted", function (current) {
            const merged = Object.assign({}, current, changes)
            return Object.keys(merged).map(k => [k, page.yamlValue(merged[k])])
        }, "shConfigCommand", function (list) {
            const now = {}
            for (const f of list)
                now[f[0]] = page.unquote(f[1])
            page.shConfig = now
        })
    }
    function loadSelfhosted() {
        const get = Backend.call("config.get", {})
        get.finished.connect(function () {
            if (!page || !get.succeeded)
                return
            const yaml = typeof get.result === "string" ? get.result : (get.result.yaml || "")
            page.shConfig = page.readEngineSection(yaml, "selfhosted")
        })
    }
    // Self-hosted: TCP aggregation as configured (the file's value once read; before that, what
    // the slice says, the default being on).
    readonly property bool shTcpConfigured: page.shConfig && page.shConfig.tcp_aggregation !== undefined
                                            ? page.shConfig.tcp_aggregation !== "false"
                                            : !(page.shTcp && page.shTcp.enabled === false && page.engine.mode !== "redundant")
    // The self-hosted mode shown: the one being written (until the engine reports it, or the
    // write failed), else the engine's.
    readonly property string shMode: page.shPendingMode !== ""
                                     && !(page.shConfigCommand !== null && !page.shConfigCommand.running && !page.shConfigCommand.succeeded)
                                     ? page.shPendingMode : (page.engine.mode || (page.shConfig && page.shConfig.mode) || "speed")
    onEngineChanged: {
        if (page.shPendingMode !== "" && page.engine.mode === page.shPendingMode)
            page.shPendingMode = ""
    }
    onSelfhostedChanged: {
        if (page.selfhosted && Backend.canAdmin && page.shConfig === null)
            page.loadSelfhosted()
    }
    Component.onCompleted: {
        if (page.selfhosted && Backend.canAdmin)
            page.loadSelfhosted()
    }
    function pathStateColor(s) {
        if (page.stale)
            return Theme.stateStale
        switch (s) {
        case "active": return Theme.stateUp
        case "silent": return Theme.stateDown
        default: return Theme.stateDisabled   // standby (answering, not chosen), down (set down)
        }
    }
    function pathStateText(s) {
        switch (s) {
        case "active": return qsTr("Active")
        case "standby": return qsTr("Standby")
        case "silent": return qsTr("Silent")
        case "down": return qsTr("Down")
        default: return s || qsTr("Unknown")
        }
    }
    function ageText(sec) {
        if (sec === undefined || sec === null || isNaN(sec))
            return qsTr("none yet")
        if (sec < 120)
            return qsTr("%1 s ago").arg(Math.round(sec))
        if (sec < 7200)
            return qsTr("%1 min ago").arg(Math.round(sec / 60))
        return qsTr("%1 h ago").arg(Math.round(sec / 3600))
    }
    property string configProblem: ""
    readonly property var priorityOptions: [
        { value: "automatic", label: qsTr("Auto") },
        { value: "always", label: Theme.tierLabel("always") },
        { value: "secondary", label: Theme.tierLabel("secondary") },
        { value: "backup", label: Theme.tierLabel("backup") },
        { value: "never", label: Theme.tierLabel("never") }
    ]
    property RegularExpressionValidator decimalValidator: RegularExpressionValidator {
        regularExpression: /[0-9]*[.]?[0-9]*/
    }
    property RegularExpressionValidator fecValidator: RegularExpressionValidator {
        regularExpression: /[0-9:,]*/
    }
    property var loadedSection: ({})
    function loadEngineSection(type) {
        const get = Backend.call("config.get", {})
        page.configCommand = get
        get.finished.connect(function () {
            if (!page)   // the page was closed meanwhile
                return
            if (!get.succeeded)
                return
            const yaml = typeof get.result === "string" ? get.result : (get.result.yaml || "")
            page.loadedSection = page.readEngineSection(yaml, type)
            page.configCommand = null
        })
    }
    function quoted(s) {
        return JSON.stringify(String(s))
    }
    function hostPortOk(s) {
        return /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/.test(s) && parseInt(s.split(":").pop(), 10) <= 65535
    }
    function fecOk(s) {
        const groups = s.split(",")
        let last = 0
        for (const g of groups) {
            const m = /^([0-9]{1,3}):([0-9]{1,3})$/.exec(g.trim())
            if (!m)
                return false
            const x = parseInt(m[1], 10)
            const y = parseInt(m[2], 10)
            if (x < 1 || x + y > 255 || x <= last)
                return false
            last = x
        }
        return true
    }

    // ---- inline components -----------------------------------------------------------------------
    component Heading: Label {
        Layout.fillWidth: true
        Layout.topMargin: Theme.spacing
        color: Theme.text
        font.pixelSize: Theme.fontTitle
        wrapMode: Text.Wrap
    }
    component Body: Label {
        Layout.fillWidth: true
        color: Backend.live ? Theme.text : Theme.textDim
        font.pixelSize: Theme.fontBody
        wrapMode: Text.Wrap
    }
    component Note: Label {
        Layout.fillWidth: true
        color: Theme.textDim
        font.pixelSize: Theme.fontSmall
        wrapMode: Text.Wrap
        visible: text !== ""
    }
    component Feedback: RowLayout {
        id: fb
        property var command: null
        property string doneText: ""
        Layout.fillWidth: true
        visible: fb.command !== null && (fb.command.running || !fb.command.succeeded || fb.doneText !== "")
        Spinner {
            running: fb.command !== null && fb.command.running
            visible: running
        }
        Label {
            objectName: "feedbackText"
            Layout.fillWidth: true
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontBody
            color: fb.command && !fb.command.running && !fb.command.succeeded ? Theme.danger : Theme.textDim
            text: !fb.command ? "" : fb.command.running ? qsTr("Working…")
                : fb.command.succeeded ? fb.doneText
                : qsTr("Failed: %1").arg(fb.command.errorMessage || fb.command.errorCode)
        }
    }
    component ChoiceFlow: Flow {
        id: cf
        property var options: []
        property string value: ""
        property bool busy: false
        signal picked(string value)
        Layout.fillWidth: true
        spacing: Theme.spacing
        Repeater {
            model: cf.options
            // Qt 6.4's qmllint cannot see outer ids from a delegate (pragma ComponentBehavior:
            // Bound is 6.5); they resolve at run time.
            // qmllint disable unqualified
            delegate: SwButton {
                required property var modelData
                objectName: cf.objectName + "_" + modelData.value
                text: modelData.label
                highlighted: cf.value === modelData.value
                enabled: cf.enabled && !cf.busy
                onClicked: cf.picked(modelData.value)
            }
            // qmllint enable unqualified
        }
    }
    component Panel: Rectangle {
        id: panel
        default property alias content: panelColumn.data
        Layout.fillWidth: true
        implicitHeight: panelColumn.implicitHeight + 2 * Theme.padding
        radius: Theme.radius
        color: Theme.surface
        border.width: Theme.borderWidth
        border.color: Theme.border
        ColumnLayout {
            id: panelColumn
            x: Theme.padding
            y: Theme.padding
            width: panel.width - 2 * Theme.padding
            spacing: Theme.spacing
        }
    }
    // A streaming-bypass list: its entries with a remove button each, and a field to add one.
    component BypassList: ColumnLayout {
        id: bl
        property string list: ""          // domains | ipv4 | ipv6 | ports
        property string label: ""
        property string hint: ""
        property var values: []
        signal add(string value)
        signal remove(string value)
        Layout.fillWidth: true
        Label {
            Layout.fillWidth: true
            text: bl.label
            color: Theme.text
            font.pixelSize: Theme.fontBody
            font.bold: true
        }
        Note { text: bl.values.length === 0 ? qsTr("Empty.") : "" }
        Repeater {
            model: bl.values
            // qmllint disable unqualified
            delegate: RowLayout {
                id: entry
                required property var modelData
                readonly property string shown: typeof modelData === "object"
                    ? modelData.port + (modelData.portRangeEnd ? "-" + modelData.portRangeEnd : "") + "/" + modelData.protocol
                    : String(modelData)
                Layout.fillWidth: true
                Label {
                    Layout.fillWidth: true
                    text: entry.shown
                    color: Backend.live ? Theme.text : Theme.textDim
                    font.pixelSize: Theme.fontBody
                    elide: Text.ElideRight
                }
                SwButton {
                    text: qsTr("Remove")
                    danger: true
                    enabled: Backend.canAdmin && Backend.live
                    onClicked: bl.remove(entry.shown)
                }
            }
            // qmllint enable unqualified
        }
        RowLayout {
            Layout.fillWidth: true
            SwTextField {
                id: addField
                objectName: "bypassAdd_" + bl.list
                Layout.fillWidth: true
                kind: bl.list === "domains" ? "url" : "ip"
                validator: null
                placeholderText: bl.hint
                enabled: Backend.canAdmin
            }
            SwButton {
                objectName: "bypassAddButton_" + bl.list
                text: qsTr("Add")
                enabled: Backend.canAdmin && addField.text.trim() !== ""
                onClicked: {
                    bl.add(addField.text.trim())
                    addField.text = ""
                }
            }
        }
    }

    ColumnLayout {
        id: column
        width: parent.width
        spacing: Theme.spacing

        Label {
            objectName: "staleNote"
            Layout.fillWidth: true
            visible: page.stale
            wrapMode: Text.Wrap
            color: Theme.warning
            font.pixelSize: Theme.fontBody
            text: qsTr("Not connected to the router: what you see may be out of date.")
        }

        // ---- state ------------------------------------------------------------------------
        Panel {
            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.spacing
                Rectangle {
                    implicitWidth: Theme.iconSize
                    implicitHeight: Theme.iconSize
                    radius: width / 2
                    color: page.stateColor(page.engineState)
                }
                Label {
                    objectName: "engineState"
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    font.pixelSize: Theme.fontTitle
                    color: page.stale ? Theme.textDim : Theme.text
                    text: page.engineType === "none" ? qsTr("No bonding engine")
                          : qsTr("%1: %2").arg(page.engineName(page.engineType)).arg(page.stateText(page.engineState))
                }
            }
            Body {
                visible: text !== ""
                text: page.engine.server && page.engine.server.friendlyName
                      ? qsTr("Server: %1").arg(page.engine.server.friendlyName)
                      : (typeof page.engine.server === "string" && page.engine.server !== "" ? qsTr("Server: %1").arg(page.engine.server) : "")
            }
            Body {
                visible: text !== ""
                text: page.engine.tunnel ? qsTr("Tunnel %1 %2").arg(page.engine.tunnel)
                                              .arg(page.engine.tunnelUp === false ? qsTr("(down)") : page.engine.tunnelUp ? qsTr("(up)") : "") : ""
            }
            Note {
                text: page.engine.version ? qsTr("Version %1").arg(page.engine.version) : ""
            }
            Body {
                visible: text !== "" && !page.shUnreachable
                color: Theme.textDim
                text: page.engine.message || ""
            }
            // Self-hosted: the VPS answers on no WAN. The one fault a user must understand, so
            // it is said plainly and prominently, with what to check.
            Rectangle {
                objectName: "selfhostedFault"
                visible: page.shUnreachable
                Layout.fillWidth: true
                implicitHeight: faultColumn.implicitHeight + 2 * Theme.padding
                radius: Theme.radius
                color: Theme.surfaceRaised
                border.color: page.stale ? Theme.border : Theme.danger
                border.width: 2
                ColumnLayout {
                    id: faultColumn
                    x: Theme.padding
                    y: Theme.padding
                    width: parent.width - 2 * Theme.padding
                    Label {
                        objectName: "selfhostedFaultText"
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        color: page.stale ? Theme.textDim : Theme.danger
                        font.pixelSize: Theme.fontLarge
                        font.bold: true
                        text: page.engine.message || (page.engine.lastError && page.engine.lastError.message)
                              || qsTr("The VPS %1 does not answer on any WAN").arg(page.pairing.server || page.engine.server || "")
                    }
                    Label {
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        color: Theme.text
                        font.pixelSize: Theme.fontBody
                        text: qsTr("Nothing goes through the tunnel until it answers again. Check that the VPS is running, that smoothwan-server runs on it and that its firewall lets the relay's UDP port through; the WANs' own state is on the Home page.")
                    }
                }
            }
            Note {
                text: page.engine.restarts ? qsTr("Restarted %n time(s)", "", page.engine.restarts) : ""
            }
            // Missing engine: what to install.
            Rectangle {
                objectName: "installHint"
                visible: page.notInstalled && page.engineType !== "none"
                Layout.fillWidth: true
                implicitHeight: hintColumn.implicitHeight + 2 * Theme.padding
                radius: Theme.radius
                color: Theme.surfaceRaised
                border.color: Theme.warning
                border.width: 2
                ColumnLayout {
                    id: hintColumn
                    x: Theme.padding
                    y: Theme.padding
                    width: parent.width - 2 * Theme.padding
                    Label {
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        color: Theme.warning
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                        text: qsTr("%1 is not installed on the router.").arg(page.engineName(page.engineType))
                    }
                    TextEdit {
                        objectName: "installHintText"
                        Layout.fillWidth: true
                        readOnly: true
                        selectByMouse: true
                        wrapMode: TextEdit.Wrap
                        color: Theme.text
                        font.pixelSize: Theme.fontBody
                        text: page.engine.installHint || (page.engineType === "speedify"
                              ? qsTr("Install Speedify on the router: bash -c \"$(curl -sL https://get.speedify.com)\"")
                              : page.engineType === "tinyfec" ? qsTr("Install tinyvpn (tinyfecVPN) in /usr/local/bin.")
                              : page.selfhosted ? qsTr("Install wireguard-go and shadowsocks-libev (ss-redir) on the router; smoothwan-relay comes with SmoothWAN.")
                              : qsTr("Install engarde-client in the PATH."))
                    }
                }
            }
            // The last error, until a user command succeeds.
            Label {
                objectName: "lastError"
                Layout.fillWidth: true
                visible: !!page.engine.lastError && !(page.shUnreachable && page.engine.lastError.message === page.engine.message)
                wrapMode: Text.Wrap
                color: page.stale ? Theme.textDim : Theme.danger
                font.pixelSize: Theme.fontBody
                text: page.engine.lastError ? (page.engine.lastError.message || String(page.engine.lastError)) : ""
            }
        }

        // ---- connect / disconnect (operator) -------------------------------------------------
        Flow {
            Layout.fillWidth: true
            spacing: Theme.spacing
            visible: (page.engineType === "speedify" || page.paired) && !page.notInstalled
            SwButton {
                objectName: "connectButton"
                // Connected: connecting again (to the chosen server) is possible but no longer the
                // main action; Disconnect is.
                text: page.connected ? qsTr("Reconnect") : qsTr("Connect")
                highlighted: !page.connected
                enabled: Backend.canOperate && !page.stale && !page.loggedOut
                busy: page.connectCommand !== null && page.connectCommand.running && page.connectCommand.type === "engine.connect"
                onClicked: page.connectCommand = Backend.call("engine.connect", {})
            }
            SwButton {
                objectName: "disconnectButton"
                text: qsTr("Disconnect")
                highlighted: page.connected
                enabled: Backend.canOperate && !page.stale && page.engineState !== "logged-out"
                busy: page.connectCommand !== null && page.connectCommand.running && page.connectCommand.type === "engine.disconnect"
                onClicked: page.connectCommand = Backend.call("engine.disconnect", {})
            }
        }
        Note {
            visible: (page.engineType === "speedify" || page.paired) && !Backend.canOperate
            text: qsTr("Connecting and disconnecting need the operator or admin role.")
        }
        Feedback { command: page.connectCommand }

        // ---- self-hosted: the paths inside the bond -------------------------------------------
        Heading {
            objectName: "selfhostedPaths"
            visible: page.selfhosted && page.adapters.length > 0
            text: qsTr("Paths in the bond")
        }
        Repeater {
            model: page.selfhosted ? page.adapters : []
            // qmllint disable unqualified
            delegate: Panel {
                id: pathPanel
                required property var modelData
                objectName: "path_" + (modelData.wan || modelData.interface || "")
                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    Label {
                        Layout.fillWidth: true
                        elide: Text.ElideRight
                        font.pixelSize: Theme.fontLarge
                        font.bold: true
                        color: page.stale ? Theme.textDim : Theme.text
                        text: (pathPanel.modelData.wan || pathPanel.modelData.interface || "?")
                              + (pathPanel.modelData.interface ? "  (" + pathPanel.modelData.interface + ")" : "")
                    }
                    Rectangle {
                        objectName: "mptcpMarker"
                        visible: pathPanel.modelData.mptcp === true
                        implicitWidth: mptcpLabel.implicitWidth + Theme.spacing * 2
                        implicitHeight: mptcpLabel.implicitHeight + Theme.spacing / 2
                        radius: height / 2
                        color: "transparent"
                        border.width: Theme.borderWidth
                        border.color: page.stale ? Theme.border : Theme.accent
                        Label {
                            id: mptcpLabel
                            anchors.centerIn: parent
                            text: "MPTCP"
                            font.pixelSize: Theme.fontSmall
                            font.bold: true
                            color: page.stale ? Theme.textDim : Theme.accent
                        }
                    }
                    Rectangle {
                        objectName: "pathState"
                        implicitWidth: stateLabel.implicitWidth + Theme.spacing * 2
                        implicitHeight: stateLabel.implicitHeight + Theme.spacing / 2
                        radius: height / 2
                        color: page.pathStateColor(pathPanel.modelData.state)
                        Label {
                            id: stateLabel
                            anchors.centerIn: parent
                            text: page.pathStateText(pathPanel.modelData.state)
                            font.pixelSize: Theme.fontSmall
                            font.bold: true
                            color: Theme.textOnState
                        }
                    }
                }
                GridLayout {
                    Layout.fillWidth: true
                    columns: page.contentWidth > 560 ? 5 : 3
                    columnSpacing: Theme.spacing
                    rowSpacing: Theme.spacing / 2
                    Repeater {
                        model: [
                            { key: "rtt", label: qsTr("RTT"), value: Theme.formatMs(pathPanel.modelData.rttMs) },
                            { key: "jitter", label: qsTr("Jitter"), value: Theme.formatMs(pathPanel.modelData.jitterMs) },
                            { key: "loss", label: qsTr("Loss"), value: Theme.formatPct(pathPanel.modelData.lossPercent) },
                            { key: "down", label: qsTr("Down"), value: Theme.formatRate(pathPanel.modelData.rxBps) },
                            { key: "up", label: qsTr("Up"), value: Theme.formatRate(pathPanel.modelData.txBps) }
                        ]
                        delegate: ColumnLayout {
                            required property var modelData
                            Layout.fillWidth: true
                            Layout.minimumWidth: Theme.touchTarget * 2.5
                            spacing: 0
                            Label {
                                text: modelData.label
                                color: Theme.textDim
                                font.pixelSize: Theme.fontSmall
                            }
                            Label {
                                objectName: "pathValue_" + modelData.key
                                text: modelData.value
                                color: page.stale ? Theme.textDim : Theme.text
                                font.pixelSize: Theme.fontLarge
                            }
                        }
                    }
                }
                Note {
                    text: pathPanel.modelData.state === "silent" ? qsTr("The VPS does not answer on this WAN.")
                          : pathPanel.modelData.state === "down" ? qsTr("Set down: a backup-tier WAN while better WANs work, or its link has no carrier.")
                          : ""
                }
            }
            // qmllint enable unqualified
        }

        // ---- self-hosted: session and TCP aggregation ------------------------------------------
        Heading {
            visible: page.selfhosted && !!page.engine.session
            text: qsTr("Session")
        }
        Panel {
            objectName: "selfhostedSession"
            visible: page.selfhosted && !!page.engine.session
            GridLayout {
                Layout.fillWidth: true
                columns: page.contentWidth > 560 ? 4 : 2
                columnSpacing: Theme.spacing
                rowSpacing: Theme.spacing / 2
                Repeater {
                    model: [
                        { key: "down", label: qsTr("Down"), value: Theme.formatRate(page.shSession.rxBps) },
                        { key: "up", label: qsTr("Up"), value: Theme.formatRate(page.shSession.txBps) },
                        { key: "handshake", label: qsTr("Handshake"), value: page.ageText(page.shSession.handshakeAgeSec) },
                        { key: "activeWan", label: qsTr("Active WAN"),
                          value: page.shSession.activeWan || (page.engine.mode === "redundant" ? qsTr("all") : "–") },
                        { key: "received", label: qsTr("Received"), value: Theme.formatBytes(page.shSession.rxBytes) },
                        { key: "sent", label: qsTr("Sent"), value: Theme.formatBytes(page.shSession.txBytes) },
                        { key: "switches", label: qsTr("Switches"), value: String(page.shSession.switches || 0) },
                        { key: "dropped", label: qsTr("Dropped junk / forged / replay"),
                          value: page.shSession.dropped ? [page.shSession.dropped.junk || 0, page.shSession.dropped.forged || 0,
                                                           page.shSession.dropped.replay || 0].join(" / ") : "–" }
                    ]
                    // qmllint disable unqualified
                    delegate: ColumnLayout {
                        required property var modelData
                        Layout.fillWidth: true
                        spacing: 0
                        Label {
                            Layout.fillWidth: true
                            text: modelData.label
                            elide: Text.ElideRight
                            color: Theme.textDim
                            font.pixelSize: Theme.fontSmall
                        }
                        Label {
                            objectName: "session_" + modelData.key
                            text: modelData.value
                            color: page.stale ? Theme.textDim : Theme.text
                            font.pixelSize: Theme.fontLarge
                        }
                    }
                    // qmllint enable unqualified
                }
            }
            Body {
                objectName: "tcpAggregationLine"
                visible: page.shTcp !== null
                text: page.shTcp === null ? ""
                      : page.shTcp.active ? qsTr("TCP aggregation: active, LAN TCP over MPTCP with %n endpoint(s).", "", page.shTcp.endpoints || 0)
                      : page.shTcp.enabled ? qsTr("TCP aggregation: not active — %1").arg(page.shTcp.reason || qsTr("no reason given"))
                      : qsTr("TCP aggregation: off%1").arg(page.shTcp.reason ? " — " + page.shTcp.reason : "")
            }
        }
        // ---- self-hosted: pairing (admin) ------------------------------------------------------
        Heading {
            visible: page.selfhosted && !page.notInstalled
            text: qsTr("Your VPS")
        }
        Panel {
            objectName: "pairingPanel"
            visible: page.selfhosted && !page.notInstalled
            Note {
                visible: !Backend.canAdmin
                text: qsTr("Only an admin can pair, unpair and change the settings below.")
            }
            // Not paired: the code smoothwan-server printed on the VPS.
            Body {
                visible: !page.paired
                textFormat: Text.StyledText
                text: qsTr("Run <tt>smoothwan-server init --public-address …</tt> on your VPS and paste the pairing code it prints (it starts with <tt>swpair1:</tt>).")
            }
            SwTextField {
                id: pairField
                objectName: "pairCode"
                visible: !page.paired
                Layout.fillWidth: true
                implicitWidth: Theme.touchTarget * 4
                kind: "text"
                // A long base64url code: Latin letters, no capitals added, no predictions
                // (SwTextField has no kind for it; the 6.4 qmllint cannot type this property).
                // qmllint disable
                inputMethodHints: Qt.ImhLatinOnly | Qt.ImhNoAutoUppercase | Qt.ImhNoPredictiveText | Qt.ImhSensitiveData
                // qmllint enable
                maximumLength: 512
                enterAction: "go"
                placeholderText: "swpair1:…"
                invalid: page.pairCommand !== null && !page.pairCommand.running && !page.pairCommand.succeeded
                enabled: Backend.canAdmin && !page.stale
                onAccepted: pairButton.clicked()
            }
            RowLayout {
                objectName: "pairStatus"
                visible: !page.paired && page.pairCommand !== null
                Layout.fillWidth: true
                Spinner {
                    running: page.pairCommand !== null && page.pairCommand.running
                    visible: running
                }
                Label {
                    objectName: "pairMessage"
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    font.pixelSize: Theme.fontBody
                    color: page.pairCommand && !page.pairCommand.running && !page.pairCommand.succeeded ? Theme.danger : Theme.textDim
                    text: !page.pairCommand ? ""
                          : page.pairCommand.running ? qsTr("Pairing…")
                          : page.pairCommand.succeeded ? qsTr("Paired with %1.").arg(page.pairCommand.result && page.pairCommand.result.server || "")
                          : (page.pairCommand.errorMessage || page.pairCommand.errorCode)
                }
            }
            SwButton {
                id: pairButton
                objectName: "pairButton"
                visible: !page.paired
                text: qsTr("Pair")
                highlighted: true
                enabled: Backend.canAdmin && !page.stale && pairField.text.trim() !== ""
                         && !(page.pairCommand !== null && page.pairCommand.running)
                busy: page.pairCommand !== null && page.pairCommand.running
                onClicked: {
                    const cmd = Backend.call("engine.pair", { code: pairField.text.trim() })
                    page.pairCommand = cmd
                    cmd.finished.connect(function () {
                        if (page && cmd.succeeded)
                            pairField.text = ""
                    })
                }
            }
            // Paired: where to, and a way back.
            GridLayout {
                id: pairingDetails
                objectName: "pairingDetails"
                readonly property var rows: [
                    { label: qsTr("Server"), value: page.pairing.server || (typeof page.engine.server === "string" ? page.engine.server : "") || "–" },
                    { label: qsTr("Relay port"), value: page.pairing.relayPort ? String(page.pairing.relayPort) + "/udp" : "–" },
                    { label: qsTr("Tunnel address"), value: page.pairing.tunnelAddress || "–" }
                ]
                visible: page.paired
                Layout.fillWidth: true
                columns: 2
                columnSpacing: Theme.spacing * 2
                rowSpacing: Theme.spacing / 2
                Repeater {
                    model: pairingDetails.rows
                    // qmllint disable unqualified
                    delegate: Label {
                        required property var modelData
                        required property int index
                        Layout.row: index
                        Layout.column: 0
                        text: modelData.label
                        color: Theme.textDim
                        font.pixelSize: Theme.fontBody
                    }
                    // qmllint enable unqualified
                }
                Repeater {
                    model: pairingDetails.rows
                    // qmllint disable unqualified
                    delegate: Label {
                        required property var modelData
                        required property int index
                        Layout.row: index
                        Layout.column: 1
                        Layout.fillWidth: true
                        elide: Text.ElideRight
                        text: String(modelData.value)
                        color: page.stale ? Theme.textDim : Theme.text
                        font.pixelSize: Theme.fontBody
                    }
                    // qmllint enable unqualified
                }
            }
            SwButton {
                objectName: "unpairButton"
                visible: page.paired && !page.confirmingUnpair
                text: qsTr("Unpair")
                danger: true
                enabled: Backend.canAdmin && !page.stale
                busy: page.unpairCommand !== null && page.unpairCommand.running
                onClicked: page.confirmingUnpair = true
            }
            ColumnLayout {
                visible: page.paired && page.confirmingUnpair
                Layout.fillWidth: true
                Body {
                    text: qsTr("Unpair from %1? The tunnel stops and the LAN goes out without the bond; to connect again you need a new pairing code from the VPS.")
                          .arg(page.pairing.server || page.engine.server || qsTr("the VPS"))
                }
                Flow {
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    SwButton {
                        objectName: "confirmUnpair"
                        text: qsTr("Unpair")
                        danger: true
                        enabled: Backend.canAdmin && !page.stale
                        onClicked: {
                            page.confirmingUnpair = false
                            page.unpairCommand = Backend.call("engine.unpair", {})
                        }
                    }
                    SwButton {
                        objectName: "cancelUnpair"
                        text: qsTr("Cancel")
                        onClicked: page.confirmingUnpair = false
                    }
                }
            }
            Feedback { command: page.unpairCommand; doneText: qsTr("Unpaired.") }
        }

        // ---- self-hosted: mode and TCP aggregation (admin, kept in the configuration) ---------
        Heading {
            visible: page.selfhosted && !page.notInstalled
            text: qsTr("Mode")
        }
        Panel {
            objectName: "selfhostedSettings"
            visible: page.selfhosted && !page.notInstalled
            ChoiceFlow {
                objectName: "shMode"
                options: [
                    { value: "speed", label: qsTr("Speed") },
                    { value: "redundant", label: qsTr("Redundant") },
                    { value: "streaming", label: qsTr("Streaming") }
                ]
                value: page.shMode
                enabled: Backend.canAdmin && !page.stale
                busy: page.shConfigCommand !== null && page.shConfigCommand.running
                onPicked: (v) => {
                    page.shPendingMode = v
                    page.saveSelfhosted({ mode: v })
                }
            }
            Repeater {
                model: [
                    { value: "speed", label: qsTr("Speed"), text: qsTr("TCP over MPTCP on every WAN, the rest over the best path.") },
                    { value: "redundant", label: qsTr("Redundant"), text: qsTr("Every packet over every WAN: lossless failover, the speed of one WAN.") },
                    { value: "streaming", label: qsTr("Streaming"), text: qsTr("TCP over MPTCP; UDP and real-time traffic duplicated over every WAN.") }
                ]
                // qmllint disable unqualified
                delegate: Label {
                    required property var modelData
                    readonly property bool current: page.shMode === modelData.value
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    textFormat: Text.StyledText
                    font.pixelSize: Theme.fontSmall
                    color: current && !page.stale ? Theme.text : Theme.textDim
                    text: "<b>" + modelData.label + "</b>: " + modelData.text
                }
                // qmllint enable unqualified
            }
            SwSwitch {
                objectName: "shTcpAggregation"
                Layout.fillWidth: true
                text: qsTr("TCP aggregation (MPTCP)")
                checked: page.shTcpConfigured
                enabled: Backend.canAdmin && !page.stale && !(page.shConfigCommand !== null && page.shConfigCommand.running)
                onToggled: {
                    const want = checked
                    checked = Qt.binding(() => page.shTcpConfigured)
                    page.saveSelfhosted({ tcp_aggregation: want ? "true" : "false" })
                }
            }
            Note {
                text: qsTr("On: LAN TCP connections are carried over MPTCP across all WANs at once (speed and streaming modes). Off: all traffic goes through the WireGuard tunnel. Mode and TCP aggregation are kept in the configuration (engine.selfhosted) and change without dropping connections.")
            }
            Label {
                objectName: "shConfigProblem"
                Layout.fillWidth: true
                visible: text !== ""
                wrapMode: Text.Wrap
                color: Theme.danger
                font.pixelSize: Theme.fontBody
                text: page.configProblem
            }
            Feedback { command: page.shConfigCommand; doneText: qsTr("Saved.") }
        }

        // ---- self-hosted: its processes ---------------------------------------------------------
        Heading {
            visible: page.selfhosted && page.shComponents.length > 0
            text: qsTr("Processes")
        }
        Panel {
            objectName: "selfhostedComponents"
            visible: page.selfhosted && page.shComponents.length > 0
            Repeater {
                model: page.shComponents
                // qmllint disable unqualified
                delegate: ColumnLayout {
                    id: comp
                    required property var modelData
                    objectName: "component_" + modelData.name
                    Layout.fillWidth: true
                    spacing: 0
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: Theme.spacing
                        Rectangle {
                            implicitWidth: Theme.iconSize / 2
                            implicitHeight: Theme.iconSize / 2
                            radius: width / 2
                            color: page.stateColor(comp.modelData.state)
                        }
                        Label {
                            Layout.fillWidth: true
                            elide: Text.ElideRight
                            font.pixelSize: Theme.fontBody
                            color: page.stale ? Theme.textDim : Theme.text
                            text: comp.modelData.name
                        }
                        Label {
                            font.pixelSize: Theme.fontBody
                            color: page.stale ? Theme.textDim : Theme.text
                            text: comp.modelData.state + (comp.modelData.restarts ? "  " + qsTr("%n restart(s)", "", comp.modelData.restarts) : "")
                        }
                    }
                    Note { text: comp.modelData.message || "" }
                }
                // qmllint enable unqualified
            }
        }

        // ---- Speedify login (admin) ---------------------------------------------------------
        Heading {
            visible: page.engineType === "speedify" && !page.notInstalled
            text: qsTr("Speedify account")
        }
        Panel {
            visible: page.engineType === "speedify" && !page.notInstalled
            Body {
                text: page.loggedOut ? qsTr("Not logged in. Log in with your Speedify account (a router licence may be needed).")
                                     : qsTr("Logged in.")
            }
            Note {
                visible: !Backend.canAdmin
                text: qsTr("Only an admin can log in or out and change the settings below.")
            }
            GridLayout {
                visible: page.loggedOut
                Layout.fillWidth: true
                columns: width > 500 ? 2 : 1
                columnSpacing: Theme.spacing
                SwTextField {
                    id: speedifyUser
                    objectName: "speedifyUser"
                    Layout.fillWidth: true
                    kind: "url"
                    // An e-mail address; SwTextField has no kind for it. qmllint (6.4) cannot type this property.
                    // qmllint disable
                    inputMethodHints: Qt.ImhEmailCharactersOnly | Qt.ImhNoAutoUppercase | Qt.ImhNoPredictiveText
                    // qmllint enable
                    enterAction: "next"
                    placeholderText: qsTr("E-mail")
                    enabled: Backend.canAdmin
                }
                SwTextField {
                    id: speedifyPassword
                    objectName: "speedifyPassword"
                    Layout.fillWidth: true
                    kind: "password"
                    enterAction: "go"
                    placeholderText: qsTr("Password")
                    enabled: Backend.canAdmin
                    onAccepted: loginButton.clicked()
                }
            }
            Flow {
                Layout.fillWidth: true
                spacing: Theme.spacing
                SwButton {
                    id: loginButton
                    objectName: "loginButton"
                    visible: page.loggedOut
                    text: qsTr("Log in")
                    highlighted: true
                    enabled: Backend.canAdmin && speedifyUser.text.trim() !== "" && speedifyPassword.text !== ""
                    busy: page.loginCommand !== null && page.loginCommand.running
                    onClicked: {
                        page.loginCommand = page.action("login", { user: speedifyUser.text.trim(), password: speedifyPassword.text })
                        speedifyPassword.text = ""
                    }
                }
                SwButton {
                    visible: page.loggedOut
                    text: qsTr("Free account")
                    enabled: Backend.canAdmin
                    onClicked: page.loginCommand = page.action("login_auto")
                }
                SwButton {
                    objectName: "logoutButton"
                    visible: !page.loggedOut
                    text: qsTr("Log out")
                    danger: true
                    enabled: Backend.canAdmin
                    onClicked: page.loginCommand = page.action("logout")
                }
            }
            Feedback { command: page.loginCommand }
        }

        // ---- server -------------------------------------------------------------------------
        Heading {
            visible: page.engineType === "speedify" && !page.notInstalled
            text: qsTr("Server")
        }
        Panel {
            visible: page.engineType === "speedify" && !page.notInstalled
            ChoiceFlow {
                objectName: "serverTarget"
                options: [
                    { value: "closest", label: qsTr("Closest") },
                    { value: "public", label: qsTr("Public") },
                    { value: "private", label: qsTr("Private") },
                    { value: "p2p", label: qsTr("P2P allowed") }
                ]
                enabled: Backend.canOperate && !page.stale && !page.loggedOut
                onPicked: (v) => page.connectCommand = Backend.call("engine.connect", { server: v })
            }
            SwButton {
                text: qsTr("List servers")
                enabled: Backend.canAdmin && !page.stale
                busy: page.serversCommand !== null && page.serversCommand.running
                onClicked: page.serversCommand = page.action("servers")
            }
            Feedback { command: page.serversCommand }
            Repeater {
                model: page.serversCommand && page.serversCommand.succeeded
                       ? page.serverList(page.serversCommand.result).slice(0, 200) : []
                // qmllint disable unqualified
                delegate: SwButton {
                    required property var modelData
                    Layout.fillWidth: true
                    text: (modelData.friendlyName || modelData.tag) + (modelData.isPrivate ? qsTr(" (private)") : "")
                    enabled: Backend.canOperate && !page.loggedOut
                    onClicked: page.connectCommand = Backend.call("engine.connect", { server: modelData.tag })
                }
                // qmllint enable unqualified
            }
        }

        // ---- settings -----------------------------------------------------------------------
        Heading {
            visible: page.engineType === "speedify" && !page.notInstalled
            text: qsTr("Settings")
        }
        Panel {
            visible: page.engineType === "speedify" && !page.notInstalled
            Label { text: qsTr("Mode"); color: Theme.text; font.pixelSize: Theme.fontBody }
            ChoiceFlow {
                objectName: "mode"
                options: [
                    { value: "speed", label: qsTr("Speed") },
                    { value: "redundant", label: qsTr("Redundant") },
                    { value: "streaming", label: qsTr("Streaming") }
                ]
                value: page.settings.mode || page.engine.mode || ""
                enabled: Backend.canAdmin && !page.stale
                busy: page.settingCommand !== null && page.settingCommand.running
                onPicked: (v) => page.settingCommand = page.action("set_mode", { mode: v })
            }
            Note {
                text: qsTr("Speed adds the links up; Redundant sends every packet on several links (lossless failover, less speed); Streaming protects calls and streams and bonds the rest. Mode and transport go back to engine.speedify.mode and engine.speedify.transport of the configuration when the engine restarts.")
            }
            Label { text: qsTr("Transport"); color: Theme.text; font.pixelSize: Theme.fontBody }
            ChoiceFlow {
                objectName: "transport"
                options: [
                    { value: "auto", label: qsTr("Auto") },
                    { value: "udp", label: "UDP" },
                    { value: "tcp", label: "TCP" },
                    { value: "tcp-multi", label: qsTr("Multi-TCP") },
                    { value: "https", label: "HTTPS" }
                ]
                value: page.settings.transport || ""
                enabled: Backend.canAdmin && !page.stale
                busy: page.settingCommand !== null && page.settingCommand.running
                onPicked: (v) => page.settingCommand = page.action("set_transport", { transport: v })
            }
            Repeater {
                model: [
                    { key: "encrypted", action: "set_encryption", label: qsTr("Encryption") },
                    { key: "jumboPackets", action: "set_jumbo", label: qsTr("Jumbo packets") },
                    { key: "packetAggregation", action: "set_packet_aggregation", label: qsTr("Packet aggregation") },
                    { key: "headerCompression", action: "set_header_compression", label: qsTr("Header compression") }
                ]
                // qmllint disable unqualified
                delegate: SwSwitch {
                    required property var modelData
                    objectName: "toggle_" + modelData.key
                    Layout.fillWidth: true
                    text: modelData.label
                    checked: page.settings[modelData.key] === true
                    enabled: Backend.canAdmin && !page.stale && page.engine.settings !== null && page.engine.settings !== undefined
                    onToggled: {
                        const want = checked
                        checked = Qt.binding(() => page.settings[modelData.key] === true)
                        page.settingCommand = page.action(modelData.action, { enabled: want })
                    }
                }
                // qmllint enable unqualified
            }
            Note {
                text: qsTr("Startup connect follows engine.speedify.startup_connect in the configuration (now %1).")
                      .arg(page.settings.startupConnect === true ? qsTr("on") : page.settings.startupConnect === false ? qsTr("off") : qsTr("unknown"))
            }
            GridLayout {
                Layout.fillWidth: true
                columns: width > 560 ? 3 : 2
                columnSpacing: Theme.spacing
                Label {
                    text: qsTr("Overflow threshold (Mbps)")
                    color: Theme.text
                    font.pixelSize: Theme.fontBody
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                }
                SwTextField {
                    id: overflowField
                    objectName: "overflowField"
                    kind: "ip"
                    validator: page.decimalValidator
                    placeholderText: page.settings.overflowThresholdMbps !== undefined ? String(page.settings.overflowThresholdMbps) : ""
                    enabled: Backend.canAdmin
                }
                SwButton {
                    text: qsTr("Set")
                    enabled: Backend.canAdmin && overflowField.text !== "" && !isNaN(Number(overflowField.text))
                    onClicked: {
                        page.settingCommand = page.action("set_overflow", { mbps: Number(overflowField.text) })
                        overflowField.text = ""
                    }
                }
                Label {
                    text: qsTr("Redundant: at most connections")
                    color: Theme.text
                    font.pixelSize: Theme.fontBody
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                }
                SwTextField {
                    id: redundantField
                    objectName: "maxRedundantField"
                    kind: "number"
                    placeholderText: page.settings.maxRedundant !== undefined ? String(page.settings.maxRedundant) : ""
                    enabled: Backend.canAdmin
                }
                SwButton {
                    text: qsTr("Set")
                    enabled: Backend.canAdmin && parseInt(redundantField.text, 10) >= 1 && parseInt(redundantField.text, 10) <= 64
                    onClicked: {
                        page.settingCommand = page.action("set_max_redundant", { connections: parseInt(redundantField.text, 10) })
                        redundantField.text = ""
                    }
                }
            }
            Feedback { command: page.settingCommand }
        }

        // ---- streaming bypass ---------------------------------------------------------------
        Heading {
            visible: page.engineType === "speedify" && !page.notInstalled
            text: qsTr("Streaming bypass")
        }
        Panel {
            visible: page.engineType === "speedify" && !page.notInstalled
            Note {
                text: qsTr("Traffic on these lists skips the Speedify tunnel; Speedify picks the WAN for it. For rules by LAN host or WAN, use Routing → bypass rules.")
            }
            Repeater {
                model: page.bypass.services || []
                // qmllint disable unqualified
                delegate: SwSwitch {
                    required property var modelData
                    Layout.fillWidth: true
                    text: modelData.title
                    checked: modelData.enabled === true
                    enabled: Backend.canAdmin && !page.stale
                    onToggled: {
                        const want = checked
                        checked = Qt.binding(() => modelData.enabled === true)
                        page.bypassCommand = page.action("streamingbypass_service", { service: modelData.title, enabled: want })
                    }
                }
                // qmllint enable unqualified
            }
            BypassList {
                list: "domains"
                onAdd: (v) => page.bypassCommand = page.action("streamingbypass_list", { list: "domains", op: "add", values: [v] })
                onRemove: (v) => page.bypassCommand = page.action("streamingbypass_list", { list: "domains", op: "rem", values: [v] })
                label: qsTr("Domains")
                hint: qsTr("e.g. example.com")
                values: page.bypass.domains || []
            }
            BypassList {
                list: "ipv4"
                onAdd: (v) => page.bypassCommand = page.action("streamingbypass_list", { list: "ipv4", op: "add", values: [v] })
                onRemove: (v) => page.bypassCommand = page.action("streamingbypass_list", { list: "ipv4", op: "rem", values: [v] })
                label: qsTr("IPv4 addresses")
                hint: qsTr("e.g. 203.0.113.0/24")
                values: page.bypass.ipv4 || []
            }
            BypassList {
                list: "ipv6"
                onAdd: (v) => page.bypassCommand = page.action("streamingbypass_list", { list: "ipv6", op: "add", values: [v] })
                onRemove: (v) => page.bypassCommand = page.action("streamingbypass_list", { list: "ipv6", op: "rem", values: [v] })
                label: qsTr("IPv6 addresses")
                hint: qsTr("e.g. 2001:db8::/32")
                values: page.bypass.ipv6 || []
            }
            BypassList {
                list: "ports"
                onAdd: (v) => page.bypassCommand = page.action("streamingbypass_list", { list: "ports", op: "add", values: [v] })
                onRemove: (v) => page.bypassCommand = page.action("streamingbypass_list", { list: "ports", op: "rem", values: [v] })
                label: qsTr("Ports")
                hint: qsTr("e.g. 3074/udp or 8000-8100/tcp")
                values: page.bypass.ports || []
            }
            Feedback { command: page.bypassCommand }
        }

        // ---- adapters: the WANs inside the bond ---------------------------------------------
        Heading {
            visible: page.adapters.length > 0 && !page.selfhosted
            text: page.engineType === "speedify" ? qsTr("Links in the bond") : qsTr("Links")
        }
        Note {
            visible: page.engineType === "speedify" && (Backend.wans || []).length > 0 && page.adapters.length > 0
            text: qsTr("Priorities and data limits follow the WAN settings (Dashboard → WAN).")
        }
        Repeater {
            model: page.selfhosted ? [] : page.adapters
            // qmllint disable unqualified
            delegate: Panel {
                id: adapterPanel
                required property var modelData
                readonly property var stats: modelData.stats || null
                objectName: "adapter_" + (modelData.adapterId || "")
                RowLayout {
                    Layout.fillWidth: true
                    Label {
                        Layout.fillWidth: true
                        elide: Text.ElideRight
                        font.pixelSize: Theme.fontLarge
                        font.bold: true
                        color: page.stale ? Theme.textDim : Theme.text
                        text: (adapterPanel.modelData.wan || adapterPanel.modelData.name || adapterPanel.modelData.adapterId)
                              + (adapterPanel.modelData.wan && adapterPanel.modelData.adapterId ? "  (" + adapterPanel.modelData.adapterId + ")" : "")
                    }
                    Label {
                        text: adapterPanel.modelData.state || ""
                        font.pixelSize: Theme.fontBody
                        color: page.stale ? Theme.textDim
                             : adapterPanel.modelData.state === "connected" || adapterPanel.modelData.state === "up" ? Theme.stateUp : Theme.stateDegraded
                    }
                }
                Body {
                    visible: text !== ""
                    text: [adapterPanel.modelData.type, adapterPanel.modelData.isp,
                           adapterPanel.modelData.workingPriority ? qsTr("priority %1").arg(adapterPanel.modelData.workingPriority) : ""]
                          .filter(s => !!s).join(" · ")
                }
                GridLayout {
                    visible: adapterPanel.stats !== null
                    Layout.fillWidth: true
                    columns: 4
                    columnSpacing: Theme.spacing
                    Repeater {
                        model: adapterPanel.stats === null ? [] : [
                            { label: qsTr("Down"), value: Theme.formatRate(adapterPanel.stats.receiveBps) },
                            { label: qsTr("Up"), value: Theme.formatRate(adapterPanel.stats.sendBps) },
                            { label: qsTr("Latency"), value: Theme.formatMs(adapterPanel.stats.latencyMs) },
                            { label: qsTr("Loss"), value: Theme.formatPct(Math.max(adapterPanel.stats.lossSend || 0, adapterPanel.stats.lossReceive || 0) * (Math.max(adapterPanel.stats.lossSend || 0, adapterPanel.stats.lossReceive || 0) <= 1 ? 100 : 1)) }
                        ]
                        delegate: ColumnLayout {
                            required property var modelData
                            Layout.fillWidth: true
                            Label {
                                text: modelData.label
                                color: Theme.textDim
                                font.pixelSize: Theme.fontSmall
                            }
                            Label {
                                text: modelData.value
                                color: page.stale ? Theme.textDim : Theme.text
                                font.pixelSize: Theme.fontLarge
                            }
                        }
                    }
                }
                Note {
                    text: adapterPanel.stats && adapterPanel.stats.congested ? qsTr("Congested") : ""
                }
                Note {
                    text: adapterPanel.modelData.usageDailyBytes !== undefined
                          ? qsTr("Used today %1, this month %2").arg(Theme.formatBytes(adapterPanel.modelData.usageDailyBytes))
                                                               .arg(Theme.formatBytes(adapterPanel.modelData.usageMonthlyBytes))
                          : adapterPanel.modelData.lastReceived ? qsTr("Last packet %1").arg(adapterPanel.modelData.lastReceived) : ""
                }
                Flow {
                    visible: page.engineType === "speedify" && !!adapterPanel.modelData.adapterId
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    SwButton {
                        text: qsTr("Speed test")
                        enabled: Backend.canAdmin && page.connected
                        onClicked: page.adapterCommand = page.action("speedtest", { adapter: adapterPanel.modelData.adapterId })
                    }
                    SwButton {
                        text: qsTr("Reset usage")
                        enabled: Backend.canAdmin
                        onClicked: page.adapterCommand = page.action("reset_usage", { adapter: adapterPanel.modelData.adapterId })
                    }
                }
                ChoiceFlow {
                    visible: page.engineType === "speedify" && (Backend.wans || []).length === 0 && !!adapterPanel.modelData.adapterId
                    options: page.priorityOptions
                    value: adapterPanel.modelData.priority || ""
                    enabled: Backend.canAdmin && !page.stale
                    onPicked: (v) => page.adapterCommand = page.action("adapter_priority", { adapter: adapterPanel.modelData.adapterId, priority: v })
                }
                // Rate limit in Mbit/s (Speedify takes bits per second; 0 or empty: no limit).
                RowLayout {
                    visible: page.engineType === "speedify" && !!adapterPanel.modelData.adapterId
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    Label {
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        color: Theme.text
                        font.pixelSize: Theme.fontBody
                        text: qsTr("Rate limit (Mbit/s) down / up")
                    }
                    SwTextField {
                        id: limitDown
                        objectName: "limitDown_" + adapterPanel.modelData.adapterId
                        Layout.preferredWidth: Theme.touchTarget * 2
                        implicitWidth: Theme.touchTarget * 2
                        kind: "ip"
                        validator: page.decimalValidator
                        placeholderText: adapterPanel.modelData.rateLimitDownBps ? String(adapterPanel.modelData.rateLimitDownBps / 1e6) : "–"
                        enabled: Backend.canAdmin
                    }
                    SwTextField {
                        id: limitUp
                        objectName: "limitUp_" + adapterPanel.modelData.adapterId
                        Layout.preferredWidth: Theme.touchTarget * 2
                        implicitWidth: Theme.touchTarget * 2
                        kind: "ip"
                        validator: page.decimalValidator
                        placeholderText: adapterPanel.modelData.rateLimitUpBps ? String(adapterPanel.modelData.rateLimitUpBps / 1e6) : "–"
                        enabled: Backend.canAdmin
                    }
                    SwButton {
                        objectName: "setLimit_" + adapterPanel.modelData.adapterId
                        text: qsTr("Set")
                        enabled: Backend.canAdmin && !page.stale && (limitDown.text !== "" || limitUp.text !== "")
                        onClicked: {
                            const mbps = (field, current) => field.text === "" ? (current || 0) : Math.round(Number(field.text) * 1e6)
                            page.adapterCommand = page.action("adapter_rate_limit", {
                                adapter: adapterPanel.modelData.adapterId,
                                down_bps: mbps(limitDown, adapterPanel.modelData.rateLimitDownBps),
                                up_bps: mbps(limitUp, adapterPanel.modelData.rateLimitUpBps)
                            })
                            limitDown.text = ""
                            limitUp.text = ""
                        }
                    }
                }
            }
            // qmllint enable unqualified
        }
        Feedback { command: page.adapterCommand }

        // ---- session ---------------------------------------------------------------------------
        Note {
            visible: page.engineType === "speedify" && !!page.engine.session
            text: page.engine.session
                  ? qsTr("This session: %1 received, %2 sent, %3 failovers, %4 saves by redundant mode.")
                        .arg(Theme.formatBytes(page.engine.session.bytesReceived)).arg(Theme.formatBytes(page.engine.session.bytesSent))
                        .arg(page.engine.session.failovers || 0).arg(page.engine.session.redundantModeSaves || 0)
                  : ""
        }

        // ---- Engarde / tinyfecVPN settings ---------------------------------------------------
        Heading {
            visible: page.engineType === "engarde" || page.engineType === "tinyfec"
            text: qsTr("%1 settings").arg(page.engineName(page.engineType))
        }
        Panel {
            id: supervisedSettings
            objectName: "supervisedSettings"
            visible: page.engineType === "engarde" || page.engineType === "tinyfec"
            readonly property bool isTinyfec: page.engineType === "tinyfec"
            Note {
                text: qsTr("These settings are kept in the configuration file (engine.%1). Saving writes the file and restarts the engine.").arg(page.engineType)
            }
            SwButton {
                text: qsTr("Load the current settings")
                enabled: Backend.canAdmin && !page.stale
                onClicked: page.loadEngineSection(page.engineType)
            }
            GridLayout {
                Layout.fillWidth: true
                columns: width > 520 ? 2 : 1
                columnSpacing: Theme.spacing
                Label { text: qsTr("Server (host:port)"); color: Theme.text; font.pixelSize: Theme.fontBody }
                SwTextField {
                    id: serverField
                    objectName: "engineServer"
                    Layout.fillWidth: true
                    kind: "url"
                    placeholderText: qsTr("e.g. 203.0.113.5:4000")
                    text: page.loadedSection.server || ""
                    enabled: Backend.canAdmin
                }
                Label {
                    visible: supervisedSettings.isTinyfec
                    text: qsTr("FEC (data:redundant,…)")
                    color: Theme.text
                    font.pixelSize: Theme.fontBody
                }
                SwTextField {
                    id: fecField
                    visible: supervisedSettings.isTinyfec
                    Layout.fillWidth: true
                    kind: "ip"
                    validator: page.fecValidator
                    placeholderText: "20:10"
                    text: page.loadedSection.fec || ""
                    enabled: Backend.canAdmin
                }
                Label {
                    visible: supervisedSettings.isTinyfec
                    text: qsTr("FEC timeout (ms)")
                    color: Theme.text
                    font.pixelSize: Theme.fontBody
                }
                SwTextField {
                    id: fecTimeoutField
                    visible: supervisedSettings.isTinyfec
                    Layout.fillWidth: true
                    kind: "number"
                    placeholderText: "8"
                    text: page.loadedSection.timeout || ""
                    enabled: Backend.canAdmin
                }
                Label {
                    visible: supervisedSettings.isTinyfec
                    text: qsTr("MTU")
                    color: Theme.text
                    font.pixelSize: Theme.fontBody
                }
                SwTextField {
                    id: mtuField
                    visible: supervisedSettings.isTinyfec
                    Layout.fillWidth: true
                    kind: "number"
                    placeholderText: "1250"
                    text: page.loadedSection.mtu || ""
                    enabled: Backend.canAdmin
                }
                Label {
                    visible: !supervisedSettings.isTinyfec
                    text: qsTr("Web manager (address:port, empty = off)")
                    color: Theme.text
                    font.pixelSize: Theme.fontBody
                }
                SwTextField {
                    id: webManagerField
                    visible: !supervisedSettings.isTinyfec
                    Layout.fillWidth: true
                    kind: "url"
                    placeholderText: "127.0.0.1:9001"
                    text: page.loadedSection.web_manager || ""
                    enabled: Backend.canAdmin
                }
            }
            Label {
                objectName: "supervisedError"
                Layout.fillWidth: true
                visible: text !== ""
                wrapMode: Text.Wrap
                color: Theme.danger
                font.pixelSize: Theme.fontBody
                text: page.configProblem
            }
            SwButton {
                objectName: "saveSupervised"
                text: qsTr("Save")
                highlighted: true
                enabled: Backend.canAdmin && !page.stale
                busy: page.configCommand !== null && page.configCommand.running
                onClicked: {
                    const server = serverField.text.trim()
                    if (!page.hostPortOk(server)) {
                        page.configProblem = qsTr("Server: write host:port, e.g. 203.0.113.5:4000 or [2001:db8::5]:4000.")
                        return
                    }
                    const fields = [["server", page.quoted(server)]]
                    const keep = page.loadedSection
                    if (supervisedSettings.isTinyfec) {
                        const fec = fecField.text.trim()
                        if (fec !== "" && !page.fecOk(fec)) {
                            page.configProblem = qsTr("FEC: groups data:redundant separated by commas, data counts increasing, data ≥ 1, data + redundant ≤ 255 (e.g. 1:3,2:4,8:6,20:10).")
                            return
                        }
                        if (fec !== "")
                            fields.push(["fec", page.quoted(fec)])
                        const t = fecTimeoutField.text.trim()
                        if (t !== "" && !(parseInt(t, 10) >= 0 && parseInt(t, 10) <= 1000)) {
                            page.configProblem = qsTr("FEC timeout: 0 to 1000 ms.")
                            return
                        }
                        if (t !== "")
                            fields.push(["timeout", String(parseInt(t, 10))])
                        const mtu = mtuField.text.trim()
                        if (mtu !== "" && !(parseInt(mtu, 10) >= 576 && parseInt(mtu, 10) <= 9000)) {
                            page.configProblem = qsTr("MTU: 576 to 9000.")
                            return
                        }
                        if (mtu !== "")
                            fields.push(["mtu", String(parseInt(mtu, 10))])
                        for (const k of ["mode", "tun_name", "subnet"]) {
                            if (keep[k] !== undefined)
                                fields.push([k, k === "mode" ? String(keep[k]) : page.quoted(keep[k])])
                        }
                    } else {
                        const wm = webManagerField.text.trim()
                        if (wm !== "" && !page.hostPortOk(wm)) {
                            page.configProblem = qsTr("Web manager: write address:port, e.g. 127.0.0.1:9001.")
                            return
                        }
                        if (keep.listen !== undefined)
                            fields.push(["listen", page.quoted(keep.listen)])
                        if (Array.isArray(keep.excluded_interfaces))
                            fields.push(["excluded_interfaces", "[" + keep.excluded_interfaces.map(page.quoted).join(", ") + "]"])
                        if (wm !== "")
                            fields.push(["web_manager", page.quoted(wm)])
                    }
                    page.configProblem = ""
                    page.saveEngineSection(page.engineType, fields)
                }
            }
            Feedback { command: page.configCommand; doneText: qsTr("Saved.") }
        }

        // ---- engine choice (admin) -----------------------------------------------------------
        Heading { text: qsTr("Engine") }
        Panel {
            Note {
                text: Backend.canAdmin ? qsTr("One engine runs at a time. Switching stops the current one.")
                                       : qsTr("Only an admin can choose the engine.")
            }
            ChoiceFlow {
                objectName: "engineType"
                options: [
                    { value: "speedify", label: "Speedify" },
                    { value: "engarde", label: "Engarde" },
                    { value: "tinyfec", label: "tinyfecVPN" },
                    { value: "selfhosted", label: qsTr("Self-hosted (your VPS)") },
                    { value: "none", label: qsTr("None") }
                ]
                value: page.engineType
                enabled: Backend.canAdmin && !page.stale
                busy: page.typeCommand !== null && page.typeCommand.running
                onPicked: (v) => page.pendingType = v
            }
            RowLayout {
                visible: page.pendingType !== ""
                Layout.fillWidth: true
                Body {
                    text: qsTr("Switch from %1 to %2? The LAN may lose its connection for a moment.")
                          .arg(page.engineName(page.engineType)).arg(page.engineName(page.pendingType))
                }
                SwButton {
                    objectName: "confirmEngineType"
                    text: qsTr("Switch")
                    highlighted: true
                    onClicked: page.setType(page.pendingType)
                }
                SwButton {
                    text: qsTr("Cancel")
                    onClicked: page.pendingType = ""
                }
            }
            Note {
                text: qsTr("Engarde and tinyfecVPN need a server of your own; give its address in their settings after switching. Self-hosted needs smoothwan-server on your VPS; pair with its code after switching.")
            }
            Feedback { command: page.typeCommand }
        }

        // ---- log ---------------------------------------------------------------------------------
        Heading {
            visible: page.engineType !== "none"
            text: qsTr("Engine log")
        }
        Panel {
            visible: page.engineType !== "none"
            TextEdit {
                objectName: "logText"
                Layout.fillWidth: true
                readOnly: true
                selectByMouse: true
                wrapMode: TextEdit.WrapAnywhere
                font.family: "monospace"
                font.pixelSize: Theme.fontSmall
                color: page.stale ? Theme.textDim : Theme.text
                text: {
                    const lines = page.fullLog !== null ? page.fullLog : (page.engine.logTail || []).slice(-20)
                    return lines.length === 0 ? qsTr("(empty)") : lines.join("\n")
                }
            }
            Flow {
                Layout.fillWidth: true
                spacing: Theme.spacing
                SwButton {
                    objectName: "loadLog"
                    text: qsTr("Show 200 lines")
                    enabled: Backend.canAdmin && !page.stale
                    busy: page.logCommand !== null && page.logCommand.running
                    onClicked: {
                        const cmd = Backend.call("engine.log_tail", { lines: 200 })
                        page.logCommand = cmd
                        cmd.finished.connect(function () {
                            if (!page)   // the page was closed meanwhile
                                return
                            if (cmd.succeeded)
                                page.fullLog = Array.isArray(cmd.result) ? cmd.result : (cmd.result.lines || [])
                        })
                    }
                }
                SwButton {
                    visible: page.fullLog !== null
                    text: qsTr("Show live tail")
                    onClicked: page.fullLog = null
                }
            }
            Feedback { command: page.logCommand }
        }
    }
}
