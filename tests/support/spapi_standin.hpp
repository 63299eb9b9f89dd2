// The stand-in Amazon (tests/support/spapi_standin.py) for C++ tests: a CA
// and a server certificate for 127.0.0.1 / localhost made at test time, the
// seller's data written as JSON, the server run as a child process, and its
// request log read back. See the script's docstring for the data and the
// behaviour switches.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/child_server.hpp"
#include "support/test_pki.hpp"
#include "support/test_support.hpp"

namespace shd::test {

class spapi_standin {
  public:
    // `seller` is the data file's content; client_id, client_secret and
    // refresh_token default to the values below when absent.
    explicit spapi_standin(nlohmann::json seller = nlohmann::json::object());

    static constexpr const char* kClientId = "amzn1.application-oa2-client.standin";
    static constexpr const char* kClientSecret = "amzn1.oa2-cs.v1.standin-secret-value";
    static constexpr const char* kRefreshToken = "Atzr|standin-refresh-token-value";

    std::string endpoint() const;   // https://127.0.0.1:PORT
    std::string token_url() const;  // https://127.0.0.1:PORT/auth/o2/token
    const std::filesystem::path& ca_file() const { return ca_file_; }
    const std::filesystem::path& folder() const { return dir_.path(); }

    // Rewrites the data file: the server uses it from its next request.
    void update(const nlohmann::json& seller);
    const nlohmann::json& seller() const { return seller_; }

    // Every request so far, one object per request (method, path, operation,
    // headers, token_sent, status).
    std::vector<nlohmann::json> requests() const;
    // How many requests went to this operation ("lwa" for the token endpoint,
    // "download" for documents).
    std::size_t count(const std::string& operation) const;
    std::size_t count_status(int status) const;
    std::string server_errors() const;

  private:
    temp_dir dir_;
    test_ca ca_{"stand-in Amazon CA"};
    std::filesystem::path ca_file_;
    nlohmann::json seller_;
    std::unique_ptr<child_server> server_;
};

}  // namespace shd::test
