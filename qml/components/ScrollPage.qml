// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// A page that scrolls vertically when its content does not fit (800×480), with a header: back
// button (optional), title, a stale marker, and room for actions at the right. Children go into
// the content column, which is as wide as the page minus its margins. While the on-screen
// keyboard is up (Theme.keyboardHeight) the page leaves room for it and keeps the focused field
// in view.
Item {
    id: root
    property string title: ""
    property bool showBack: false
    property bool stale: false
    property alias headerActions: actions.data
    default property alias content: column.data
    property alias flickable: flick
    readonly property int contentWidth: column.width
    signal back()

    Item {
        id: header
        width: parent.width
        visible: root.title.length > 0 || root.showBack
        height: visible ? Math.max(Theme.touchTarget, titleText.implicitHeight) + Theme.spacing : Theme.spacing
        SwButton {
            id: backButton
            objectName: "backButton"
            visible: root.showBack
            flat: true
            width: visible ? Theme.touchTarget : 0
            x: Theme.spacing / 2
            anchors.verticalCenter: parent.verticalCenter
            contentItem: Icon { name: "back"; color: Theme.text }
            leftPadding: (Theme.touchTarget - Theme.iconSize) / 2
            rightPadding: leftPadding
            onClicked: root.back()
        }
        Text {
            id: titleText
            anchors.left: backButton.visible ? backButton.right : parent.left
            anchors.leftMargin: backButton.visible ? Theme.spacing / 2 : Theme.padding
            anchors.right: chip.visible ? chip.left : actions.left
            anchors.rightMargin: Theme.spacing
            anchors.verticalCenter: parent.verticalCenter
            text: root.title
            color: Theme.text
            font.pixelSize: Theme.fontTitle
            font.bold: true
            elide: Text.ElideRight
        }
        StaleChip {
            id: chip
            visible: root.stale
            anchors.right: actions.left
            anchors.rightMargin: Theme.spacing
            anchors.verticalCenter: parent.verticalCenter
        }
        Row {
            id: actions
            anchors.right: parent.right
            anchors.rightMargin: Theme.padding
            anchors.verticalCenter: parent.verticalCenter
            spacing: Theme.spacing
        }
    }

    Flickable {
        id: flick
        anchors.top: header.bottom
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.bottom: parent.bottom
        anchors.bottomMargin: Theme.keyboardHeight
        contentWidth: width
        contentHeight: column.implicitHeight + Theme.padding
        boundsBehavior: Flickable.StopAtBounds
        clip: true

        Column {
            id: column
            x: Theme.padding
            width: flick.width - 2 * Theme.padding
            spacing: Theme.spacing
        }

        // A thin scroll position indicator (no hover, no dragging needed: flick the page).
        Rectangle {
            visible: flick.contentHeight > flick.height
            parent: flick
            anchors.right: parent.right
            width: 4
            radius: 2
            color: Theme.border
            y: flick.height * flick.visibleArea.yPosition
            height: flick.height * flick.visibleArea.heightRatio
        }
    }

    // Keep the focused text field above the keyboard.
    Connections {
        target: root.Window.window
        function onActiveFocusItemChanged() { root.ensureFocusVisible() }
    }
    onHeightChanged: ensureFocusVisible()
    function ensureFocusVisible() {
        const w = root.Window.window
        const item = w ? w.activeFocusItem : null
        if (!item || !item.hasOwnProperty("inputMethodHints"))
            return
        const p = item.mapToItem(column, 0, 0)
        if (p.y < flick.contentY)
            flick.contentY = Math.max(0, p.y - Theme.spacing)
        else if (p.y + item.height > flick.contentY + flick.height)
            flick.contentY = Math.min(flick.contentHeight - flick.height, p.y + item.height - flick.height + Theme.spacing)
    }
}
