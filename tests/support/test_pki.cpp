#include "support/test_pki.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdexcept>

#include "support/test_support.hpp"

namespace shd::test {
namespace {

void check(bool ok, const char* what) {
    if (!ok)
        throw std::runtime_error(std::string("test PKI: ") + what + " failed");
}

struct key_deleter {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct cert_deleter {
    void operator()(X509* c) const { X509_free(c); }
};
struct bio_deleter {
    void operator()(BIO* b) const { BIO_free(b); }
};
using key_ptr = std::unique_ptr<EVP_PKEY, key_deleter>;
using cert_ptr = std::unique_ptr<X509, cert_deleter>;
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;

key_ptr new_key() {
    key_ptr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "EVP_EC_gen");
    return key;
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string cert_pem(X509* cert) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
    return bio_text(bio.get());
}

std::string key_pem(EVP_PKEY* key) {
    bio_ptr bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "PEM_write_bio_PrivateKey");
    return bio_text(bio.get());
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    check(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
    X509_EXTENSION_free(ext);
}

cert_ptr new_cert(EVP_PKEY* key, const std::string& common_name, std::chrono::seconds not_before,
                  std::chrono::seconds not_after) {
    cert_ptr cert(X509_new());
    check(cert != nullptr, "X509_new");
    check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
    unsigned char serial_bytes[16];
    check(RAND_bytes(serial_bytes, sizeof serial_bytes) == 1, "RAND_bytes");
    serial_bytes[0] &= 0x7f;  // a positive serial
    BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
    check(serial != nullptr && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())),
          "serial");
    BN_free(serial);
    check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before.count()) != nullptr,
          "notBefore");
    check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after.count()) != nullptr,
          "notAfter");
    check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
    X509_NAME* name = X509_get_subject_name(cert.get());
    check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                     -1, -1, 0) == 1,
          "subject");
    return cert;
}

}  // namespace

struct test_ca::impl {
    key_ptr key;
    cert_ptr cert;
};

test_ca::test_ca(const std::string& common_name) : impl_(std::make_unique<impl>()) {
    impl_->key = new_key();
    impl_->cert = new_cert(impl_->key.get(), common_name, std::chrono::seconds{-3600},
                           std::chrono::seconds{7 * 86400});
    X509* cert = impl_->cert.get();
    check(X509_set_issuer_name(cert, X509_get_subject_name(cert)) == 1, "issuer");
    add_extension(cert, cert, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(cert, cert, NID_subject_key_identifier, "hash");
    check(X509_sign(cert, impl_->key.get(), EVP_sha256()) > 0, "X509_sign");
    identity_ = {cert_pem(cert), key_pem(impl_->key.get())};
}

test_ca::~test_ca() = default;

std::filesystem::path test_ca::write_cert(const std::filesystem::path& path) const {
    write_file(path, identity_.cert_pem);
    return path;
}

pem_identity test_ca::issue(const leaf_options& options) const {
    auto key = new_key();
    const std::string common_name =
        !options.dns_names.empty()
            ? options.dns_names.front()
            : (!options.ip_addresses.empty() ? options.ip_addresses.front() : "test server");
    auto cert = new_cert(key.get(), common_name, options.not_before, options.not_after);
    X509* issuer = impl_->cert.get();
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) == 1, "issuer");
    add_extension(cert.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), issuer, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), issuer, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), issuer, NID_authority_key_identifier, "keyid:always");
    std::string san;
    for (const auto& dns : options.dns_names)
        san += (san.empty() ? "" : ",") + ("DNS:" + dns);
    for (const auto& ip : options.ip_addresses)
        san += (san.empty() ? "" : ",") + ("IP:" + ip);
    if (!san.empty())
        add_extension(cert.get(), issuer, NID_subject_alt_name, san);
    check(X509_sign(cert.get(), impl_->key.get(), EVP_sha256()) > 0, "X509_sign");
    return {cert_pem(cert.get()), key_pem(key.get())};
}

}  // namespace shd::test
