// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Templates as T
import SmoothWAN.Ui

// On/off switch: the whole row (label and track) is the touch target, at least 48 px high.
// `busy` shows a spinner in the knob while the command it sent is running.
T.Switch {
    id: control
    property bool busy: false

    implicitWidth: Math.max(Theme.touchTarget, implicitContentWidth + leftPadding + rightPadding
                            + (text.length > 0 ? indicator.width + spacing : indicator.width))
    implicitHeight: Math.max(Theme.touchTarget, implicitContentHeight + topPadding + bottomPadding)
    padding: Theme.spacing / 2
    spacing: Theme.spacing
    font.pixelSize: Theme.fontBody
    focusPolicy: Qt.TabFocus

    indicator: Rectangle {
        implicitWidth: Math.round(Theme.touchMin * 1.25)
        implicitHeight: Math.round(Theme.touchMin * 0.62)
        x: control.text.length > 0 ? control.width - width - control.rightPadding : control.leftPadding
        y: (control.height - height) / 2
        radius: height / 2
        color: !control.enabled ? Theme.surfaceRaised : control.checked ? Theme.accent : Theme.surfaceRaised
        border.width: control.checked ? 0 : Theme.borderWidth
        border.color: control.visualFocus ? Theme.accent : Theme.border
        opacity: control.enabled ? 1 : 0.6

        Rectangle {
            width: parent.height - 6
            height: width
            radius: width / 2
            y: 3
            x: control.checked ? parent.width - width - 3 : 3
            color: control.enabled ? (control.checked ? Theme.textOnAccent : Theme.text) : Theme.textDisabled
            Behavior on x { NumberAnimation { duration: 120 } }
            Spinner {
                anchors.centerIn: parent
                size: parent.width - 6
                running: control.busy
                visible: control.busy
                color: Theme.accent
            }
        }
    }

    contentItem: Text {
        leftPadding: 0
        rightPadding: control.indicator.width + control.spacing
        text: control.text
        font: control.font
        color: control.enabled ? Theme.text : Theme.textDisabled
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
}
