// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import SmoothWAN.Ui

// The routers page's certificate check, against a stand-in connection (a TLS mismatch cannot be
// produced by the ws:// scripted server): both fingerprints are shown, and the connection is
// not trusted until the user confirms; the address normalisation of the add form.
TestCase {
    id: tc
    name: "RoutersPage"
    width: 800
    height: 480
    when: windowShown
    visible: true

    QtObject {
        id: fakeClient
        property string url: "wss://192.168.1.1:8443"
        property string status: "connecting"
        property string statusMessage: "The router's certificate changed: pinned AA:BB:CC:DD, now 11:22:33:44"
        property string user: ""
        property string role: ""
        property string pinState: "none"
        property string serverFingerprint: ""
        property int trusted: 0
        property int disconnects: 0
        property var logins: []
        function trustServer() { trusted++ }
        function disconnectFromRouter() { disconnects++ }
        function login(u, name, password) { logins.push([u, name, password]) }
        function connectToRouter(u, token) { logins.push([u, token]) }
    }

    // A stand-in for AppSettings.routers (the real list is a file in the user's home).
    QtObject {
        id: fakeRouters
        property var rows: []
        property int count: rows.length
        property var lastUser: []
        function get(i) { return rows[i] }
        function add(name, url) { rows = rows.concat([{ name: name, url: url, user: "", fingerprint: "" }]); return rows.length - 1 }
        function remove(i) { const r = rows.slice(); r.splice(i, 1); rows = r }
        function setLastUser(i, user) { lastUser = [i, user] }
    }

    Component {
        id: listPageComponent
        RoutersPage {
            width: 800
            height: 480
            client: fakeClient
            routers: fakeRouters
        }
    }

    Component {
        id: pageComponent
        RoutersPage {
            width: 800
            height: 480
            client: fakeClient
            routers: null
        }
    }

    readonly property string presented: "11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00"


    // Scrolls the page so `item` is on screen, then taps it (as a finger would).
    function tap(page, item) {
        verify(item, "nothing to tap")
        wait(20)   // let layouts settle (polish) before measuring
        const f = page.flickable
        const p = item.mapToItem(f.contentItem, 0, 0)
        f.contentY = Math.max(0, Math.min(p.y - 8, f.contentHeight - f.height))
        wait(20)
        mouseClick(item)
    }
    function init() {
        fakeClient.pinState = "none"
        fakeClient.trusted = 0
        fakeClient.disconnects = 0
        fakeClient.serverFingerprint = ""
    }

    function flat(s) {
        return s.replace(/\n/g, ":").replace(/\s/g, "")
    }

    function test_mismatch_shows_both_fingerprints_and_waits_for_confirmation() {
        const page = createTemporaryObject(pageComponent, tc)
        verify(page)
        verify(!findChild(page, "pinPanel").visible)
        fakeClient.serverFingerprint = tc.presented
        fakeClient.pinState = "mismatch"
        verify(findChild(page, "pinPanel").visible)
        verify(findChild(page, "pinTitle").text.indexOf("changed") >= 0)
        compare(flat(findChild(page, "presentedFingerprint").text), tc.presented)
        compare(flat(findChild(page, "pinnedFingerprint").text), "AA:BB:CC:DD")
        verify(findChild(page, "pinnedFingerprint").visible)
        // The trust button stays disabled until the user says they compared.
        const trust = findChild(page, "trustButton")
        verify(!trust.enabled)
        tap(page, trust)
        compare(fakeClient.trusted, 0)
        tap(page, findChild(page, "comparedSwitch"))
        verify(trust.enabled)
        tap(page, trust)
        compare(fakeClient.trusted, 1)
    }

    function test_first_use_shows_the_fingerprint_and_can_be_refused() {
        const page = createTemporaryObject(pageComponent, tc)
        fakeClient.serverFingerprint = tc.presented
        fakeClient.pinState = "unknown"
        verify(findChild(page, "pinPanel").visible)
        verify(!findChild(page, "pinnedFingerprint").visible)
        compare(flat(findChild(page, "presentedFingerprint").text), tc.presented)
        tap(page, findChild(page, "distrustButton"))
        compare(fakeClient.disconnects, 1)
        compare(fakeClient.trusted, 0)
        // A pinned connection asks nothing.
        fakeClient.pinState = "pinned"
        verify(!findChild(page, "pinPanel").visible)
    }

    function test_fingerprint_is_big_enough_to_compare() {
        const page = createTemporaryObject(pageComponent, tc)
        fakeClient.serverFingerprint = tc.presented
        fakeClient.pinState = "unknown"
        const fp = findChild(page, "presentedFingerprint")
        verify(fp.font.pixelSize >= Theme.fontBody)
        verify(fp.width <= page.width)
        // Grouped in lines of 8 bytes.
        compare(fp.text.split("\n").length, 4)
    }

    function test_address_normalisation() {
        const page = createTemporaryObject(pageComponent, tc)
        compare(page.normalizeUrl("192.168.1.1"), "wss://192.168.1.1:8443")
        compare(page.normalizeUrl("router.lan:9000"), "wss://router.lan:9000")
        compare(page.normalizeUrl("localhost"), "ws://127.0.0.1:8443")
        compare(page.normalizeUrl("ws://10.0.0.1:8443/"), "ws://10.0.0.1:8443")
        compare(page.normalizeUrl("wss://[fd00::1]:8443"), "wss://[fd00::1]:8443")
        compare(page.normalizeUrl("http://x"), "")
        compare(page.normalizeUrl("a b"), "")
        compare(page.normalizeUrl("host:99999"), "")
    }

    function test_add_sign_in_and_remove() {
        fakeRouters.rows = []
        fakeClient.logins = []
        const page = createTemporaryObject(listPageComponent, tc)
        verify(findChild(page, "noRouters").visible)
        tap(page, findChild(page, "addRouterButton"))
        findChild(page, "routerName").text = "Van"
        findChild(page, "routerUrl").text = "http://nope"
        tap(page, findChild(page, "saveRouter"))
        verify(findChild(page, "addError").text.length > 0)
        compare(fakeRouters.count, 0)
        findChild(page, "routerUrl").text = "192.168.1.1"
        tap(page, findChild(page, "saveRouter"))
        compare(fakeRouters.count, 1)
        compare(fakeRouters.rows[0].url, "wss://192.168.1.1:8443")
        compare(fakeRouters.rows[0].name, "Van")
        // Sign in with a password.
        tryVerify(() => findChild(page, "connectRouter_0") !== null)
        tap(page, findChild(page, "connectRouter_0"))
        verify(findChild(page, "loginForm").visible)
        findChild(page, "userField").text = "alice"
        findChild(page, "passwordField").text = "secret"
        tap(page, findChild(page, "signInButton"))
        compare(fakeClient.logins.length, 1)
        compare(fakeClient.logins[0], ["wss://192.168.1.1:8443", "alice", "secret"])
        compare(fakeRouters.lastUser, [0, "alice"])
        compare(findChild(page, "passwordField").text, "", "the password is not kept in the field")
        // Remove asks first.
        const remove = findChild(page, "removeRouter_0")
        tap(page, remove)
        compare(fakeRouters.count, 1)
        tap(page, remove)
        compare(fakeRouters.count, 0)
    }
}
