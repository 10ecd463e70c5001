// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// Why controls are disabled: shown under a group of controls the signed-in role may not use.
Text {
    property string need: "admin"   // "operator" | "admin"
    property bool allowed: true
    visible: !allowed
    text: need === "operator" ? qsTr("Needs an operator or admin account to change.")
                              : qsTr("Only an admin can change this.")
    color: Theme.textDim
    font.pixelSize: Theme.fontSmall
    font.italic: true
    wrapMode: Text.Wrap
}
