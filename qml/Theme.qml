// SPDX-License-Identifier: GPL-3.0-or-later
pragma Singleton
import QtQuick

// Theme tokens: every colour and size the UI draws with. Pages and components use these, never
// literal sizes or colours. Main.qml feeds the window size (windowWidth/windowHeight) and the
// chosen theme (mode); the tokens follow the screen class:
//   compact  800×480 (the official 7" Pi display) and anything smaller
//   medium   1024×600
//   large    1280×800 and larger desktop windows
QtObject {
    id: theme

    // Inputs (set by Main.qml; tests set them directly).
    property int windowWidth: 800
    property int windowHeight: 480
    property string mode: "dark"   // "dark" | "light"
    property int keyboardHeight: 0 // the on-screen keyboard's height while it is up (kiosk)

    readonly property string screenClass: windowWidth < 960 || windowHeight < 560 ? "compact"
                                          : windowWidth < 1200 || windowHeight < 720 ? "medium" : "large"
    readonly property bool compact: screenClass === "compact"
    readonly property bool dark: mode !== "light"
    // A side rail with labels fits every class; the compact one is narrower.
    readonly property bool wide: windowWidth >= 1000

    // Colours.
    readonly property color background: dark ? "#0f1419" : "#eef1f4"
    readonly property color surface: dark ? "#1a2129" : "#ffffff"
    readonly property color surfaceRaised: dark ? "#242d37" : "#e3e8ed"
    readonly property color surfacePressed: dark ? "#2f3a46" : "#d3dae1"
    readonly property color border: dark ? "#33404d" : "#c3ccd5"
    readonly property color text: dark ? "#e8edf2" : "#111820"
    readonly property color textDim: dark ? "#98a6b3" : "#56636f"
    readonly property color textDisabled: dark ? "#5c6873" : "#9aa5af"
    readonly property color accent: dark ? "#4aa3ff" : "#0a66c2"
    readonly property color textOnAccent: "#ffffff"
    readonly property color danger: dark ? "#ff6b5e" : "#c62828"
    readonly property color warning: dark ? "#f5b93a" : "#a86a00"

    // Link states. Text on a state colour uses textOnState.
    readonly property color stateUp: dark ? "#2fbf71" : "#1e8e4e"
    readonly property color stateDegraded: dark ? "#f0a92e" : "#c07800"
    readonly property color stateDown: dark ? "#e5484d" : "#c62828"
    readonly property color stateDisabled: dark ? "#5f6b76" : "#8c979f"
    readonly property color stateStale: dark ? "#4c5661" : "#a8b1b9"
    readonly property color stateUnknown: stateDisabled
    readonly property color textOnState: "#ffffff"

    // Charts.
    readonly property color chartDown: dark ? "#4aa3ff" : "#0a66c2"
    readonly property color chartUp: dark ? "#c77dff" : "#7b2cbf"
    readonly property color chartLatency: dark ? "#f0a92e" : "#b36b00"
    readonly property color chartLoss: dark ? "#e5484d" : "#c62828"
    readonly property color chartGrid: dark ? "#2a333d" : "#d9dfe5"
    readonly property color chartStale: dark ? "#5c6873" : "#9aa5af"

    // Sizes. Touch targets are never below 48 px (about 9 mm on the 7" display).
    readonly property int touchTarget: screenClass === "large" ? 56 : 48
    readonly property int touchMin: 48
    readonly property int spacing: compact ? 8 : screenClass === "medium" ? 10 : 14
    readonly property int padding: compact ? 10 : screenClass === "medium" ? 12 : 16
    readonly property int radius: compact ? 8 : 10
    readonly property int borderWidth: 1
    readonly property int stripeWidth: compact ? 6 : 8
    readonly property int railWidth: wide ? 112 : 76
    readonly property int iconSize: compact ? 22 : 26

    // Type scale. fontValue is for numbers meant to be read from a metre away.
    readonly property int fontSmall: compact ? 13 : screenClass === "medium" ? 14 : 15
    readonly property int fontBody: compact ? 16 : screenClass === "medium" ? 17 : 18
    readonly property int fontLarge: compact ? 19 : screenClass === "medium" ? 21 : 23
    readonly property int fontValue: compact ? 24 : screenClass === "medium" ? 27 : 30
    readonly property int fontTitle: compact ? 21 : screenClass === "medium" ? 24 : 27

    // Layout: minimum WAN tile width; the dashboard fits as many columns as this allows.
    readonly property int tileMinWidth: compact ? 220 : 260
    readonly property int chartHeight: compact ? 110 : screenClass === "medium" ? 160 : 240
    readonly property int detailChartHeight: compact ? 130 : screenClass === "medium" ? 160 : 200

    // The colour of a link state; anything shown while the connection is not live is stale grey.
    function stateColor(state, live) {
        if (live === false)
            return stateStale
        switch (state) {
        case "up": return stateUp
        case "degraded": return stateDegraded
        case "down": return stateDown
        default: return stateDisabled
        }
    }

    // Text on a state colour: dark on amber (white on amber is hard to read), white otherwise.
    function stateTextColor(state, live) {
        return live !== false && state === "degraded" ? "#1b1300" : textOnState
    }

    function stateLabel(state) {
        switch (state) {
        case "up": return qsTr("Up")
        case "degraded": return qsTr("Degraded")
        case "down": return qsTr("Down")
        case "disabled": return qsTr("Off")
        default: return qsTr("Unknown")
        }
    }

    function tierLabel(tier) {
        switch (tier) {
        case "always": return qsTr("Always")
        case "secondary": return qsTr("Secondary")
        case "backup": return qsTr("Backup")
        case "never": return qsTr("Never")
        default: return tier
        }
    }

    // 12345678 bit/s → "12.3 Mb/s". Rates in the state are bits per second.
    function formatRate(bps) {
        if (bps === undefined || bps === null || isNaN(bps))
            return "–"
        const v = Number(bps)
        if (v >= 1e9) return (v / 1e9).toFixed(v >= 1e10 ? 0 : 1) + " Gb/s"
        if (v >= 1e6) return (v / 1e6).toFixed(v >= 1e8 ? 0 : 1) + " Mb/s"
        if (v >= 1e3) return (v / 1e3).toFixed(v >= 1e5 ? 0 : 1) + " kb/s"
        return Math.round(v) + " b/s"
    }

    function formatBytes(b) {
        if (b === undefined || b === null || isNaN(b))
            return "–"
        const v = Number(b)
        if (v >= 1e12) return (v / 1e12).toFixed(1) + " TB"
        if (v >= 1e9) return (v / 1e9).toFixed(v >= 1e11 ? 0 : 1) + " GB"
        if (v >= 1e6) return (v / 1e6).toFixed(v >= 1e8 ? 0 : 1) + " MB"
        if (v >= 1e3) return (v / 1e3).toFixed(0) + " kB"
        return Math.round(v) + " B"
    }

    function formatMs(ms) {
        if (ms === undefined || ms === null || isNaN(ms))
            return "–"
        return (ms >= 100 ? Math.round(ms) : Number(ms).toFixed(ms >= 10 ? 0 : 1)) + " ms"
    }

    function formatPct(p) {
        if (p === undefined || p === null || isNaN(p))
            return "–"
        return (p >= 10 || p === 0 ? Math.round(p) : Number(p).toFixed(1)) + " %"
    }
}
