// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtCore/QString>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslKey>

#include <optional>

namespace smoothwan {

// The API's TLS key and self-signed certificate.
// Contract: ensure() loads the pair from certPath/keyPath, or, when either is missing, makes a
// new one with the OpenSSL C API (EC P-256, 10 years, CN "smoothwan") and writes the key with mode
// 0600 and the certificate with 0644, atomically. Clients pin the certificate on first use, so an
// existing pair is never replaced silently: an unreadable pair is an error, not a regeneration.
// fingerprint() is the SHA-256 of the DER certificate as colon-separated upper-case hex — what
// the touchscreen shows and what clients compare.
class TlsIdentity
{
public:
    static std::optional<TlsIdentity> ensure(const QString &certPath, const QString &keyPath, QString *error);

    const QSslCertificate &certificate() const { return m_certificate; }
    const QSslKey &key() const { return m_key; }
    QString fingerprint() const;
    static QString fingerprintOf(const QSslCertificate &certificate);

private:
    QSslCertificate m_certificate;
    QSslKey m_key;
};

} // namespace smoothwan
