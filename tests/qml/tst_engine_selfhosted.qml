// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import SmoothWAN.Client
import SmoothWAN.Test
import SmoothWAN.Ui

// The engine page with the self-hosted engine (smoothwan-server on the user's VPS), against a
// scripted router: choosing it, pairing with a pasted code (and a refused code), the paired page
// with the server and its paths, the "VPS unreachable" fault, the mode and TCP aggregation written
// to engine.selfhosted of the configuration, unpairing after a confirmation, a viewer who can
// change nothing, and the setup wizard offering to keep the engine.
TestCase {
    id: tc
    name: "EnginePageSelfhosted"
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

    // What the daemon shows for a self-hosted engine connected over two WANs (the contract of
    // issue 8: docs/engines.md).
    Component {
        id: wizardComponent
        WizardPage {
            width: 800
            height: 480
        }
    }

    readonly property var connected: ({
        type: "selfhosted", state: "connected", installed: true, installHint: "", message: "", restarts: 0,
        tunnel: "smoothwan0", tunnelUp: true, lastError: null, logTail: ["relay: path fibre answering"],
        mode: "speed", server: "198.18.0.1",
        pairing: { paired: true, server: "198.18.0.1", relayPort: 51820, shadowsocksPort: 8388, tunnelAddress: "10.77.0.2/30" },
        adapters: [
            { wan: "fibre", interface: "eth1", pathId: 1, state: "active", answering: true, rttMs: 18.4, jitterMs: 1.2,
              lossPercent: 0, probeLossPercent: 0, rxBytes: 1000000, txBytes: 200000, rxBps: 42000000, txBps: 3100000, mptcp: true },
            { wan: "lte", interface: "wwan0", pathId: 2, state: "standby", answering: true, rttMs: 61, jitterMs: 8.5,
              lossPercent: 1.5, probeLossPercent: 2, rxBytes: 5000, txBytes: 4000, rxBps: 12000, txBps: 9000, mptcp: false }
        ],
        session: { rxBytes: 1005000, txBytes: 204000, rxBps: 42012000, txBps: 3109000, handshakeAgeSec: 37, activeWan: "fibre",
                   switches: 2, dropped: { junk: 14, forged: 0, replay: 3 } },
        tcpAggregation: { enabled: true, active: true, port: 7421, endpoints: 2, reason: "" },
        components: [
            { name: "wireguard-go", state: "running", message: "", restarts: 0 },
            { name: "smoothwan-relay", state: "running", message: "", restarts: 1 },
            { name: "ss-redir", state: "running", message: "", restarts: 0 }
        ]
    })
    readonly property var unpaired: ({
        type: "selfhosted", state: "unpaired", installed: true, installHint: "", message: "Not paired with a VPS",
        restarts: 0, tunnel: "smoothwan0", tunnelUp: false, lastError: null, logTail: [], mode: "speed", server: null,
        pairing: { paired: false }, adapters: [], session: null, tcpAggregation: null, components: []
    })
    readonly property string code: "swpair1:" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_".repeat(5)
    readonly property string configYaml: "version: 1\nwans:\n  - name: fibre\n    interface: eth1\nengine:\n  type: selfhosted\n  selfhosted:\n    mode: speed\n    tcp_aggregation: true\n    interface: smoothwan0\n    mtu: 1368\n  speedify:\n    startup_connect: false\napi:\n  port: 8443\n"

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
    function requestsOf(type) {
        return (server.requests || []).filter(r => r.type === type)
    }
    // Every visible text under `item`, joined by "|".
    function textsOf(item) {
        const texts = []
        const walk = (i) => {
            if (!i.visible)
                return
            if (i.text !== undefined)
                texts.push(String(i.text))
            for (let k = 0; k < i.children.length; ++k)
                walk(i.children[k])
        }
        walk(item)
        return texts.join("|")
    }
    function useEngine(slice) {
        server.setValue("/engine", slice)
        tryVerify(() => Backend.engine.type === slice.type && Backend.engine.state === slice.state)
        server.clearRequests()
    }
    function useRole(role) {
        server.role = role
        server.dropClients()
        tryVerify(() => Backend.role === role && Backend.live, 15000)
    }

    function initTestCase() {
        tc.setState({ wans: [ { name: "fibre", interface: "eth1", state: "up" }, { name: "lte", interface: "wwan0", state: "up" } ],
                      candidates: [], routing: { policy: "bonded" }, engine: tc.connected, system: {}, events: [] })
        Backend.connectToRouter(server.start(), server.token)
        tryCompare(Backend, "live", true, 10000)
    }

    function cleanupTestCase() {
        Backend.disconnectFromRouter()
        server.stop()
    }

    function init() {
        server.setReply("engine.pair", true, { server: "198.18.0.1", relayPort: 51820, shadowsocksPort: 8388, tunnelAddress: "10.77.0.2/30" })
        server.setReply("config.get", true, { yaml: tc.configYaml })
        tc.useEngine(tc.connected)
    }

    function test_type_chooser_sends_set_type_selfhosted() {
        tc.useEngine({ type: "none", state: "off", installed: true, logTail: [] })
        const page = createTemporaryObject(pageComponent, tc)
        const choice = findChild(page, "engineType_selfhosted")
        verify(choice && choice.visible && choice.enabled)
        compare(choice.text, "Self-hosted (your VPS)")
        tap(page, choice)
        tap(page, findChild(page, "confirmEngineType"))
        tryVerify(() => requestsOf("engine.set_type").length === 1, 5000, JSON.stringify(server.requests))
        compare(requestsOf("engine.set_type")[0].engine, "selfhosted")
    }

    function test_unpaired_page_pairs_with_the_pasted_code() {
        tc.useEngine(tc.unpaired)
        const page = createTemporaryObject(pageComponent, tc)
        verify(findChild(page, "engineState").text.indexOf("Not paired") >= 0, findChild(page, "engineState").text)
        const field = findChild(page, "pairCode")
        const pair = findChild(page, "pairButton")
        verify(field.visible && pair.visible)
        verify(!pair.enabled, "nothing to pair with yet")
        verify(!findChild(page, "connectButton").visible, "nothing to connect to before pairing")
        verify(!findChild(page, "unpairButton").visible)
        verify(tc.textsOf(findChild(page, "pairingPanel")).indexOf("smoothwan-server init --public-address") >= 0, tc.textsOf(findChild(page, "pairingPanel")))
        field.text = "  " + tc.code + "\n"   // pasted with the terminal's blanks around it
        tap(page, pair)
        tryVerify(() => requestsOf("engine.pair").length === 1, 5000, JSON.stringify(server.requests))
        compare(requestsOf("engine.pair")[0].code, tc.code)
        tryVerify(() => findChild(page, "pairMessage").text.indexOf("198.18.0.1") >= 0, 5000, findChild(page, "pairMessage").text)
        compare(field.text, "", "the code is not kept once paired")
    }

    function test_refused_code_shows_the_server_message_and_stays_unpaired() {
        server.setReply("engine.pair", false, { code: "invalid_format",
                        message: "The pairing code is mistyped or truncated: its checksum does not match." })
        tc.useEngine(tc.unpaired)
        const page = createTemporaryObject(pageComponent, tc)
        const field = findChild(page, "pairCode")
        field.text = tc.code.slice(0, 120)
        tap(page, findChild(page, "pairButton"))
        const message = findChild(page, "pairMessage")
        tryVerify(() => message.visible && message.text.indexOf("mistyped or truncated") >= 0, 5000, message.text)
        verify(field.invalid, "the field is marked")
        compare(field.text, tc.code.slice(0, 120), "the code stays, to be corrected")
        verify(findChild(page, "pairButton").visible)
        verify(!findChild(page, "pairingDetails").visible)
        verify(!findChild(page, "connectButton").visible)
        // The message sits under the field.
        tryVerify(() => message.mapToItem(page, 0, 0).y > field.mapToItem(page, 0, 0).y + field.height / 2, 2000,
                  "message at " + message.mapToItem(page, 0, 0).y + ", field at " + field.mapToItem(page, 0, 0).y)
        compare(requestsOf("engine.unpair").length, 0)
        compare(requestsOf("engine.connect").length, 0)
    }

    function test_paired_page_shows_server_and_one_row_per_path() {
        const page = createTemporaryObject(pageComponent, tc)
        verify(findChild(page, "engineState").text.indexOf("Self-hosted: Connected") === 0, findChild(page, "engineState").text)
        verify(!findChild(page, "pairCode").visible)
        const details = tc.textsOf(findChild(page, "pairingDetails"))
        verify(details.indexOf("198.18.0.1") >= 0, details)
        verify(details.indexOf("51820") >= 0, details)
        verify(details.indexOf("10.77.0.2/30") >= 0, details)
        const fibre = findChild(page, "path_fibre")
        const lte = findChild(page, "path_lte")
        verify(fibre && fibre.visible && lte && lte.visible)
        const rows = []
        const walk = (i) => {
            if (i.visible && /^path_/.test(i.objectName))
                rows.push(i.objectName)
            for (let k = 0; k < i.children.length; ++k)
                walk(i.children[k])
        }
        walk(page)
        compare(rows.sort(), ["path_fibre", "path_lte"], "one row per path")
        compare(findChild(fibre, "pathValue_rtt").text, Theme.formatMs(18.4))
        compare(findChild(lte, "pathValue_rtt").text, Theme.formatMs(61))
        compare(findChild(lte, "pathValue_loss").text, Theme.formatPct(1.5))
        const fibreTexts = tc.textsOf(fibre)
        verify(fibreTexts.indexOf("eth1") >= 0 && fibreTexts.indexOf("Active") >= 0, fibreTexts)
        verify(fibreTexts.indexOf(Theme.formatRate(42000000)) >= 0, fibreTexts)
        verify(findChild(fibre, "mptcpMarker").visible, "fibre carries MPTCP")
        verify(!findChild(lte, "mptcpMarker").visible)
        verify(tc.textsOf(lte).indexOf("Standby") >= 0)
        // Exactly the two paths: the Speedify adapter panels are not used.
        verify(!findChild(page, "adapter_"), "no Speedify adapter panel")
        // Session, TCP aggregation, processes.
        compare(findChild(page, "session_activeWan").text, "fibre")
        compare(findChild(page, "session_dropped").text, "14 / 0 / 3")
        compare(findChild(page, "session_handshake").text, "37 s ago")
        verify(findChild(page, "tcpAggregationLine").text.indexOf("active") >= 0)
        verify(tc.textsOf(findChild(page, "component_smoothwan-relay")).indexOf("1 restart") >= 0)
        // Connect / Disconnect as for Speedify.
        tap(page, findChild(page, "disconnectButton"))
        tryVerify(() => requestsOf("engine.disconnect").length === 1, 5000, JSON.stringify(server.requests))
    }

    function test_unreachable_vps_is_said_prominently() {
        const page = createTemporaryObject(pageComponent, tc)
        verify(!findChild(page, "selfhostedFault").visible)
        server.setValue("/engine/state", "unreachable")
        server.setValue("/engine/message", "The VPS 198.18.0.1 does not answer on any WAN")
        tryVerify(() => findChild(page, "selfhostedFault").visible)
        compare(findChild(page, "selfhostedFaultText").text, "The VPS 198.18.0.1 does not answer on any WAN")
        verify(findChild(page, "engineState").text.indexOf("unreachable") >= 0, findChild(page, "engineState").text)
        // It is at the top of the page, without scrolling.
        const at = findChild(page, "selfhostedFault").mapToItem(page, 0, 0)
        verify(at.y >= 0 && at.y < page.height / 2, "fault box at y " + at.y)
        // Silent paths say so.
        server.setValue("/engine/adapters/0/state", "silent")
        tryVerify(() => tc.textsOf(findChild(page, "path_fibre")).indexOf("does not answer on this WAN") >= 0)
    }

    function test_mode_is_written_to_the_configuration() {
        const page = createTemporaryObject(pageComponent, tc)
        const redundant = findChild(page, "shMode_redundant")
        verify(redundant.visible && redundant.enabled)
        tap(page, redundant)
        tryVerify(() => requestsOf("config.apply").length === 1, 5000, JSON.stringify(server.requests))
        const yaml = requestsOf("config.apply")[0].yaml
        verify(yaml.indexOf("engine:\n  type: selfhosted\n  selfhosted:\n    mode: redundant\n") >= 0, yaml)
        // The rest of the section and of the file is kept.
        verify(yaml.indexOf("    tcp_aggregation: true\n    interface: smoothwan0\n    mtu: 1368\n") >= 0, yaml)
        verify(yaml.indexOf("  speedify:\n    startup_connect: false\n") >= 0, yaml)
        verify(yaml.indexOf("api:\n  port: 8443") >= 0, yaml)
        compare(requestsOf("engine.action").length, 0, "the lasting mode is the configuration's")
        tryVerify(() => findChild(page, "shMode_redundant").highlighted)
        // TCP aggregation: the switch writes tcp_aggregation.
        const tcp = findChild(page, "shTcpAggregation")
        tryVerify(() => tcp.enabled)
        verify(tcp.checked)
        server.clearRequests()
        tap(page, tcp)
        tryVerify(() => requestsOf("config.apply").length === 1, 5000, JSON.stringify(server.requests))
        const yaml2 = requestsOf("config.apply")[0].yaml
        verify(yaml2.indexOf("  selfhosted:\n") >= 0 && yaml2.indexOf("    tcp_aggregation: false\n") >= 0, yaml2)
    }

    function test_mode_section_is_added_when_missing() {
        server.setReply("config.get", true, { yaml: "version: 1\nengine:\n  type: selfhosted\n" })
        const page = createTemporaryObject(pageComponent, tc)
        tap(page, findChild(page, "shMode_streaming"))
        tryVerify(() => requestsOf("config.apply").length === 1, 5000, JSON.stringify(server.requests))
        compare(requestsOf("config.apply")[0].yaml, "version: 1\nengine:\n  type: selfhosted\n  selfhosted:\n    mode: streaming\n")
    }

    function test_unpair_needs_confirmation() {
        const page = createTemporaryObject(pageComponent, tc)
        tap(page, findChild(page, "unpairButton"))
        wait(50)
        compare(requestsOf("engine.unpair").length, 0, "not before confirming")
        const confirm = findChild(page, "confirmUnpair")
        verify(confirm.visible)
        tap(page, findChild(page, "cancelUnpair"))
        verify(!confirm.visible)
        tap(page, findChild(page, "unpairButton"))
        tap(page, findChild(page, "confirmUnpair"))
        tryVerify(() => requestsOf("engine.unpair").length === 1, 5000, JSON.stringify(server.requests))
        // The daemon answers with the unpaired slice: the page asks for a code again.
        server.setValue("/engine", tc.unpaired)
        tryVerify(() => findChild(page, "pairCode").visible)
        verify(!findChild(page, "connectButton").visible)
    }

    function test_viewer_cannot_change_anything() {
        tc.useRole("viewer")
        const page = createTemporaryObject(pageComponent, tc)
        verify(!findChild(page, "connectButton").enabled)
        verify(!findChild(page, "disconnectButton").enabled)
        verify(!findChild(page, "unpairButton").enabled)
        verify(!findChild(page, "shMode_redundant").enabled)
        verify(!findChild(page, "shTcpAggregation").enabled)
        verify(!findChild(page, "engineType_selfhosted").enabled)
        // And says why.
        const texts = tc.textsOf(page)
        verify(texts.indexOf("Only an admin can pair, unpair and change the settings below.") >= 0, texts)
        verify(texts.indexOf("Connecting and disconnecting need the operator or admin role.") >= 0, texts)
        // Unpaired: the code cannot be entered either.
        server.setValue("/engine", tc.unpaired)
        tryVerify(() => findChild(page, "pairCode").visible)
        verify(!findChild(page, "pairCode").enabled)
        verify(!findChild(page, "pairButton").enabled)
        compare(requestsOf("config.get").length, 0, "a viewer does not read the configuration")
        tc.useRole("admin")
    }

    function test_operator_may_connect_but_not_pair_or_change_the_mode() {
        tc.useRole("operator")
        const page = createTemporaryObject(pageComponent, tc)
        verify(findChild(page, "disconnectButton").enabled)
        verify(!findChild(page, "unpairButton").enabled)
        verify(!findChild(page, "shMode_speed").enabled)
        tc.useRole("admin")
    }

    // The wizard's engine step offers to keep a self-hosted engine (it only chooses Speedify or
    // none itself), and that is what it starts with.
    function test_wizard_keeps_the_selfhosted_engine() {
        AppSettings.wizardDraft = ""
        const page = createTemporaryObject(wizardComponent, tc)
        const choice = findChild(page, "engineChoice")
        verify(choice)
        compare(choice.options[0].value, "keep")
        compare(choice.options[0].label, "Keep self-hosted")
        compare(choice.currentValue, "keep")
        AppSettings.wizardDraft = ""
    }
}
