// Repeat, escalation and the deadline alerts through the real binary: files
// dropped into the inbox, `run --once --at T` imports, evaluates, decides and
// delivers to a webhook receiver on 127.0.0.1, and the received bodies say
// what docs/alerts.md promises: a repeat at the last notice plus
// repeat_interval and not before; an escalation when more late shipments turn
// at risk into breached; a deadline notice naming the message or order, its
// Seller Central link, local time beside UTC; a missed deadline that says so
// and counts against its metric, never "resolved"; one notice per deadline;
// a configured display time zone in place of the marketplace's.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "orders_file.hpp"
#include "support/http_test_server.hpp"
#include "support/test_support.hpp"

namespace shd::test {
namespace {

using nlohmann::json;

// A temp dir with a config whose only channel is a webhook to `receiver`;
// `alerts_extra` and `top_extra` are more YAML lines for the alerts section
// and the top level.
class alert_run {
  public:
    alert_run(const http_test_server& receiver, const std::string& alerts_extra = {},
              const std::string& top_extra = {}) {
        write_file(dir_ / "config.yaml",
                   "account: \"Test seller\"\n"
                   "database: \"state.sqlite\"\n"
                   "inbox: \"inbox\"\n" +
                       top_extra + "alerts:\n" + alerts_extra +
                       "  channels:\n"
                       "    - name: hook\n"
                       "      type: webhook\n"
                       "      url: \"" +
                       receiver.url("/alerts") + "\"\n");
    }

    // Dropped into the inbox: the next run imports it.
    void drop(const std::string& name, const std::string& text) {
        write_file(dir_ / "inbox" / name, text);
    }

    process_result run_at(const std::string& at) {
        auto r =
            run_binary({"run", "--once", "--at", at, "--config", (dir_ / "config.yaml").string()});
        logs_ += "--- run --once --at " + at + "\n" + r.err;
        EXPECT_EQ(r.exit_code, 0) << logs_;
        return r;
    }

    // `status --json --at`: the metric row, or null.
    json status_row(const std::string& at, const std::string& metric, int window_days) {
        const auto r = run_binary(
            {"status", "--json", "--at", at, "--config", (dir_ / "config.yaml").string()});
        const auto doc = json::parse(r.out, nullptr, false);
        if (doc.is_discarded() || !doc.contains("metrics"))
            return nullptr;
        for (const auto& row : doc.at("metrics")) {
            if (row.at("metric") == metric && row.at("window_days") == window_days)
                return row;
        }
        return nullptr;
    }

    const std::string& logs() const { return logs_; }

  private:
    temp_dir dir_;
    std::string logs_;
};

// Every alert of every request received so far, in arrival order.
std::vector<json> received_alerts(const http_test_server& receiver) {
    std::vector<json> out;
    for (const auto& request : receiver.requests()) {
        const json body = json::parse(request.body);  // alive while its alerts are read
        for (const auto& a : body.at("alerts"))
            out.push_back(a);
    }
    return out;
}

std::vector<json> alerts_for(const http_test_server& receiver, const std::string& fingerprint) {
    std::vector<json> out;
    for (auto& a : received_alerts(receiver)) {
        if (a.at("fingerprint") == fingerprint)
            out.push_back(std::move(a));
    }
    return out;
}

bool contains(const json& text, const std::string& needle) {
    return text.is_string() && text.get<std::string>().find(needle) != std::string::npos;
}

// Shipments of those 100 orders, latest ship date 2025-10-02 10:00 UTC; the
// first `late` confirmed five hours after it, the rest two hours before.
std::string shipments_file(int late) {
    std::string text = "order_id,latest_ship_date,confirmed_at,tracking_id,carrier\n";
    for (int i = 0; i < 100; ++i) {
        text += "111-0000000-" + std::to_string(1000000 + i) + ",2025-10-02T10:00:00Z," +
                (i < late ? "2025-10-02T15:00:00Z" : "2025-10-02T08:00:00Z") + ",1Z" +
                std::to_string(5000000 + i) + ",UPS\n";
    }
    return text;
}

constexpr const char* kCancellation = "cancellation_rate|ATVPDKIKX0DER|MFN|7";
constexpr const char* kLateDispatch10 = "late_dispatch_rate|ATVPDKIKX0DER|MFN|10";

TEST(AlertKindsRun, ARepeatLeavesAtTheRepeatIntervalAndNotBefore) {
    http_test_server receiver;
    alert_run run(receiver, "  repeat_interval: 3h\n");
    run.drop("orders.txt", orders_file(10, "2025-10-01T12:00:00Z"));

    run.run_at("2025-10-03T00:00:00Z");
    auto notices = alerts_for(receiver, kCancellation);
    ASSERT_EQ(notices.size(), 1u) << run.logs();
    EXPECT_EQ(notices[0].at("transition"), "firing");
    EXPECT_EQ(notices[0].at("severity"), "breached");
    const json first = notices[0];

    // Still breached, but the interval has not passed: nothing.
    for (const char* at : {"2025-10-03T01:00:00Z", "2025-10-03T02:00:00Z", "2025-10-03T02:59:00Z"})
        run.run_at(at);
    EXPECT_EQ(receiver.request_count(), 1u) << run.logs();

    // Three hours after the first notice: the repeat, same state and title.
    run.run_at("2025-10-03T03:00:00Z");
    notices = alerts_for(receiver, kCancellation);
    ASSERT_EQ(notices.size(), 2u) << run.logs();
    EXPECT_EQ(notices[1].at("transition"), "repeat");
    EXPECT_EQ(notices[1].at("state"), "firing");
    EXPECT_EQ(notices[1].at("severity"), "breached");
    EXPECT_EQ(notices[1].at("title"), first.at("title"));
    EXPECT_EQ(notices[1].at("since"), first.at("since"));
    EXPECT_EQ(notices[1].at("numerator"), 10);
    const auto requests = receiver.requests();
    EXPECT_NE(requests[1].header("Idempotency-Key"), requests[0].header("Idempotency-Key"));

    // The next one is measured from the repeat.
    run.run_at("2025-10-03T05:00:00Z");
    EXPECT_EQ(alerts_for(receiver, kCancellation).size(), 2u) << run.logs();
    run.run_at("2025-10-03T06:00:00Z");
    notices = alerts_for(receiver, kCancellation);
    ASSERT_EQ(notices.size(), 3u) << run.logs();
    EXPECT_EQ(notices[2].at("transition"), "repeat");
    EXPECT_EQ(received_alerts(receiver).size(), 3u) << "only the cancellation alert";
}

TEST(AlertKindsRun, MoreLateShipmentsEscalateAtRiskToBreached) {
    http_test_server receiver;
    alert_run run(receiver);
    run.drop("orders.txt", orders_file(0, "2025-10-02T16:00:00Z"));
    run.drop("shipments.csv", shipments_file(3));

    // 3 late in 100: 3 %, at the warn level, under the 4 % target.
    run.run_at("2025-10-04T00:00:00Z");
    auto notices = alerts_for(receiver, kLateDispatch10);
    ASSERT_EQ(notices.size(), 1u) << run.logs();
    EXPECT_EQ(notices[0].at("transition"), "firing");
    EXPECT_EQ(notices[0].at("severity"), "at_risk");
    EXPECT_EQ(notices[0].at("numerator"), 3);
    EXPECT_TRUE(contains(notices[0].at("title"), "[AT RISK] Late dispatch rate 3%"))
        << notices[0].dump();

    run.run_at("2025-10-04T01:00:00Z");
    EXPECT_EQ(alerts_for(receiver, kLateDispatch10).size(), 1u) << run.logs();

    // The shipping software exports again: two more were confirmed late.
    run.drop("shipments-2.csv", shipments_file(5));
    run.run_at("2025-10-04T02:00:00Z");
    notices = alerts_for(receiver, kLateDispatch10);
    ASSERT_EQ(notices.size(), 2u) << run.logs();
    EXPECT_EQ(notices[1].at("transition"), "escalated");
    EXPECT_EQ(notices[1].at("state"), "firing");
    EXPECT_EQ(notices[1].at("severity"), "breached");
    EXPECT_EQ(notices[1].at("numerator"), 5);
    EXPECT_EQ(notices[1].at("denominator"), 100);
    EXPECT_EQ(notices[1].at("since"), notices[0].at("since"));
    EXPECT_TRUE(contains(notices[1].at("title"), "[BREACHED] Late dispatch rate 5%"))
        << notices[1].dump();
    EXPECT_TRUE(contains(notices[1].at("headroom_text"), "Past the 4% target"))
        << notices[1].dump();
    // A breach says when it clears if nothing new goes wrong.
    EXPECT_TRUE(notices[1].at("clears_at").is_string()) << notices[1].dump();

    // Breached and told: nothing more until the repeat.
    run.run_at("2025-10-04T03:00:00Z");
    EXPECT_EQ(alerts_for(receiver, kLateDispatch10).size(), 2u) << run.logs();
}

// Buyer messages: a header and one row per (id, marketplace, received,
// responded) line.
std::string messages_file(const std::vector<std::vector<std::string>>& rows) {
    std::string text = "message_id,order_id,marketplace_id,received_at,responded_at\n";
    for (const auto& r : rows)
        text += r.at(0) + "," + r.at(1) + "," + r.at(2) + "," + r.at(3) + "," + r.at(4) + "\n";
    return text;
}

// poll_interval 1h: a deadline passed less than an hour ago is still news.
constexpr const char* kHourlyPoll = "poll_interval: 1h\n";

TEST(AlertKindsRun, AMessageDeadlineIsAnnouncedOnceAndAMissedOneCountsAgainstTheRate) {
    http_test_server receiver;
    alert_run run(receiver, {}, kHourlyPoll);
    // M-100 arrives 2025-10-02 00:00 UTC: due 2025-10-03 00:00 UTC, warned at 20 h.
    run.drop("messages-1.csv", messages_file({{"M-100", "111-0000000-1000001", "ATVPDKIKX0DER",
                                               "2025-10-02T00:00:00Z", ""}}));
    run.run_at("2025-10-02T19:00:00Z");
    EXPECT_TRUE(alerts_for(receiver, "message_deadline|M-100").empty()) << run.logs();

    const auto warned = run.run_at("2025-10-02T20:00:00Z");
    // The log names the transition, at info for an at-risk deadline.
    EXPECT_NE(
        warned.err.find(
            " info alert firing: [AT RISK] Buyer message M-100 without reply: due in 4 h (US)"),
        std::string::npos)
        << warned.err;
    auto notices = alerts_for(receiver, "message_deadline|M-100");
    ASSERT_EQ(notices.size(), 1u) << run.logs();
    const json& due = notices[0];
    EXPECT_EQ(due.at("kind"), "message_deadline");
    EXPECT_EQ(due.at("state"), "firing");
    EXPECT_EQ(due.at("severity"), "at_risk");
    EXPECT_EQ(due.at("title"), "[AT RISK] Buyer message M-100 without reply: due in 4 h (US)");
    // Local time (Pacific, daylight saving in October) beside UTC.
    EXPECT_TRUE(contains(due.at("headroom_text"),
                         "the reply is due by 2025-10-02 17:00 PDT (2025-10-03 00:00 UTC)"))
        << due.dump();
    EXPECT_EQ(due.at("clears_at"), "2025-10-03T00:00:00Z");
    EXPECT_EQ(due.at("ends_at"), "2025-10-03T01:00:00Z");
    ASSERT_TRUE(due.at("links").is_array()) << due.dump();
    ASSERT_GE(due.at("links").size(), 1u);
    EXPECT_EQ(due.at("links")[0].at("kind"), "message");
    EXPECT_EQ(due.at("links")[0].at("id"), "M-100");
    EXPECT_EQ(due.at("links")[0].at("url"), "https://sellercentral.amazon.com/messaging/inbox");

    // Once: no repeat before the deadline.
    run.run_at("2025-10-02T23:00:00Z");
    EXPECT_EQ(alerts_for(receiver, "message_deadline|M-100").size(), 1u) << run.logs();

    // Past the deadline, unanswered: no second deadline notice, and certainly
    // no "resolved"; the message now counts late in the 24-hour response
    // rate, whose own alert says so.
    run.run_at("2025-10-03T00:30:00Z");
    EXPECT_EQ(alerts_for(receiver, "message_deadline|M-100").size(), 1u) << run.logs();
    const auto rate = alerts_for(receiver, "response_rate_24h|ATVPDKIKX0DER|all|7");
    ASSERT_EQ(rate.size(), 1u) << run.logs();
    EXPECT_EQ(rate[0].at("severity"), "breached");
    EXPECT_EQ(rate[0].at("numerator"), 0);
    EXPECT_EQ(rate[0].at("denominator"), 1);
    // Higher is better: it clears when it is back over the target.
    EXPECT_TRUE(contains(rate[0].at("headroom_text"), "it is back over 90% by")) << rate[0].dump();

    // M-200 arrived 2025-10-02 01:00 UTC, and the helpdesk export bringing it
    // lands half an hour after its deadline: a missed deadline, said so.
    run.drop("messages-2.csv",
             messages_file({{"M-200", "", "ATVPDKIKX0DER", "2025-10-02T01:00:00Z", ""}}));
    const auto late = run.run_at("2025-10-03T01:30:00Z");
    // A missed deadline is logged at warning.
    EXPECT_NE(late.err.find(" warning alert firing: [MISSED] Buyer message M-200 not answered "
                            "within 24 hours (US)"),
              std::string::npos)
        << late.err;
    const auto missed = alerts_for(receiver, "message_deadline|M-200");
    ASSERT_EQ(missed.size(), 1u) << run.logs();
    EXPECT_EQ(missed[0].at("title"),
              "[MISSED] Buyer message M-200 not answered within 24 hours (US)");
    EXPECT_TRUE(contains(missed[0].at("headroom_text"),
                         "Missed: it counts against the 24-hour response rate."))
        << missed[0].dump();
    EXPECT_FALSE(contains(missed[0].at("advice"), "before the deadline")) << missed[0].dump();
    EXPECT_EQ(missed[0].at("links")[0].at("id"), "M-200");
    EXPECT_EQ(run.status_row("2025-10-03T01:30:00Z", "response_rate_24h", 7).at("denominator"), 2)
        << run.logs();

    // Later cycles: both deadline alerts end without a word.
    run.run_at("2025-10-03T03:00:00Z");
    run.run_at("2025-10-03T04:00:00Z");
    EXPECT_EQ(alerts_for(receiver, "message_deadline|M-100").size(), 1u) << run.logs();
    EXPECT_EQ(alerts_for(receiver, "message_deadline|M-200").size(), 1u) << run.logs();
    for (const auto& a : received_alerts(receiver)) {
        if (a.at("kind") != "message_deadline")
            continue;
        EXPECT_EQ(a.at("state"), "firing") << a.dump();
        EXPECT_NE(a.at("transition"), "resolved") << a.dump();
        EXPECT_FALSE(contains(a.at("title"), "RESOLVED")) << a.dump();
    }
    // A message first seen long after its deadline is history: no alert.
    run.drop("messages-3.csv",
             messages_file({{"M-050", "", "ATVPDKIKX0DER", "2025-10-01T20:00:00Z", ""}}));
    run.run_at("2025-10-03T05:00:00Z");
    EXPECT_TRUE(alerts_for(receiver, "message_deadline|M-050").empty()) << run.logs();
}

TEST(AlertKindsRun, AMessageAnsweredBeforeItsDeadlineSaysNothingMore) {
    http_test_server receiver;
    alert_run run(receiver, {}, kHourlyPoll);
    run.drop("messages-1.csv",
             messages_file({{"M-300", "", "A1F83G8C2ARO7P", "2025-10-02T02:00:00Z", ""}}));
    run.run_at("2025-10-02T22:00:00Z");
    auto notices = alerts_for(receiver, "message_deadline|M-300");
    ASSERT_EQ(notices.size(), 1u) << run.logs();
    EXPECT_EQ(notices[0].at("title"),
              "[AT RISK] Buyer message M-300 without reply: due in 4 h (UK)");
    // UK: British Summer Time beside UTC, and the UK Seller Central.
    EXPECT_TRUE(contains(notices[0].at("headroom_text"),
                         "the reply is due by 2025-10-03 03:00 BST (2025-10-03 02:00 UTC)"))
        << notices[0].dump();
    EXPECT_EQ(notices[0].at("links")[0].at("url"),
              "https://sellercentral.amazon.co.uk/messaging/inbox");

    // Answered an hour later, before the deadline.
    run.drop("messages-2.csv", messages_file({{"M-300", "", "A1F83G8C2ARO7P",
                                               "2025-10-02T02:00:00Z", "2025-10-02T23:00:00Z"}}));
    for (const char* at : {"2025-10-02T23:30:00Z", "2025-10-03T02:30:00Z", "2025-10-03T04:00:00Z"})
        run.run_at(at);
    // No missed notice, no resolved one, no response-rate alert: it was on time.
    EXPECT_EQ(alerts_for(receiver, "message_deadline|M-300").size(), 1u) << run.logs();
    EXPECT_EQ(received_alerts(receiver).size(), 1u) << run.logs();
    const auto row = run.status_row("2025-10-03T04:00:00Z", "response_rate_24h", 7);
    ASSERT_FALSE(row.is_null()) << run.logs();
    EXPECT_EQ(row.at("numerator"), 1);
    EXPECT_EQ(row.at("denominator"), 1);
}

// The Unshipped report: UK MFN orders not confirmed yet, with their promise
// (latest ship) date.
std::string unshipped_file(const std::vector<std::pair<std::string, std::string>>& orders) {
    std::string text = "order-id\tpurchase-date\tpromise-date\tsales-channel\n";
    for (const auto& [id, latest] : orders)
        text += id + "\t2025-10-02T09:00:00Z\t" + latest + "\tAmazon.co.uk\n";
    return text;
}

TEST(AlertKindsRun, AShipByDeadlineNamesTheOrderWithItsSellerCentralLinkAndLocalTime) {
    http_test_server receiver;
    alert_run run(receiver, {}, kHourlyPoll);
    run.drop("unshipped.txt", unshipped_file({{"202-1111111-0000001", "2025-10-03T10:00:00Z"}}));

    // 5 h before the latest ship date: not yet (ship_deadline_warn is 4 h).
    run.run_at("2025-10-03T05:00:00Z");
    EXPECT_TRUE(alerts_for(receiver, "ship_deadline|202-1111111-0000001").empty()) << run.logs();

    run.run_at("2025-10-03T07:00:00Z");
    auto notices = alerts_for(receiver, "ship_deadline|202-1111111-0000001");
    ASSERT_EQ(notices.size(), 1u) << run.logs();
    const json& due = notices[0];
    EXPECT_EQ(due.at("kind"), "ship_deadline");
    EXPECT_EQ(due.at("severity"), "at_risk");
    EXPECT_EQ(due.at("marketplace"), "A1F83G8C2ARO7P");
    EXPECT_EQ(due.at("title"),
              "[AT RISK] Order 202-1111111-0000001 not confirmed: latest ship date in 3 h (UK)");
    EXPECT_EQ(due.at("headroom_text"),
              "Latest ship date 2025-10-03 11:00 BST (2025-10-03 10:00 UTC).");
    EXPECT_EQ(due.at("clears_at"), "2025-10-03T10:00:00Z");
    ASSERT_EQ(due.at("links").size(), 1u) << due.dump();
    EXPECT_EQ(due.at("links")[0].at("kind"), "order");
    EXPECT_EQ(due.at("links")[0].at("id"), "202-1111111-0000001");
    EXPECT_EQ(due.at("links")[0].at("url"),
              "https://sellercentral.amazon.co.uk/orders-v3/order/202-1111111-0000001");

    // Once: nothing before or after the deadline, never a resolve.
    run.run_at("2025-10-03T09:00:00Z");
    run.run_at("2025-10-03T10:30:00Z");
    run.run_at("2025-10-03T12:00:00Z");
    EXPECT_EQ(alerts_for(receiver, "ship_deadline|202-1111111-0000001").size(), 1u) << run.logs();

    // An export that lands 20 min after an order's latest ship date: missed.
    run.drop("unshipped-2.txt", unshipped_file({{"202-1111111-0000002", "2025-10-03T12:00:00Z"}}));
    run.run_at("2025-10-03T12:20:00Z");
    const auto missed = alerts_for(receiver, "ship_deadline|202-1111111-0000002");
    ASSERT_EQ(missed.size(), 1u) << run.logs();
    EXPECT_EQ(missed[0].at("title"),
              "[MISSED] Order 202-1111111-0000002 not confirmed by its latest ship date (UK)");
    EXPECT_EQ(missed[0].at("headroom_text"),
              "The latest ship date was 2025-10-03 13:00 BST (2025-10-03 12:00 UTC). Missed: the "
              "order counts against the late dispatch rate.");
    EXPECT_EQ(missed[0].at("links")[0].at("url"),
              "https://sellercentral.amazon.co.uk/orders-v3/order/202-1111111-0000002");
    for (const auto& a : received_alerts(receiver)) {
        if (a.at("kind") == "ship_deadline") {
            EXPECT_EQ(a.at("state"), "firing") << a.dump();
        }
    }
}

TEST(AlertKindsRun, AConfiguredDisplayTimeZoneReplacesTheMarketplacesOwn) {
    http_test_server receiver;
    alert_run run(receiver, {}, "display_time_zone: \"Asia/Tokyo\"\n");
    run.drop("unshipped.txt", unshipped_file({{"202-1111111-0000003", "2025-10-03T10:00:00Z"}}));
    run.run_at("2025-10-03T08:00:00Z");
    const auto notices = alerts_for(receiver, "ship_deadline|202-1111111-0000003");
    ASSERT_EQ(notices.size(), 1u) << run.logs();
    EXPECT_EQ(notices[0].at("headroom_text"),
              "Latest ship date 2025-10-03 19:00 JST (2025-10-03 10:00 UTC).");
    // The link is still the marketplace's own Seller Central.
    EXPECT_EQ(notices[0].at("links")[0].at("url"),
              "https://sellercentral.amazon.co.uk/orders-v3/order/202-1111111-0000003");
}

}  // namespace
}  // namespace shd::test
