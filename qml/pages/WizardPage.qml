// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts
import SmoothWAN.Client
import SmoothWAN.Ui

// The first-run wizard: admin password (when the router has no admin yet), the connections
// found, their priorities, the engine and its login, then a summary. Nothing is written to the
// router until "Apply" on the summary; then the steps run in order, each with its progress and
// error, and a failure stops the run and says what was done and what was not. The draft (never a
// password) is kept in AppSettings.wizardDraft, so the wizard can be resumed after a restart.
ScrollPage {
    id: page
    objectName: "wizardPage"
    title: qsTr("Setup")
    stale: !Backend.live
    signal openPage(string name)

    // ---- the draft ----------------------------------------------------------------------------
    property var draft: page.emptyDraft()
    property string adminPassword: ""
    property string adminPassword2: ""
    property string speedifyPassword: ""
    property string stepError: ""
    property bool resumed: false
    property bool confirmStartOver: false

    // ---- the run --------------------------------------------------------------------------------
    property var planned: []          // [{label, type, args}] frozen when Apply is pressed
    property var statuses: []         // "pending" | "running" | "done" | "failed" per planned step
    property var errors: []           // the error message per step
    property bool running: false
    property int failedAt: -1
    property bool finishedAll: false
    property var currentCommand: null

    readonly property var candidates: Backend.candidates || []
    readonly property var wans: Backend.wans || []
    readonly property var engine: Backend.engine || ({})
    readonly property var routing: Backend.routing || ({})
    readonly property var steps: {
        const s = ["welcome"]
        if (Backend.setupRequired)
            s.push("admin")
        s.push("connections", "priorities", "engine", "summary")
        return s
    }
    readonly property int stepIndex: Math.max(0, page.steps.indexOf(page.draft.step))
    readonly property string step: page.steps[page.stepIndex]

    function emptyDraft() {
        return { step: "welcome", adminUser: "admin", adopt: {}, tiers: {}, engine: "", speedifyLogin: "account",
                 speedifyUser: "", bonded: true }
    }
    function saveDraft() {
        AppSettings.wizardDraft = JSON.stringify(page.draft)
    }
    function loadDraft() {
        try {
            const text = AppSettings.wizardDraft
            if (!text)
                return
            const d = JSON.parse(text)
            const merged = page.emptyDraft()
            for (const k in d)
                merged[k] = d[k]
            page.draft = merged
            page.resumed = merged.step !== "welcome"
        } catch (e) {
            console.warn("wizard: ignoring an unreadable draft:", e)
        }
    }
    function clearDraft() {
        page.draft = page.emptyDraft()
        AppSettings.wizardDraft = ""
    }
    // Changes one member of the draft (a copy, so bindings see the change) and keeps it.
    function setDraft(key, value) {
        const d = Object.assign({}, page.draft)
        d[key] = value
        page.draft = d
        page.saveDraft()
    }
    function setAdopt(iface, key, value) {
        const adopt = Object.assign({}, page.draft.adopt)
        const entry = Object.assign({ selected: false, name: page.defaultName(iface), priority: "always", metered: false },
                                    adopt[iface] || {})
        entry[key] = value
        adopt[iface] = entry
        page.setDraft("adopt", adopt)
    }
    function adoptOf(iface) {
        return Object.assign({ selected: false, name: page.defaultName(iface), priority: "always", metered: false },
                             page.draft.adopt[iface] || {})
    }
    function tierOf(wan) {
        return page.draft.tiers[wan.name] || wan.priority || "always"
    }
    function setTier(name, tier) {
        const tiers = Object.assign({}, page.draft.tiers)
        tiers[name] = tier
        page.setDraft("tiers", tiers)
    }
    function engineChoice() {
        if (page.draft.engine !== "")
            return page.draft.engine
        return page.engine.type === "speedify" || page.engine.type === "none" || !page.engine.type ? (page.engine.type || "none") : "keep"
    }
    function defaultName(iface) {
        let n = String(iface).replace(/[^A-Za-z0-9_-]/g, "-").replace(/^[^A-Za-z0-9]+/, "")
        return (n || "wan").slice(0, 32)
    }
    function validName(s) {
        return /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(s)
    }
    function selectedCandidates() {
        return page.candidates.filter(c => page.adoptOf(c.interface).selected)
    }

    // ---- moving between steps (each step checks its own fields) ---------------------------------
    function checkStep(name) {
        if (name === "admin") {
            if (!page.validName(page.draft.adminUser))
                return qsTr("User name: 1 to 32 letters, digits, “-” or “_”, starting with a letter or digit.")
            if (page.adminPassword.length < 8)
                return qsTr("The admin password needs at least 8 characters.")
            if (page.adminPassword !== page.adminPassword2)
                return qsTr("The two passwords differ.")
        }
        if (name === "connections") {
            const names = page.wans.map(w => w.name)
            for (const c of page.selectedCandidates()) {
                const n = page.adoptOf(c.interface).name
                if (!page.validName(n))
                    return qsTr("Name for %1: 1 to 32 letters, digits, “-” or “_”, starting with a letter or digit.").arg(c.interface)
                if (names.indexOf(n) >= 0)
                    return qsTr("The name “%1” is used twice.").arg(n)
                names.push(n)
            }
        }
        if (name === "engine" && page.engineChoice() === "speedify" && page.draft.speedifyLogin === "account"
                && page.speedifyPassword !== "" && page.draft.speedifyUser.trim() === "")
            return qsTr("Give the Speedify account's e-mail, or choose to log in later.")
        return ""
    }
    function next() {
        page.stepError = page.checkStep(page.step)
        if (page.stepError !== "")
            return
        page.confirmStartOver = false
        if (page.stepIndex + 1 < page.steps.length)
            page.setDraft("step", page.steps[page.stepIndex + 1])
    }
    function goBack() {
        page.stepError = ""
        if (page.stepIndex > 0)
            page.setDraft("step", page.steps[page.stepIndex - 1])
    }
    function goTo(name) {
        page.stepError = ""
        page.confirmStartOver = false
        page.setDraft("step", name)
    }

    // ---- the plan: what Apply will send, in order ------------------------------------------------
    function plan() {
        const out = []
        if (Backend.setupRequired)
            out.push({ label: qsTr("Create the admin “%1”").arg(page.draft.adminUser), type: "users.setup",
                       args: { username: page.draft.adminUser, password: page.adminPassword } })
        for (const c of page.selectedCandidates()) {
            const a = page.adoptOf(c.interface)
            out.push({ label: qsTr("Add %1 as WAN “%2” (%3)").arg(c.interface).arg(a.name).arg(Theme.tierLabel(a.priority)),
                       type: "wan.adopt",
                       args: { name: a.name, interface: c.interface, priority: a.priority, metered: a.metered === true } })
        }
        for (const w of page.wans) {
            const t = page.draft.tiers[w.name]
            if (t && t !== w.priority)
                out.push({ label: qsTr("Set %1 to %2").arg(w.name).arg(Theme.tierLabel(t)), type: "wan.set_priority",
                           args: { wan: w.name, priority: t } })
        }
        const choice = page.engineChoice()
        if (choice === "none") {
            if (page.routing.policy === "bonded")
                out.push({ label: qsTr("Route the LAN by failover"), type: "routing.set_policy", args: { policy: "failover" } })
            if (page.engine.type !== "none")
                out.push({ label: qsTr("Use no bonding engine"), type: "engine.set_type", args: { engine: "none" } })
        } else if (choice === "speedify") {
            if (page.engine.type !== "speedify")
                out.push({ label: qsTr("Use Speedify"), type: "engine.set_type", args: { engine: "speedify" } })
            if (page.draft.speedifyLogin === "account" && page.draft.speedifyUser.trim() !== "" && page.speedifyPassword !== "")
                out.push({ label: qsTr("Log in to Speedify as %1").arg(page.draft.speedifyUser.trim()), type: "engine.action",
                           args: { name: "login", args: { user: page.draft.speedifyUser.trim(), password: page.speedifyPassword } } })
            else if (page.draft.speedifyLogin === "auto")
                out.push({ label: qsTr("Log in to Speedify with a free account"), type: "engine.action", args: { name: "login_auto" } })
            if (page.draft.bonded && page.routing.policy !== "bonded")
                out.push({ label: qsTr("Send the LAN through the bond"), type: "routing.set_policy", args: { policy: "bonded" } })
        }
        return out
    }
    function apply() {
        if (Backend.setupRequired && page.checkStep("admin") !== "") {
            page.goTo("admin")
            page.stepError = page.adminPassword === "" ? qsTr("Type the admin password again (passwords are not kept in the draft).")
                                                       : page.checkStep("admin")
            return
        }
        const steps = page.plan()
        page.statuses = steps.map(() => "pending")
        page.errors = steps.map(() => "")
        page.planned = steps
        page.failedAt = -1
        page.finishedAll = false
        page.runFrom(0)
    }
    function runFrom(i) {
        if (i >= page.planned.length) {
            page.running = false
            page.finishedAll = true
            page.adminPassword = ""
            page.adminPassword2 = ""
            page.speedifyPassword = ""
            // Done: forget the draft (the page keeps showing the summary of what was applied).
            const d = page.emptyDraft()
            d.step = "summary"
            page.draft = d
            AppSettings.wizardDraft = ""
            return
        }
        page.running = true
        page.failedAt = -1
        page.setStatus(i, "running", "")
        const cmd = Backend.call(page.planned[i].type, page.planned[i].args)
        page.currentCommand = cmd
        cmd.finished.connect(function () {
            if (!page)   // the page was closed meanwhile
                return
            if (cmd.succeeded) {
                page.setStatus(i, "done", "")
                page.runFrom(i + 1)
            } else {
                page.setStatus(i, "failed", cmd.errorMessage || cmd.errorCode)
                page.failedAt = i
                page.running = false
            }
        })
    }
    function setStatus(i, status, error) {
        const s = page.statuses.slice()
        s[i] = status
        page.statuses = s
        const e = page.errors.slice()
        e[i] = error
        page.errors = e
    }
    function report() {
        if (page.finishedAll)
            return qsTr("Done: all %n step(s) applied.", "", page.planned.length)
        if (page.failedAt < 0)
            return ""
        const n = page.planned.length
        const done = page.failedAt === 0 ? qsTr("nothing") : qsTr("steps 1–%1").arg(page.failedAt)
        return qsTr("Stopped at step %1 of %2 (%3): %4. Applied: %5. Not applied: steps %1–%2.")
               .arg(page.failedAt + 1).arg(n).arg(page.planned[page.failedAt].label).arg(page.errors[page.failedAt]).arg(done)
    }

    Component.onCompleted: page.loadDraft()

    component Note: Text {
        Layout.fillWidth: true
        color: Theme.textDim
        font.pixelSize: Theme.fontSmall
        wrapMode: Text.Wrap
        visible: text !== ""
    }
    component Body: Text {
        Layout.fillWidth: true
        color: Theme.text
        font.pixelSize: Theme.fontBody
        wrapMode: Text.Wrap
    }
    component StepTitle: Text {
        Layout.fillWidth: true
        color: Theme.text
        font.pixelSize: Theme.fontTitle
        font.bold: true
        wrapMode: Text.Wrap
    }
    readonly property var tierOptions: [
        { value: "always", label: Theme.tierLabel("always") },
        { value: "secondary", label: Theme.tierLabel("secondary") },
        { value: "backup", label: Theme.tierLabel("backup") },
        { value: "never", label: Theme.tierLabel("never") }
    ]

    ColumnLayout {
        width: parent.width
        spacing: Theme.spacing

        Text {
            objectName: "stepCounter"
            Layout.fillWidth: true
            color: Theme.textDim
            font.pixelSize: Theme.fontSmall
            text: qsTr("Step %1 of %2").arg(page.stepIndex + 1).arg(page.steps.length)
        }

        // ---- welcome -----------------------------------------------------------------------------
        ColumnLayout {
            visible: page.step === "welcome"
            Layout.fillWidth: true
            spacing: Theme.spacing
            StepTitle { text: qsTr("Welcome to SmoothWAN") }
            Body {
                text: qsTr("A few questions set up this router: %1the internet connections it uses, which ones come first, and the bonding engine. Nothing changes on the router until you press Apply at the end.")
                      .arg(Backend.setupRequired ? qsTr("an admin password, ") : "")
            }
            Note {
                text: qsTr("You can stop at any time: your answers (not passwords) are kept on this device and the wizard continues where you left it.")
            }
        }

        // ---- admin ---------------------------------------------------------------------------------
        ColumnLayout {
            visible: page.step === "admin"
            Layout.fillWidth: true
            spacing: Theme.spacing
            StepTitle { text: qsTr("Admin account") }
            Body {
                text: qsTr("This account can change everything. Choose a password you do not use elsewhere.")
            }
            Text {
                Layout.fillWidth: true
                visible: !Backend.isLocal
                wrapMode: Text.Wrap
                color: Theme.warning
                font.pixelSize: Theme.fontBody
                text: qsTr("The admin can only be created on the router's own screen (or with smoothwanctl on the router). Apply will stop at this step from here.")
            }
            SwTextField {
                objectName: "adminUser"
                Layout.fillWidth: true
                kind: "name"
                enterAction: "next"
                placeholderText: qsTr("User name")
                text: page.draft.adminUser
                onTextChanged: if (text !== page.draft.adminUser) page.setDraft("adminUser", text)
            }
            SwTextField {
                objectName: "adminPassword"
                Layout.fillWidth: true
                kind: "password"
                enterAction: "next"
                placeholderText: qsTr("Password (at least 8 characters)")
                text: page.adminPassword
                onTextChanged: page.adminPassword = text
            }
            SwTextField {
                objectName: "adminPassword2"
                Layout.fillWidth: true
                kind: "password"
                enterAction: "done"
                placeholderText: qsTr("Password again")
                text: page.adminPassword2
                onTextChanged: page.adminPassword2 = text
            }
            Note {
                text: page.resumed && page.adminPassword === "" ? qsTr("Passwords are never kept in the draft: please type it again.") : ""
            }
        }

        // ---- connections ---------------------------------------------------------------------------
        ColumnLayout {
            visible: page.step === "connections"
            Layout.fillWidth: true
            spacing: Theme.spacing
            StepTitle { text: qsTr("Internet connections") }
            Body {
                text: page.candidates.length > 0 ? qsTr("These links look like internet connections. Choose the ones SmoothWAN should use and name them.")
                                                 : qsTr("No new connection found. Plug in a cable, a USB modem or a phone with USB tethering: it appears here within a few seconds.")
            }
            Repeater {
                model: page.candidates
                // Qt 6.4's qmllint cannot see outer ids from a delegate (pragma ComponentBehavior:
                // Bound is 6.5); they resolve at run time.
                // qmllint disable unqualified
                delegate: Card {
                    id: candidateCard
                    required property var modelData
                    readonly property var choice: page.adoptOf(modelData.interface)
                    objectName: "candidate_" + modelData.interface
                    Layout.fillWidth: true
                    title: modelData.interface + (modelData.kind ? " · " + modelData.kind : "")
                    Text {
                        width: parent.width
                        wrapMode: Text.Wrap
                        color: Theme.textDim
                        font.pixelSize: Theme.fontSmall
                        text: [(candidateCard.modelData.addresses || []).join(", "),
                               candidateCard.modelData.gateway ? qsTr("gateway %1").arg(candidateCard.modelData.gateway) : "",
                               candidateCard.modelData.mac || ""].filter(s => s !== "").join(" · ")
                    }
                    SwSwitch {
                        objectName: "use_" + candidateCard.modelData.interface
                        width: parent.width
                        text: qsTr("Use as a WAN")
                        checked: candidateCard.choice.selected
                        onToggled: page.setAdopt(candidateCard.modelData.interface, "selected", checked)
                    }
                    Text {
                        visible: candidateCard.choice.selected
                        width: parent.width
                        color: Theme.textDim
                        font.pixelSize: Theme.fontSmall
                        text: qsTr("Name (letters, digits, - and _)")
                    }
                    SwTextField {
                        objectName: "name_" + candidateCard.modelData.interface
                        visible: candidateCard.choice.selected
                        width: parent.width
                        kind: "name"
                        placeholderText: qsTr("Name, e.g. fibre or phone")
                        text: candidateCard.choice.name
                        onTextChanged: if (text !== candidateCard.choice.name) page.setAdopt(candidateCard.modelData.interface, "name", text)
                    }
                }
                // qmllint enable unqualified
            }
            Note {
                text: page.wans.length > 0 ? qsTr("Already set up: %1.").arg(page.wans.map(w => w.name).join(", ")) : ""
            }
        }

        // ---- priorities ----------------------------------------------------------------------------
        ColumnLayout {
            visible: page.step === "priorities"
            Layout.fillWidth: true
            spacing: Theme.spacing
            StepTitle { text: qsTr("Which connections come first") }
            Note {
                text: qsTr("Always: used all the time. Secondary: added when the Always links are not enough. Backup: only when the others fail. Never: not used for the LAN. Mark paid-by-volume links as metered: they are probed less often.")
            }
            Body {
                visible: page.selectedCandidates().length === 0 && page.wans.length === 0
                text: qsTr("No connections chosen yet: go back to choose some, or continue and add them later.")
            }
            Repeater {
                model: page.selectedCandidates()
                // qmllint disable unqualified
                delegate: Card {
                    id: newTier
                    required property var modelData
                    readonly property var choice: page.adoptOf(modelData.interface)
                    Layout.fillWidth: true
                    title: qsTr("%1 (new, %2)").arg(choice.name).arg(modelData.interface)
                    SegmentedPicker {
                        objectName: "tier_" + newTier.modelData.interface
                        width: Math.min(parent.width, Theme.touchTarget * 10)
                        options: page.tierOptions
                        currentValue: newTier.choice.priority
                        onActivated: (value) => page.setAdopt(newTier.modelData.interface, "priority", value)
                    }
                    SwSwitch {
                        width: parent.width
                        text: qsTr("Metered (paid by volume)")
                        checked: newTier.choice.metered === true
                        onToggled: page.setAdopt(newTier.modelData.interface, "metered", checked)
                    }
                }
                // qmllint enable unqualified
            }
            Repeater {
                model: page.wans
                // qmllint disable unqualified
                delegate: Card {
                    id: oldTier
                    required property var modelData
                    Layout.fillWidth: true
                    title: modelData.name
                    SegmentedPicker {
                        objectName: "tier_" + oldTier.modelData.name
                        width: Math.min(parent.width, Theme.touchTarget * 10)
                        options: page.tierOptions
                        currentValue: page.tierOf(oldTier.modelData)
                        onActivated: (value) => page.setTier(oldTier.modelData.name, value)
                    }
                }
                // qmllint enable unqualified
            }
        }

        // ---- engine ----------------------------------------------------------------------------------
        ColumnLayout {
            visible: page.step === "engine"
            Layout.fillWidth: true
            spacing: Theme.spacing
            StepTitle { text: qsTr("Bonding engine") }
            Body {
                text: qsTr("Speedify joins the connections into one faster, steadier link (it needs a Speedify account). Without an engine the router fails over between them or balances connections.")
            }
            SegmentedPicker {
                objectName: "engineChoice"
                Layout.fillWidth: true
                options: page.engine.type === "engarde" || page.engine.type === "tinyfec" || page.engine.type === "selfhosted"
                         ? [{ value: "keep", label: qsTr("Keep %1").arg(page.engine.type === "selfhosted" ? qsTr("self-hosted") : page.engine.type) },
                            { value: "speedify", label: "Speedify" }, { value: "none", label: qsTr("None") }]
                         : [{ value: "speedify", label: "Speedify" }, { value: "none", label: qsTr("None") }]
                currentValue: page.engineChoice()
                onActivated: (value) => page.setDraft("engine", value)
            }
            Note {
                text: qsTr("Engarde and tinyfecVPN need a server of your own: set them up later on the Engine page.")
            }
            ColumnLayout {
                visible: page.engineChoice() === "speedify"
                Layout.fillWidth: true
                spacing: Theme.spacing
                SegmentedPicker {
                    objectName: "speedifyLogin"
                    Layout.fillWidth: true
                    options: [
                        { value: "account", label: qsTr("My account") },
                        { value: "auto", label: qsTr("Free account") },
                        { value: "later", label: qsTr("Later") }
                    ]
                    currentValue: page.draft.speedifyLogin
                    onActivated: (value) => page.setDraft("speedifyLogin", value)
                }
                SwTextField {
                    objectName: "speedifyUser"
                    visible: page.draft.speedifyLogin === "account"
                    Layout.fillWidth: true
                    kind: "url"
                    // An e-mail address; SwTextField has no kind for it. qmllint (6.4) cannot type this property.
                    // qmllint disable
                    inputMethodHints: Qt.ImhEmailCharactersOnly | Qt.ImhNoAutoUppercase | Qt.ImhNoPredictiveText
                    // qmllint enable
                    enterAction: "next"
                    placeholderText: qsTr("Speedify e-mail")
                    text: page.draft.speedifyUser
                    onTextChanged: if (text !== page.draft.speedifyUser) page.setDraft("speedifyUser", text)
                }
                SwTextField {
                    objectName: "speedifyPassword"
                    visible: page.draft.speedifyLogin === "account"
                    Layout.fillWidth: true
                    kind: "password"
                    placeholderText: qsTr("Speedify password")
                    text: page.speedifyPassword
                    onTextChanged: page.speedifyPassword = text
                }
                SwSwitch {
                    objectName: "bondedSwitch"
                    Layout.fillWidth: true
                    text: qsTr("Send all LAN traffic through the bond")
                    checked: page.draft.bonded
                    onToggled: page.setDraft("bonded", checked)
                }
            }
        }

        // ---- summary ----------------------------------------------------------------------------------
        ColumnLayout {
            visible: page.step === "summary"
            Layout.fillWidth: true
            spacing: Theme.spacing
            StepTitle { text: page.finishedAll ? qsTr("All set") : qsTr("Summary") }
            Body {
                visible: page.planned.length === 0 && !page.finishedAll
                text: page.plan().length === 0 ? qsTr("Nothing to change.") : qsTr("Apply makes these changes, in this order:")
            }
            Repeater {
                model: page.planned.length > 0 ? page.planned : page.plan()
                // qmllint disable unqualified
                delegate: RowLayout {
                    id: planRow
                    required property var modelData
                    required property int index
                    readonly property string status: page.planned.length > 0 ? page.statuses[index] || "pending" : "pending"
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    Item {
                        implicitWidth: Theme.iconSize
                        implicitHeight: Theme.iconSize
                        Spinner {
                            anchors.fill: parent
                            visible: planRow.status === "running"
                            running: visible
                        }
                        Text {
                            anchors.centerIn: parent
                            visible: planRow.status !== "running"
                            font.pixelSize: Theme.fontBody
                            font.bold: true
                            color: planRow.status === "done" ? Theme.stateUp : planRow.status === "failed" ? Theme.danger : Theme.textDim
                            text: planRow.status === "done" ? "✓" : planRow.status === "failed" ? "✗" : String(planRow.index + 1)
                        }
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 0
                        Text {
                            objectName: "step_" + planRow.index
                            Layout.fillWidth: true
                            wrapMode: Text.Wrap
                            color: planRow.status === "pending" ? Theme.text : planRow.status === "failed" ? Theme.danger : Theme.textDim
                            font.pixelSize: Theme.fontBody
                            text: planRow.modelData.label
                        }
                        Text {
                            Layout.fillWidth: true
                            visible: text !== ""
                            wrapMode: Text.Wrap
                            color: Theme.danger
                            font.pixelSize: Theme.fontSmall
                            text: page.planned.length > 0 ? page.errors[planRow.index] || "" : ""
                        }
                    }
                }
                // qmllint enable unqualified
            }
            Note {
                visible: !page.finishedAll && page.engineChoice() === "speedify" && page.draft.speedifyLogin === "account"
                         && page.speedifyPassword === ""
                text: qsTr("No Speedify password typed: log in later on the Engine page.")
            }
            Text {
                objectName: "wizardReport"
                Layout.fillWidth: true
                visible: text !== ""
                wrapMode: Text.Wrap
                font.pixelSize: Theme.fontBody
                font.bold: true
                color: page.finishedAll ? Theme.stateUp : Theme.danger
                text: page.report()
            }
            Flow {
                Layout.fillWidth: true
                spacing: Theme.spacing
                SwButton {
                    objectName: "applyButton"
                    visible: !page.finishedAll && page.failedAt < 0
                    text: qsTr("Apply")
                    highlighted: true
                    enabled: !page.running && !page.stale
                    busy: page.running
                    onClicked: page.apply()
                }
                SwButton {
                    objectName: "retryButton"
                    visible: page.failedAt >= 0 && !page.running
                    text: qsTr("Retry from step %1").arg(page.failedAt + 1)
                    highlighted: true
                    onClicked: page.runFrom(page.failedAt)
                }
                SwButton {
                    visible: page.failedAt >= 0 && !page.running
                    text: qsTr("Change answers")
                    onClicked: {
                        page.planned = []
                        page.failedAt = -1
                        page.goTo(page.steps[1])
                    }
                }
                SwButton {
                    objectName: "dashboardButton"
                    visible: page.finishedAll
                    text: qsTr("Open the dashboard")
                    highlighted: true
                    onClicked: page.openPage("dashboard")
                }
            }
        }

        Text {
            objectName: "stepError"
            Layout.fillWidth: true
            visible: text !== ""
            wrapMode: Text.Wrap
            color: Theme.danger
            font.pixelSize: Theme.fontBody
            text: page.stepError
        }

        // ---- navigation --------------------------------------------------------------------------------
        Flow {
            Layout.fillWidth: true
            spacing: Theme.spacing
            visible: !page.running && !page.finishedAll
            SwButton {
                objectName: "wizardBack"
                visible: page.stepIndex > 0 && page.planned.length === 0
                text: qsTr("Back")
                onClicked: page.goBack()
            }
            SwButton {
                objectName: "wizardNext"
                visible: page.step !== "summary"
                text: page.step === "welcome" ? (page.resumed ? qsTr("Continue") : qsTr("Start")) : qsTr("Next")
                highlighted: true
                onClicked: page.next()
            }
            SwButton {
                objectName: "startOver"
                visible: page.step !== "welcome" && page.planned.length === 0
                text: page.confirmStartOver ? qsTr("Really forget the answers") : qsTr("Start over")
                danger: true
                onClicked: {
                    if (!page.confirmStartOver) {
                        page.confirmStartOver = true
                        return
                    }
                    page.confirmStartOver = false
                    page.clearDraft()
                    page.adminPassword = ""
                    page.adminPassword2 = ""
                    page.speedifyPassword = ""
                    page.resumed = false
                }
            }
        }
    }
}
