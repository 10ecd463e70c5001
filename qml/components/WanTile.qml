// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import SmoothWAN.Ui

// One WAN at a glance: type icon, name, state colour (stripe and badge), download/upload rate,
// latency, loss, priority tier and usage against its cap. Pure: every value is a property. When
// `live` is false every number is greyed and the badge says "stale". Tap: clicked().
Rectangle {
    id: root
    property string name: ""
    property string type: ""
    property string wanState: "unknown"
    property string reason: ""
    property bool wanEnabled: true
    property string priority: ""
    property var rxBps: null
    property var txBps: null
    property var latencyMs: null
    property var lossPct: null
    property var usage: ({})
    property bool live: true
    readonly property color statusColor: Theme.stateColor(wanEnabled ? wanState : "disabled", live)
    readonly property color valueColor: live ? Theme.text : Theme.textDisabled
    signal clicked()

    function iconName(t) {
        switch (t) {
        case "ethernet": case "wired": case "cable": case "fibre": case "fiber": return "ethernet"
        case "wifi": case "wlan": case "wireless": return "wifi"
        case "cellular": case "lte": case "mobile": case "modem": case "wwan": case "5g": case "4g": return "cellular"
        case "usb": return "usb"
        case "tether": case "phone": case "rndis": return "tether"
        default: return "wan"
        }
    }

    readonly property bool measuring: wanEnabled && (wanState === "up" || wanState === "degraded")
    readonly property real monthCap: usage && usage.monthlyCapBytes ? usage.monthlyCapBytes : 0
    readonly property real dayCap: usage && usage.dailyCapBytes ? usage.dailyCapBytes : 0

    implicitWidth: Theme.tileMinWidth
    implicitHeight: content.implicitHeight + 2 * Theme.padding
    radius: Theme.radius
    color: tap.pressed ? Theme.surfacePressed : Theme.surface
    border.width: Theme.borderWidth
    border.color: Theme.border
    clip: true

    TapHandler {
        id: tap
        onTapped: root.clicked()
    }

    Rectangle {
        id: stripe
        width: Theme.stripeWidth
        height: parent.height
        radius: Theme.radius
        color: root.statusColor
        // square off the inner edge
        Rectangle { x: parent.width / 2; width: parent.width / 2; height: parent.height; color: parent.color }
    }

    Column {
        id: content
        x: stripe.width + Theme.padding
        y: Theme.padding
        width: root.width - x - Theme.padding
        spacing: Math.round(Theme.spacing / 2)

        // Icon, name, state badge.
        Item {
            width: parent.width
            height: Math.max(icon.height, nameText.implicitHeight, badge.height)
            Icon {
                id: icon
                name: root.iconName(root.type)
                color: root.live ? Theme.text : Theme.textDisabled
                anchors.verticalCenter: parent.verticalCenter
            }
            Text {
                id: nameText
                anchors.left: icon.right
                anchors.leftMargin: Theme.spacing
                anchors.right: badge.left
                anchors.rightMargin: Theme.spacing
                anchors.verticalCenter: parent.verticalCenter
                text: root.name
                color: root.live ? Theme.text : Theme.textDim
                font.pixelSize: Theme.fontLarge
                font.bold: true
                elide: Text.ElideRight
            }
            Rectangle {
                id: badge
                objectName: "stateBadge"
                anchors.right: parent.right
                anchors.verticalCenter: parent.verticalCenter
                width: badgeText.implicitWidth + Theme.spacing * 2
                height: badgeText.implicitHeight + 6
                radius: height / 2
                color: root.statusColor
                Text {
                    id: badgeText
                    anchors.centerIn: parent
                    text: !root.live ? qsTr("stale") : Theme.stateLabel(root.wanEnabled ? root.wanState : "disabled")
                    color: Theme.stateTextColor(root.wanEnabled ? root.wanState : "disabled", root.live)
                    font.pixelSize: Theme.fontSmall
                    font.bold: true
                }
            }
        }

        // Download (the biggest number), then upload, latency and loss.
        Text {
            objectName: "rxText"
            width: parent.width
            text: "↓ " + Theme.formatRate(root.rxBps)
            color: root.valueColor
            font.pixelSize: Theme.fontValue
            font.bold: true
            elide: Text.ElideRight
        }
        Item {
            width: parent.width
            height: Math.max(txText.implicitHeight, quality.implicitHeight)
            Text {
                id: txText
                objectName: "txText"
                anchors.verticalCenter: parent.verticalCenter
                width: parent.width - quality.width - Theme.spacing
                text: "↑ " + Theme.formatRate(root.txBps)
                color: root.live ? Theme.textDim : Theme.textDisabled
                font.pixelSize: Theme.fontLarge
                font.bold: true
                elide: Text.ElideRight
            }
            Column {
                id: quality
                anchors.right: parent.right
                anchors.verticalCenter: parent.verticalCenter
                Text {
                    anchors.right: parent.right
                    objectName: "latencyText"
                    // A down or turned-off link has no current latency, whatever was last measured.
                    text: root.measuring ? Theme.formatMs(root.latencyMs) : "–"
                    color: root.valueColor
                    font.pixelSize: Theme.fontBody
                }
                Text {
                    anchors.right: parent.right
                    objectName: "lossText"
                    text: qsTr("%1 loss").arg(root.measuring ? Theme.formatPct(root.lossPct) : "–")
                    color: !root.live ? Theme.textDisabled
                         : !root.measuring ? Theme.textDim
                         : root.lossPct > 5 ? Theme.stateDown : root.lossPct > 0 ? Theme.stateDegraded : Theme.textDim
                    font.pixelSize: Theme.fontSmall
                }
            }
        }

        // Why it is not up.
        Text {
            width: parent.width
            // Always one line, so tiles in a row have the same height.
            text: !root.wanEnabled ? qsTr("Turned off") : root.reason.length > 0 ? root.reason : " "
            color: root.live ? Theme.textDim : Theme.textDisabled
            font.pixelSize: Theme.fontSmall
            elide: Text.ElideRight
            maximumLineCount: 1
        }

        // Tier and usage.
        Item {
            width: parent.width
            height: Math.max(tier.height, usageBar.implicitHeight)
            Rectangle {
                id: tier
                width: tierText.implicitWidth + Theme.spacing
                height: tierText.implicitHeight + 4
                radius: 4
                color: "transparent"
                border.width: Theme.borderWidth
                border.color: Theme.border
                visible: root.priority.length > 0
                Text {
                    id: tierText
                    anchors.centerIn: parent
                    text: Theme.tierLabel(root.priority)
                    color: Theme.textDim
                    font.pixelSize: Theme.fontSmall
                }
            }
            UsageBar {
                id: usageBar
                anchors.left: tier.visible ? tier.right : parent.left
                anchors.leftMargin: tier.visible ? Theme.spacing : 0
                anchors.right: parent.right
                anchors.verticalCenter: parent.verticalCenter
                stale: !root.live
                usedBytes: root.monthCap > 0 || root.dayCap === 0 ? (root.usage.monthBytes || 0) : (root.usage.dayBytes || 0)
                capBytes: root.monthCap > 0 ? root.monthCap : root.dayCap
                period: root.monthCap > 0 || root.dayCap === 0 ? qsTr("month") : qsTr("day")
            }
        }
    }
}
