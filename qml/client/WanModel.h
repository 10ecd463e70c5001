// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "KeyedListModel.h"

#include <QtQml/qqmlregistration.h>

namespace smoothwan::client {

// The state's `wans` slice as a list model, one row per WAN by name, updated in place.
class WanModel : public KeyedListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(smoothwan::client::Backend *backend READ backend WRITE setBackend NOTIFY backendChanged)

public:
    explicit WanModel(QObject *parent = nullptr);

    Backend *backend() const { return m_backend; }
    void setBackend(Backend *backend); // default: Backend::instance()

Q_SIGNALS:
    void backendChanged();

private:
    void refresh();

    QPointer<Backend> m_backend;
};

} // namespace smoothwan::client
