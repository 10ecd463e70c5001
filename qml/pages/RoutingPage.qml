// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SmoothWAN.Client
import SmoothWAN.Ui

// Routing: the LAN's current path and why, the policy, the kill switch and the bypass rules
// (add, edit, delete). Rule fields are checked here with the same kinds the API uses
// (docs/protocol.md, docs/configuration.md) before anything is sent; the server's own
// invalid_format message is shown as well when it still refuses.
ScrollPage {
    id: page
    objectName: "routingPage"
    title: qsTr("Routing")
    stale: !Backend.live
    readonly property var routing: Backend.routing || ({})
    readonly property var rules: page.routing.bypass || []
    readonly property var wanNames: (Backend.wans || []).map(w => w.name)

    // Commands in flight or last finished, shown next to the control that sent them.
    property var policyCommand: null
    property var killCommand: null
    property var ruleCommand: null
    property var deleteCommand: null
    property string confirmDelete: ""

    // The rule form. `editing` is the name of the rule being changed ("" = a new rule).
    property bool formOpen: false
    property string editing: ""
    property string formError: ""

    // ---- validation (same kinds as docs/protocol.md) -------------------------------------------
    function validName(s) {
        return /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(s)
    }
    function ipv4Bytes(s) {
        const parts = s.split(".")
        if (parts.length !== 4)
            return null
        const out = []
        for (const p of parts) {
            if (!/^(0|[1-9][0-9]{0,2})$/.test(p))
                return null
            const n = parseInt(p, 10)
            if (n > 255)
                return null
            out.push(n)
        }
        return out
    }
    function ipv6Bytes(s) {
        if (s.indexOf(":") < 0 || !/^[0-9A-Fa-f:.]+$/.test(s))
            return null
        let head = s
        let v4 = []
        if (s.indexOf(".") >= 0) {
            const cut = s.lastIndexOf(":")
            v4 = page.ipv4Bytes(s.slice(cut + 1))
            if (!v4)
                return null
            head = s.slice(0, cut + 1)
            if (!head.endsWith("::"))
                head = head.slice(0, -1)
        }
        const halves = head.split("::")
        if (halves.length > 2)
            return null
        const split = h => h === "" ? [] : h.split(":")
        const a = split(halves[0])
        const b = halves.length === 2 ? split(halves[1]) : []
        for (const g of a.concat(b)) {
            if (!/^[0-9A-Fa-f]{1,4}$/.test(g))
                return null
        }
        const avail = 8 - v4.length / 2
        const count = a.length + b.length
        if (halves.length === 2 ? count >= avail : count !== avail)
            return null
        const groups = a.concat(new Array(avail - count).fill("0")).concat(b)
        const bytes = []
        for (const g of groups) {
            const n = parseInt(g, 16)
            bytes.push(n >> 8, n & 255)
        }
        return bytes.concat(v4)
    }
    // "" when `s` is a valid address or prefix (host bits clear), else a sentence saying why.
    // `what` names the field in the sentence.
    function prefixError(what, s) {
        const slash = s.split("/")
        if (slash.length > 2)
            return qsTr("%1: “%2” is not an address or prefix (one “/” at most).").arg(what).arg(s)
        const v4 = page.ipv4Bytes(slash[0])
        const bytes = v4 || page.ipv6Bytes(slash[0])
        if (!bytes)
            return qsTr("%1: “%2” is not an IPv4 or IPv6 address (e.g. 192.168.1.50 or 192.168.1.0/24).").arg(what).arg(slash[0])
        const max = v4 ? 32 : 128
        if (slash.length === 1)
            return ""
        if (!/^[0-9]{1,3}$/.test(slash[1]) || parseInt(slash[1], 10) > max)
            return qsTr("%1: the prefix length must be 0 to %2.").arg(what).arg(max)
        const len = parseInt(slash[1], 10)
        let hostBits = false
        const clean = bytes.slice()
        for (let bit = len; bit < max; ++bit) {
            const i = Math.floor(bit / 8)
            const mask = 128 >> (bit % 8)
            if (clean[i] & mask) {
                hostBits = true
                clean[i] &= ~mask
            }
        }
        if (!hostBits)
            return ""
        const suggestion = v4 ? clean.join(".") : page.formatIpv6(clean)
        return qsTr("%1: %2 has host bits set; did you mean %3/%4?").arg(what).arg(s).arg(suggestion).arg(len)
    }
    function formatIpv6(bytes) {
        const groups = []
        for (let i = 0; i < 16; i += 2)
            groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16))
        return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::")
    }
    function isIpv6(s) {
        return s.indexOf(":") >= 0
    }
    function portsError(s) {
        const m = /^([0-9]{1,5})(-([0-9]{1,5}))?$/.exec(s)
        if (!m)
            return qsTr("Ports: write one port (443) or a range (8000-8100).")
        const first = parseInt(m[1], 10)
        const last = m[3] === undefined ? first : parseInt(m[3], 10)
        if (first < 1 || last > 65535 || first > 65535)
            return qsTr("Ports: ports are 1 to 65535.")
        if (last < first)
            return qsTr("Ports: the range must go from low to high (%1-%2).").arg(last).arg(first)
        return ""
    }
    // Checks a rule {name, source, destination, protocol, ports, via, aroundBond} as the
    // configuration loader would; "" when it is fine, else the first problem in words.
    function validateRule(r) {
        if (!page.validName(r.name))
            return qsTr("Name: 1 to 32 letters, digits, “-” or “_”, starting with a letter or digit.")
        if (r.editing === "" && page.rules.some(x => x.name === r.name))
            return qsTr("Name: a rule called “%1” exists already.").arg(r.name)
        let e = r.source !== "" ? page.prefixError(qsTr("Source"), r.source) : ""
        if (e !== "")
            return e
        e = r.destination !== "" ? page.prefixError(qsTr("Destination"), r.destination) : ""
        if (e !== "")
            return e
        if (r.source !== "" && r.destination !== "" && page.isIpv6(r.source) !== page.isIpv6(r.destination))
            return qsTr("Source and destination must both be IPv4 or both IPv6.")
        if (r.ports !== "") {
            e = page.portsError(r.ports)
            if (e !== "")
                return e
            if (r.protocol === "any")
                return qsTr("Ports: choose TCP or UDP for a port rule.")
        }
        if (r.source === "" && r.destination === "" && r.ports === "" && r.protocol === "any")
            return qsTr("The rule matches everything: give a source, a destination, ports or a protocol.")
        if (!r.aroundBond && r.via === "")
            return qsTr("Choose the WAN the traffic goes through, or “around the bond”.")
        if (!r.aroundBond && page.wanNames.indexOf(r.via) < 0)
            return qsTr("There is no WAN called “%1”.").arg(r.via)
        return ""
    }
    function formRule() {
        return {
            editing: page.editing,
            name: nameField.text.trim(),
            source: sourceField.text.trim(),
            destination: destinationField.text.trim(),
            protocol: protocolBox.value,
            ports: portsField.text.trim(),
            via: viaBox.value,
            aroundBond: viaBox.value === ""
        }
    }
    // The API arguments for a checked rule: create leaves empty members out, update clears
    // them with null.
    function ruleArgs(r) {
        const args = { name: r.name, protocol: r.protocol }
        const update = r.editing !== ""
        for (const key of ["source", "destination", "ports"]) {
            if (r[key] !== "")
                args[key] = r[key]
            else if (update)
                args[key] = null
        }
        if (r.aroundBond)
            args.around_bond = true
        else
            args.via = r.via
        return args
    }
    function openForm(rule) {
        page.formError = ""
        page.ruleCommand = null
        page.editing = rule ? rule.name : ""
        nameField.text = rule ? rule.name : ""
        sourceField.text = rule && rule.source ? rule.source : ""
        destinationField.text = rule && rule.destination ? rule.destination : ""
        portsField.text = rule && rule.ports ? String(rule.ports) : ""
        protocolBox.value = rule && rule.protocol ? rule.protocol : "any"
        viaBox.value = rule && !rule.aroundBond && rule.via ? rule.via : ""
        page.formOpen = true
    }
    function submitForm() {
        const r = page.formRule()
        page.formError = page.validateRule(r)
        if (page.formError !== "")
            return
        const cmd = Backend.call(r.editing === "" ? "routing.bypass.create" : "routing.bypass.update", page.ruleArgs(r))
        page.ruleCommand = cmd
        cmd.finished.connect(function () {
            if (!page)   // the page was closed meanwhile
                return
            if (cmd.succeeded && page.ruleCommand === cmd)
                page.formOpen = false
        })
    }
    function pathText(p) {
        switch (p) {
        case "tunnel": return qsTr("through the bond (%1)").arg((page.routing.tunnel && page.routing.tunnel.name) || qsTr("tunnel"))
        case "balance": return qsTr("balanced over several WANs")
        case "blocked": return qsTr("blocked (kill switch)")
        case "none": case undefined: case "": return qsTr("no usable WAN")
        default: return qsTr("via %1").arg(p)
        }
    }
    function ruleSummary(r) {
        const parts = []
        if (r.source)
            parts.push(qsTr("from %1").arg(r.source))
        if (r.destination)
            parts.push(qsTr("to %1").arg(r.destination))
        if (r.protocol && r.protocol !== "any")
            parts.push(r.ports ? qsTr("%1 port %2").arg(r.protocol.toUpperCase()).arg(r.ports) : r.protocol.toUpperCase())
        parts.push(r.aroundBond ? qsTr("→ around the bond") : qsTr("→ %1").arg(r.via))
        return parts.join("  ")
    }

    // One value among several, as a row of buttons that wraps (WAN lists can be long).
    component ChoiceFlow: Flow {
        id: cf
        property var options: []     // [{value, label}]
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
        font.pixelSize: Theme.fontBody
        wrapMode: Text.Wrap
        visible: text !== ""
    }
    // A command's progress and, when it failed, its error message.
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
            color: fb.command && !fb.command.running && !fb.command.succeeded ? Theme.stateDown : Theme.textDim
            text: !fb.command ? "" : fb.command.running ? qsTr("Working…")
                : fb.command.succeeded ? fb.doneText
                : qsTr("Failed: %1").arg(fb.command.errorMessage || fb.command.errorCode)
        }
    }

    property RegularExpressionValidator prefixValidator: RegularExpressionValidator {
        regularExpression: /[0-9A-Fa-f:.\/]*/
    }
    property RegularExpressionValidator portsValidator: RegularExpressionValidator {
        regularExpression: /[0-9-]*/
    }
    readonly property var viaOptions: {
        const out = [{ value: "", label: qsTr("Around the bond") }]
        for (const n of page.wanNames)
            out.push({ value: n, label: n })
        return out
    }

    ColumnLayout {
        id: column
        width: parent.width
        spacing: Theme.spacing

        Note {
            objectName: "staleNote"
            visible: page.stale
            color: Theme.stateDegraded
            text: qsTr("Not connected to the router: what you see may be out of date.")
        }

        // ---- where LAN traffic goes now ----------------------------------------------------
        Heading { text: qsTr("LAN traffic now") }
        Card {
            Layout.fillWidth: true
            ColumnLayout {
                id: pathColumn
                width: parent.width
                Label {
                    objectName: "pathText"
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    font.pixelSize: Theme.fontTitle
                    color: page.stale ? Theme.textDim
                         : page.routing.path === "blocked" || page.routing.path === "none" ? Theme.stateDown : Theme.stateUp
                    text: page.pathText(page.routing.path)
                }
                Body {
                    objectName: "reasonText"
                    text: page.routing.reason || ""
                }
                Body {
                    visible: (page.routing.lanWans || []).length > 0
                    text: qsTr("Usable WANs, best first: %1").arg((page.routing.lanWans || []).join(", "))
                }
                Body {
                    visible: page.routing.shares !== undefined && page.routing.shares !== null
                             && Object.keys(page.routing.shares).length > 0
                    text: {
                        const s = page.routing.shares || {}
                        return qsTr("Shares: %1").arg(Object.keys(s).map(k => k + " " + s[k]).join(", "))
                    }
                }
                Note {
                    color: Theme.stateDown
                    text: page.routing.error ? qsTr("Routing error: %1").arg(page.routing.error) : ""
                }
            }
        }

        // ---- policy and kill switch --------------------------------------------------------
        Heading { text: qsTr("Policy") }
        Note {
            objectName: "roleNote"
            text: Backend.canAdmin ? "" : qsTr("Only an admin can change the policy, the kill switch and the bypass rules.")
        }
        ChoiceFlow {
            objectName: "policy"
            options: [
                { value: "bonded", label: qsTr("Bonded") },
                { value: "failover", label: qsTr("Failover") },
                { value: "balance", label: qsTr("Balance") }
            ]
            value: page.routing.policy || ""
            enabled: Backend.canAdmin && !page.stale
            busy: page.policyCommand !== null && page.policyCommand.running
            onPicked: (v) => {
                if (v !== page.routing.policy)
                    page.policyCommand = Backend.call("routing.set_policy", { policy: v })
            }
        }
        Note {
            text: page.routing.policy === "bonded" ? qsTr("All LAN traffic goes through the engine's tunnel; when it is down, the LAN falls back to the WANs unless the kill switch is on.")
                : page.routing.policy === "balance" ? qsTr("New connections are spread over the healthy WANs of the best tier by weight.")
                : page.routing.policy === "failover" ? qsTr("The best healthy WAN carries everything; the next takes over when it fails.")
                : ""
        }
        Feedback { command: page.policyCommand }

        SwSwitch {
            id: killSwitch
            objectName: "killSwitch"
            Layout.fillWidth: true
            text: qsTr("Kill switch")
            checked: page.routing.killSwitch === true
            enabled: Backend.canAdmin && !page.stale
            busy: page.killCommand !== null && page.killCommand.running
            onToggled: {
                const want = checked
                checked = Qt.binding(() => page.routing.killSwitch === true)
                page.killCommand = Backend.call("routing.set_kill_switch", { enabled: want })
            }
        }
        Note {
            text: qsTr("When the bond is down, the kill switch blocks the LAN instead of falling back to the WANs. Bypass rules keep working.")
        }
        Feedback { command: page.killCommand }

        // ---- bypass rules ------------------------------------------------------------------
        Heading { text: qsTr("Bypass rules") }
        Note {
            text: qsTr("Traffic matching a rule goes through the WAN you choose, or around the bond through the best healthy WAN. A connection keeps the path it started on.")
        }
        Note {
            objectName: "noRules"
            text: page.rules.length === 0 ? qsTr("No bypass rules.") : ""
        }
        Repeater {
            model: page.rules
            // qmllint disable unqualified
            delegate: Card {
                id: ruleRow
                required property var modelData
                Layout.fillWidth: true
                ColumnLayout {
                    id: ruleLayout
                    width: parent.width
                    Label {
                        Layout.fillWidth: true
                        color: page.stale ? Theme.textDim : Theme.text
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                        text: ruleRow.modelData.name
                        wrapMode: Text.Wrap
                    }
                    Label {
                        Layout.fillWidth: true
                        color: page.stale ? Theme.textDim : Theme.text
                        font.pixelSize: Theme.fontBody
                        text: page.ruleSummary(ruleRow.modelData)
                        wrapMode: Text.Wrap
                    }
                    Flow {
                        Layout.fillWidth: true
                        spacing: Theme.spacing
                        SwButton {
                            objectName: "editRule_" + ruleRow.modelData.name
                            text: qsTr("Edit")
                            enabled: Backend.canAdmin
                            onClicked: page.openForm(ruleRow.modelData)
                        }
                        SwButton {
                            objectName: "deleteRule_" + ruleRow.modelData.name
                            text: page.confirmDelete === ruleRow.modelData.name ? qsTr("Really delete") : qsTr("Delete")
                            enabled: Backend.canAdmin
                            onClicked: {
                                if (page.confirmDelete !== ruleRow.modelData.name) {
                                    page.confirmDelete = ruleRow.modelData.name
                                    return
                                }
                                page.confirmDelete = ""
                                page.deleteCommand = Backend.call("routing.bypass.delete", { name: ruleRow.modelData.name })
                            }
                        }
                        SwButton {
                            visible: page.confirmDelete === ruleRow.modelData.name
                            text: qsTr("Keep")
                            onClicked: page.confirmDelete = ""
                        }
                    }
                }
            }
            // qmllint enable unqualified
        }
        Feedback { command: page.deleteCommand }

        SwButton {
            objectName: "addRule"
            visible: !page.formOpen
            text: qsTr("Add a rule")
            enabled: Backend.canAdmin
            onClicked: page.openForm(null)
        }

        // ---- the rule form ----------------------------------------------------------------
        Card {
            objectName: "ruleForm"
            visible: page.formOpen
            Layout.fillWidth: true
            GridLayout {
                id: form
                width: parent.width
                columns: width > 560 ? 2 : 1
                columnSpacing: Theme.spacing
                rowSpacing: Theme.spacing / 2

                Label {
                    Layout.columnSpan: form.columns
                    Layout.fillWidth: true
                    color: Theme.text
                    font.pixelSize: Theme.fontBody
                    font.bold: true
                    text: page.editing === "" ? qsTr("New bypass rule") : qsTr("Change rule “%1”").arg(page.editing)
                }
                Label { text: qsTr("Name"); color: Theme.text; font.pixelSize: Theme.fontBody }
                SwTextField {
                    id: nameField
                    objectName: "ruleName"
                    Layout.fillWidth: true
                    kind: "name"
                    enterAction: "next"
                    enabled: page.editing === ""
                    placeholderText: qsTr("e.g. console")
                    maximumLength: 32
                }
                Label { text: qsTr("Source (LAN host or subnet)"); color: Theme.text; font.pixelSize: Theme.fontBody }
                SwTextField {
                    id: sourceField
                    objectName: "ruleSource"
                    Layout.fillWidth: true
                    placeholderText: qsTr("any, or 192.168.1.50, 192.168.1.0/24")
                    maximumLength: 50
                    kind: "ip"
                    enterAction: "next"
                    validator: page.prefixValidator
                    invalid: page.formError.indexOf(qsTr("Source")) === 0
                }
                Label { text: qsTr("Destination"); color: Theme.text; font.pixelSize: Theme.fontBody }
                SwTextField {
                    id: destinationField
                    objectName: "ruleDestination"
                    Layout.fillWidth: true
                    placeholderText: qsTr("any, or 203.0.113.0/24")
                    maximumLength: 50
                    kind: "ip"
                    enterAction: "next"
                    validator: page.prefixValidator
                    invalid: page.formError.indexOf(qsTr("Destination")) === 0
                }
                Label { text: qsTr("Protocol"); color: Theme.text; font.pixelSize: Theme.fontBody }
                ChoiceFlow {
                    id: protocolBox
                    objectName: "ruleProtocol"
                    options: [
                        { value: "any", label: qsTr("Any") },
                        { value: "tcp", label: qsTr("TCP") },
                        { value: "udp", label: qsTr("UDP") }
                    ]
                    value: "any"
                    onPicked: (v) => protocolBox.value = v
                }
                Label { text: qsTr("Destination ports"); color: Theme.text; font.pixelSize: Theme.fontBody }
                SwTextField {
                    id: portsField
                    objectName: "rulePorts"
                    Layout.fillWidth: true
                    kind: "ip"
                    validator: page.portsValidator
                    placeholderText: qsTr("any, or 443, or 8000-8100")
                    maximumLength: 11
                    invalid: page.formError.indexOf(qsTr("Ports")) === 0
                }
                Label { text: qsTr("Send through"); color: Theme.text; font.pixelSize: Theme.fontBody }
                ChoiceFlow {
                    id: viaBox
                    objectName: "ruleVia"
                    options: page.viaOptions
                    value: ""
                    onPicked: (v) => viaBox.value = v
                }
                Label {
                    objectName: "ruleError"
                    Layout.columnSpan: form.columns
                    Layout.fillWidth: true
                    visible: text !== ""
                    wrapMode: Text.Wrap
                    color: Theme.stateDown
                    font.pixelSize: Theme.fontBody
                    text: page.formError
                }
                Note {
                    Layout.columnSpan: form.columns
                    text: page.isIpv6(sourceField.text + destinationField.text)
                          ? qsTr("IPv6 rules are saved, but SmoothWAN does not route IPv6 yet.") : ""
                }
                Feedback {
                    Layout.columnSpan: form.columns
                    command: page.ruleCommand
                }
                Flow {
                    Layout.columnSpan: form.columns
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    SwButton {
                        objectName: "saveRule"
                        text: page.editing === "" ? qsTr("Add rule") : qsTr("Save")
                        enabled: Backend.canAdmin && !(page.ruleCommand && page.ruleCommand.running)
                        onClicked: page.submitForm()
                    }
                    SwButton {
                        objectName: "cancelRule"
                        text: qsTr("Cancel")
                        onClicked: {
                            page.formOpen = false
                            page.formError = ""
                        }
                    }
                }
            }
        }
    }
}
