// SPDX-License-Identifier: GPL-3.0-or-later
#include "TlsIdentity.h"

#include "AtomicFile.h"
#include "Logging.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <memory>

namespace smoothwan {

namespace {

template<typename T, void (*F)(T *)> struct Deleter
{
    void operator()(T *p) const { F(p); }
};
using PKey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

QByteArray bioBytes(BIO *bio)
{
    char *data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return QByteArray(data, static_cast<qsizetype>(n));
}

bool generate(QByteArray *certPem, QByteArray *keyPem, QString *error)
{
    PKey key(EVP_EC_gen("P-256"));
    Cert cert(X509_new());
    if (!key || !cert) {
        *error = QStringLiteral("OpenSSL could not make a key");
        return false;
    }
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) {
        *error = QStringLiteral("no randomness for the serial number");
        return false;
    }
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_clear_bit(bn, 127); // positive
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME *name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("smoothwan"), -1, -1,
                               0);
    X509_set_issuer_name(cert.get(), name);
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
        *error = QStringLiteral("OpenSSL could not sign the certificate");
        return false;
    }
    Bio kb(BIO_new(BIO_s_mem()));
    Bio cb(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) ||
        !PEM_write_bio_X509(cb.get(), cert.get())) {
        *error = QStringLiteral("OpenSSL could not encode the key pair");
        return false;
    }
    *keyPem = bioBytes(kb.get());
    *certPem = bioBytes(cb.get());
    return true;
}

} // namespace

std::optional<TlsIdentity> TlsIdentity::ensure(const QString &certPath, const QString &keyPath, QString *error)
{
    QByteArray certPem;
    QByteArray keyPem;
    if (!QFileInfo::exists(certPath) || !QFileInfo::exists(keyPath)) {
        if (!generate(&certPem, &keyPem, error))
            return std::nullopt;
        QDir().mkpath(QFileInfo(keyPath).absolutePath());
        QDir().mkpath(QFileInfo(certPath).absolutePath());
        // The key first: a certificate without its key would be useless.
        auto k = writeAtomically(keyPath, keyPem, 0600);
        auto c = k.ok ? writeAtomically(certPath, certPem, 0644) : AtomicWriteResult {};
        if (!k.ok || !c.ok) {
            *error = k.ok ? c.error : k.error;
            return std::nullopt;
        }
        qCInfo(lcApi, "made a new TLS key %s and certificate %s", qPrintable(keyPath), qPrintable(certPath));
    } else {
        QFile c(certPath);
        QFile k(keyPath);
        if (!c.open(QIODevice::ReadOnly) || !k.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1 or %2").arg(certPath, keyPath);
            return std::nullopt;
        }
        certPem = c.read(1024 * 1024);
        keyPem = k.read(1024 * 1024);
    }
    TlsIdentity id;
    id.m_certificate = QSslCertificate(certPem, QSsl::Pem);
    id.m_key = QSslKey(keyPem, QSsl::Ec, QSsl::Pem);
    if (id.m_key.isNull())
        id.m_key = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem);
    if (id.m_certificate.isNull() || id.m_key.isNull()) {
        *error = QStringLiteral("%1 or %2 does not hold a usable certificate and key").arg(certPath, keyPath);
        return std::nullopt;
    }
    return id;
}

QString TlsIdentity::fingerprint() const
{
    return fingerprintOf(m_certificate);
}

QString TlsIdentity::fingerprintOf(const QSslCertificate &certificate)
{
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

} // namespace smoothwan
