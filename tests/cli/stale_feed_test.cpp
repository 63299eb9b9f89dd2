// A feed that stops while others keep arriving, through the real binary:
// `run --once --at` cycles against a real webhook receiver on 127.0.0.1.
// Shipments stop; orders (and their Unshipped promise dates) keep coming, so
// the new orders look unconfirmed and late. No breach may reach the receiver:
// the late-dispatch alert is held, a stale alert names the shipments feed,
// and `status --json` flags the rows. When shipments arrive again the stale
// alert resolves and the rate is back to what it really is.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/time.hpp"
#include "support/http_test_server.hpp"
#include "support/test_support.hpp"

namespace shd::test {
namespace {

constexpr const char* kOrdersHeader =
    "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
    "sales-channel\n";
constexpr const char* kUnshippedHeader = "order-id\tpurchase-date\tpromise-date\tsales-channel\n";
constexpr const char* kShipmentsHeader =
    "order_id,latest_ship_date,confirmed_at,tracking_id,carrier,tracking_valid,notes\n";

std::string order_id(int batch, int i) {
    return "11" + std::to_string(batch) + "-0000000-" + std::to_string(1000000 + i);
}

// `count` US MFN orders of one batch, purchased at `purchased`.
std::string orders(int batch, int count, const std::string& purchased, const std::string& status) {
    std::string text = kOrdersHeader;
    for (int i = 0; i < count; ++i)
        text += order_id(batch, i) + "\t" + purchased + "\t" + purchased + "\t" + status +
                "\tMerchant\tAmazon.com\n";
    return text;
}

std::string unshipped(int batch, int count, const std::string& purchased,
                      const std::string& promise) {
    std::string text = kUnshippedHeader;
    for (int i = 0; i < count; ++i)
        text += order_id(batch, i) + "\t" + purchased + "\t" + promise + "\tAmazon.com\n";
    return text;
}

std::string shipments(int batch, int count, const std::string& latest, const std::string& at) {
    std::string text = kShipmentsHeader;
    for (int i = 0; i < count; ++i)
        text += order_id(batch, i) + "," + latest + "," + at + ",1Z" + std::to_string(batch) +
                std::to_string(1000 + i) + ",UPS,,\n";
    return text;
}

std::string config_for(const std::string& url) {
    return "database: \"state.sqlite\"\n"
           "inbox: \"inbox\"\n"
           "alerts:\n"
           "  deadline_alerts: false\n"
           "  channels:\n"
           "    - name: hook\n"
           "      type: webhook\n"
           "      url: \"" +
           url + "\"\n";
}

process_result run_once(const temp_dir& dir, const std::string& at) {
    return run_binary({"run", "--once", "--at", at, "--config", (dir / "config.yaml").string()});
}

// Every alert of every request the receiver got, in order.
std::vector<nlohmann::json> alerts_received(const http_test_server& receiver) {
    std::vector<nlohmann::json> out;
    for (const auto& r : receiver.requests()) {
        // Held by name: a range-for over parse(...).at(...) would walk a
        // temporary that is already gone.
        const auto body = nlohmann::json::parse(r.body);
        for (const auto& a : body.at("alerts"))
            out.push_back(a);
    }
    return out;
}

const nlohmann::json* row(const nlohmann::json& status, const std::string& metric, int window) {
    for (const auto& r : status.at("metrics")) {
        if (r.at("metric") == metric && r.at("window_days") == window)
            return &r;
    }
    return nullptr;
}

const nlohmann::json* feed(const nlohmann::json& status, const std::string& name) {
    for (const auto& f : status.at("feeds")) {
        if (f.at("feed") == name)
            return &f;
    }
    return nullptr;
}

TEST(StaleFeed, StoppedShipmentsRaiseNoBreachButAStaleAlertThatResolves) {
    http_test_server receiver;
    temp_dir dir;
    write_file(dir / "config.yaml", config_for(receiver.url("/alerts")));
    const auto config = (dir / "config.yaml").string();

    // Day 0: 100 orders, all confirmed on time. Everything fresh and ok.
    write_file(dir / "inbox" / "orders-0.txt", orders(1, 100, "2025-09-28T10:00:00Z", "Shipped"));
    write_file(dir / "inbox" / "shipments-0.csv",
               shipments(1, 100, "2025-09-30T00:00:00Z", "2025-09-29T10:00:00Z"));
    auto day0 = run_once(dir, "2025-10-01T12:00:00Z");
    ASSERT_EQ(day0.exit_code, 0) << day0.err;
    EXPECT_EQ(receiver.request_count(), 0u) << day0.err;

    // Day 1: 30 new orders with promise dates that evening; shipments still fresh.
    write_file(dir / "inbox" / "orders-1.txt", orders(2, 30, "2025-10-02T08:00:00Z", "Unshipped"));
    write_file(dir / "inbox" / "unshipped-1.txt",
               unshipped(2, 30, "2025-10-02T08:00:00Z", "2025-10-02T20:00:00Z"));
    auto day1 = run_once(dir, "2025-10-02T12:00:00Z");
    ASSERT_EQ(day1.exit_code, 0) << day1.err;
    EXPECT_EQ(receiver.request_count(), 0u) << day1.err;

    // Day 2: orders keep arriving, shipments have not for 2 days. The 30
    // orders look unconfirmed past their promise date: 30/130 late.
    write_file(dir / "inbox" / "orders-2.txt", orders(3, 5, "2025-10-03T08:00:00Z", "Unshipped"));
    write_file(dir / "inbox" / "unshipped-2.txt",
               unshipped(3, 5, "2025-10-03T08:00:00Z", "2025-10-04T20:00:00Z"));
    auto day2 = run_once(dir, "2025-10-03T12:00:00Z");
    ASSERT_EQ(day2.exit_code, 0) << day2.err;
    ASSERT_EQ(receiver.request_count(), 1u) << day2.err;
    auto received = alerts_received(receiver);
    ASSERT_EQ(received.size(), 1u) << receiver.requests().at(0).body;
    EXPECT_EQ(received[0].at("kind"), "stale_data");
    EXPECT_EQ(received[0].at("fingerprint"), "stale_data|shipments");
    EXPECT_EQ(received[0].at("state"), "firing");
    EXPECT_EQ(received[0].at("title"),
              "[AT RISK] Stale feed: shipments last arrived 2 d ago (max 1 d 12 h)");
    EXPECT_NE(received[0]
                  .at("headroom_text")
                  .get<std::string>()
                  .find("Shipments last arrived at 2025-10-01 12:00 UTC"),
              std::string::npos)
        << received[0].dump();
    // The held breach is in the log, with its reason.
    EXPECT_NE(day2.err.find("alert held (stale data): [BREACHED] Late dispatch rate"),
              std::string::npos)
        << day2.err;
    EXPECT_NE(day2.err.find("shipments last arrived 2 d ago (max 1 d 12 h)"), std::string::npos)
        << day2.err;

    // status shows the status the contract gives, flagged stale beside it.
    auto status =
        run_binary({"status", "--config", config, "--json", "--at", "2025-10-03T12:00:00Z"});
    ASSERT_EQ(status.exit_code, 0) << status.err;
    const auto doc = nlohmann::json::parse(status.out);
    const auto* ldr = row(doc, "late_dispatch_rate", 10);
    ASSERT_NE(ldr, nullptr) << status.out;
    EXPECT_EQ(ldr->at("status"), "breached");
    EXPECT_EQ(ldr->at("numerator"), 30);
    EXPECT_EQ(ldr->at("denominator"), 130);
    EXPECT_EQ(ldr->at("stale"), true);
    EXPECT_EQ(ldr->at("stale_reason"), "shipments last arrived 2 d ago (max 1 d 12 h)");
    EXPECT_EQ(row(doc, "cancellation_rate", 7)->at("stale"), false);
    ASSERT_NE(feed(doc, "shipments"), nullptr);
    EXPECT_EQ(feed(doc, "shipments")->at("stale"), true);
    EXPECT_EQ(feed(doc, "shipments")->at("last_import_at"), "2025-10-01T12:00:00Z");
    EXPECT_EQ(feed(doc, "shipments")->at("newest_data_at"), "2025-09-29T10:00:00Z");
    EXPECT_EQ(feed(doc, "all_orders")->at("stale"), false);
    EXPECT_EQ(feed(doc, "all_orders")->at("age_seconds"), 0);
    EXPECT_TRUE(feed(doc, "defects")->at("last_import_at").is_null());
    EXPECT_EQ(feed(doc, "defects")->at("stale"), false);

    // The table says it too.
    auto table = run_binary({"status", "--config", config, "--at", "2025-10-03T12:00:00Z"});
    EXPECT_NE(table.out.find("breached (stale)"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("(stale): alerts held: shipments last arrived 2 d ago"),
              std::string::npos)
        << table.out;

    // An hour later, still stale: nothing new at all.
    auto later = run_once(dir, "2025-10-03T13:00:00Z");
    ASSERT_EQ(later.exit_code, 0) << later.err;
    EXPECT_EQ(receiver.request_count(), 1u);

    // Shipments arrive: the 30 orders were confirmed on time after all.
    write_file(dir / "inbox" / "shipments-1.csv",
               shipments(2, 30, "2025-10-02T20:00:00Z", "2025-10-02T15:00:00Z"));
    auto back = run_once(dir, "2025-10-03T14:00:00Z");
    ASSERT_EQ(back.exit_code, 0) << back.err;
    ASSERT_EQ(receiver.request_count(), 2u) << back.err;
    received = alerts_received(receiver);
    ASSERT_EQ(received.size(), 2u) << receiver.requests().at(1).body;
    EXPECT_EQ(received[1].at("fingerprint"), "stale_data|shipments");
    EXPECT_EQ(received[1].at("state"), "resolved");
    EXPECT_EQ(received[1].at("title"), "[RESOLVED] Feed arriving again: shipments");
    for (const auto& a : received)
        EXPECT_NE(a.at("kind"), "metric") << a.dump();

    auto fresh =
        run_binary({"status", "--config", config, "--json", "--at", "2025-10-03T14:00:00Z"});
    const auto after = nlohmann::json::parse(fresh.out);
    EXPECT_EQ(row(after, "late_dispatch_rate", 10)->at("status"), "ok");
    EXPECT_EQ(row(after, "late_dispatch_rate", 10)->at("stale"), false);
    EXPECT_TRUE(row(after, "late_dispatch_rate", 10)->at("stale_reason").is_null());

    auto last = run_once(dir, "2025-10-03T15:00:00Z");
    ASSERT_EQ(last.exit_code, 0) << last.err;
    EXPECT_EQ(receiver.request_count(), 2u);
}

// One cycle with the clock 30 days ahead (a VM restored, a board without a
// real-time clock) records the shipments feed as arriving then. The next
// cycle on the real clock moves that arrival back to now and says so once,
// so the feed ages from now: two days later it is stale, where the stored
// date would have kept it fresh for a month.
TEST(StaleFeed, AnArrivalStampedByAClockAheadIsRepairedSoTheFeedCanGoStale) {
    temp_dir dir;
    write_file(dir / "config.yaml", config_for("http://127.0.0.1:9/unused"));
    const auto config = (dir / "config.yaml").string();
    const auto now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    const auto ahead = now + std::chrono::hours(24 * 30);
    write_file(dir / "inbox" / "shipments-0.csv",
               shipments(1, 3, format_iso8601(now - std::chrono::hours(30)),
                         format_iso8601(now - std::chrono::hours(40))));
    auto stamped = run_once(dir, format_iso8601(ahead));
    ASSERT_EQ(stamped.exit_code, 0) << stamped.err;

    auto on_the_clock = run_binary({"run", "--once", "--config", config});
    ASSERT_EQ(on_the_clock.exit_code, 0) << on_the_clock.err;
    EXPECT_NE(on_the_clock.err.find("feed shipments was recorded as arriving in the future"),
              std::string::npos)
        << on_the_clock.err;

    auto status = run_binary({"status", "--config", config, "--json", "--at",
                              format_iso8601(now + std::chrono::hours(48))});
    ASSERT_EQ(status.exit_code, 0) << status.err;
    const auto doc = nlohmann::json::parse(status.out);
    const auto* shipments_feed = feed(doc, "shipments");
    ASSERT_NE(shipments_feed, nullptr) << status.out;
    EXPECT_EQ(shipments_feed->at("stale"), true) << shipments_feed->dump();
    const auto repaired_to = parse_iso8601(shipments_feed->at("last_import_at").get<std::string>());
    ASSERT_TRUE(repaired_to.has_value());
    EXPECT_GE(*repaired_to, now);
    EXPECT_LT(*repaired_to, now + std::chrono::hours(1));

    // Said once: the next cycle has nothing to repair.
    auto again = run_binary({"run", "--once", "--config", config});
    EXPECT_EQ(again.err.find("arriving in the future"), std::string::npos) << again.err;
}

}  // namespace
}  // namespace shd::test
