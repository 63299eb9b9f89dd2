// The daemon (`run`, a child process) with an sp_api section against the
// stand-in Amazon: /api/status and the dashboard show, per source, the last
// successful fetch and the newest data, as `status --json` does.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/time.hpp"
#include "ingest/import_test_support.hpp"
#include "net/http_client.hpp"
#include "support/spapi_standin.hpp"
#include "support/test_support.hpp"

namespace shd {
namespace {

using nlohmann::json;
using test::eventually;
using test::spapi_standin;

unsigned short free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::pair<int, std::string> get(unsigned short port, const std::string& path) {
    net::http_request_options o;
    o.method = "GET";
    o.url = "http://127.0.0.1:" + std::to_string(port) + path;
    o.timeout = std::chrono::seconds(10);
    o.proxy = "none";
    auto r = net::http_request(o);
    if (!r)
        return {0, r.error().message};
    return {r->status, r->body};
}

TEST(SpApiStatusEndpoint, ApiStatusAndDashboardShowEachSourcesLastFetchAndNewestData) {
    const instant now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    json order = {{"orderId", "111-0000001-0000001"},
                  {"createdTime", format_iso8601(now - hours(5))},
                  {"lastUpdatedTime", format_iso8601(now - hours(4))},
                  {"salesChannel", {{"channelName", "AMAZON"}, {"marketplaceId", "ATVPDKIKX0DER"}}},
                  {"fulfillment",
                   {{"fulfillmentStatus", "UNSHIPPED"},
                    {"fulfilledBy", "MERCHANT"},
                    {"shipByWindow",
                     {{"earliestDateTime", format_iso8601(now - hours(5))},
                      {"latestDateTime", format_iso8601(now + days(1))}}}}},
                  {"orderItems", json::array({{{"orderItemId", "1"},
                                               {"quantityOrdered", 1},
                                               {"product", {{"sellerSku", "SKU-1"}}}}})},
                  {"packages", json::array()}};
    spapi_standin amazon({{"marketplaces", {"ATVPDKIKX0DER"}},
                          {"orders", json::array({order})},
                          {"behaviour", {{"report_polls", 0}}}});

    test::temp_dir dir;
    std::filesystem::create_directories(dir / "inbox");
    std::unique_ptr<test::child_process> daemon;
    unsigned short port = 0;
    // Tests run in parallel: a port taken between the probe and the bind
    // makes the daemon exit at once, and another is tried.
    for (int attempt = 0; attempt < 5 && !daemon; ++attempt) {
        port = free_port();
        test::write_file(dir / "config.yaml",
                         "database: state.sqlite\n"
                         "inbox: inbox\n"
                         "poll_interval: 1h\n"
                         "http:\n  listen: \"127.0.0.1:" +
                             std::to_string(port) +
                             "\"\n"
                             "sp_api:\n"
                             "  marketplaces: [ATVPDKIKX0DER]\n"
                             "  client_id: " +
                             spapi_standin::kClientId +
                             "\n"
                             "  client_secret: " +
                             spapi_standin::kClientSecret +
                             "\n"
                             "  refresh_token: \"" +
                             spapi_standin::kRefreshToken +
                             "\"\n"
                             "  endpoint: " +
                             amazon.endpoint() + "\n  token_url: " + amazon.token_url() +
                             "\n  ca_file: " + amazon.ca_file().string() + "\n");
        daemon = std::make_unique<test::child_process>(
            std::vector<std::string>{"run", "--config", (dir / "config.yaml").string()},
            dir / "run.out", dir / "run.err");
        eventually([&] { return get(port, "/healthz").first != 0 || daemon->exited(); });
        if (daemon->exited())
            daemon.reset();
    }
    ASSERT_TRUE(daemon) << test::read_file(dir / "run.err");

    json orders_row;
    ASSERT_TRUE(eventually([&] {
        const auto [status, body] = get(port, "/api/status");
        if (status != 200)
            return false;
        const json document = json::parse(body, nullptr, false);
        if (!document.is_object() || !document.contains("sources"))
            return false;
        for (const auto& s : document["sources"]) {
            if (s["source"] == "orders" && !s["last_success_at"].is_null())
                orders_row = s;
        }
        return !orders_row.is_null();
    })) << get(port, "/api/status").second.substr(0, 3000)
        << test::read_file(dir / "run.err");
    EXPECT_EQ(orders_row["marketplace_id"], "ATVPDKIKX0DER");
    EXPECT_EQ(orders_row["newest_data_at"], format_iso8601(now - hours(4)));

    const auto [page_status, page] = get(port, "/");
    EXPECT_EQ(page_status, 200);
    EXPECT_NE(page.find("<h2 id=\"sources-title\">Fetched from Amazon</h2>"), std::string::npos);
    EXPECT_NE(page.find("<tr data-source=\"orders\" data-marketplace=\"ATVPDKIKX0DER\">"),
              std::string::npos);
    // Nothing secret in the daemon's log.
    const std::string log = test::read_file(dir / "run.err");
    EXPECT_EQ(log.find(spapi_standin::kClientSecret), std::string::npos);
    EXPECT_EQ(log.find(spapi_standin::kRefreshToken), std::string::npos);

    daemon->signal(SIGTERM);
    EXPECT_TRUE(eventually([&] { return daemon->exited(); }, std::chrono::seconds(60)));
}

}  // namespace
}  // namespace shd
