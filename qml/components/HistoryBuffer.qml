// SPDX-License-Identifier: GPL-3.0-or-later
import QtQml

// The data behind live charts: the server's history (history.get, so a chart is full the moment
// its page opens) followed by samples taken here once a second. Columns are parallel arrays:
// times[i] (epoch seconds) and columns[key][i] (a number or null). Each change assigns new
// arrays, so bindings (TimeSeriesChart.times / .series) follow.
QtObject {
    id: root
    property int windowSeconds: 600
    property var keys: ["rxBps", "txBps", "latencyMs", "lossPct"]
    property var times: []
    property var columns: ({})
    property int revision: 0

    function clear() {
        times = []
        const c = {}
        for (const k of keys)
            c[k] = []
        columns = c
        ++revision
    }

    // The result of history.get for `wan`, or, with wan === "", every WAN summed per time
    // (rates only; latency/loss are not summable and are left null).
    function load(result, wan) {
        if (!result || !result.wans)
            return
        const series = []
        if (wan.length > 0) {
            if (result.wans[wan])
                series.push(result.wans[wan])
        } else {
            for (const name in result.wans)
                series.push(result.wans[name])
        }
        const byTime = new Map()
        for (const s of series) {
            const t = s.t || []
            for (let i = 0; i < t.length; ++i) {
                let row = byTime.get(t[i])
                if (!row) {
                    row = {}
                    byTime.set(t[i], row)
                }
                for (const k of keys) {
                    const v = s[k] ? s[k][i] : null
                    if (v === null || v === undefined)
                        continue
                    if (wan.length === 0 && (k === "latencyMs" || k === "lossPct"))
                        continue
                    row[k] = (row[k] === undefined ? 0 : row[k]) + v
                }
            }
        }
        const histTimes = Array.from(byTime.keys()).sort((a, b) => a - b)
        const lastHist = histTimes.length > 0 ? histTimes[histTimes.length - 1] : -Infinity
        // Keep local samples newer than the history's end.
        const newT = histTimes.slice()
        const newC = {}
        for (const k of keys)
            newC[k] = histTimes.map(t => { const v = byTime.get(t)[k]; return v === undefined ? null : v })
        for (let i = 0; i < times.length; ++i) {
            if (times[i] <= lastHist)
                continue
            newT.push(times[i])
            for (const k of keys)
                newC[k].push(columns[k] ? columns[k][i] : null)
        }
        set(newT, newC)
    }

    // One sample: values {key: number|null}.
    function append(t, values) {
        const newT = times.slice()
        const newC = {}
        newT.push(t)
        for (const k of keys) {
            newC[k] = (columns[k] || []).slice()
            const v = values[k]
            newC[k].push(v === undefined ? null : v)
        }
        set(newT, newC)
    }

    function set(t, c) {
        // Trim to the window.
        const cutoff = (t.length > 0 ? t[t.length - 1] : 0) - windowSeconds
        let first = 0
        while (first < t.length && t[first] < cutoff)
            ++first
        if (first > 0) {
            t = t.slice(first)
            for (const k of keys)
                c[k] = c[k].slice(first)
        }
        columns = c
        times = t
        ++revision
    }

    Component.onCompleted: clear()
}
