// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import SmoothWAN.Client
import SmoothWAN.Test
import SmoothWAN.Ui

// The system page against a scripted router, signed in as the admin "alice" with a password:
// the certificate fingerprint is shown; a new device token is shown once with a copy button;
// revoking and deleting ask first; users are checked before users.create is sent; one's own
// password change checks the repetition and sends users.set_password for oneself.
TestCase {
    id: tc
    name: "SystemPage"
    width: 800
    height: 480
    when: windowShown
    visible: true

    ScriptedServer {
        id: server
        user: "alice"
        password: "secret-pass"
    }

    Component {
        id: pageComponent
        SystemPage {
            width: 800
            height: 480
        }
    }

    readonly property string fingerprint: "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"

    function tap(page, item) {
        verify(item, "nothing to tap")
        wait(20)
        const f = page.flickable
        const p = item.mapToItem(f.contentItem, 0, 0)
        f.contentY = Math.max(0, Math.min(p.y - 8, f.contentHeight - f.height))
        wait(20)
        mouseClick(item)
    }
    function requestsOf(type) {
        return (server.requests || []).filter(r => r.type === type)
    }

    function initTestCase() {
        server.setValue("/wans", [])
        server.setValue("/candidates", [])
        server.setValue("/routing", {})
        server.setValue("/engine", {})
        server.setValue("/events", [])
        server.setValue("/system", { version: "0.1.0", tls: { fingerprint: tc.fingerprint },
                                     config: { path: "/etc/smoothwan/config.yaml", status: "ok", errors: [] } })
        server.setReply("users.list", true, { users: [ { name: "alice", role: "admin" }, { name: "bob", role: "viewer" } ] })
        server.setReply("tokens.list", true, { tokens: [ { name: "laptop", user: "alice", role: "operator", created: "2026-11-25T10:00:00" } ] })
        server.setReply("tokens.create", true, { token: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" })
        Backend.login(server.start(), "alice", "secret-pass")
        tryCompare(Backend, "live", true, 10000)
        compare(Backend.isLocal, false)
        compare(Backend.user, "alice")
    }

    function cleanupTestCase() {
        Backend.disconnectFromRouter()
        server.stop()
    }

    function init() {
        server.clearRequests()
    }

    function test_fingerprint_is_shown_in_full() {
        const page = createTemporaryObject(pageComponent, tc)
        const fp = findChild(page, "tlsFingerprint")
        compare(fp.text.replace(/\n/g, ":"), tc.fingerprint)
        verify(fp.font.pixelSize >= Theme.fontBody)
        compare(findChild(page, "versionText").text.indexOf("0.1.0") >= 0, true)
    }

    function test_token_is_shown_once_with_copy() {
        const page = createTemporaryObject(pageComponent, tc)
        tryVerify(() => page.tokens.length === 1)
        verify(!findChild(page, "newTokenBox").visible)
        findChild(page, "tokenName").text = "phone"
        findChild(page, "tokenRole").activated("operator")
        tap(page, findChild(page, "createToken"))
        tryVerify(() => requestsOf("tokens.create").length === 1)
        compare(requestsOf("tokens.create")[0].name, "phone")
        compare(requestsOf("tokens.create")[0].role, "operator")
        tryVerify(() => findChild(page, "newTokenBox").visible)
        compare(findChild(page, "newTokenValue").text, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
        const copy = findChild(page, "copyToken")
        tap(page, copy)
        compare(copy.text, "Copied")
        tap(page, findChild(page, "doneToken"))
        verify(!findChild(page, "newTokenBox").visible)
        compare(page.newToken, "", "the value is forgotten once hidden")
    }

    function test_token_name_is_checked() {
        const page = createTemporaryObject(pageComponent, tc)
        findChild(page, "tokenName").text = "; id"
        tap(page, findChild(page, "createToken"))
        verify(findChild(page, "tokenError").text.length > 0)
        wait(50)
        compare(requestsOf("tokens.create").length, 0)
    }

    function test_revoke_asks_first() {
        const page = createTemporaryObject(pageComponent, tc)
        tryVerify(() => findChild(page, "revoke_laptop") !== null)
        const revoke = findChild(page, "revoke_laptop")
        tap(page, revoke)
        wait(50)
        compare(requestsOf("tokens.revoke").length, 0)
        tap(page, revoke)
        tryVerify(() => requestsOf("tokens.revoke").length === 1)
        compare(requestsOf("tokens.revoke")[0].name, "laptop")
    }

    function test_users_create_and_role() {
        const page = createTemporaryObject(pageComponent, tc)
        tryVerify(() => page.users.length === 2)
        findChild(page, "newUserName").text = "carol"
        findChild(page, "newUserPassword").text = "longpassword"
        findChild(page, "newUserPassword2").text = "longpasswort"
        tap(page, findChild(page, "createUser"))
        verify(findChild(page, "userError").text.indexOf("differ") >= 0, findChild(page, "userError").text)
        findChild(page, "newUserPassword2").text = "longpassword"
        findChild(page, "newUserRole").activated("operator")
        tap(page, findChild(page, "createUser"))
        tryVerify(() => requestsOf("users.create").length === 1)
        const r = requestsOf("users.create")[0]
        compare(r.username, "carol")
        compare(r.role, "operator")
        compare(r.password, "longpassword")
        // Changing bob's role.
        findChild(page, "role_bob").activated("operator")
        tryVerify(() => requestsOf("users.set_role").length === 1)
        compare(requestsOf("users.set_role")[0].username, "bob")
        compare(requestsOf("users.set_role")[0].role, "operator")
    }

    function test_own_password() {
        const page = createTemporaryObject(pageComponent, tc)
        verify(findChild(page, "ownPassword").visible)
        findChild(page, "ownPassword").text = "new-password-1"
        findChild(page, "ownPassword2").text = "new-password-2"
        tap(page, findChild(page, "changeOwnPassword"))
        wait(50)
        compare(requestsOf("users.set_password").length, 0)
        findChild(page, "ownPassword").text = "new-password-1"
        findChild(page, "ownPassword2").text = "new-password-1"
        tap(page, findChild(page, "changeOwnPassword"))
        tryVerify(() => requestsOf("users.set_password").length === 1)
        compare(requestsOf("users.set_password")[0].username, "alice")
        compare(requestsOf("users.set_password")[0].password, "new-password-1")
        compare(findChild(page, "ownPassword").text, "", "the field is cleared")
    }

    function test_remote_access_reads_api_listen() {
        server.setReply("config.get", true, { yaml: "version: 1\napi:\n  listen: [127.0.0.1, 192.168.1.1]\n  port: 9443\n" })
        const page = createTemporaryObject(pageComponent, tc)
        tap(page, findChild(page, "loadListen"))
        tryVerify(() => page.listen !== null)
        const text = findChild(page, "listenText").text
        verify(text.indexOf("192.168.1.1") >= 0 && text.indexOf("9443") >= 0, text)
        compare(page.parseApi("api:\n  listen:\n    - \"::1\"\n    - 10.0.0.1\n").addresses, ["::1", "10.0.0.1"])
        compare(page.parseApi("version: 1\n").addresses, ["127.0.0.1", "::1"])
    }
}
