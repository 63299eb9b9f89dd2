#include "support/spapi_standin.hpp"

#include <sstream>

namespace shd::test {

namespace fs = std::filesystem;

spapi_standin::spapi_standin(nlohmann::json seller) : seller_(std::move(seller)) {
    ca_file_ = ca_.write_cert(dir_ / "ca.pem");
    const auto id = ca_.issue({{"localhost"}, {"127.0.0.1"}});
    write_file(dir_ / "server.pem", id.cert_pem);
    write_file(dir_ / "server.key", id.key_pem);
    if (!seller_.contains("client_id"))
        seller_["client_id"] = kClientId;
    if (!seller_.contains("client_secret"))
        seller_["client_secret"] = kClientSecret;
    if (!seller_.contains("refresh_token"))
        seller_["refresh_token"] = kRefreshToken;
    write_file(dir_ / "seller.json", seller_.dump());
    const fs::path script = fs::path(SHD_SOURCE_DIR) / "tests/support/spapi_standin.py";
    server_ = std::make_unique<child_server>(
        std::vector<std::string>{
            python3(), script.string(), "--data", (dir_ / "seller.json").string(), "--cert",
            (dir_ / "server.pem").string(), "--key", (dir_ / "server.key").string(), "--log",
            (dir_ / "requests.jsonl").string()},
        dir_ / "server.err");
}

std::string spapi_standin::endpoint() const {
    return "https://127.0.0.1:" + std::to_string(server_->port());
}

std::string spapi_standin::token_url() const {
    return endpoint() + "/auth/o2/token";
}

void spapi_standin::update(const nlohmann::json& seller) {
    seller_ = seller;
    // Written aside and renamed, so the server never reads half a file.
    write_file(dir_ / "seller.json.new", seller_.dump());
    fs::rename(dir_ / "seller.json.new", dir_ / "seller.json");
}

std::vector<nlohmann::json> spapi_standin::requests() const {
    std::vector<nlohmann::json> out;
    if (!fs::exists(dir_ / "requests.jsonl"))
        return out;
    std::istringstream in(read_file(dir_ / "requests.jsonl"));
    for (std::string line; std::getline(in, line);) {
        if (!line.empty())
            out.push_back(nlohmann::json::parse(line));
    }
    return out;
}

std::size_t spapi_standin::count(const std::string& operation) const {
    std::size_t n = 0;
    for (const auto& r : requests())
        n += r.value("operation", nlohmann::json()).is_string() && r["operation"] == operation;
    return n;
}

std::size_t spapi_standin::count_status(int status) const {
    std::size_t n = 0;
    for (const auto& r : requests())
        n += r["status"].is_number() && r["status"].get<int>() == status;
    return n;
}

std::string spapi_standin::server_errors() const {
    return fs::exists(dir_ / "server.err") ? read_file(dir_ / "server.err") : std::string{};
}

}  // namespace shd::test
