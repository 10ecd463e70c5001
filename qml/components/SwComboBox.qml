// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Templates as T
import SmoothWAN.Ui

// Drop-down choice for longer lists (a WAN for a bypass rule, a server): at least 48 px high,
// and every entry of the list at least 48 px high. Use SegmentedPicker for 2–4 choices.
T.ComboBox {
    id: control
    implicitWidth: Math.max(Theme.touchTarget * 4, implicitContentWidth + leftPadding + rightPadding)
    implicitHeight: Theme.touchTarget
    leftPadding: Theme.padding
    rightPadding: Theme.padding + Theme.fontLarge + Theme.spacing
    font.pixelSize: Theme.fontBody

    // Outer ids from a delegate: see SegmentedPicker.qml.
    // qmllint disable unqualified
    delegate: T.ItemDelegate {
        id: entry
        required property int index
        required property var modelData
        width: ListView.view ? ListView.view.width : implicitWidth
        implicitHeight: Theme.touchTarget
        padding: Theme.padding
        highlighted: control.highlightedIndex === index
        contentItem: Text {
            text: control.textRole ? entry.modelData[control.textRole] : entry.modelData
            color: control.currentIndex === entry.index ? Theme.accent : Theme.text
            font: control.font
            verticalAlignment: Text.AlignVCenter
            elide: Text.ElideRight
        }
        background: Rectangle { color: entry.down || entry.highlighted ? Theme.surfacePressed : "transparent" }
    }
    // qmllint enable unqualified

    indicator: Text {
        x: control.width - width - Theme.padding
        y: (control.height - height) / 2
        text: "▾"
        color: control.enabled ? Theme.text : Theme.textDisabled
        font.pixelSize: Theme.fontLarge
    }

    contentItem: Text {
        text: control.displayText
        font: control.font
        color: control.enabled ? Theme.text : Theme.textDisabled
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }

    background: Rectangle {
        radius: Theme.radius
        color: control.down ? Theme.surfacePressed : Theme.surface
        border.width: control.visualFocus ? 2 : Theme.borderWidth
        border.color: control.visualFocus ? Theme.accent : Theme.border
    }

    popup: T.Popup {
        y: control.height
        width: control.width
        implicitHeight: Math.min(contentItem.implicitHeight + 2, (control.Window.height || 480) * 0.6)
        padding: 1
        contentItem: ListView {
            clip: true
            implicitHeight: contentHeight
            // qmllint disable type
            model: control.delegateModel
            // qmllint enable type
            currentIndex: control.highlightedIndex
        }
        background: Rectangle {
            radius: Theme.radius
            color: Theme.surface
            border.width: Theme.borderWidth
            border.color: Theme.border
        }
    }
}
