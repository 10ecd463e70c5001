// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import SmoothWAN.Client
import SmoothWAN.Test
import SmoothWAN.Ui

// The routing page against a scripted router: the LAN's path and reason are shown, bypass rules
// are checked in the form before anything is sent, a good rule sends routing.bypass.create
// with the right arguments, and the server's refusal is shown.
TestCase {
    id: tc
    name: "RoutingPage"
    width: 800
    height: 480
    when: windowShown
    visible: true

    ScriptedServer {
        id: server
    }

    Component {
        id: pageComponent
        RoutingPage {
            width: 800
            height: 480
        }
    }

    readonly property var baseState: ({
        wans: [
            { name: "fibre", interface: "eth1", state: "up", enabled: true, priority: "always" },
            { name: "lte", interface: "wwan0", state: "up", enabled: true, priority: "backup" }
        ],
        candidates: [],
        routing: {
            policy: "failover", killSwitch: false, path: "fibre",
            reason: "fibre is the best usable WAN", lanWans: ["fibre", "lte"],
            bypass: [
                { name: "console", source: "192.168.1.50", destination: null, protocol: "any",
                  ports: null, via: "lte", aroundBond: false }
            ]
        },
        engine: { type: "none", state: "off" },
        system: { version: "0.1.0" },
        events: []
    })

    // The whole document, one slice at a time (a JS object assigned to the QVariant `state`
    // property arrives as a QJSValue the server cannot read; invokable arguments convert).

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
    function setState(doc) {
        for (const key in doc)
            server.setValue("/" + key, doc[key])
    }

    function initTestCase() {
        tc.setState(tc.baseState)
        const url = server.start()
        verify(url.length > 0)
        Backend.connectToRouter(url, server.token)
        tryCompare(Backend, "live", true, 10000)
    }

    function cleanupTestCase() {
        Backend.disconnectFromRouter()
        server.stop()
    }

    function init() {
        tc.setState(tc.baseState)
        server.clearRequests()
        tryVerify(() => Backend.routing.bypass !== undefined && Backend.routing.bypass.length === 1)
    }

    function requestsOf(type) {
        return (server.requests || []).filter(r => r.type === type)
    }

    function makePage() {
        const page = createTemporaryObject(pageComponent, tc)
        verify(page)
        return page
    }

    function fillForm(page, fields) {
        tap(page, findChild(page, "addRule"))
        tryVerify(() => findChild(page, "ruleForm").visible)
        findChild(page, "ruleName").text = fields.name || ""
        findChild(page, "ruleSource").text = fields.source || ""
        findChild(page, "ruleDestination").text = fields.destination || ""
        findChild(page, "rulePorts").text = fields.ports || ""
        findChild(page, "ruleProtocol").value = fields.protocol || "any"
        findChild(page, "ruleVia").value = fields.via || ""
    }

    function test_path_and_reason_are_shown() {
        const page = makePage()
        tryVerify(() => findChild(page, "pathText").text.indexOf("fibre") >= 0, 5000, findChild(page, "pathText").text)
        compare(findChild(page, "reasonText").text, "fibre is the best usable WAN")
        server.setValue("/routing/path", "blocked")
        server.setValue("/routing/reason", "the bond is down and the kill switch is on")
        tryVerify(() => findChild(page, "pathText").text.indexOf("blocked") >= 0)
        tryCompare(findChild(page, "reasonText"), "text", "the bond is down and the kill switch is on")
    }

    function test_bad_prefix_is_refused_in_the_form_and_nothing_is_sent() {
        const page = makePage()
        fillForm(page, { name: "cam", source: "192.168.1.300", via: "fibre" })
        findChild(page, "saveRule").clicked()
        const error = findChild(page, "ruleError")
        verify(error.visible)
        verify(error.text.indexOf("Source") === 0, error.text)
        // Host bits set: the message suggests the network address.
        findChild(page, "ruleSource").text = "192.168.1.5/24"
        findChild(page, "saveRule").clicked()
        verify(error.text.indexOf("192.168.1.0/24") >= 0, error.text)
        // A port rule needs TCP or UDP; a bad range is named.
        findChild(page, "ruleSource").text = "192.168.1.0/24"
        findChild(page, "rulePorts").text = "9000-80"
        findChild(page, "saveRule").clicked()
        verify(error.text.indexOf("Ports") === 0, error.text)
        findChild(page, "rulePorts").text = "443"
        findChild(page, "saveRule").clicked()
        verify(error.text.indexOf("TCP or UDP") >= 0, error.text)
        // A name that is taken, and one with forbidden characters.
        findChild(page, "ruleProtocol").value = "tcp"
        findChild(page, "ruleName").text = "console"
        findChild(page, "saveRule").clicked()
        verify(error.text.indexOf("exists") >= 0, error.text)
        findChild(page, "ruleName").text = "; id"
        findChild(page, "saveRule").clicked()
        verify(error.text.indexOf("Name") === 0, error.text)
        // Mixed IP versions.
        findChild(page, "ruleName").text = "mixed"
        findChild(page, "ruleDestination").text = "2001:db8::/32"
        findChild(page, "saveRule").clicked()
        verify(error.text.indexOf("IPv4") >= 0, error.text)
        wait(50)
        compare(requestsOf("routing.bypass.create").length, 0)
        compare(requestsOf("routing.bypass.update").length, 0)
    }

    function test_good_rule_sends_create_with_the_right_arguments() {
        const page = makePage()
        fillForm(page, { name: "voip", source: "192.168.1.0/24", destination: "203.0.113.0/24",
                         ports: "5060-5061", protocol: "udp", via: "lte" })
        findChild(page, "saveRule").clicked()
        compare(findChild(page, "ruleError").text, "")
        tryVerify(() => requestsOf("routing.bypass.create").length === 1, 5000, JSON.stringify(server.requests))
        const r = requestsOf("routing.bypass.create")[0]
        compare(r.name, "voip")
        compare(r.source, "192.168.1.0/24")
        compare(r.destination, "203.0.113.0/24")
        compare(r.protocol, "udp")
        compare(r.ports, "5060-5061")
        compare(r.via, "lte")
        verify(r.around_bond === undefined)
        // Success closes the form.
        tryVerify(() => !findChild(page, "ruleForm").visible)
    }

    function test_around_the_bond_sends_around_bond_and_no_via() {
        const page = makePage()
        fillForm(page, { name: "bank", destination: "198.51.100.7", via: "" })
        findChild(page, "saveRule").clicked()
        tryVerify(() => requestsOf("routing.bypass.create").length === 1, 5000, JSON.stringify(server.requests))
        const r = requestsOf("routing.bypass.create")[0]
        compare(r.around_bond, true)
        verify(r.via === undefined)
        verify(r.source === undefined)
    }

    function test_server_refusal_is_shown() {
        server.setReply("routing.bypass.create", false,
                        { code: "invalid_format", message: "routing.bypass[1].via: no WAN named 'lte'" })
        const page = makePage()
        fillForm(page, { name: "game", destination: "203.0.113.9", via: "lte" })
        findChild(page, "saveRule").clicked()
        tryVerify(() => requestsOf("routing.bypass.create").length === 1, 5000, JSON.stringify(server.requests))
        tryVerify(() => {
            const texts = []
            const walk = (item) => {
                if (item.objectName === "feedbackText" && item.visible)
                    texts.push(item.text)
                for (let i = 0; i < item.children.length; ++i)
                    walk(item.children[i])
            }
            walk(page)
            return texts.some(t => t.indexOf("no WAN named 'lte'") >= 0)
        }, 5000)
        verify(findChild(page, "ruleForm").visible, "the form stays open after a refusal")
        server.setReply("routing.bypass.create", true, {})
    }

    function test_edit_sends_update_and_clears_with_null() {
        const page = makePage()
        tryVerify(() => findChild(page, "editRule_console") !== null)
        tap(page, findChild(page, "editRule_console"))
        compare(findChild(page, "ruleSource").text, "192.168.1.50")
        compare(findChild(page, "ruleVia").value, "lte")
        findChild(page, "ruleSource").text = ""
        findChild(page, "ruleDestination").text = "203.0.113.0/24"
        findChild(page, "saveRule").clicked()
        tryVerify(() => requestsOf("routing.bypass.update").length === 1, 5000, JSON.stringify(server.requests))
        const r = requestsOf("routing.bypass.update")[0]
        compare(r.name, "console")
        compare(r.source, null)
        compare(r.destination, "203.0.113.0/24")
        compare(r.via, "lte")
    }

    function test_delete_asks_first() {
        const page = makePage()
        tryVerify(() => findChild(page, "deleteRule_console") !== null)
        const del = findChild(page, "deleteRule_console")
        tap(page, del)
        wait(20)
        compare(requestsOf("routing.bypass.delete").length, 0)
        tap(page, del)
        tryVerify(() => requestsOf("routing.bypass.delete").length === 1, 5000, JSON.stringify(server.requests))
        compare(requestsOf("routing.bypass.delete")[0].name, "console")
    }

    function test_policy_and_kill_switch() {
        const page = makePage()
        const balance = findChild(page, "policy_balance")
        verify(balance)
        tap(page, balance)
        tryVerify(() => requestsOf("routing.set_policy").length === 1, 5000, JSON.stringify(server.requests))
        compare(requestsOf("routing.set_policy")[0].policy, "balance")
        const kill = findChild(page, "killSwitch")
        tap(page, kill)
        tryVerify(() => requestsOf("routing.set_kill_switch").length === 1, 5000, JSON.stringify(server.requests))
        compare(requestsOf("routing.set_kill_switch")[0].enabled, true)
        // The switch shows the router's value, not the tap, until the state says otherwise.
        compare(kill.checked, false)
    }

    function test_touch_targets() {
        const page = makePage()
        tap(page, findChild(page, "addRule"))
        const small = []
        const walk = (item) => {
            if (item.visible && item.hasOwnProperty("pressed") && item.hasOwnProperty("checkable") && item.height < 48)
                small.push(item.objectName + ":" + item.text + " " + item.height)
            if (item.visible && item.hasOwnProperty("inputMethodHints") && item.height < 48)
                small.push(item.objectName + " " + item.height)
            for (let i = 0; i < item.children.length; ++i)
                walk(item.children[i])
        }
        walk(page)
        compare(small, [])
    }

    function reconnectAs(role) {
        server.role = role
        server.dropClients()
        tryVerify(() => Backend.role === role && Backend.live, 15000, Backend.status + " " + Backend.role)
    }

    function test_viewer_sees_disabled_controls_with_the_reason() {
        reconnectAs("viewer")
        const page = makePage()
        verify(findChild(page, "roleNote").visible)
        verify(!findChild(page, "addRule").enabled)
        verify(!findChild(page, "killSwitch").enabled)
        verify(!findChild(page, "policy_balance").enabled)
        verify(!findChild(page, "editRule_console").enabled)
        reconnectAs("admin")
        verify(!findChild(page, "roleNote").visible)
        verify(findChild(page, "addRule").enabled)
    }

    function test_lost_connection_marks_values_stale() {
        const page = makePage()
        verify(!findChild(page, "staleNote").visible)
        server.dropClients()
        tryVerify(() => !Backend.live, 5000)
        verify(page.stale)
        verify(findChild(page, "staleNote").visible)
        verify(!findChild(page, "killSwitch").enabled)
        compare(findChild(page, "pathText").color, Theme.textDim)
        tryVerify(() => Backend.live, 15000)
        verify(!findChild(page, "staleNote").visible)
    }
}
