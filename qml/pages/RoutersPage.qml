// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts
import SmoothWAN.Client
import SmoothWAN.Ui

// Desktop mode: the saved routers (AppSettings.routers), adding and removing them, signing in
// with a user name and password or a device token, and the certificate check: on the first
// connection to a router, and whenever its certificate changed, nothing more happens until the
// user has compared the fingerprint with the router's own screen and confirmed it.
ScrollPage {
    id: page
    objectName: "routersPage"
    title: qsTr("Routers")
    stale: false
    signal openPage(string name)

    // The connection this page drives; Backend, or a stand-in in tests.
    property var client: Backend
    property var routers: AppSettings.routers

    property int loginRow: -1          // the saved router whose sign-in form is open
    property bool useToken: false
    property int confirmRemove: -1
    property bool adding: false
    property string addError: ""
    property bool comparedChecked: false
    property int revision: 0            // bumped when the router list changes (model → JS)

    readonly property string pinState: page.client ? (page.client.pinState || "none") : "none"
    readonly property bool pinQuestion: page.pinState === "unknown" || page.pinState === "mismatch"
    readonly property var savedRouters: {
        page.revision
        const out = []
        const n = page.routers ? page.routers.count : 0   // a binding on count: adds and removes
        for (let i = 0; i < n; ++i)
            out.push(page.routers.get(i))
        return out
    }
    // The fingerprint pinned for the router we are connecting to (from the pins file).
    readonly property string pinnedFingerprint: {
        const url = page.client ? page.client.url : ""
        for (const r of page.savedRouters) {
            if (r.url === url && r.fingerprint)
                return r.fingerprint
        }
        const m = /pinned ([0-9A-Fa-f:…]+)/.exec(page.client ? page.client.statusMessage || "" : "")
        return m ? m[1] : ""
    }

    onPinStateChanged: page.comparedChecked = false

    // "192.168.1.1" → "wss://192.168.1.1:8443"; "localhost" → "ws://127.0.0.1:8443"; a ws:// or
    // wss:// URL is kept. Returns "" for something that is not an address.
    // One rule for the UI and the command line (RouterListModel::normalizeUrl).
    function normalizeUrl(text) {
        return AppSettings.routers.normalizeUrl(text)
    }
    function addRouter() {
        const url = page.normalizeUrl(urlField.text)
        if (url === "") {
            page.addError = qsTr("Address: write the router's IP address or name, e.g. 192.168.1.1 or wss://router.lan:8443.")
            return
        }
        const name = nameField.text.trim() || url.replace(/^wss?:\/\//, "")
        page.routers.add(name, url)
        page.revision++
        page.addError = ""
        page.adding = false
        nameField.text = ""
        urlField.text = ""
    }
    function connectRow(row) {
        const r = page.savedRouters[row]
        if (!r)
            return
        if (page.useToken) {
            page.client.connectToRouter(r.url, tokenField.text.trim())
        } else {
            page.client.login(r.url, userField.text.trim(), passwordField.text)
            if (page.routers) {
                page.routers.setLastUser(row, userField.text.trim())
                page.revision++
            }
        }
        passwordField.text = ""
        tokenField.text = ""
    }
    // "AA:BB:CC:…" in groups of 8 bytes per line, so two fingerprints can be compared by eye.
    function groupedFingerprint(fp) {
        const bytes = (fp || "").split(":")
        const lines = []
        for (let i = 0; i < bytes.length; i += 8)
            lines.push(bytes.slice(i, i + 8).join(":"))
        return lines.join("\n")
    }
    function statusText(s) {
        switch (s) {
        case "ready": return qsTr("Connected")
        case "connecting": return qsTr("Connecting…")
        case "authenticating": return qsTr("Signing in…")
        case "syncing": return qsTr("Loading…")
        case "stale": return qsTr("Connection lost, retrying")
        default: return qsTr("Not connected")
        }
    }

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
    component Fingerprint: TextEdit {
        Layout.fillWidth: true
        readOnly: true
        selectByMouse: true
        wrapMode: TextEdit.WrapAnywhere
        font.family: "monospace"
        font.pixelSize: Theme.fontLarge
        font.bold: true
        color: Theme.text
    }

    ColumnLayout {
        width: parent.width
        spacing: Theme.spacing

        // ---- the certificate check ---------------------------------------------------------------
        Rectangle {
            objectName: "pinPanel"
            visible: page.pinQuestion
            Layout.fillWidth: true
            implicitHeight: pinColumn.implicitHeight + 2 * Theme.padding
            radius: Theme.radius
            color: Theme.surface
            border.width: 3
            border.color: page.pinState === "mismatch" ? Theme.danger : Theme.warning
            ColumnLayout {
                id: pinColumn
                x: Theme.padding
                y: Theme.padding
                width: parent.width - 2 * Theme.padding
                spacing: Theme.spacing
                Text {
                    objectName: "pinTitle"
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    font.pixelSize: Theme.fontTitle
                    font.bold: true
                    color: page.pinState === "mismatch" ? Theme.danger : Theme.text
                    text: page.pinState === "mismatch" ? qsTr("Warning: this router's certificate has changed")
                                                       : qsTr("New router: check its fingerprint")
                }
                Body {
                    text: page.pinState === "mismatch"
                          ? qsTr("The router at %1 presents a different certificate from the one you trusted before. That is expected after the router was reinstalled or reset. Otherwise someone may be intercepting the connection: your password would go to them. Nothing has been sent yet.").arg(page.client ? page.client.url : "")
                          : qsTr("This is the first connection to %1. Before signing in, compare the fingerprint below with the one on the router's touchscreen (System → Security). Nothing has been sent yet.").arg(page.client ? page.client.url : "")
                }
                Note {
                    visible: page.pinState === "mismatch"
                    text: qsTr("Trusted before:")
                }
                Fingerprint {
                    objectName: "pinnedFingerprint"
                    visible: page.pinState === "mismatch"
                    color: Theme.textDim
                    text: page.pinnedFingerprint !== "" ? page.groupedFingerprint(page.pinnedFingerprint) : qsTr("(not known)")
                }
                Note {
                    text: page.pinState === "mismatch" ? qsTr("Presented now:") : qsTr("Presented by the router:")
                }
                Fingerprint {
                    objectName: "presentedFingerprint"
                    text: page.groupedFingerprint(page.client ? page.client.serverFingerprint : "")
                }
                SwSwitch {
                    id: compared
                    objectName: "comparedSwitch"
                    Layout.fillWidth: true
                    text: qsTr("I compared it with the router's screen and it matches")
                    checked: page.comparedChecked
                    onToggled: page.comparedChecked = checked
                }
                Flow {
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    SwButton {
                        objectName: "trustButton"
                        text: page.pinState === "mismatch" ? qsTr("Trust the new certificate") : qsTr("Trust and connect")
                        highlighted: true
                        danger: page.pinState === "mismatch"
                        enabled: page.comparedChecked
                        onClicked: {
                            page.comparedChecked = false
                            page.client.trustServer()
                        }
                    }
                    SwButton {
                        objectName: "distrustButton"
                        text: qsTr("Do not connect")
                        onClicked: {
                            page.comparedChecked = false
                            page.client.disconnectFromRouter()
                        }
                    }
                }
            }
        }

        // ---- the current connection ------------------------------------------------------------
        Card {
            Layout.fillWidth: true
            title: qsTr("Connection")
            Text {
                objectName: "connectionStatus"
                width: parent.width
                wrapMode: Text.Wrap
                color: page.client && page.client.status === "ready" ? Theme.stateUp : Theme.text
                font.pixelSize: Theme.fontLarge
                text: page.client && page.client.url
                      ? qsTr("%1 — %2").arg(page.statusText(page.client.status)).arg(page.client.url)
                      : qsTr("Not connected to a router")
            }
            Text {
                width: parent.width
                visible: text !== ""
                wrapMode: Text.Wrap
                color: Theme.textDim
                font.pixelSize: Theme.fontBody
                text: page.client && page.client.status === "ready" && page.client.user
                      ? qsTr("Signed in as %1 (%2)").arg(page.client.user).arg(page.client.role)
                      : (page.client ? page.client.statusMessage || "" : "")
            }
            Flow {
                width: parent.width
                spacing: Theme.spacing
                visible: page.client && !!page.client.url
                SwButton {
                    text: qsTr("Open dashboard")
                    visible: page.client && page.client.status === "ready"
                    highlighted: true
                    onClicked: page.openPage("dashboard")
                }
                SwButton {
                    objectName: "disconnectButton"
                    text: qsTr("Disconnect")
                    onClicked: page.client.disconnectFromRouter()
                }
            }
        }

        // ---- saved routers ------------------------------------------------------------------------
        Text {
            Layout.fillWidth: true
            Layout.topMargin: Theme.spacing
            text: qsTr("Saved routers")
            color: Theme.text
            font.pixelSize: Theme.fontTitle
        }
        Note {
            objectName: "noRouters"
            text: page.savedRouters.length === 0 ? qsTr("No routers yet. Add one with its address.") : ""
        }
        Repeater {
            model: page.savedRouters
            // Qt 6.4's qmllint cannot see outer ids from a delegate (pragma ComponentBehavior:
            // Bound is 6.5); they resolve at run time.
            // qmllint disable unqualified
            delegate: Card {
                id: routerCard
                required property var modelData
                required property int index
                objectName: "router_" + index
                Layout.fillWidth: true
                title: modelData.name || modelData.url
                Text {
                    width: parent.width
                    wrapMode: Text.WrapAnywhere
                    color: Theme.text
                    font.pixelSize: Theme.fontBody
                    text: routerCard.modelData.url + (routerCard.modelData.user ? qsTr("  ·  last user %1").arg(routerCard.modelData.user) : "")
                }
                Text {
                    width: parent.width
                    wrapMode: Text.WrapAnywhere
                    color: Theme.textDim
                    font.pixelSize: Theme.fontSmall
                    font.family: "monospace"
                    text: routerCard.modelData.fingerprint ? qsTr("Pinned certificate %1").arg(routerCard.modelData.fingerprint)
                          : routerCard.modelData.url.indexOf("wss://") === 0 ? qsTr("Certificate not pinned yet: checked on the first connection.")
                          : qsTr("Unencrypted (loopback only).")
                }
                Flow {
                    width: parent.width
                    spacing: Theme.spacing
                    SwButton {
                        objectName: "connectRouter_" + routerCard.index
                        text: qsTr("Sign in…")
                        highlighted: page.loginRow !== routerCard.index
                        onClicked: {
                            page.loginRow = page.loginRow === routerCard.index ? -1 : routerCard.index
                            userField.text = routerCard.modelData.user || ""
                        }
                    }
                    SwButton {
                        objectName: "removeRouter_" + routerCard.index
                        text: page.confirmRemove === routerCard.index ? qsTr("Really remove") : qsTr("Remove")
                        danger: true
                        onClicked: {
                            if (page.confirmRemove !== routerCard.index) {
                                page.confirmRemove = routerCard.index
                                return
                            }
                            // Removing the row destroys this delegate: keep what is needed.
                            const p = page
                            const row = routerCard.index
                            p.confirmRemove = -1
                            p.loginRow = -1
                            p.routers.remove(row)
                            p.revision++
                        }
                    }
                    SwButton {
                        visible: page.confirmRemove === routerCard.index
                        text: qsTr("Keep")
                        onClicked: page.confirmRemove = -1
                    }
                }
            }
            // qmllint enable unqualified
        }

        // ---- sign-in form for the chosen router -----------------------------------------------
        Card {
            objectName: "loginForm"
            visible: page.loginRow >= 0 && page.loginRow < page.savedRouters.length
            Layout.fillWidth: true
            title: visible ? qsTr("Sign in to %1").arg(page.savedRouters[page.loginRow].name || page.savedRouters[page.loginRow].url) : ""
            SwSwitch {
                objectName: "useTokenSwitch"
                width: parent.width
                text: qsTr("Use a device token instead of a password")
                checked: page.useToken
                onToggled: page.useToken = checked
            }
            SwTextField {
                id: userField
                objectName: "userField"
                width: parent.width
                visible: !page.useToken
                kind: "name"
                enterAction: "next"
                placeholderText: qsTr("User name")
            }
            SwTextField {
                id: passwordField
                objectName: "passwordField"
                width: parent.width
                visible: !page.useToken
                kind: "password"
                enterAction: "go"
                placeholderText: qsTr("Password")
                onAccepted: page.connectRow(page.loginRow)
            }
            SwTextField {
                id: tokenField
                objectName: "tokenField"
                width: parent.width
                visible: page.useToken
                kind: "password"
                enterAction: "go"
                placeholderText: qsTr("Device token (64 hex digits, from System → Device tokens)")
                onAccepted: page.connectRow(page.loginRow)
            }
            SwButton {
                objectName: "signInButton"
                text: qsTr("Connect")
                highlighted: true
                enabled: page.useToken ? tokenField.text.trim() !== "" : userField.text.trim() !== "" && passwordField.text !== ""
                onClicked: page.connectRow(page.loginRow)
            }
        }

        // ---- add a router ---------------------------------------------------------------------------
        SwButton {
            objectName: "addRouterButton"
            visible: !page.adding
            text: qsTr("Add a router")
            onClicked: page.adding = true
        }
        Card {
            objectName: "addForm"
            visible: page.adding
            Layout.fillWidth: true
            title: qsTr("Add a router")
            SwTextField {
                id: nameField
                objectName: "routerName"
                width: parent.width
                kind: "text"
                enterAction: "next"
                placeholderText: qsTr("Name (e.g. Van router)")
                maximumLength: 64
            }
            SwTextField {
                id: urlField
                objectName: "routerUrl"
                width: parent.width
                kind: "url"
                enterAction: "done"
                placeholderText: qsTr("Address (e.g. 192.168.1.1 or wss://router.lan:8443)")
                onAccepted: page.addRouter()
            }
            Text {
                width: parent.width
                wrapMode: Text.Wrap
                color: Theme.textDim
                font.pixelSize: Theme.fontSmall
                text: page.normalizeUrl(urlField.text) !== "" ? qsTr("Will connect to %1").arg(page.normalizeUrl(urlField.text)) : ""
                visible: text !== ""
            }
            Text {
                objectName: "addError"
                width: parent.width
                wrapMode: Text.Wrap
                visible: text !== ""
                color: Theme.danger
                font.pixelSize: Theme.fontBody
                text: page.addError
            }
            Flow {
                width: parent.width
                spacing: Theme.spacing
                SwButton {
                    objectName: "saveRouter"
                    text: qsTr("Add")
                    highlighted: true
                    onClicked: page.addRouter()
                }
                SwButton {
                    text: qsTr("Cancel")
                    onClicked: {
                        page.adding = false
                        page.addError = ""
                    }
                }
            }
        }
        Note {
            text: qsTr("The router's API listens on its LAN addresses only when api.listen includes them (System → Remote access). Encrypted connections (wss://) check the router's certificate against the one pinned on first use.")
        }
    }
}
