// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.VirtualKeyboard

// The on-screen keyboard of kiosk mode (needs QT_IM_MODULE=qtvirtualkeyboard, set by main.cpp
// with --kiosk). Loaded by Main.qml only in kiosk mode, so the desktop client never loads it.
// It slides up from the bottom while a text field has focus; `keyboardHeight` tells the window
// how much room it takes so the page can scroll the field into view.
InputPanel {
    id: panel
    readonly property real keyboardHeight: active ? height : 0
    width: parent ? parent.width : 0
    y: parent ? (active ? parent.height - height : parent.height) : 0
    Behavior on y { NumberAnimation { duration: 150 } }
}
