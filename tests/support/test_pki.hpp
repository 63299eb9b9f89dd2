// Certificates made at test time with OpenSSL's C API: a CA and leaf
// certificates it signs, with chosen names and validity, as PEM text. Nothing
// is checked in, nothing expires between runs, and no test needs the
// `openssl` program.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace shd::test {

struct pem_identity {
    std::string cert_pem;
    std::string key_pem;
};

struct leaf_options {
    std::vector<std::string> dns_names;     // subjectAltName DNS entries
    std::vector<std::string> ip_addresses;  // subjectAltName IP entries
    // Validity relative to the real clock (certificates are checked against it).
    std::chrono::seconds not_before{-3600};
    std::chrono::seconds not_after{86400};
};

class test_ca {
  public:
    explicit test_ca(const std::string& common_name);
    ~test_ca();
    test_ca(const test_ca&) = delete;
    test_ca& operator=(const test_ca&) = delete;

    const pem_identity& identity() const { return identity_; }
    // Writes the CA certificate (what a client's ca_file holds) and returns the path.
    std::filesystem::path write_cert(const std::filesystem::path& path) const;

    // A server certificate signed by this CA.
    pem_identity issue(const leaf_options& options) const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
    pem_identity identity_;
};

}  // namespace shd::test
