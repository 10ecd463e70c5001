// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import SmoothWAN.Ui

// The UI components alone, with data as properties (no router): what a user sees of each.
Item {
    id: root
    width: 800
    height: 480

    Component { id: tileComponent; WanTile { width: 260; name: "fibre"; type: "ethernet"; priority: "always"; rxBps: 12300000; txBps: 1200000; latencyMs: 14; lossPct: 0 } }
    Component { id: chartComponent; TimeSeriesChart { width: 400; height: 150 } }
    Component { id: buttonComponent; SwButton { text: "Go" } }
    Component { id: switchComponent; SwSwitch {} }
    Component { id: fieldComponent; SwTextField {} }
    Component { id: pickerComponent; SegmentedPicker { width: 200; options: [{ value: "a", label: "A" }, { value: "b", label: "B" }, { value: "c", label: "C" }, { value: "d", label: "D" }] } }
    Component { id: railComponent; NavRail { height: 480; items: [{ name: "dashboard", label: "Home", icon: "dashboard" }, { name: "engine", label: "Bonding", icon: "engine" }, { name: "routing", label: "Routing", icon: "routing" }, { name: "events", label: "Events", icon: "events" }, { name: "system", label: "System", icon: "system" }, { name: "wizard", label: "Setup", icon: "wizard" }, { name: "routers", label: "Routers", icon: "routers" }] } }
    Component { id: bannerComponent; ConnectionBanner { width: 800 } }
    Component { id: statusComponent; CommandStatus { width: 300 } }
    Component { id: fakeCommand; QtObject { property bool running: true; property bool succeeded: false; property string errorCode: ""; property string errorMessage: "" } }
    Component { id: bufferComponent; HistoryBuffer {} }
    Component { id: tickerComponent; EventsTicker { width: 600 } }

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

    TestCase {
        name: "Components"
        when: windowShown

        function init() {
            Theme.windowWidth = 800
            Theme.windowHeight = 480
            Theme.mode = "dark"
        }

        function test_screenClasses() {
            const cases = [[800, 480, "compact"], [1024, 600, "medium"], [1280, 800, "large"], [1920, 1080, "large"], [640, 400, "compact"]]
            for (const [w, h, cls] of cases) {
                Theme.windowWidth = w
                Theme.windowHeight = h
                compare(Theme.screenClass, cls, w + "x" + h)
                verify(Theme.touchTarget >= 48, "touch target at " + cls)
                verify(Theme.fontValue > Theme.fontBody, "values are bigger than body text at " + cls)
            }
        }

        function test_lightTheme() {
            const darkBg = Qt.color(Theme.background)
            Theme.mode = "light"
            verify(!Qt.colorEqual(Theme.background, darkBg), "light theme changes the background")
            verify(Theme.background.hslLightness > 0.8, "light background is light")
            Theme.mode = "dark"
            verify(Theme.background.hslLightness < 0.2, "dark background is dark")
        }

        function test_tileColourPerState_data() {
            return [
                { tag: "up", state: "up", enabled: true, live: true, colour: Theme.stateUp, badge: "Up" },
                { tag: "degraded", state: "degraded", enabled: true, live: true, colour: Theme.stateDegraded, badge: "Degraded" },
                { tag: "down", state: "down", enabled: true, live: true, colour: Theme.stateDown, badge: "Down" },
                { tag: "disabled", state: "disabled", enabled: true, live: true, colour: Theme.stateDisabled, badge: "Off" },
                { tag: "turned off", state: "up", enabled: false, live: true, colour: Theme.stateDisabled, badge: "Off" },
                { tag: "unknown", state: "unknown", enabled: true, live: true, colour: Theme.stateDisabled, badge: "Unknown" },
                { tag: "stale", state: "up", enabled: true, live: false, colour: Theme.stateStale, badge: "stale" }
            ]
        }
        function test_tileColourPerState(data) {
            const tile = createTemporaryObject(tileComponent, root, { wanState: data.state, wanEnabled: data.enabled, live: data.live })
            verify(tile)
            verify(Qt.colorEqual(tile.statusColor, data.colour), "statusColor " + tile.statusColor + " for " + data.tag)
            const badge = findChild(tile, "stateBadge")
            verify(Qt.colorEqual(badge.color, data.colour))
            compare(badge.children[0].text, data.badge)
            // The colours are distinct: red, amber, green and grey are never confused.
            verify(!Qt.colorEqual(Theme.stateUp, Theme.stateDown))
            verify(!Qt.colorEqual(Theme.stateDegraded, Theme.stateDown))
            verify(!Qt.colorEqual(Theme.stateStale, Theme.stateUp))
        }

        function test_tileShowsValues() {
            const tile = createTemporaryObject(tileComponent, root, { wanState: "up" })
            compare(findChild(tile, "rxText").text, "↓ 12.3 Mb/s")
            compare(findChild(tile, "txText").text, "↑ 1.2 Mb/s")
            compare(findChild(tile, "latencyText").text, "14 ms")
            compare(findChild(tile, "lossText").text, "0 % loss")
            tile.latencyMs = null
            compare(findChild(tile, "latencyText").text, "–", "no measurement is a dash, not 0")
            tile.latencyMs = 30
            tile.wanState = "down"
            compare(findChild(tile, "latencyText").text, "–", "a down link shows no latency, whatever was measured last")
            compare(findChild(tile, "lossText").text, "– loss")
        }

        function test_staleTileIsGreyed() {
            const tile = createTemporaryObject(tileComponent, root, { wanState: "up", live: true })
            const rx = findChild(tile, "rxText")
            verify(Qt.colorEqual(rx.color, Theme.text))
            tile.live = false
            verify(Qt.colorEqual(rx.color, Theme.textDisabled), "a stale rate is drawn greyed")
            verify(Qt.colorEqual(findChild(tile, "latencyText").color, Theme.textDisabled))
            compare(findChild(tile, "stateBadge").children[0].text, "stale")
        }

        function test_tileTap() {
            const tile = createTemporaryObject(tileComponent, root, { wanState: "up" })
            const spy = createTemporaryObject(signalSpyComponent, root, { target: tile, signalName: "clicked" })
            mouseClick(tile)
            compare(spy.count, 1)
        }

        function test_chartWithData() {
            const t0 = 1700000000
            const times = [], down = [], up = []
            for (let i = 0; i < 600; ++i) {
                times.push(t0 + i)
                down.push(i === 300 ? null : 1e6 + 1e4 * i)
                up.push(2e5)
            }
            const chart = createTemporaryObject(chartComponent, root, {
                times: times, unit: "bps",
                series: [{ name: "down", color: "#ff0000", values: down }, { name: "up", color: "#00ff00", values: up }] })
            tryVerify(() => chart.paintedPoints > 0, 5000, "the chart paints its points")
            compare(chart.paintedPoints, 1199, "every measured point, minus the gap")
            verify(chart.axisMax >= 1e6 + 1e4 * 599, "axis covers the data: " + chart.axisMax)
            verify(chart.axisMax <= 1e7, "axis is not absurdly high: " + chart.axisMax)
            // The red line is really on screen.
            const image = grabImage(chart)
            let red = 0
            for (let x = 10; x < chart.width - 10; x += 3)
                for (let y = 0; y < chart.height; y += 1) {
                    const c = image.pixel(x, y)
                    if (c.r > 0.8 && c.g < 0.3 && c.b < 0.3)
                        ++red
                }
            verify(red > 50, "red pixels of the download line: " + red)
        }

        function test_chartStaleIsGrey() {
            const chart = createTemporaryObject(chartComponent, root, {
                times: [1, 2, 3], stale: true, series: [{ name: "x", color: "#ff0000", values: [1, 2, 3] }] })
            tryVerify(() => chart.paintedPoints === 3)
            const image = grabImage(chart)
            let red = 0
            for (let x = 0; x < chart.width; x += 2)
                for (let y = 0; y < chart.height; y += 2) {
                    const c = image.pixel(x, y)
                    if (c.r > 0.8 && c.g < 0.3 && c.b < 0.3)
                        ++red
                }
            compare(red, 0, "no live colour on a stale chart")
        }

        function test_chartEmpty() {
            const chart = createTemporaryObject(chartComponent, root, {})
            verify(chart)
            compare(chart.paintedPoints, 0)
            compare(chart.axisMax, 1)
        }

        function test_touchTargets_data() {
            return [{ tag: "800x480", w: 800, h: 480 }, { tag: "1024x600", w: 1024, h: 600 }, { tag: "1280x800", w: 1280, h: 800 }]
        }
        function test_touchTargets(data) {
            Theme.windowWidth = data.w
            Theme.windowHeight = data.h
            const b = createTemporaryObject(buttonComponent, root)
            verify(b.width >= 48 && b.height >= 48, "button " + b.width + "x" + b.height)
            const s = createTemporaryObject(switchComponent, root)
            verify(s.width >= 48 && s.height >= 48, "switch " + s.width + "x" + s.height)
            const f = createTemporaryObject(fieldComponent, root)
            verify(f.height >= 48, "text field " + f.height)
            const p = createTemporaryObject(pickerComponent, root)
            verify(p.height >= 48)
            for (const v of ["a", "b", "c", "d"]) {
                const seg = findChild(p, "segment_" + v)
                verify(seg.width >= 48 && seg.height >= 48, "segment " + v + " " + seg.width + "x" + seg.height)
            }
            const rail = createTemporaryObject(railComponent, root, { height: data.h })
            for (const n of ["dashboard", "engine", "routing", "events", "system", "wizard", "routers"]) {
                const entry = findChild(rail, "nav_" + n)
                verify(entry.height >= 48 && entry.width >= 48, "rail entry " + n + " " + entry.width + "x" + entry.height)
            }
            const tile = createTemporaryObject(tileComponent, root)
            verify(tile.height >= 48)
        }

        function test_textFieldKinds() {
            const f = createTemporaryObject(fieldComponent, root, { kind: "number" })
            verify(f.inputMethodHints & Qt.ImhDigitsOnly)
            f.kind = "ip"
            verify(f.inputMethodHints & Qt.ImhPreferNumbers)
            f.kind = "password"
            compare(f.echoMode, TextInput.Password)
            verify(f.inputMethodHints & Qt.ImhSensitiveData)
            f.kind = "text"
            compare(f.echoMode, TextInput.Normal)
        }

        function test_pickerEmitsChoice() {
            const p = createTemporaryObject(pickerComponent, root, { currentValue: "a" })
            const spy = createTemporaryObject(signalSpyComponent, root, { target: p, signalName: "activated" })
            mouseClick(findChild(p, "segment_c"))
            compare(spy.count, 1)
            compare(spy.signalArguments[0][0], "c")
            compare(p.currentValue, "a", "the picker shows the state's value, not the tap")
            mouseClick(findChild(p, "segment_a"))
            compare(spy.count, 1, "tapping the current value sends nothing")
        }

        function test_banner() {
            const b = createTemporaryObject(bannerComponent, root, { status: "ready", message: "" })
            verify(!b.visible, "no banner while connected")
            b.status = "stale"
            b.message = "Connection lost — retrying in 4 s"
            verify(b.visible)
            verify(findChild(b, "bannerText").text.indexOf("retrying in 4 s") >= 0)
            verify(Qt.colorEqual(b.color, Theme.stateDown))
            b.status = "connecting"
            b.message = ""
            compare(findChild(b, "bannerText").text, "Connecting…")
        }

        function test_commandStatus() {
            const cmd = createTemporaryObject(fakeCommand, root)
            const s = createTemporaryObject(statusComponent, root, { command: cmd })
            verify(s.visible && s.running)
            cmd.errorCode = "forbidden"
            cmd.errorMessage = "needs the admin role"
            cmd.running = false
            verify(s.failed)
            compare(findChild(s, "commandError").text, "needs the admin role")
            verify(Qt.colorEqual(findChild(s, "commandError").color, Theme.danger))
            cmd.succeeded = true
            verify(!s.visible, "a success leaves nothing to say")
        }

        function test_historyBuffer() {
            const b = createTemporaryObject(bufferComponent, root)
            b.load({ interval_ms: 1000, wans: {
                a: { t: [100, 101, 102], rxBps: [10, 20, 30], txBps: [1, 2, 3], latencyMs: [5, null, 7], lossPct: [0, 0, null] },
                b: { t: [101, 102], rxBps: [5, 5], txBps: [1, 1], latencyMs: [9, 9], lossPct: [0, 0] } } }, "")
            compare(b.times, [100, 101, 102])
            compare(b.columns.rxBps, [10, 25, 35], "WANs summed per second")
            compare(b.columns.latencyMs, [null, null, null], "latency is not summed")
            b.append(103, { rxBps: 40, txBps: 4 })
            compare(b.times.length, 4)
            compare(b.columns.rxBps[3], 40)
            b.load({ wans: { a: { t: [100, 101, 102], rxBps: [1, 2, 3], txBps: [0, 0, 0], latencyMs: [5, null, 7], lossPct: [0, 0, 0] } } }, "a")
            compare(b.times, [100, 101, 102, 103], "local samples after the history are kept")
            compare(b.columns.latencyMs, [5, null, 7, null])
            b.windowSeconds = 2
            b.append(104, { rxBps: 1 })
            compare(b.times, [102, 103, 104], "trimmed to the window")
        }

        function test_kioskKeyboardLoads() {
            const l = createTemporaryObject(keyboardLoader, root)
            tryVerify(() => l.status === Loader.Ready, 5000, "the virtual keyboard module is there")
            verify(l.item.height >= 4 * 48, "keys are big enough: keyboard " + l.item.height + " px high")
            compare(l.item.keyboardHeight, 0, "hidden until a text field has focus")
        }

        function test_ticker() {
            const t = createTemporaryObject(tickerComponent, root, { time: "2026-11-26T10:11:12Z", severity: "error", message: "fibre down: carrier lost" })
            compare(findChild(t, "tickerText").text, "fibre down: carrier lost")
            verify(Qt.colorEqual(t.severityColor, Theme.stateDown))
        }
    }

    Component { id: signalSpyComponent; SignalSpy {} }
    Component { id: keyboardLoader; Loader { width: 800; source: "qrc:/qt/qml/SmoothWAN/Ui/components/KioskKeyboard.qml" } }
}
