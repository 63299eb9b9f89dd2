// The daemon as a child process, as systemd runs it: a file dropped into the
// inbox leads to an alert at a loopback webhook; SIGHUP with a broken config
// keeps it running on the old one; a valid one is applied; SIGTERM ends it
// with exit 0.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "core/time.hpp"
#include "ingest/import_test_support.hpp"
#include "support/http_test_server.hpp"
#include "support/test_support.hpp"

namespace shd::test {
namespace {

namespace fs = std::filesystem;

std::string config_text(const std::string& url, const std::string& extra = {}) {
    return "database: \"state.sqlite\"\n"
           "inbox: \"inbox\"\n"
           "poll_interval: \"1h\"\n" +
           extra +
           "alerts:\n"
           "  channels:\n"
           "    - name: hook\n"
           "      type: webhook\n"
           "      url: \"" + url + "\"\n";
}

// 50 US MFN orders bought an hour before the real now, 5 cancelled: a 10%
// cancellation rate, breached. (The data is dated from the wall clock because
// the daemon runs on it; nothing here waits for time to pass.)
std::string breaching_orders() {
    const auto bought = std::chrono::time_point_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now()) - std::chrono::hours(1);
    const std::string when = format_iso8601(bought);
    std::string text =
        "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\n";
    for (int i = 0; i < 50; ++i) {
        text += "111-0000000-" + std::to_string(2000000 + i) + "\t" + when + "\t" +
                (i < 5 ? "Cancelled" : "Shipped") + "\tMerchant\tAmazon.com\n";
    }
    return text;
}

bool log_has(const fs::path& err, const std::string& text) {
    return fs::exists(err) && read_file(err).find(text) != std::string::npos;
}

TEST(RunDaemon, InboxFileLeadsToAlertAndReloadKeepsItRunning) {
    http_test_server receiver;
    temp_dir dir;
    const auto config = dir / "config.yaml";
    write_file(config, config_text(receiver.url("/alerts")));
    fs::create_directories(dir / "inbox");
    const auto err = dir / "run.err";
    child_process daemon({"run", "--config", config.string()}, dir / "run.out", err);
    ASSERT_TRUE(eventually([&] { return log_has(err, "watching"); })) << read_file(err);

    // Written elsewhere and moved in whole, as an uploader should.
    write_file(dir / "orders.tmp-outside", breaching_orders());
    fs::last_write_time(dir / "orders.tmp-outside",
                        fs::file_time_type::clock::now() - std::chrono::minutes(5));
    fs::rename(dir / "orders.tmp-outside", dir / "inbox" / "orders.txt");

    ASSERT_TRUE(eventually([&] { return receiver.request_count() >= 1; })) << read_file(err);
    const auto body = nlohmann::json::parse(receiver.requests().at(0).body);
    bool cancellation_fired = false;
    for (const auto& a : body.at("alerts")) {
        if (a.at("metric") == "cancellation_rate" && a.at("state") == "firing")
            cancellation_fired = a.at("severity") == "breached" && a.at("numerator") == 5;
    }
    EXPECT_TRUE(cancellation_fired) << body.dump();

    // A broken config on SIGHUP: logged, and the daemon carries on with the old one.
    write_file(config, config_text(receiver.url("/alerts"), "pol_interval: \"1m\"\n"));
    daemon.signal(SIGHUP);
    ASSERT_TRUE(eventually([&] { return log_has(err, "keeping the current configuration"); }))
        << read_file(err);
    EXPECT_TRUE(log_has(err, "pol_interval"));
    EXPECT_FALSE(daemon.exited());

    // Two bytes that once made the YAML loader allocate until the process died.
    write_file(config, ",\n");
    daemon.signal(SIGHUP);
    ASSERT_TRUE(eventually([&] { return log_has(err, "unexpected ','"); })) << read_file(err);
    EXPECT_FALSE(daemon.exited());

    // A valid one is applied without a restart, and sends nothing by itself.
    write_file(config, config_text(receiver.url("/alerts"),
                                   "account: \"Renamed seller\"\n"));
    daemon.signal(SIGHUP);
    ASSERT_TRUE(eventually([&] { return log_has(err, "reload: configuration applied"); }))
        << read_file(err);
    EXPECT_FALSE(daemon.exited());
    EXPECT_EQ(receiver.request_count(), 1u);

    daemon.signal(SIGTERM);
    const int status = daemon.wait();
    ASSERT_TRUE(WIFEXITED(status)) << read_file(err);
    EXPECT_EQ(WEXITSTATUS(status), 0) << read_file(err);
    EXPECT_EQ(receiver.request_count(), 1u);
}

}  // namespace
}  // namespace shd::test
