// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Templates as T
import QtQuick.VirtualKeyboard
import SmoothWAN.Ui

// Text field of the SmoothWAN style. `kind` picks what the on-screen keyboard offers and what is
// accepted: "text", "name" (WAN/user names), "number", "decimal", "ip" (addresses, one or a
// comma list),
// "password", "url". `enterAction` is the label of the keyboard's Enter key ("next", "done",
// "go"); pressing it emits accepted().
T.TextField {
    id: control
    property string kind: "text"
    property string enterAction: "done"
    property bool invalid: false   // drawn with a danger border (e.g. the server refused it)

    implicitWidth: Math.max(Theme.touchTarget * 4, placeholder.implicitWidth + leftPadding + rightPadding)
    implicitHeight: Math.max(Theme.touchTarget, contentHeight + topPadding + bottomPadding)
    padding: Theme.spacing
    leftPadding: Theme.padding
    rightPadding: Theme.padding
    font.pixelSize: Theme.fontBody
    color: enabled ? Theme.text : Theme.textDisabled
    selectionColor: Theme.accent
    selectedTextColor: Theme.textOnAccent
    placeholderTextColor: Theme.textDim
    verticalAlignment: TextInput.AlignVCenter
    echoMode: kind === "password" ? TextInput.Password : TextInput.Normal
    passwordCharacter: "•"
    inputMethodHints: {
        switch (kind) {
        case "number": return Qt.ImhDigitsOnly | Qt.ImhNoPredictiveText
        case "decimal": return Qt.ImhFormattedNumbersOnly | Qt.ImhNoPredictiveText
        case "ip": return Qt.ImhPreferNumbers | Qt.ImhNoAutoUppercase | Qt.ImhNoPredictiveText
        case "password": return Qt.ImhHiddenText | Qt.ImhSensitiveData | Qt.ImhNoAutoUppercase
                                | Qt.ImhNoPredictiveText
        case "url": return Qt.ImhUrlCharactersOnly | Qt.ImhNoAutoUppercase | Qt.ImhNoPredictiveText
        case "name": return Qt.ImhNoAutoUppercase | Qt.ImhNoPredictiveText | Qt.ImhLatinOnly
        default: return Qt.ImhNoPredictiveText
        }
    }
    validator: kind === "number" ? numberValidator : kind === "decimal" ? decimalValidator
             : kind === "ip" ? ipValidator
             : kind === "name" ? nameValidator : null

    // The virtual keyboard's qmltypes do not describe this attached type to qmllint (6.4).
    // qmllint disable
    EnterKeyAction.actionId: enterAction === "next" ? EnterKeyAction.Next
                 : enterAction === "go" ? EnterKeyAction.Go
                 : enterAction === "search" ? EnterKeyAction.Search : EnterKeyAction.Done
    // qmllint enable

    property IntValidator numberValidator: IntValidator { bottom: 0 }
    property DoubleValidator decimalValidator: DoubleValidator {
        bottom: 0
        notation: DoubleValidator.StandardNotation
        locale: "C"
    }
    // Addresses, optional :port, comma/space separated: the server checks them properly.
    property RegularExpressionValidator ipValidator: RegularExpressionValidator {
        regularExpression: /[0-9A-Fa-f:.\[\], ]*/
    }
    property RegularExpressionValidator nameValidator: RegularExpressionValidator {
        regularExpression: /[A-Za-z0-9][A-Za-z0-9_-]{0,31}/
    }

    Text {
        id: placeholder
        x: control.leftPadding
        y: control.topPadding
        width: control.width - (control.leftPadding + control.rightPadding)
        height: control.height - (control.topPadding + control.bottomPadding)
        text: control.placeholderText
        font: control.font
        color: control.placeholderTextColor
        verticalAlignment: control.verticalAlignment
        visible: !control.length && !control.preeditText
        elide: Text.ElideRight
    }

    background: Rectangle {
        radius: Theme.radius
        color: control.enabled ? Theme.surface : Theme.surfaceRaised
        border.width: control.activeFocus || control.invalid ? 2 : Theme.borderWidth
        border.color: control.invalid ? Theme.danger : control.activeFocus ? Theme.accent : Theme.border
    }
}
