// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtTest
import SmoothWAN.Ui

TestCase {
    name: "StatusBanner"
    width: 800
    height: 480
    when: windowShown

    Component {
        id: bannerComponent
        StatusBanner {
            width: 800
        }
    }

    function test_states_are_worded_and_coloured() {
        const banner = createTemporaryObject(bannerComponent, this)
        verify(banner)
        banner.state = "ready"
        compare(banner.title, "Connected")
        compare(banner.color, Theme.stateUp)
        banner.state = "stale"
        verify(banner.title.indexOf("stale") >= 0, banner.title)
        compare(banner.color, Theme.stateDown)
    }

    function test_touch_height() {
        const banner = createTemporaryObject(bannerComponent, this)
        verify(banner.height >= Theme.touchTarget, "banner is " + banner.height + " px high")
    }
}
