// SPDX-License-Identifier: GPL-3.0-or-later
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import SmoothWAN.Client
import SmoothWAN.Ui

// The event log (the state's last 100 events), newest first, filtered by severity and text.
// Tapping an event shows its details.
ScrollPage {
    id: page
    objectName: "eventsPage"
    title: qsTr("Events")
    stale: !Backend.live
    property int expandedId: -1
    property EventModel events: EventModel {
        backend: Backend
    }
    readonly property int shown: eventRepeater.count

    function severityColor(severity) {
        switch (severity) {
        case "error": return Theme.stateDown
        case "warning": return Theme.stateDegraded
        default: return Theme.accent
        }
    }
    // "2026-11-26T00:12:03.123Z" → "00:12:03" today, else "26 Nov 00:12".
    function timeText(iso) {
        const d = new Date(iso)
        if (isNaN(d.getTime()))
            return String(iso || "")
        const now = new Date()
        if (d.toDateString() === now.toDateString())
            return Qt.formatTime(d, "hh:mm:ss")
        return Qt.formatDateTime(d, "d MMM hh:mm")
    }
    function detailsText(details) {
        if (details === undefined || details === null)
            return ""
        if (typeof details === "string")
            return details
        const keys = Object.keys(details)
        if (keys.length === 0)
            return ""
        return keys.map(k => k + ": " + (typeof details[k] === "object" ? JSON.stringify(details[k]) : details[k])).join("\n")
    }

    ColumnLayout {
        width: parent.width
        spacing: Theme.spacing

        Label {
            objectName: "staleNote"
            Layout.fillWidth: true
            visible: page.stale
            wrapMode: Text.Wrap
            color: Theme.warning
            font.pixelSize: Theme.fontBody
            text: qsTr("Not connected to the router: newer events are not shown.")
        }

        // Filters: a flow so they wrap on a narrow screen instead of being clipped.
        Flow {
            Layout.fillWidth: true
            spacing: Theme.spacing
            Repeater {
                model: [
                    { value: "", label: qsTr("All") },
                    { value: "info", label: qsTr("Info") },
                    { value: "warning", label: qsTr("Warnings") },
                    { value: "error", label: qsTr("Errors") }
                ]
                // Qt 6.4's qmllint cannot see outer ids from a delegate (pragma ComponentBehavior:
                // Bound is 6.5); they resolve at run time.
                // qmllint disable unqualified
                delegate: SwButton {
                    required property var modelData
                    objectName: "severity_" + (modelData.value || "all")
                    text: modelData.label
                    highlighted: page.events.severityFilter === modelData.value
                    onClicked: page.events.severityFilter = modelData.value
                }
                // qmllint enable unqualified
            }
            SwTextField {
                id: search
                objectName: "searchField"
                width: Math.min(Math.max(Theme.touchTarget * 5, page.width / 3), page.width - 2 * Theme.spacing)
                kind: "text"
                enterAction: "search"
                placeholderText: qsTr("Search message or area")
                onTextChanged: page.events.textFilter = text
            }
            SwButton {
                visible: search.text.length > 0
                text: qsTr("Clear")
                onClicked: search.text = ""
            }
        }

        Label {
            objectName: "countText"
            Layout.fillWidth: true
            color: Theme.textDim
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.Wrap
            text: page.shown === 0
                  ? (page.events.severityFilter !== "" || page.events.textFilter !== "" ? qsTr("No events match the filter.") : qsTr("No events yet."))
                  : qsTr("%n event(s), newest first", "", page.shown)
        }

        Repeater {
            id: eventRepeater
            objectName: "eventList"
            model: page.events
            // qmllint disable unqualified
            delegate: Rectangle {
                id: row
                required property var model
                required property string time
                required property string area
                required property string severity
                required property string message
                required property var details
                readonly property bool expanded: page.expandedId === row.model.id
                readonly property string detailText: page.detailsText(row.details)
                Layout.fillWidth: true
                implicitHeight: Math.max(Theme.touchTarget, content.implicitHeight + Theme.spacing)
                radius: Theme.radius
                color: tap.pressed ? Theme.surfacePressed : Theme.surface

                Rectangle {
                    width: Theme.stripeWidth
                    height: parent.height
                    radius: Theme.radius
                    color: page.stale ? Theme.stateStale : page.severityColor(row.severity)
                }
                ColumnLayout {
                    id: content
                    x: Theme.stripeWidth + Theme.spacing
                    y: Theme.spacing / 2
                    width: parent.width - x - Theme.spacing
                    spacing: 2
                    RowLayout {
                        Layout.fillWidth: true
                        Label {
                            text: page.timeText(row.time)
                            color: Theme.textDim
                            font.pixelSize: Theme.fontSmall
                        }
                        Label {
                            text: row.area
                            color: Theme.textDim
                            font.pixelSize: Theme.fontSmall
                            font.bold: true
                        }
                        Label {
                            Layout.fillWidth: true
                            horizontalAlignment: Text.AlignRight
                            text: row.severity
                            color: page.stale ? Theme.textDim : page.severityColor(row.severity)
                            font.pixelSize: Theme.fontSmall
                        }
                    }
                    Label {
                        Layout.fillWidth: true
                        text: row.message
                        wrapMode: Text.Wrap
                        color: page.stale ? Theme.textDim : Theme.text
                        font.pixelSize: Theme.fontBody
                    }
                    Label {
                        Layout.fillWidth: true
                        visible: row.expanded && row.detailText !== ""
                        text: row.detailText
                        wrapMode: Text.Wrap
                        color: Theme.textDim
                        font.pixelSize: Theme.fontSmall
                        font.family: "monospace"
                    }
                    Label {
                        Layout.fillWidth: true
                        visible: !row.expanded && row.detailText !== ""
                        text: qsTr("Tap for details")
                        color: Theme.textDim
                        font.pixelSize: Theme.fontSmall
                    }
                }
                TapHandler {
                    id: tap
                    onTapped: page.expandedId = row.expanded ? -1 : row.model.id
                }
            }
            // qmllint enable unqualified
        }
    }
}
