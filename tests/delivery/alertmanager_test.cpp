// The Alertmanager channel against the real Prometheus Alertmanager (Debian's
// prometheus-alertmanager), started by the test on 127.0.0.1 with a generated
// configuration and its own storage folder. What seller-healthd posts must be
// accepted by POST /api/v2/alerts and read back from GET /api/v2/alerts with
// the labels and annotations we sent; a resolve ends the alert.
//
// Alertmanager judges endsAt against its own wall clock, so these posts are
// stamped with the real time, not a fixed instant.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "delivery/delivery_fixture.hpp"
#include "delivery/render.hpp"
#include "delivery/sender.hpp"
#include "net/http_client.hpp"
#include "support/test_support.hpp"

extern char** environ;

namespace shd::delivery {
namespace {

using json = nlohmann::json;
using testing::sample_change;
using testing::sample_notification;

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

// A port the kernel had free a moment ago.
std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

class alertmanager_process {
  public:
    explicit alertmanager_process(const std::filesystem::path& dir) : port_(free_port()) {
        test::write_file(dir / "alertmanager.yml",
                         "route:\n  receiver: blackhole\n"
                         "receivers:\n  - name: blackhole\n");
        std::filesystem::create_directories(dir / "data");
        const std::vector<std::string> args = {
            kAlertmanager,
            "--config.file=" + (dir / "alertmanager.yml").string(),
            "--storage.path=" + (dir / "data").string(),
            "--web.listen-address=127.0.0.1:" + std::to_string(port_),
            "--cluster.listen-address=",
            "--log.level=warn"};
        std::vector<char*> argv;
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        if (::posix_spawn(&pid_, kAlertmanager, nullptr, nullptr, argv.data(), environ) != 0)
            pid_ = -1;
    }
    ~alertmanager_process() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    alertmanager_process(const alertmanager_process&) = delete;
    alertmanager_process& operator=(const alertmanager_process&) = delete;

    std::string url(std::string_view path = "") const {
        return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
    }

    // Polls /-/ready: Alertmanager takes a moment to load its configuration.
    bool wait_ready() const {
        for (int attempt = 0; attempt < 200; ++attempt) {
            net::http_request_options r;
            r.method = "GET";
            r.url = url("/-/ready");
            r.timeout = std::chrono::milliseconds(500);
            const auto answer = net::http_request(r);
            if (answer && answer->status == 200)
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

    json alerts() const {
        net::http_request_options r;
        r.method = "GET";
        r.url = url("/api/v2/alerts");
        const auto answer = net::http_request(r);
        if (!answer || answer->status != 200)
            return json::array();
        return json::parse(answer->body);
    }

    bool started() const { return pid_ > 0; }

  private:
    std::uint16_t port_;
    pid_t pid_ = -1;
};

// The listed alert whose labels include every pair of `labels`.
const json* find_alert(const json& listed, const json& labels) {
    for (const auto& a : listed) {
        bool all = true;
        for (const auto& [k, v] : labels.items()) {
            if (!a["labels"].contains(k) || a["labels"][k] != v)
                all = false;
        }
        if (all)
            return &a;
    }
    return nullptr;
}

config::alert_channel alertmanager_channel(const std::string& base) {
    config::alert_channel c;
    c.name = "team-alertmanager";
    c.type = "alertmanager";
    c.url = base + "/api/v2/alerts";
    c.timeout = std::chrono::seconds{5};
    c.ends_after = std::chrono::hours(24);
    return c;
}

TEST(Alertmanager, FiringAlertIsListedWithItsLabelsAndResolveEndsIt) {
    if (!std::filesystem::exists(kAlertmanager))
        GTEST_SKIP() << "prometheus-alertmanager is not installed (scripts/install-deps.sh)";
    test::temp_dir dir;
    alertmanager_process am(dir.path());
    ASSERT_TRUE(am.started());
    ASSERT_TRUE(am.wait_ready()) << "Alertmanager did not become ready";

    const instant now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    auto n = sample_notification();
    n.alerts.front().since = now - std::chrono::hours(1);
    n.alerts.front().links = {{"order", "111-2223333-4444444",
                               "https://sellercentral.amazon.com/orders-v3/order/"
                               "111-2223333-4444444"}};
    alerts::alert_change ship = sample_change();
    ship.kind = "ship_deadline";
    ship.metric = "ship_deadline";
    ship.fingerprint = "ship_deadline|111-2223333-4444444";
    ship.severity = "at_risk";
    ship.title = "[AT RISK] Order 111-2223333-4444444 not confirmed: latest ship date in 3 h (US)";
    ship.since = now;
    ship.ends_at = now + std::chrono::hours(3);
    n.alerts.push_back(ship);

    const auto channel = alertmanager_channel(am.url());
    auto sender = make_sender("alertmanager");
    ASSERT_NE(sender, nullptr);
    const auto sent = sender->send(channel, n, now);
    ASSERT_EQ(sent.result, send_outcome::kind::delivered) << sent.detail;

    const json listed = am.alerts();
    const json* metric = find_alert(
        listed, {{"alertname", "SellerHealthLateDispatchRate"}, {"severity", "breached"}});
    ASSERT_NE(metric, nullptr) << listed.dump(2);
    const json& labels = (*metric)["labels"];
    EXPECT_EQ(labels["account"], "Acme Store");
    EXPECT_EQ(labels["marketplace"], "ATVPDKIKX0DER");
    EXPECT_EQ(labels["metric"], "late_dispatch_rate");
    EXPECT_EQ(labels["fulfillment_channel"], "MFN");
    EXPECT_EQ(labels["window_days"], "10");
    EXPECT_EQ((*metric)["status"]["state"], "active");
    EXPECT_EQ((*metric)["annotations"]["summary"],
              "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)");
    EXPECT_NE((*metric)["annotations"]["links"].get<std::string>().find(
                  "https://sellercentral.amazon.com/orders-v3/order/111-2223333-4444444"),
              std::string::npos);
    // Ends a day on unless posted again; the at_risk twin was posted as ended.
    const auto ends = parse_iso8601((*metric)["endsAt"].get<std::string>().substr(0, 19) + "Z");
    ASSERT_TRUE(ends);
    EXPECT_GE(*ends, now + std::chrono::hours(23));
    EXPECT_EQ(find_alert(listed,
                         {{"alertname", "SellerHealthLateDispatchRate"}, {"severity", "at_risk"}}),
              nullptr);
    const json* deadline = find_alert(
        listed, {{"alertname", "SellerHealthShipDeadline"}, {"order_id", "111-2223333-4444444"}});
    ASSERT_NE(deadline, nullptr) << listed.dump(2);
    // A deadline alert ends with its deadline.
    const auto deadline_ends =
        parse_iso8601((*deadline)["endsAt"].get<std::string>().substr(0, 19) + "Z");
    ASSERT_TRUE(deadline_ends);
    EXPECT_LE(*deadline_ends, now + std::chrono::hours(3));

    // The resolve: the metric alert is no longer active, the deadline one is.
    alerts::notification resolved = sample_notification("key-2");
    resolved.alerts.front().state = "resolved";
    resolved.alerts.front().since = n.alerts.front().since;
    const auto body = render_alertmanager(resolved, now, channel.ends_after);
    for (const auto& a : json::parse(body.body))
        EXPECT_LE(*parse_iso8601(a["endsAt"].get<std::string>()), now) << a.dump();
    const instant later =
        std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    ASSERT_EQ(sender->send(channel, resolved, later).result, send_outcome::kind::delivered);
    const json after = am.alerts();
    EXPECT_EQ(find_alert(after, {{"alertname", "SellerHealthLateDispatchRate"}}), nullptr)
        << after.dump(2);
    EXPECT_NE(find_alert(after, {{"alertname", "SellerHealthShipDeadline"}}), nullptr);
}

}  // namespace
}  // namespace shd::delivery
