// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import SmoothWAN.Client
import SmoothWAN.Test
import SmoothWAN.Ui

// The engine page against a scripted router running Speedify: connect sends engine.connect and
// an engine error is shown; a missing engine shows what to install; settings, bypass lists and
// the engine choice send the right commands (the choice only after confirming); per-adapter
// stats are shown; the Engarde/tinyfecVPN configuration edit keeps the rest of the file.
TestCase {
    id: tc
    name: "EnginePage"
    width: 800
    height: 480
    when: windowShown
    visible: true

    ScriptedServer {
        id: server
    }

    Component {
        id: pageComponent
        EnginePage {
            width: 800
            height: 480
        }
    }

    readonly property var speedify: ({
        type: "speedify", state: "logged-in", speedifyState: "LOGGED_IN", installed: true, installHint: "",
        version: "15.7.2", server: null, mode: "speed",
        settings: { mode: "speed", transport: "auto", encrypted: true, jumboPackets: false, packetAggregation: true,
                    headerCompression: false, startupConnect: true, overflowThresholdMbps: 30, maxRedundant: 2 },
        adapters: [
            { adapterId: "eth1", wan: "fibre", name: "Ethernet", state: "connected", type: "Ethernet", isp: "Fibre Co",
              priority: "always", workingPriority: "always", usageDailyBytes: 1000000, usageMonthlyBytes: 5000000,
              stats: { latencyMs: 23.5, jitterMs: 2, lossSend: 0, lossReceive: 0.01, receiveBps: 12000000, sendBps: 800000,
                       congested: false, connected: true, connections: 2 } }
        ],
        session: { failovers: 1, redundantModeSaves: 0, bytesReceived: 1000, bytesSent: 500 },
        streamingBypass: { domains: ["example.com"], ipv4: [], ipv6: [], ports: [{ port: 3074, protocol: "udp" }],
                           services: [{ title: "Netflix", enabled: false }] },
        tunnel: "connectify0", tunnelUp: false, lastError: null, logTail: ["line one", "line two"]
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
        tc.setState({ wans: [ { name: "fibre", interface: "eth1", state: "up" } ], candidates: [],
                         routing: { policy: "bonded" }, engine: tc.speedify, system: {}, events: [] })
        Backend.connectToRouter(server.start(), server.token)
        tryCompare(Backend, "live", true, 10000)
    }

    function cleanupTestCase() {
        Backend.disconnectFromRouter()
        server.stop()
    }

    function init() {
        server.setValue("/engine", tc.speedify)
        tryVerify(() => Backend.engine.state === "logged-in" && Backend.engine.installed === true)
        server.clearRequests()
    }

    function requestsOf(type) {
        return (server.requests || []).filter(r => r.type === type)
    }
    function visibleFeedback(page) {
        const texts = []
        const walk = (item) => {
            if (item.objectName === "feedbackText" && item.visible && item.text !== "")
                texts.push(item.text)
            for (let i = 0; i < item.children.length; ++i)
                walk(item.children[i])
        }
        walk(page)
        return texts.join("\n")
    }

    function test_connect_sends_engine_connect() {
        const page = createTemporaryObject(pageComponent, tc)
        verify(findChild(page, "engineState").text.indexOf("Speedify") === 0)
        const connect = findChild(page, "connectButton")
        verify(connect.visible && connect.enabled)
        tap(page, connect)
        tryVerify(() => requestsOf("engine.connect").length === 1, 5000, JSON.stringify(server.requests))
        tap(page, findChild(page, "disconnectButton"))
        tryVerify(() => requestsOf("engine.disconnect").length === 1, 5000, JSON.stringify(server.requests))
    }

    // The main (highlighted) action follows the state: Connect while not connected, Disconnect
    // once connected (Connect becomes Reconnect).
    function test_main_action_follows_the_state() {
        const page = createTemporaryObject(pageComponent, tc)
        const connect = findChild(page, "connectButton")
        const disconnect = findChild(page, "disconnectButton")
        server.setValue("/engine/state", "logged-in")
        tryVerify(() => connect.highlighted && !disconnect.highlighted)
        compare(connect.text, "Connect")
        server.setValue("/engine/state", "connected")
        tryVerify(() => !connect.highlighted && disconnect.highlighted)
        compare(connect.text, "Reconnect")
        verify(connect.enabled && disconnect.enabled)
    }

    function test_engine_error_is_shown() {
        server.setReply("engine.connect", false, { code: "engine_error", message: "Speedify could not do “connect”: not logged in" })
        const page = createTemporaryObject(pageComponent, tc)
        tap(page, findChild(page, "connectButton"))
        tryVerify(() => tc.visibleFeedback(page).indexOf("not logged in") >= 0, 5000, tc.visibleFeedback(page))
        server.setReply("engine.connect", true, {})
        // The slice's lastError is shown as well.
        server.setValue("/engine/lastError", { kind: "daemon-error", message: "Speedify daemon not reachable" })
        tryVerify(() => findChild(page, "lastError").visible)
        verify(findChild(page, "lastError").text.indexOf("not reachable") >= 0)
    }

    function test_not_installed_shows_the_install_hint() {
        const page = createTemporaryObject(pageComponent, tc)
        verify(!findChild(page, "installHint").visible)
        server.setValue("/engine/installed", false)
        server.setValue("/engine/state", "not-installed")
        server.setValue("/engine/installHint", "Install Speedify: bash -c \"$(curl -sL https://get.speedify.com)\"")
        tryVerify(() => findChild(page, "installHint").visible)
        verify(findChild(page, "installHintText").text.indexOf("get.speedify.com") >= 0)
        verify(!findChild(page, "connectButton").visible, "no connect button for a missing engine")
    }

    function test_settings_send_engine_actions() {
        const page = createTemporaryObject(pageComponent, tc)
        tap(page, findChild(page, "mode_redundant"))
        tryVerify(() => requestsOf("engine.action").length === 1, 5000, JSON.stringify(server.requests))
        let r = requestsOf("engine.action")[0]
        compare(r.name, "set_mode")
        compare(r.args.mode, "redundant")
        tap(page, findChild(page, "transport_udp"))
        tryVerify(() => requestsOf("engine.action").length === 2, 5000, JSON.stringify(server.requests))
        r = requestsOf("engine.action")[1]
        compare(r.name, "set_transport")
        compare(r.args.transport, "udp")
        const jumbo = findChild(page, "toggle_jumboPackets")
        tap(page, jumbo)
        tryVerify(() => requestsOf("engine.action").length === 3, 5000, JSON.stringify(server.requests))
        r = requestsOf("engine.action")[2]
        compare(r.name, "set_jumbo")
        compare(r.args.enabled, true)
        compare(jumbo.checked, false, "the switch shows Speedify's value until it changes")
    }

    function test_streaming_bypass_lists() {
        const page = createTemporaryObject(pageComponent, tc)
        const field = findChild(page, "bypassAdd_domains")
        verify(field)
        field.text = "video.example.org"
        tap(page, findChild(page, "bypassAddButton_domains"))
        tryVerify(() => requestsOf("engine.action").length === 1, 5000, JSON.stringify(server.requests))
        const r = requestsOf("engine.action")[0]
        compare(r.name, "streamingbypass_list")
        compare(r.args.list, "domains")
        compare(r.args.op, "add")
        compare(r.args.values, ["video.example.org"])
    }

    function test_adapter_stats_are_shown() {
        const page = createTemporaryObject(pageComponent, tc)
        const panel = findChild(page, "adapter_eth1")
        verify(panel && panel.visible)
        const texts = []
        const walk = (item) => {
            if (item.text !== undefined && item.visible)
                texts.push(String(item.text))
            for (let i = 0; i < item.children.length; ++i)
                walk(item.children[i])
        }
        walk(panel)
        const all = texts.join("|")
        verify(all.indexOf("fibre") >= 0, all)
        verify(all.indexOf(Theme.formatMs(23.5)) >= 0, all)
        verify(all.indexOf(Theme.formatRate(12000000)) >= 0, all)
    }

    function test_adapter_rate_limit_in_mbps() {
        const page = createTemporaryObject(pageComponent, tc)
        findChild(page, "limitDown_eth1").text = "20"
        findChild(page, "limitUp_eth1").text = "2.5"
        tap(page, findChild(page, "setLimit_eth1"))
        tryVerify(() => requestsOf("engine.action").length === 1, 5000)
        const r = requestsOf("engine.action")[0]
        compare(r.name, "adapter_rate_limit")
        compare(r.args.adapter, "eth1")
        compare(r.args.down_bps, 20000000)
        compare(r.args.up_bps, 2500000)
    }

    function test_engine_choice_needs_confirmation() {
        const page = createTemporaryObject(pageComponent, tc)
        tap(page, findChild(page, "engineType_none"))
        wait(50)
        compare(requestsOf("engine.set_type").length, 0)
        const confirm = findChild(page, "confirmEngineType")
        verify(confirm.visible)
        tap(page, confirm)
        tryVerify(() => requestsOf("engine.set_type").length === 1, 5000, JSON.stringify(server.requests))
        compare(requestsOf("engine.set_type")[0].engine, "none")
    }

    function test_engine_section_edit_keeps_the_rest() {
        const page = createTemporaryObject(pageComponent, tc)
        const yaml = "version: 1\nwans:\n  - name: fibre\n    interface: eth1\nengine:\n  type: tinyfec\n  tinyfec:\n    server: 1.2.3.4:4000\n    fec: \"20:10\"\n    subnet: 10.22.22.0\n  speedify:\n    mode: speed\napi:\n  port: 8443\n"
        const read = page.readEngineSection(yaml, "tinyfec")
        compare(read.server, "1.2.3.4:4000")
        compare(read.fec, "20:10")
        const out = page.writeEngineSection(yaml, "tinyfec", [["server", "\"5.6.7.8:5000\""], ["fec", "\"1:3,2:4\""]])
        verify(out.indexOf("  tinyfec:\n    server: \"5.6.7.8:5000\"\n    fec: \"1:3,2:4\"\n") >= 0, out)
        verify(out.indexOf("1.2.3.4") < 0, out)
        verify(out.indexOf("  speedify:\n    mode: speed") >= 0, out)
        verify(out.indexOf("api:\n  port: 8443") >= 0, out)
        verify(out.indexOf("wans:\n  - name: fibre") >= 0, out)
        // No engine section yet: one is added.
        const added = page.writeEngineSection("version: 1\n", "engarde", [["server", "\"9.9.9.9:1\""]])
        compare(added, "version: 1\nengine:\n  engarde:\n    server: \"9.9.9.9:1\"\n")
        // A flow-style section is left alone.
        compare(page.writeEngineSection("engine: {type: none}\n", "engarde", [["server", "\"x:1\""]]), "")
        verify(page.fecOk("1:3,2:4,8:6,20:10"))
        verify(!page.fecOk("8:6,2:4"))
        verify(!page.fecOk("200:100"))
    }

    function test_operator_may_connect_but_not_change_settings() {
        server.role = "operator"
        server.dropClients()
        tryVerify(() => Backend.role === "operator" && Backend.live, 15000)
        const page = createTemporaryObject(pageComponent, tc)
        verify(findChild(page, "connectButton").enabled)
        verify(!findChild(page, "mode_redundant").enabled)
        verify(!findChild(page, "engineType_none").enabled)
        verify(!findChild(page, "loadLog").enabled)
        server.role = "admin"
        server.dropClients()
        tryVerify(() => Backend.role === "admin" && Backend.live, 15000)
    }
}
