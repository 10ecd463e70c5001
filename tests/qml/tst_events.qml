// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import SmoothWAN.Client
import SmoothWAN.Test
import SmoothWAN.Ui

// The events page against a scripted router: every event is listed, newest first; the severity
// buttons show that severity and worse; the search filters by message or area; a new event
// appears without a reload.
TestCase {
    id: tc
    name: "EventsPage"
    width: 800
    height: 480
    when: windowShown
    visible: true

    ScriptedServer {
        id: server
    }

    Component {
        id: pageComponent
        EventsPage {
            width: 800
            height: 480
        }
    }

    readonly property var events: [
        { id: 1, time: "2026-11-26T00:00:01.000Z", area: "wan", severity: "info", message: "fibre up", details: {} },
        { id: 2, time: "2026-11-26T00:00:02.000Z", area: "wan", severity: "warning", message: "lte degraded: loss 45 %", details: { lossPct: 45 } },
        { id: 3, time: "2026-11-26T00:00:03.000Z", area: "engine", severity: "error", message: "Speedify could not connect", details: {} },
        { id: 4, time: "2026-11-26T00:00:04.000Z", area: "routing", severity: "info", message: "LAN now via fibre", details: {} }
    ]

    function initTestCase() {
        for (const key of ["wans", "candidates"])
            server.setValue("/" + key, [])
        server.setValue("/routing", {})
        server.setValue("/engine", {})
        server.setValue("/system", {})
        server.setValue("/events", tc.events)
        Backend.connectToRouter(server.start(), server.token)
        tryCompare(Backend, "live", true, 10000)
        tryVerify(() => (Backend.events || []).length === 4)
    }

    function cleanupTestCase() {
        Backend.disconnectFromRouter()
        server.stop()
    }

    // The messages shown, top to bottom.
    function shownMessages(page) {
        const list = findChild(page, "eventList")
        const out = []
        for (let i = 0; i < list.count; ++i)
            out.push(list.itemAt(i).message)
        return out
    }

    function test_all_events_newest_first() {
        const page = createTemporaryObject(pageComponent, tc)
        tryVerify(() => page.shown === 4)
        compare(shownMessages(page), ["LAN now via fibre", "Speedify could not connect", "lte degraded: loss 45 %", "fibre up"])
        verify(findChild(page, "countText").text.indexOf("4") >= 0)
    }

    function test_severity_filter() {
        const page = createTemporaryObject(pageComponent, tc)
        mouseClick(findChild(page, "severity_warning"))
        tryVerify(() => page.shown === 2)
        compare(shownMessages(page), ["Speedify could not connect", "lte degraded: loss 45 %"])
        mouseClick(findChild(page, "severity_error"))
        tryVerify(() => page.shown === 1)
        mouseClick(findChild(page, "severity_all"))
        tryVerify(() => page.shown === 4)
    }

    function test_text_filter_and_empty_result() {
        const page = createTemporaryObject(pageComponent, tc)
        findChild(page, "searchField").text = "ENGINE"
        tryVerify(() => page.shown === 1)
        compare(shownMessages(page), ["Speedify could not connect"])
        findChild(page, "searchField").text = "nothing like this"
        tryVerify(() => page.shown === 0)
        verify(findChild(page, "countText").text.indexOf("match") >= 0, findChild(page, "countText").text)
    }

    function test_new_event_appears() {
        const page = createTemporaryObject(pageComponent, tc)
        tryVerify(() => page.shown === 4)
        server.setValue("/events/4", { id: 5, time: "2026-11-26T00:00:05.000Z", area: "wan", severity: "error", message: "fibre down: carrier lost", details: {} })
        tryVerify(() => page.shown === 5)
        compare(shownMessages(page)[0], "fibre down: carrier lost")
        server.setValue("/events", tc.events)
        tryVerify(() => page.shown === 4)
    }

    function test_stale_is_marked() {
        const page = createTemporaryObject(pageComponent, tc)
        verify(!findChild(page, "staleNote").visible)
        verify(!page.stale)
    }
}
