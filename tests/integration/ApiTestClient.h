// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A plain smoothwan.v1 client for integration tests: a real QWebSocket, every message kept in an
// inbox, commands answered by id. Lives on the thread (and network namespace) that made it.
#include "Protocol.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QSignalSpy>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketHandshakeOptions>

#include <functional>

namespace smoothwan::test {

class Client
{
public:
    Client()
    {
        QObject::connect(&ws, &QWebSocket::textMessageReceived,
                         [this](const QString &t) { inbox.append(QJsonDocument::fromJson(t.toUtf8()).object()); });
        QObject::connect(&ws, &QWebSocket::disconnected, [this] { closed = true; });
    }

    bool open(quint16 port)
    {
        QWebSocketHandshakeOptions o;
        o.setSubprotocols({QString::fromLatin1(protocol::Subprotocol)});
        QSignalSpy connected(&ws, &QWebSocket::connected);
        ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)), o);
        return connected.wait(3000) || connected.size() > 0;
    }

    QJsonObject waitFor(const std::function<bool(const QJsonObject &)> &pred, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        for (;;) {
            for (qsizetype i = 0; i < inbox.size(); ++i)
                if (pred(inbox[i]))
                    return inbox.takeAt(i);
            if (t.elapsed() > timeoutMs || closed)
                return {};
            QSignalSpy spy(&ws, &QWebSocket::textMessageReceived);
            spy.wait(50);
        }
    }

    QJsonObject auth(const QJsonObject &credentials)
    {
        if (waitFor(
                [](const QJsonObject &m) { return m.value(QStringLiteral("type")) == QLatin1String("auth_required"); },
                5000)
                .isEmpty())
            return {};
        QJsonObject f = credentials;
        f.insert(QStringLiteral("type"), QStringLiteral("auth"));
        ws.sendTextMessage(QString::fromUtf8(QJsonDocument(f).toJson(QJsonDocument::Compact)));
        return waitFor(
            [](const QJsonObject &m) {
                const QString t = m.value(QStringLiteral("type")).toString();
                return t == QLatin1String("auth_ok") || t == QLatin1String("auth_invalid");
            },
            30000);
    }

    QJsonObject call(const QString &type, QJsonObject args = {}, qint64 *usedId = nullptr)
    {
        const qint64 id = ++nextId;
        if (usedId)
            *usedId = id;
        args.insert(QStringLiteral("id"), id);
        args.insert(QStringLiteral("type"), type);
        ws.sendTextMessage(QString::fromUtf8(QJsonDocument(args).toJson(QJsonDocument::Compact)));
        return waitFor(
            [id](const QJsonObject &m) {
                return m.value(QStringLiteral("id")).toInteger() == id &&
                       m.value(QStringLiteral("type")).toString() == QLatin1String("result");
            },
            150000); // speed tests may take a while
    }

    QWebSocket ws;
    QList<QJsonObject> inbox;
    bool closed = false;
    qint64 nextId = 0;
};

} // namespace smoothwan::test
