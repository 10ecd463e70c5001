// SPDX-License-Identifier: GPL-3.0-or-later
pragma Singleton
import QtQuick

// Theme tokens. Pages use these, never literal sizes or colours.
QtObject {
    readonly property color background: "#101418"
    readonly property color surface: "#1b2229"
    readonly property color text: "#e8edf2"
    readonly property color textDim: "#93a1ad"
    readonly property color stateUp: "#2ecc71"
    readonly property color stateDegraded: "#f1c40f"
    readonly property color stateDown: "#e74c3c"
    readonly property color stateUnknown: "#7f8c8d"
    readonly property int touchTarget: 48
    readonly property int spacing: 12
    readonly property int fontBody: 18
    readonly property int fontTitle: 28
}
