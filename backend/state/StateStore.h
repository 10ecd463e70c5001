// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QObject>

#include <cstdint>

namespace smoothwan {

class Clock;

// The daemon's single source of truth: one JSON document with a revision number.
// Top-level members are slices ("wans", "engine", "routing", "usage", "system", "events"),
// each owned by one component, which replaces its slice as a whole with setSlice(). Every
// effective change bumps the revision by exactly one and emits changed() with the JSON
// Patch from the previous revision, so subscribers that apply every patch in order hold
// exactly document(). Writes that change nothing do not bump the revision.
class StateStore : public QObject
{
    Q_OBJECT

public:
    static constexpr int MaxEvents = 100;

    explicit StateStore(const Clock &clock, QObject *parent = nullptr);

    std::uint64_t revision() const { return m_revision; }
    const QJsonObject &document() const { return m_document; }
    QJsonValue slice(const QString &name) const { return m_document.value(name); }

    // Replaces the slice `name` (removes it for an undefined value). Returns true if the
    // document changed.
    bool setSlice(const QString &name, const QJsonValue &value);

    // Appends to the bounded events log (oldest dropped beyond MaxEvents). Severity is one of
    // "info", "warning", "error". Returns the event's id.
    std::uint64_t appendEvent(const QString &area, const QString &severity, const QString &message,
                              const QJsonObject &details = {});

    // Groups several writes into one revision and one patch. Nestable.
    class Batch
    {
    public:
        explicit Batch(StateStore &store);
        ~Batch();
        Batch(const Batch &) = delete;
        Batch &operator=(const Batch &) = delete;

    private:
        StateStore &m_store;
    };

Q_SIGNALS:
    void changed(std::uint64_t revision, const QJsonArray &patch);

private:
    void publish();

    const Clock &m_clock;
    QJsonObject m_document;
    QJsonObject m_published; // the document as of m_revision
    std::uint64_t m_revision = 0;
    std::uint64_t m_nextEventId = 1;
    int m_batchDepth = 0;
};

} // namespace smoothwan
