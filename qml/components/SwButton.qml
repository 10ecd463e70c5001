// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Templates as T
import SmoothWAN.Ui

// The push button of the SmoothWAN style: at least Theme.touchTarget high and wide, no hover
// effect (touch has none), a pressed state, and a spinner while `busy`.
T.Button {
    id: control
    property bool busy: false
    property bool danger: false   // destructive action: drawn in the danger colour

    implicitWidth: Math.max(Theme.touchTarget, implicitContentWidth + leftPadding + rightPadding)
    implicitHeight: Math.max(Theme.touchTarget, implicitContentHeight + topPadding + bottomPadding)
    padding: Theme.spacing
    readonly property int spinnerSize: Math.round(font.pixelSize * 1.1)
    leftPadding: Theme.padding + (busy ? spinnerSize + Theme.spacing : 0)
    rightPadding: Theme.padding
    font.pixelSize: Theme.fontBody
    font.bold: highlighted
    focusPolicy: Qt.TabFocus

    readonly property color fillColor: !enabled ? Theme.surfaceRaised
                                     : danger && highlighted ? Theme.danger
                                     : highlighted ? Theme.accent : Theme.surfaceRaised
    readonly property color labelColor: !enabled ? Theme.textDisabled
                                      : highlighted ? Theme.textOnAccent
                                      : danger ? Theme.danger : Theme.text

    contentItem: Text {
        text: control.text
        font: control.font
        color: control.labelColor
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }

    background: Rectangle {
        radius: Theme.radius
        color: control.down ? Theme.surfacePressed : control.flat ? "transparent" : control.fillColor
        border.width: control.visualFocus ? 2 : (control.flat || control.highlighted ? 0 : Theme.borderWidth)
        border.color: control.visualFocus ? Theme.accent : Theme.border
        opacity: control.down && control.highlighted ? 0.8 : 1

        Spinner {
            running: control.busy
            visible: control.busy
            size: control.spinnerSize
            color: control.labelColor
            anchors.verticalCenter: parent.verticalCenter
            x: Theme.padding
        }
    }
}
