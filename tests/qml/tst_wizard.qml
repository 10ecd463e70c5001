// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import SmoothWAN.Client
import SmoothWAN.Test
import SmoothWAN.Ui

// The first-run wizard against a scripted router that has no admin yet: nothing is sent before
// Apply; Apply sends users.setup, wan.adopt, wan.set_priority, engine.set_type and the Speedify
// login in that order; a failure in the middle stops the run and says what was and was not done.
TestCase {
    id: tc
    name: "WizardPage"
    width: 800
    height: 480
    when: windowShown
    visible: true

    ScriptedServer {
        id: server
        setupRequired: true
    }

    Component {
        id: pageComponent
        WizardPage {
            width: 800
            height: 480
        }
    }

    readonly property var baseState: ({
        wans: [ { name: "fibre", interface: "eth1", state: "up", enabled: true, priority: "always" } ],
        candidates: [
            { interface: "usb0", mac: "02:00:00:00:00:01", kind: "", devicePath: "/devices/usb1/1-1", addresses: ["192.168.42.10/24"], gateway: "192.168.42.1" },
            { interface: "wwan0", mac: "02:00:00:00:00:02", kind: "", devicePath: "", addresses: ["10.64.1.2/30"], gateway: "10.64.1.1" }
        ],
        routing: { policy: "failover", killSwitch: false, path: "fibre", reason: "", bypass: [] },
        engine: { type: "none", state: "off" },
        system: { version: "0.1.0" },
        events: []
    })

    // Commands the page sent (not the client's own subscribe/resync).

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
    function sent() {
        return (server.requests || []).filter(r => r.type !== "subscribe" && r.type !== "resync" && r.type !== "unsubscribe"
                                                   && r.type !== "session.info")
    }

    // The whole document, one slice at a time (a JS object assigned to the QVariant `state`
    // property arrives as a QJSValue the server cannot read; invokable arguments convert).
    function setState(doc) {
        for (const key in doc)
            server.setValue("/" + key, doc[key])
    }

    function initTestCase() {
        tc.setState(tc.baseState)
        const url = server.start()
        Backend.connectToRouter(url, server.token)
        tryCompare(Backend, "live", true, 10000)
        tryCompare(Backend, "setupRequired", true)
    }

    function cleanupTestCase() {
        AppSettings.wizardDraft = ""
        Backend.disconnectFromRouter()
        server.stop()
    }

    function init() {
        server.clearRequests()
        for (const t of ["users.setup", "wan.adopt", "wan.set_priority", "engine.set_type", "engine.action", "routing.set_policy"])
            server.setReply(t, true, {})
        tryVerify(() => (Backend.candidates || []).length === 2)
    }

    function makePage() {
        const page = createTemporaryObject(pageComponent, tc)
        verify(page)
        page.clearDraft()
        return page
    }

    function next(page) {
        const before = page.step
        tap(page, findChild(page, "wizardNext"))
        verify(page.step !== before, "stuck on " + before + ": " + page.stepError)
    }

    // Walks through every step: admin, usb0 adopted as "phone" (backup), fibre → secondary,
    // Speedify with an account.
    function fillEverything(page) {
        compare(page.step, "welcome")
        next(page)
        compare(page.step, "admin")
        findChild(page, "adminUser").text = "boss"
        findChild(page, "adminPassword").text = "correct horse"
        findChild(page, "adminPassword2").text = "correct horse"
        next(page)
        compare(page.step, "connections")
        tap(page, findChild(page, "use_usb0"))
        verify(findChild(page, "name_usb0").visible)
        findChild(page, "name_usb0").text = "phone"
        next(page)
        compare(page.step, "priorities")
        findChild(page, "tier_usb0").activated("backup")
        findChild(page, "tier_fibre").activated("secondary")
        next(page)
        compare(page.step, "engine")
        findChild(page, "engineChoice").activated("speedify")
        findChild(page, "speedifyUser").text = "me@example.com"
        findChild(page, "speedifyPassword").text = "pw"
        findChild(page, "bondedSwitch").checked = false
        findChild(page, "bondedSwitch").toggled()
        next(page)
        compare(page.step, "summary")
    }

    function test_nothing_is_sent_before_apply() {
        const page = makePage()
        fillEverything(page)
        wait(100)
        compare(sent().map(r => r.type), [])
        // Going back and forth sends nothing either.
        tap(page, findChild(page, "wizardBack"))
        tap(page, findChild(page, "wizardNext"))
        wait(50)
        compare(sent().length, 0)
    }

    function test_step_checks() {
        const page = makePage()
        next(page)
        findChild(page, "adminPassword").text = "short"
        findChild(page, "adminPassword2").text = "short"
        tap(page, findChild(page, "wizardNext"))
        compare(page.step, "admin")
        verify(findChild(page, "stepError").text.indexOf("8") >= 0, findChild(page, "stepError").text)
        findChild(page, "adminPassword").text = "longenough"
        findChild(page, "adminPassword2").text = "different1"
        tap(page, findChild(page, "wizardNext"))
        compare(page.step, "admin")
        findChild(page, "adminPassword2").text = "longenough"
        next(page)
        // A candidate named like an existing WAN.
        tap(page, findChild(page, "use_wwan0"))
        findChild(page, "name_wwan0").text = "fibre"
        tap(page, findChild(page, "wizardNext"))
        compare(page.step, "connections")
        verify(findChild(page, "stepError").text.indexOf("fibre") >= 0)
        compare(sent().length, 0)
    }

    function test_apply_sends_the_sequence_in_order() {
        const page = makePage()
        fillEverything(page)
        tap(page, findChild(page, "applyButton"))
        tryVerify(() => page.finishedAll, 10000, page.report())
        const s = sent()
        compare(s.map(r => r.type), ["users.setup", "wan.adopt", "wan.set_priority", "engine.set_type", "engine.action"])
        compare(s[0].username, "boss")
        compare(s[0].password, "correct horse")
        compare(s[1].name, "phone")
        compare(s[1].interface, "usb0")
        compare(s[1].priority, "backup")
        compare(s[2].wan, "fibre")
        compare(s[2].priority, "secondary")
        compare(s[3].engine, "speedify")
        compare(s[4].name, "login")
        compare(s[4].args.user, "me@example.com")
        compare(s[4].args.password, "pw")
        verify(findChild(page, "wizardReport").text.indexOf("5") >= 0)
        // The draft is gone after a complete run.
        compare(page.draft.adopt, ({}))
        compare(AppSettings.wizardDraft, "")
    }

    function test_failure_in_the_middle_stops_and_reports() {
        server.setReply("wan.set_priority", false, { code: "not_found", message: "no such WAN" })
        const page = makePage()
        fillEverything(page)
        tap(page, findChild(page, "applyButton"))
        tryVerify(() => page.failedAt >= 0 && !page.running, 10000)
        compare(page.failedAt, 2)
        compare(sent().map(r => r.type), ["users.setup", "wan.adopt", "wan.set_priority"])
        wait(100)
        compare(sent().length, 3, "nothing after the failed step")
        const report = findChild(page, "wizardReport").text
        verify(report.indexOf("step 3 of 5") >= 0, report)
        verify(report.indexOf("no such WAN") >= 0, report)
        verify(report.indexOf("1–2") >= 0, report)
        compare(page.statuses, ["done", "done", "failed", "pending", "pending"])
        // Retry from the failed step continues without repeating what was done.
        server.setReply("wan.set_priority", true, {})
        tap(page, findChild(page, "retryButton"))
        tryVerify(() => page.finishedAll, 10000)
        compare(sent().map(r => r.type), ["users.setup", "wan.adopt", "wan.set_priority", "wan.set_priority", "engine.set_type", "engine.action"])
    }

    function test_passwords_are_not_in_the_draft() {
        const page = makePage()
        fillEverything(page)
        const text = JSON.stringify(page.draft)
        verify(text.indexOf("correct horse") < 0, text)
        verify(text.indexOf("\"pw\"") < 0, text)
        verify(text.indexOf("phone") >= 0, text)
    }

    function test_resume_keeps_the_answers_but_not_the_passwords() {
        let page = makePage()
        next(page)
        findChild(page, "adminUser").text = "boss"
        findChild(page, "adminPassword").text = "correct horse"
        findChild(page, "adminPassword2").text = "correct horse"
        next(page)
        tap(page, findChild(page, "use_wwan0"))
        findChild(page, "name_wwan0").text = "lte"
        next(page)
        compare(page.step, "priorities")
        verify(AppSettings.wizardDraft.indexOf("lte") >= 0)
        verify(AppSettings.wizardDraft.indexOf("correct horse") < 0)
        page.destroy()
        wait(0)
        // A new page (as after a restart) continues where the last one stopped.
        page = createTemporaryObject(pageComponent, tc)
        compare(page.step, "priorities")
        compare(page.adoptOf("wwan0").name, "lte")
        compare(page.adoptOf("wwan0").selected, true)
        compare(page.draft.adminUser, "boss")
        compare(page.adminPassword, "")
        // Apply without the password goes back to ask for it, sending nothing.
        page.goTo("summary")
        tap(page, findChild(page, "applyButton"))
        compare(page.step, "admin")
        verify(findChild(page, "stepError").text.indexOf("password") >= 0, findChild(page, "stepError").text)
        wait(50)
        compare(sent().length, 0)
        page.clearDraft()
    }
}
