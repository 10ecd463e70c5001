// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import SmoothWAN.Client
import SmoothWAN.Test
import SmoothWAN.Ui

// The WAN detail page against a scripted router: charts full on open from history.get, the
// enable switch and the other settings send the right commands, an error reply is shown, and
// lower roles get disabled controls with a reason.
Item {
    id: root
    width: 800
    height: 600

    ScriptedServer { id: server }

    function wan(name, state, extra) {
        const w = { name: name, interface: "eth-" + name, type: "ethernet", state: state, reason: "3 probes answered",
                    enabled: true, priority: "always", weight: 10, metered: false, addresses: ["192.0.2.2/24"], gateway: "192.0.2.1",
                    rxBps: 8000000, txBps: 900000, latencyMs: 21, jitterMs: 2, lossPct: 0, lastChange: "2026-11-26T00:00:00Z",
                    usage: { dayBytes: 1e9, monthBytes: 3.2e9, periodStart: "2026-11-01", dailyCapBytes: null, monthlyCapBytes: 20e9, capAction: "warn" } }
        for (const k in extra)
            w[k] = extra[k]
        return w
    }
    function initialState() {
        return { wans: [wan("fibre", "up", {}), wan("lte", "down", { reason: "carrier lost" })], candidates: [],
                 routing: { policy: "failover", path: "fibre" }, engine: { type: "none", state: "off" }, system: {}, events: [] }
    }
    function history(n) {
        const now = Math.floor(Date.now() / 1000)
        const h = { t: [], rxBps: [], txBps: [], latencyMs: [], lossPct: [] }
        for (let i = n - 1; i >= 0; --i) {
            h.t.push(now - i)
            h.rxBps.push(4e6 + (i % 60) * 1e5)
            h.txBps.push(4e5)
            h.latencyMs.push(i % 120 === 0 ? null : 20 + (i % 10))
            h.lossPct.push(i % 100 === 0 ? 5 : 0)
        }
        return { interval_ms: 1000, wans: { fibre: h } }
    }
    function ensureLive(testCase, role) {
        if (Backend.live && Backend.role === role)
            return
        server.role = role
        server.state = initialState()
        server.setReply("history.get", true, history(600))
        Backend.connectToRouter(server.start(), server.token)
        testCase.tryVerify(() => Backend.live && Backend.role === role, 10000, "connected as " + role)
    }
    function findChild(item, name) {
        if (!item)
            return null
        if (item.objectName === name)
            return item
        const kids = item.children || []
        for (let i = 0; i < kids.length; ++i) {
            const found = findChild(kids[i], name)
            if (found)
                return found
        }
        return null
    }
    // Scrolls the page so `item` is on screen (the page scrolls on small screens).
    function scrollTo(page, item, testCase) {
        testCase.waitForItemPolished(page.flickable.contentItem.children[0])
        testCase.wait(50)
        const p = item.mapToItem(page.flickable.contentItem, 0, 0)
        page.flickable.contentY = Math.max(0, Math.min(p.y - 20, page.flickable.contentHeight - page.flickable.height))
    }

    Component { id: pageComponent; WanDetailPage { width: root.width; height: root.height; wanName: "fibre" } }
    Component { id: spyComponent; SignalSpy {} }

    TestCase {
        name: "WanDetail"
        when: windowShown

        function init() {
            Theme.windowWidth = 800
            Theme.windowHeight = 480
            root.ensureLive(this, "admin")
            server.state = root.initialState()
            server.setReply("history.get", true, root.history(600))
            server.setReply("wan.set_enabled", true, {})
            server.clearRequests()
            tryVerify(() => Backend.wans.length === 2 && Backend.wans[0].enabled === true)
        }
        function cleanupTestCase() {
            Backend.disconnectFromRouter()
            server.stop()
        }

        function test_chartsFullOnOpen() {
            const page = createTemporaryObject(pageComponent, root)
            tryVerify(() => server.lastRequest("history.get").wan === "fibre", 5000, "history.get sent on open")
            const req = server.lastRequest("history.get")
            compare(req.seconds, 600)
            const rate = findChild(page, "rateChart")
            tryVerify(() => rate.times.length >= 600, 5000, "history fills the throughput chart at once")
            tryVerify(() => rate.paintedPoints >= 1200, 5000, "both lines drawn: " + rate.paintedPoints)
            const latency = findChild(page, "latencyChart")
            tryVerify(() => latency.paintedPoints >= 590 && latency.paintedPoints < 600, 5000, "latency drawn with its gaps: " + latency.paintedPoints)
            verify(latency.axisMax >= 29, "latency axis " + latency.axisMax)
            const loss = findChild(page, "lossChart")
            tryVerify(() => loss.paintedPoints >= 600)
            compare(loss.axisMax >= 5, true)
        }

        // The probe fields start from the WAN's current settings (wans[].probe), and Apply sends
        // them back with what the user changed.
        function test_probeFieldsStartFromTheWansSettings() {
            const s = root.initialState()
            s.wans[0].probe = { method: "tcp", targets: ["1.1.1.1:443", "9.9.9.9:443"], intervalMs: 1000, timeoutMs: 800,
                                reliability: 2, down: 3, up: 3 }
            server.state = s
            tryVerify(() => Backend.wans[0].probe !== undefined && Backend.wans[0].probe.method === "tcp")
            const page = createTemporaryObject(pageComponent, root)
            const targets = findChild(page, "targetsField")
            tryCompare(targets, "text", "1.1.1.1:443, 9.9.9.9:443")
            compare(findChild(page, "profilePicker").currentValue, "fast")
            targets.text = "1.1.1.1:443"
            const apply = findChild(page, "probeApply")
            root.scrollTo(page, apply, this)
            mouseClick(apply)
            tryVerify(() => server.lastRequest("wan.set_probe").wan === "fibre", 5000, JSON.stringify(server.requests))
            const req = server.lastRequest("wan.set_probe")
            compare(req.method, "tcp")
            compare(req.targets, ["1.1.1.1:443"])
            compare(req.interval_ms, 1000)
        }

        function test_stateShown() {
            const page = createTemporaryObject(pageComponent, root, { wanName: "lte" })
            const badge = findChild(page, "stateBadge")
            verify(Qt.colorEqual(badge.color, Theme.stateDown), "red for down")
            compare(page.title, "lte")
        }

        function test_enableSwitchSendsCommand() {
            const page = createTemporaryObject(pageComponent, root)
            const sw = findChild(page, "wanEnabledSwitch")
            verify(sw.enabled, "an admin may switch it")
            verify(sw.checked)
            verify(sw.height >= 48)
            root.scrollTo(page, sw, this)
            waitForRendering(page)
            mouseClick(sw)
            tryVerify(() => server.lastRequest("wan.set_enabled").wan === "fibre", 5000, "wan.set_enabled sent")
            const req = server.lastRequest("wan.set_enabled")
            compare(req.enabled, false)
            // The router applies it: the state says so, the switch follows.
            server.setValue("/wans/0/enabled", false)
            tryVerify(() => !sw.checked, 5000)
            tryVerify(() => !sw.busy)
            mouseClick(sw)
            tryVerify(() => server.lastRequest("wan.set_enabled").enabled === true, 5000, "and back on")
        }

        function test_errorReplyIsShown() {
            server.setReply("wan.set_enabled", false, { code: "engine_error", message: "the interface is gone" })
            const page = createTemporaryObject(pageComponent, root)
            const sw = findChild(page, "wanEnabledSwitch")
            root.scrollTo(page, sw, this)
            waitForRendering(page)
            mouseClick(sw)
            tryVerify(() => {
                const e = findChild(page, "commandError")
                return e !== null && e.visible && e.text === "the interface is gone"
            }, 5000, "the router's error message is shown")
            tryVerify(() => sw.checked, 5000, "the switch shows the router's state again, not the tap")
        }

        function test_priorityPicker() {
            const page = createTemporaryObject(pageComponent, root)
            const picker = findChild(page, "priorityPicker")
            compare(picker.currentValue, "always")
            root.scrollTo(page, picker, this)
            waitForRendering(page)
            mouseClick(findChild(picker, "segment_backup"))
            tryVerify(() => server.lastRequest("wan.set_priority").priority === "backup", 5000)
            compare(server.lastRequest("wan.set_priority").wan, "fibre")
        }

        function test_renameFollowsNewName() {
            const page = createTemporaryObject(pageComponent, root)
            const spy = createTemporaryObject(spyComponent, root, { target: page, signalName: "openWan" })
            const field = findChild(page, "nameField")
            field.text = "fibre2"
            const button = findChild(page, "renameButton")
            root.scrollTo(page, button, this)
            waitForRendering(page)
            mouseClick(button)
            tryVerify(() => server.lastRequest("wan.rename").name === "fibre2", 5000)
            compare(server.lastRequest("wan.rename").wan, "fibre")
            tryCompare(spy, "count", 1)
            compare(spy.signalArguments[0][0], "fibre2", "the page moves to the renamed WAN")
        }

        function test_capsInGigabytes() {
            const page = createTemporaryObject(pageComponent, root)
            const monthly = findChild(page, "monthlyCapField")
            compare(monthly.text, "20")
            findChild(page, "dailyCapField").text = "1.5"
            monthly.text = ""
            const apply = findChild(page, "capsApply")
            root.scrollTo(page, apply, this)
            waitForRendering(page)
            mouseClick(apply)
            tryVerify(() => server.lastRequest("wan.set_caps").wan === "fibre", 5000)
            const req = server.lastRequest("wan.set_caps")
            compare(req.daily_bytes, 1500000000)
            compare(req.monthly_bytes, null, "an empty field removes the cap")
            compare(req.action, "warn")
        }

        function test_viewerGetsDisabledControlsWithReason() {
            root.ensureLive(this, "viewer")
            const page = createTemporaryObject(pageComponent, root)
            const sw = findChild(page, "wanEnabledSwitch")
            verify(!sw.enabled, "a viewer cannot switch WANs")
            verify(!findChild(page, "priorityPicker").enabled)
            verify(!findChild(page, "renameButton").enabled)
            // The reason is on screen.
            let notes = 0
            const walk = (item) => {
                if (item.hasOwnProperty("need") && item.hasOwnProperty("allowed") && item.visible)
                    ++notes
                for (let i = 0; i < item.children.length; ++i)
                    walk(item.children[i])
            }
            walk(page)
            compare(notes, 2, "operator and admin notes shown")
            root.ensureLive(this, "admin")
        }

        function test_staleMarker() {
            const page = createTemporaryObject(pageComponent, root)
            server.stop()
            tryVerify(() => !Backend.live, 15000)
            verify(page.stale)
            verify(findChild(page, "rateChart").stale)
            verify(!findChild(page, "wanEnabledSwitch").enabled, "no commands while not connected")
            root.ensureLive(this, "admin")
        }

        function test_scrollsOnTheSmallScreen() {
            const page = createTemporaryObject(pageComponent, root, { width: 800 - Theme.railWidth, height: 480 - 0 })
            verify(page.flickable.contentHeight > page.flickable.height, "the settings do not fit 800x480: the page scrolls")
            const caps = findChild(page, "capsApply")
            root.scrollTo(page, caps, this)
            const p = caps.mapToItem(page, 0, 0)
            verify(p.y >= 0 && p.y + caps.height <= page.height, "the last button can be brought into view: " + p.y)
        }
    }
}
