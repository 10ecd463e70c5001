// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Layouts
import SmoothWAN.Client
import SmoothWAN.Ui

// System: the router's certificate fingerprint (to compare with a desktop client), one's own
// password, users and device tokens (admin), remote access (where the API listens), the
// configuration's health, versions and the theme.
ScrollPage {
    id: page
    objectName: "systemPage"
    title: qsTr("System")
    stale: !Backend.live
    signal openPage(string name)

    readonly property var system: Backend.system || ({})
    readonly property string fingerprint: page.system.tls && page.system.tls.fingerprint ? page.system.tls.fingerprint : ""
    readonly property var config: page.system.config || ({})

    property var users: []
    property var tokens: []
    property var usersCommand: null
    property var tokensCommand: null
    property var userCommand: null      // create / set_role / delete / set_password of others
    property var tokenCommand: null     // create / revoke
    property var passwordCommand: null  // own password
    property var configCommand: null
    property string newToken: ""        // shown once after tokens.create
    property string newTokenName: ""
    property bool copied: false
    property string confirmDeleteUser: ""
    property string confirmRevoke: ""
    property string resetUser: ""
    property string userError: ""
    property string tokenError: ""
    property string passwordError: ""
    property var listen: null           // {addresses: [...], port} from config.get

    function validName(s) {
        return /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/.test(s)
    }
    function validLabel(s) {
        return /^[A-Za-z0-9][A-Za-z0-9 ._'@+-]{0,63}$/.test(s) && s.indexOf("..") < 0
    }
    function passwordProblem(a, b) {
        if (a.length < 8)
            return qsTr("The password needs at least 8 characters.")
        if (a !== b)
            return qsTr("The two passwords differ.")
        return ""
    }
    function refreshUsers() {
        if (!Backend.canAdmin)
            return
        const cmd = Backend.call("users.list", {})
        page.usersCommand = cmd
        cmd.finished.connect(function () {
            if (!page)   // the page was closed meanwhile
                return
            if (cmd.succeeded)
                page.users = (cmd.result && cmd.result.users) || []
        })
    }
    function refreshTokens() {
        if (!Backend.canAdmin)
            return
        const cmd = Backend.call("tokens.list", {})
        page.tokensCommand = cmd
        cmd.finished.connect(function () {
            if (!page)   // the page was closed meanwhile
                return
            if (cmd.succeeded)
                page.tokens = (cmd.result && cmd.result.tokens) || []
        })
    }
    // A user or token change, then the list again.
    function userChange(type, args) {
        const cmd = Backend.call(type, args)
        page.userCommand = cmd
        cmd.finished.connect(function () {
            if (!page)   // the page was closed meanwhile
                return
            if (cmd.succeeded)
                page.refreshUsers()
        })
        return cmd
    }
    function loadListen() {
        const cmd = Backend.call("config.get", {})
        page.configCommand = cmd
        cmd.finished.connect(function () {
            if (!page)   // the page was closed meanwhile
                return
            if (!cmd.succeeded)
                return
            const yaml = typeof cmd.result === "string" ? cmd.result : (cmd.result.yaml || "")
            page.listen = page.parseApi(yaml)
        })
    }
    // The `api:` section's listen addresses and port (defaults when absent).
    function parseApi(yaml) {
        const out = { addresses: ["127.0.0.1", "::1"], port: 8443, tls: "" }
        const lines = yaml.split("\n")
        const at = lines.findIndex(l => /^api:\s*(#.*)?$/.test(l))
        if (at < 0)
            return out
        let inListen = false
        const found = []
        for (let i = at + 1; i < lines.length; ++i) {
            const l = lines[i]
            if (/^\S/.test(l))
                break
            let m = /^\s+listen:\s*\[(.*)\]/.exec(l)
            if (m) {
                m[1].split(",").map(s => s.trim().replace(/^["']|["']$/g, "")).filter(s => s !== "").forEach(s => found.push(s))
                inListen = false
                continue
            }
            if (/^\s+listen:\s*(#.*)?$/.test(l)) {
                inListen = true
                continue
            }
            m = /^\s+-\s*["']?([^"'#\s]+)["']?/.exec(l)
            if (inListen && m) {
                found.push(m[1])
                continue
            }
            inListen = false
            m = /^\s+port:\s*([0-9]+)/.exec(l)
            if (m)
                out.port = parseInt(m[1], 10)
        }
        if (found.length > 0)
            out.addresses = found
        return out
    }
    function groupedFingerprint(fp) {
        const bytes = (fp || "").split(":")
        const lines = []
        for (let i = 0; i < bytes.length; i += 8)
            lines.push(bytes.slice(i, i + 8).join(":"))
        return lines.join("\n")
    }

    Component.onCompleted: {
        page.refreshUsers()
        page.refreshTokens()
    }
    readonly property bool admin: Backend.canAdmin
    onAdminChanged: {
        page.refreshUsers()
        page.refreshTokens()
    }

    component Note: Text {
        width: parent ? parent.width : implicitWidth
        color: Theme.textDim
        font.pixelSize: Theme.fontSmall
        wrapMode: Text.Wrap
        visible: text !== ""
    }
    component Body: Text {
        width: parent ? parent.width : implicitWidth
        color: Backend.live ? Theme.text : Theme.textDim
        font.pixelSize: Theme.fontBody
        wrapMode: Text.Wrap
    }
    component ErrorText: Text {
        width: parent ? parent.width : implicitWidth
        color: Theme.danger
        font.pixelSize: Theme.fontBody
        wrapMode: Text.Wrap
        visible: text !== ""
    }
    readonly property var roleOptions: [
        { value: "viewer", label: qsTr("Viewer") },
        { value: "operator", label: qsTr("Operator") },
        { value: "admin", label: qsTr("Admin") }
    ]

    ColumnLayout {
        width: parent.width
        spacing: Theme.spacing

        // ---- the certificate fingerprint -----------------------------------------------------------
        Card {
            Layout.fillWidth: true
            title: qsTr("Security: this router's certificate")
            Body {
                text: qsTr("Desktop clients show this fingerprint the first time they connect. It must match exactly.")
            }
            TextEdit {
                objectName: "tlsFingerprint"
                width: parent.width
                readOnly: true
                selectByMouse: true
                wrapMode: TextEdit.WrapAnywhere
                font.family: "monospace"
                font.pixelSize: Theme.fontLarge
                font.bold: true
                color: page.stale ? Theme.textDim : Theme.text
                text: page.fingerprint !== "" ? page.groupedFingerprint(page.fingerprint)
                                              : qsTr("No certificate: the API listens on loopback only (ws://).")
            }
            Note {
                text: Backend.serverFingerprint !== "" && page.fingerprint !== "" && Backend.serverFingerprint !== page.fingerprint
                      ? qsTr("This client sees a different certificate (%1): the connection may be intercepted.").arg(Backend.serverFingerprint) : ""
                color: Theme.danger
            }
        }

        // ---- own password ---------------------------------------------------------------------------
        Card {
            Layout.fillWidth: true
            title: qsTr("Your password")
            Body {
                text: Backend.isLocal ? qsTr("This screen signs in with the router's local token; it has no password.")
                                      : qsTr("Signed in as %1 (%2).").arg(Backend.user).arg(Backend.role)
            }
            SwTextField {
                id: ownPassword
                objectName: "ownPassword"
                visible: !Backend.isLocal
                width: parent.width
                kind: "password"
                enterAction: "next"
                placeholderText: qsTr("New password")
            }
            SwTextField {
                id: ownPassword2
                objectName: "ownPassword2"
                visible: !Backend.isLocal
                width: parent.width
                kind: "password"
                enterAction: "done"
                placeholderText: qsTr("New password again")
            }
            ErrorText { text: page.passwordError }
            SwButton {
                objectName: "changeOwnPassword"
                visible: !Backend.isLocal
                text: qsTr("Change password")
                enabled: !page.stale && ownPassword.text !== ""
                busy: page.passwordCommand !== null && page.passwordCommand.running
                onClicked: {
                    page.passwordError = page.passwordProblem(ownPassword.text, ownPassword2.text)
                    if (page.passwordError !== "")
                        return
                    page.passwordCommand = Backend.call("users.set_password", { username: Backend.user, password: ownPassword.text })
                    ownPassword.text = ""
                    ownPassword2.text = ""
                }
            }
            Note {
                text: page.passwordCommand && page.passwordCommand.succeeded ? qsTr("Password changed. Other sessions of yours were signed out.") : ""
            }
            CommandStatus { width: parent.width; command: page.passwordCommand }
        }

        // ---- users (admin) --------------------------------------------------------------------------
        Card {
            objectName: "usersCard"
            Layout.fillWidth: true
            title: qsTr("Users")
            RoleNote { width: parent.width; need: "admin"; allowed: Backend.canAdmin }
            Repeater {
                model: Backend.canAdmin ? page.users : []
                // Qt 6.4's qmllint cannot see outer ids from a delegate (pragma ComponentBehavior:
                // Bound is 6.5); they resolve at run time.
                // qmllint disable unqualified
                delegate: Column {
                    id: userRow
                    required property var modelData
                    objectName: "user_" + modelData.name
                    width: parent ? parent.width : 0
                    spacing: Theme.spacing / 2
                    Text {
                        width: parent.width
                        text: userRow.modelData.name + (userRow.modelData.name === Backend.user ? qsTr(" (you)") : "")
                        color: Theme.text
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                    }
                    SegmentedPicker {
                        objectName: "role_" + userRow.modelData.name
                        width: Math.min(parent.width, Theme.touchTarget * 8)
                        options: page.roleOptions
                        currentValue: userRow.modelData.role
                        enabled: !page.stale
                        onActivated: (value) => page.userChange("users.set_role", { username: userRow.modelData.name, role: value })
                    }
                    Flow {
                        width: parent.width
                        spacing: Theme.spacing
                        SwButton {
                            text: qsTr("Set password…")
                            onClicked: page.resetUser = page.resetUser === userRow.modelData.name ? "" : userRow.modelData.name
                        }
                        SwButton {
                            objectName: "deleteUser_" + userRow.modelData.name
                            text: page.confirmDeleteUser === userRow.modelData.name ? qsTr("Really delete") : qsTr("Delete")
                            danger: true
                            onClicked: {
                                if (page.confirmDeleteUser !== userRow.modelData.name) {
                                    page.confirmDeleteUser = userRow.modelData.name
                                    return
                                }
                                page.confirmDeleteUser = ""
                                page.userChange("users.delete", { username: userRow.modelData.name })
                            }
                        }
                        SwButton {
                            visible: page.confirmDeleteUser === userRow.modelData.name
                            text: qsTr("Keep")
                            onClicked: page.confirmDeleteUser = ""
                        }
                    }
                    Row {
                        visible: page.resetUser === userRow.modelData.name
                        width: parent.width
                        spacing: Theme.spacing
                        SwTextField {
                            id: resetField
                            width: parent.width - resetButton.width - Theme.spacing
                            kind: "password"
                            placeholderText: qsTr("New password for %1").arg(userRow.modelData.name)
                        }
                        SwButton {
                            id: resetButton
                            text: qsTr("Set")
                            enabled: resetField.text.length >= 8
                            onClicked: {
                                page.userChange("users.set_password", { username: userRow.modelData.name, password: resetField.text })
                                resetField.text = ""
                                page.resetUser = ""
                            }
                        }
                    }
                    Rectangle {
                        width: parent.width
                        height: 1
                        color: Theme.border
                    }
                }
                // qmllint enable unqualified
            }
            Text {
                visible: Backend.canAdmin
                width: parent.width
                text: qsTr("Add a user")
                color: Theme.text
                font.pixelSize: Theme.fontBody
                font.bold: true
            }
            SwTextField {
                id: newUserName
                objectName: "newUserName"
                visible: Backend.canAdmin
                width: parent.width
                kind: "name"
                enterAction: "next"
                placeholderText: qsTr("User name")
                maximumLength: 32
            }
            SegmentedPicker {
                id: newUserRole
                objectName: "newUserRole"
                visible: Backend.canAdmin
                width: Math.min(parent.width, Theme.touchTarget * 8)
                options: page.roleOptions
                currentValue: "viewer"
                onActivated: (value) => newUserRole.currentValue = value
            }
            SwTextField {
                id: newUserPassword
                objectName: "newUserPassword"
                visible: Backend.canAdmin
                width: parent.width
                kind: "password"
                enterAction: "next"
                placeholderText: qsTr("Password")
            }
            SwTextField {
                id: newUserPassword2
                objectName: "newUserPassword2"
                visible: Backend.canAdmin
                width: parent.width
                kind: "password"
                enterAction: "done"
                placeholderText: qsTr("Password again")
            }
            ErrorText { objectName: "userError"; text: page.userError }
            SwButton {
                objectName: "createUser"
                visible: Backend.canAdmin
                text: qsTr("Add user")
                enabled: !page.stale
                onClicked: {
                    const name = newUserName.text.trim()
                    if (!page.validName(name)) {
                        page.userError = qsTr("User name: 1 to 32 letters, digits, “-” or “_”, starting with a letter or digit.")
                        return
                    }
                    page.userError = page.passwordProblem(newUserPassword.text, newUserPassword2.text)
                    if (page.userError !== "")
                        return
                    page.userChange("users.create", { username: name, role: newUserRole.currentValue, password: newUserPassword.text })
                    newUserName.text = ""
                    newUserPassword.text = ""
                    newUserPassword2.text = ""
                }
            }
            CommandStatus { width: parent.width; command: page.userCommand }
            CommandStatus { width: parent.width; command: page.usersCommand }
        }

        // ---- device tokens (admin) ----------------------------------------------------------------
        Card {
            objectName: "tokensCard"
            Layout.fillWidth: true
            title: qsTr("Device tokens")
            RoleNote { width: parent.width; need: "admin"; allowed: Backend.canAdmin }
            Note {
                visible: Backend.canAdmin
                text: qsTr("A token lets a device or script sign in without a password, with the role you give it. Revoke it when the device is gone.")
            }
            Repeater {
                model: Backend.canAdmin ? page.tokens : []
                // qmllint disable unqualified
                delegate: Row {
                    id: tokenRow
                    required property var modelData
                    width: parent ? parent.width : 0
                    spacing: Theme.spacing
                    Text {
                        width: parent.width - revokeButton.width - Theme.spacing
                        anchors.verticalCenter: parent.verticalCenter
                        wrapMode: Text.Wrap
                        color: Theme.text
                        font.pixelSize: Theme.fontBody
                        text: qsTr("%1 — %2, made by %3").arg(tokenRow.modelData.name).arg(tokenRow.modelData.role).arg(tokenRow.modelData.user || "?")
                    }
                    SwButton {
                        id: revokeButton
                        objectName: "revoke_" + tokenRow.modelData.name
                        text: page.confirmRevoke === tokenRow.modelData.name ? qsTr("Really revoke") : qsTr("Revoke")
                        danger: true
                        onClicked: {
                            if (page.confirmRevoke !== tokenRow.modelData.name) {
                                page.confirmRevoke = tokenRow.modelData.name
                                return
                            }
                            page.confirmRevoke = ""
                            const cmd = Backend.call("tokens.revoke", { name: tokenRow.modelData.name })
                            page.tokenCommand = cmd
                            cmd.finished.connect(function () {
                                if (!page)   // the page was closed meanwhile
                                    return
                                if (cmd.succeeded)
                                    page.refreshTokens()
                            })
                        }
                    }
                }
                // qmllint enable unqualified
            }
            SwTextField {
                id: tokenName
                objectName: "tokenName"
                visible: Backend.canAdmin
                width: parent.width
                kind: "text"
                placeholderText: qsTr("Token name (e.g. laptop)")
                maximumLength: 64
            }
            SegmentedPicker {
                id: tokenRole
                objectName: "tokenRole"
                visible: Backend.canAdmin
                width: Math.min(parent.width, Theme.touchTarget * 8)
                options: page.roleOptions
                currentValue: "viewer"
                onActivated: (value) => tokenRole.currentValue = value
            }
            ErrorText { objectName: "tokenError"; text: page.tokenError }
            SwButton {
                objectName: "createToken"
                visible: Backend.canAdmin
                text: qsTr("Make token")
                enabled: !page.stale
                onClicked: {
                    const name = tokenName.text.trim()
                    if (!page.validLabel(name)) {
                        page.tokenError = qsTr("Token name: letters, digits, blanks and . _ ' @ + -, starting with a letter or digit.")
                        return
                    }
                    page.tokenError = ""
                    page.newToken = ""
                    page.copied = false
                    const cmd = Backend.call("tokens.create", { name: name, role: tokenRole.currentValue })
                    page.tokenCommand = cmd
                    cmd.finished.connect(function () {
                        if (!page)   // the page was closed meanwhile
                            return
                        if (!cmd.succeeded)
                            return
                        page.newToken = cmd.result.token || ""
                        page.newTokenName = name
                        tokenName.text = ""
                        page.refreshTokens()
                    })
                }
            }
            CommandStatus { width: parent.width; command: page.tokenCommand }
            // The new token, shown once.
            Rectangle {
                objectName: "newTokenBox"
                visible: page.newToken !== ""
                width: parent.width
                implicitHeight: tokenColumn.implicitHeight + 2 * Theme.padding
                radius: Theme.radius
                color: Theme.surfaceRaised
                border.width: 2
                border.color: Theme.warning
                Column {
                    id: tokenColumn
                    x: Theme.padding
                    y: Theme.padding
                    width: parent.width - 2 * Theme.padding
                    spacing: Theme.spacing
                    Text {
                        width: parent.width
                        wrapMode: Text.Wrap
                        color: Theme.warning
                        font.pixelSize: Theme.fontBody
                        font.bold: true
                        text: qsTr("Token “%1”: copy it now. It is not shown again.").arg(page.newTokenName)
                    }
                    TextEdit {
                        id: tokenValue
                        objectName: "newTokenValue"
                        width: parent.width
                        readOnly: true
                        selectByMouse: true
                        wrapMode: TextEdit.WrapAnywhere
                        font.family: "monospace"
                        font.pixelSize: Theme.fontBody
                        color: Theme.text
                        text: page.newToken
                    }
                    Flow {
                        width: parent.width
                        spacing: Theme.spacing
                        SwButton {
                            objectName: "copyToken"
                            text: page.copied ? qsTr("Copied") : qsTr("Copy")
                            highlighted: true
                            onClicked: {
                                tokenValue.selectAll()
                                tokenValue.copy()
                                tokenValue.deselect()
                                page.copied = true
                            }
                        }
                        SwButton {
                            objectName: "doneToken"
                            text: qsTr("Done, hide it")
                            onClicked: page.newToken = ""
                        }
                    }
                }
            }
        }

        // ---- remote access ---------------------------------------------------------------------------
        Card {
            Layout.fillWidth: true
            title: qsTr("Remote access")
            Body {
                text: qsTr("The API (used by desktop clients, smoothwanctl and scripts) listens on the addresses of api.listen in the configuration file, loopback and LAN only. It is never reachable from a WAN or the tunnel.")
            }
            Body {
                objectName: "listenText"
                visible: page.listen !== null
                text: page.listen ? qsTr("Listening on %1, port %2.").arg(page.listen.addresses.join(", ")).arg(page.listen.port) : ""
            }
            Note {
                visible: page.listen !== null
                text: page.listen && page.listen.addresses.every(a => a === "127.0.0.1" || a === "::1")
                      ? qsTr("Only this router itself can connect. To manage it from the LAN, add the router's LAN address to api.listen in /etc/smoothwan/config.yaml and reload (systemctl reload smoothwand).")
                      : qsTr("To change the addresses, edit api.listen in /etc/smoothwan/config.yaml and reload (systemctl reload smoothwand).")
            }
            SwButton {
                objectName: "loadListen"
                visible: Backend.canAdmin
                text: qsTr("Show where the API listens")
                enabled: !page.stale
                onClicked: page.loadListen()
            }
            RoleNote { width: parent.width; need: "admin"; allowed: Backend.canAdmin }
            CommandStatus { width: parent.width; command: page.configCommand }
        }

        // ---- configuration health -----------------------------------------------------------------
        Card {
            Layout.fillWidth: true
            title: qsTr("Configuration")
            Body {
                objectName: "configStatus"
                text: page.config.status === "ok" ? qsTr("%1 is loaded and valid.").arg(page.config.path || qsTr("The configuration file"))
                    : page.config.status === "last-good" ? qsTr("%1 has errors: the router runs on the last good copy.").arg(page.config.path || qsTr("The configuration file"))
                    : page.config.status === "defaults" ? qsTr("No usable configuration: the router runs on the built-in defaults.")
                    : qsTr("Unknown")
                color: page.config.status === "ok" || page.config.status === undefined ? Theme.text : Theme.warning
            }
            Repeater {
                model: page.config.errors || []
                // qmllint disable unqualified
                delegate: Text {
                    required property var modelData
                    width: parent ? parent.width : 0
                    wrapMode: Text.Wrap
                    color: Theme.danger
                    font.pixelSize: Theme.fontSmall
                    font.family: "monospace"
                    text: typeof modelData === "string" ? modelData : JSON.stringify(modelData)
                }
                // qmllint enable unqualified
            }
        }

        // ---- setup wizard --------------------------------------------------------------------------
        Card {
            Layout.fillWidth: true
            title: qsTr("Setup")
            Body {
                text: qsTr("The setup wizard adds newly plugged-in connections, sets their priorities and the engine. It changes nothing until you press Apply at its end.")
            }
            SwButton {
                objectName: "openWizard"
                text: qsTr("Open the setup wizard")
                enabled: Backend.canAdmin
                onClicked: page.openPage("wizard")
            }
            RoleNote { width: parent.width; need: "admin"; allowed: Backend.canAdmin }
        }

        // ---- appearance ------------------------------------------------------------------------------
        Card {
            Layout.fillWidth: true
            title: qsTr("Appearance")
            SegmentedPicker {
                objectName: "themePicker"
                width: Math.min(parent.width, Theme.touchTarget * 6)
                options: [
                    { value: "dark", label: qsTr("Dark") },
                    { value: "light", label: qsTr("Light") }
                ]
                currentValue: AppSettings.theme
                onActivated: (value) => AppSettings.theme = value
            }
            Note {
                text: qsTr("Kept on this device.")
            }
        }

        // ---- about ----------------------------------------------------------------------------------
        Card {
            Layout.fillWidth: true
            title: qsTr("About")
            Body {
                objectName: "versionText"
                text: qsTr("SmoothWAN %1 on the router; this screen %2.")
                      .arg(page.system.version || Backend.serverVersion || qsTr("(unknown)"))
                      .arg(Qt.application.version || "0.1.0")
            }
            Note {
                text: qsTr("SmoothWAN bonds and fails over internet connections (Speedify, Engarde or tinyfecVPN, or plain failover and balancing). Free software under the GNU GPL version 3 or later.")
            }
        }
    }
}
