// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import SmoothWAN.Client
import SmoothWAN.Test
import SmoothWAN.Ui

// The dashboard and the shell against a scripted router: tiles appear per WAN and follow its
// state, nothing old looks live, the chart is full on open, and Main.qml's navigation hooks.
Item {
    id: root
    width: 800
    height: 600

    ScriptedServer { id: server }

    function wan(name, state, extra) {
        const w = { name: name, interface: "eth-" + name, type: "ethernet", state: state, reason: state === "up" ? "3 probes answered" : "carrier lost",
                    enabled: true, priority: "always", weight: 1, metered: false, addresses: ["192.0.2.2/24"], gateway: "192.0.2.1",
                    rxBps: 12300000, txBps: 1200000, latencyMs: 14, jitterMs: 2, lossPct: 0, lastChange: "2026-11-26T00:00:00Z",
                    usage: { dayBytes: 1e9, monthBytes: 3.2e9, periodStart: "2026-11-01", dailyCapBytes: null, monthlyCapBytes: 20e9, capAction: "warn" } }
        for (const k in extra)
            w[k] = extra[k]
        return w
    }
    function initialState() {
        return {
            wans: [wan("fibre", "up", {}), wan("cable", "degraded", { priority: "secondary", lossPct: 3 }),
                   wan("lte", "up", { type: "cellular", priority: "backup", rxBps: 0, txBps: 0 })],
            candidates: [],
            routing: { policy: "failover", killSwitch: false, path: "fibre", reason: "fibre is the best usable WAN", lanWans: ["fibre", "cable", "lte"] },
            engine: { type: "none", state: "off" },
            system: { version: "0.1.0" },
            events: [{ id: 1, time: "2026-11-26T00:00:01Z", area: "wan", severity: "info", message: "fibre up" },
                     { id: 2, time: "2026-11-26T00:00:02Z", area: "wan", severity: "warning", message: "cable degraded: 3 % loss" }]
        }
    }
    function history(names, n) {
        const now = Math.floor(Date.now() / 1000)
        const wans = {}
        for (const name of names) {
            const h = { t: [], rxBps: [], txBps: [], latencyMs: [], lossPct: [] }
            for (let i = n - 1; i >= 0; --i) {
                h.t.push(now - i)
                h.rxBps.push(5e6)
                h.txBps.push(5e5)
                h.latencyMs.push(20)
                h.lossPct.push(0)
            }
            wans[name] = h
        }
        return { interval_ms: 1000, wans: wans }
    }

    // Connected to the scripted router (again), without waiting for the client's backoff.
    function ensureLive(testCase) {
        if (Backend.live)
            return
        server.state = root.initialState()
        server.setReply("history.get", true, root.history(["fibre", "cable", "lte"], 600))
        Backend.connectToRouter(server.start(), server.token)
        testCase.tryVerify(() => Backend.live, 10000, "connected to the scripted router")
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
        if (item.contentItem && item.contentItem !== item && kids.indexOf(item.contentItem) < 0)
            return findChild(item.contentItem, name)
        return null
    }

    Component { id: dashboardComponent; DashboardPage { width: root.width; height: root.height } }
    Component { id: spyComponent; SignalSpy {} }

    TestCase {
        name: "Dashboard"
        when: windowShown

        function initTestCase() {
            root.ensureLive(this)
        }
        function cleanupTestCase() {
            Backend.disconnectFromRouter()
            server.stop()
        }
        function init() {
            root.ensureLive(this)
            server.state = root.initialState()
            tryVerify(() => Backend.wans.length === 3, 5000, "the scripted state is back")
            Theme.windowWidth = 800
            Theme.windowHeight = 480
        }

        function test_tilePerWan() {
            const page = createTemporaryObject(dashboardComponent, root)
            for (const name of ["fibre", "cable", "lte"])
                tryVerify(() => findChild(page, "wanTile_" + name) !== null, 5000, "tile of " + name)
            const fibre = findChild(page, "wanTile_fibre")
            compare(fibre.wanState, "up")
            verify(Qt.colorEqual(fibre.statusColor, Theme.stateUp))
            verify(Qt.colorEqual(findChild(page, "wanTile_cable").statusColor, Theme.stateDegraded))
            compare(findChild(fibre, "rxText").text, "↓ 12.3 Mb/s")
            compare(findChild(page, "totalRxText").text, "↓ 24.6 Mb/s")
            compare(findChild(page, "pathText").text, "Internet via fibre")
            compare(findChild(page, "tickerText").text, "cable degraded: 3 % loss", "the newest event")
        }

        function test_engineNames() {
            const page = createTemporaryObject(dashboardComponent, root)
            compare(page.engineName("speedify"), "Speedify")
            compare(page.engineName("selfhosted"), "your VPS", "the own engine is named, not 'the tunnel'")
        }

        function test_tileTurnsRedWhenDown() {
            const page = createTemporaryObject(dashboardComponent, root)
            tryVerify(() => findChild(page, "wanTile_fibre") !== null)
            const fibre = findChild(page, "wanTile_fibre")
            server.setValue("/wans/0/state", "down")
            tryCompare(fibre, "wanState", "down")
            verify(Qt.colorEqual(fibre.statusColor, Theme.stateDown), "red on down: " + fibre.statusColor)
            server.setValue("/wans/0/enabled", false)
            tryVerify(() => Qt.colorEqual(fibre.statusColor, Theme.stateDisabled), 5000, "grey when turned off")
        }

        function test_newWanGetsATile() {
            const page = createTemporaryObject(dashboardComponent, root)
            tryVerify(() => findChild(page, "wanTile_lte") !== null)
            server.setValue("/wans/3", root.wan("starlink", "up", {}))
            tryVerify(() => findChild(page, "wanTile_starlink") !== null, 5000, "a new WAN gets a tile")
        }

        function test_chartFullOnOpen() {
            const page = createTemporaryObject(dashboardComponent, root)
            const chart = findChild(page, "totalChart")
            tryVerify(() => chart.times.length >= 600, 5000, "history fills the total chart")
            tryVerify(() => chart.paintedPoints >= 1000, 5000, "and it is drawn: " + chart.paintedPoints)
            const req = server.lastRequest("history.get")
            compare(req.seconds, 600)
            verify(chart.axisMax >= 5.5e6 * 3 - 1, "totals are summed over the WANs")
        }

        function test_tapOpensWan() {
            const page = createTemporaryObject(dashboardComponent, root)
            tryVerify(() => findChild(page, "wanTile_cable") !== null)
            const spy = createTemporaryObject(spyComponent, root, { target: page, signalName: "openWan" })
            waitForItemPolished(findChild(page, "wanTiles"))
            mouseClick(findChild(page, "wanTile_cable"))
            compare(spy.count, 1)
            compare(spy.signalArguments[0][0], "cable")
        }

        function test_staleWhenConnectionLost() {
            const page = createTemporaryObject(dashboardComponent, root)
            tryVerify(() => findChild(page, "wanTile_fibre") !== null)
            const fibre = findChild(page, "wanTile_fibre")
            server.stop()
            tryVerify(() => !Backend.live, 15000, "the client notices the lost connection")
            compare(Backend.status, "stale")
            verify(Qt.colorEqual(fibre.statusColor, Theme.stateStale), "no state colour on stale data")
            compare(findChild(fibre, "stateBadge").children[0].text, "stale")
            verify(Qt.colorEqual(findChild(fibre, "rxText").color, Theme.textDisabled), "numbers greyed")
            verify(Qt.colorEqual(findChild(page, "totalRxText").color, Theme.textDisabled))
            verify(findChild(page, "totalChart").stale)
            verify(page.stale, "the page header shows the stale marker")
            root.ensureLive(this)
            tryVerify(() => findChild(page, "wanTile_fibre") !== null
                      && Qt.colorEqual(findChild(page, "wanTile_fibre").statusColor, Theme.stateUp), 5000, "live again")
        }

        function test_fitsTheSmallScreen() {
            Theme.windowWidth = 800
            Theme.windowHeight = 480
            const page = createTemporaryObject(dashboardComponent, root, { width: 800 - Theme.railWidth, height: 480 })
            tryVerify(() => findChild(page, "wanTile_lte") !== null)
            const tiles = findChild(page, "wanTiles")
            compare(tiles.columns, 3, "three WANs side by side on the 7\" display")
            const lte = findChild(page, "wanTile_lte")
            verify(lte.width >= Theme.tileMinWidth - 1)
            // Everything is reachable: the page scrolls when it does not fit.
            verify(page.flickable.contentHeight <= page.flickable.height || page.flickable.interactive)
        }
    }

    // The shell: navigation hooks, the banner, pages by file name, blanking.
    TestCase {
        name: "Shell"
        when: windowShown

        property var window: null

        function init() {
            root.ensureLive(this)
            const c = Qt.createComponent("qrc:/qt/qml/SmoothWAN/Ui/Main.qml")
            compare(c.status, Component.Ready, c.errorString())
            window = c.createObject(null, { width: 800, height: 480 })
            verify(window)
        }
        function cleanup() {
            window.destroy()
            window = null
        }

        function test_showPageAndWan() {
            compare(window.currentPage, "dashboard")
            tryVerify(() => window.pageItem && window.pageItem.objectName === "dashboardPage")
            window.showWan("cable")
            compare(window.currentPage, "wan")
            tryVerify(() => window.pageItem && window.pageItem.objectName === "wanDetailPage")
            compare(window.pageItem.wanName, "cable")
            window.showWan("fibre")
            compare(window.pageItem.wanName, "fibre", "the open detail page follows")
            window.pageItem.back()
            compare(window.currentPage, "dashboard")
        }

        function test_everyPageLoadsOrSaysSo() {
            for (const name of ["engine", "routing", "events", "system", "wizard", "routers", "dashboard"]) {
                window.showPage(name)
                compare(window.currentPage, name)
                const l = findChild(window.contentItem, "pageLoader")
                tryVerify(() => l.status === Loader.Ready || l.status === Loader.Error, 5000, name)
            }
        }

        function test_bannerFollowsConnection() {
            const banner = findChild(window.contentItem, "connectionBanner")
            verify(!banner.visible, "no banner while live")
            server.stop()
            tryVerify(() => banner.visible, 15000, "a banner once the connection is lost")
            verify(findChild(banner, "bannerText").text.indexOf("stale") >= 0)
            root.ensureLive(this)
            tryVerify(() => !banner.visible)
        }

        function test_blankingSwallowsTheWakingTouch() {
            window.blankAfterSeconds = 1
            window.blankingEnabled = true
            tryVerify(() => window.blanked, 5000, "blanked after a second without touch")
            const overlay = findChild(window.contentItem, "blankOverlay") || window.contentItem.children[window.contentItem.children.length - 1]
            window.showPage("dashboard")
            // A touch wakes it up and nothing under the finger is pressed.
            const before = window.currentPage
            mouseClick(window.contentItem, 400, 240)
            verify(!window.blanked, "woken")
            compare(window.currentPage, before)
            window.blankingEnabled = false
        }
    }
}
