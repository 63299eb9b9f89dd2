// Buyer messages' reply states and service metrics (metrics/service_metrics):
// percentiles with known values, window edges, waiting messages, the seller's
// "no response needed" mark in the evaluation and response_rate_24h.
#include "metrics/service_metrics.hpp"

#include <stdexcept>
#include <vector>

#include "ingest/store_writer.hpp"
#include "metrics_fixture.hpp"

namespace shd::metrics::test {
namespace {

using std::chrono::seconds;

message_fact fact(std::string id, instant received, std::optional<instant> responded,
                  std::string marketplace = kUS) {
    message_fact m;
    m.message_id = std::move(id);
    m.marketplace_id = std::move(marketplace);
    m.received_at = received;
    m.responded_at = responded;
    return m;
}

const message_service_row& service_row(const std::vector<message_service_row>& rows,
                                       const std::string& marketplace, int window_days) {
    for (const auto& r : rows) {
        if (r.marketplace_id == marketplace && r.window_days == window_days)
            return r;
    }
    throw std::runtime_error("no service row " + marketplace + " " + std::to_string(window_days));
}

TEST(Percentile, KnownValues) {
    const std::vector<double> ten{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    // numpy.percentile(range(1, 11), [50, 90]) == [5.5, 9.1]
    EXPECT_DOUBLE_EQ(*percentile(ten, 0.5), 5.5);
    EXPECT_DOUBLE_EQ(*percentile(ten, 0.9), 9.1);
    EXPECT_DOUBLE_EQ(*percentile(ten, 0.0), 1.0);
    EXPECT_DOUBLE_EQ(*percentile(ten, 1.0), 10.0);
    const std::vector<double> odd{60, 120, 3600};
    EXPECT_DOUBLE_EQ(*percentile(odd, 0.5), 120.0);
    // h = 2 * 0.9 = 1.8: 120 + 0.8 * (3600 - 120)
    EXPECT_DOUBLE_EQ(*percentile(odd, 0.9), 2904.0);
    const std::vector<double> one{42};
    EXPECT_DOUBLE_EQ(*percentile(one, 0.5), 42.0);
    EXPECT_DOUBLE_EQ(*percentile(one, 0.9), 42.0);
    const std::vector<double> two{10, 20};
    EXPECT_DOUBLE_EQ(*percentile(two, 0.5), 15.0);
    EXPECT_DOUBLE_EQ(*percentile(two, 0.9), 19.0);
    EXPECT_FALSE(percentile(std::vector<double>{}, 0.5).has_value());
}

TEST(Percentile, RefusesBadInput) {
    const std::vector<double> v{1, 2};
    EXPECT_THROW(percentile(v, 1.5), std::logic_error);
    EXPECT_THROW(percentile(v, -0.1), std::logic_error);
    const std::vector<double> unsorted{2, 1};
    EXPECT_THROW(percentile(unsorted, 0.5), std::logic_error);
}

TEST(ReplyState, EveryStateAndItsEdges) {
    const auto r = T() - days(3);
    EXPECT_EQ(classify_reply(fact("a", r, r + hours(24)), T()), reply_state::answered);
    EXPECT_EQ(classify_reply(fact("b", r, r + hours(24) + seconds(1)), T()),
              reply_state::answered_late);
    EXPECT_EQ(classify_reply(fact("c", T() - hours(24), std::nullopt), T()), reply_state::pending);
    EXPECT_EQ(classify_reply(fact("d", T() - hours(24) - seconds(1), std::nullopt), T()),
              reply_state::missed);
    // A reply after T has not happened yet.
    EXPECT_EQ(classify_reply(fact("e", T() - hours(2), T() + hours(1)), T()), reply_state::pending);
    EXPECT_EQ(classify_reply(fact("f", T() - hours(30), T() + hours(1)), T()), reply_state::missed);
    // Received exactly at T exists; a reply exactly at T has happened.
    EXPECT_EQ(classify_reply(fact("g", T(), T()), T()), reply_state::answered);
    auto marked = fact("h", r, std::nullopt);
    marked.marked_no_response_needed = true;
    EXPECT_EQ(classify_reply(marked, T()), reply_state::no_response_needed);
    auto by_row = fact("i", r, r + hours(1));
    by_row.no_response_needed_by_row = true;
    EXPECT_EQ(classify_reply(by_row, T()), reply_state::no_response_needed);
    EXPECT_THROW(classify_reply(fact("j", T() + seconds(1), std::nullopt), T()), std::logic_error);
    EXPECT_EQ(reply_due(fact("k", r, std::nullopt)), r + hours(24));
    EXPECT_EQ(reply_state_name(reply_state::answered_late), "answered_late");
    EXPECT_EQ(reply_state_name(reply_state::no_response_needed), "no_response_needed");
}

TEST(MessageService, FirstResponseTimesAndWaiting) {
    std::vector<message_fact> m{
        fact("r1", T() - days(1), T() - days(1) + seconds(60)),
        fact("r2", T() - days(2), T() - days(2) + seconds(120)),
        fact("r3", T() - days(3), T() - days(3) + seconds(3600)),
        fact("w-old", T() - days(5), std::nullopt),
        fact("w-new", T() - hours(1), std::nullopt),
        // Replied after T: waiting as of T, not a response time.
        fact("w-later", T() - days(4), T() + hours(1)),
        fact("other-mp", T() - days(1), T() - days(1) + seconds(5), kJP),
    };
    auto thanks = fact("thanks", T() - days(6), std::nullopt);
    thanks.marked_no_response_needed = true;
    m.push_back(thanks);
    const auto rows = compute_message_service(m, {kUS, kCA}, T());
    ASSERT_EQ(rows.size(), 6u);  // kJP is not asked for
    EXPECT_EQ(rows[0].marketplace_id, kCA);
    EXPECT_EQ(rows[0].window_days, 7);
    EXPECT_EQ(rows[2].window_days, 90);

    const auto& us7 = service_row(rows, kUS, 7);
    EXPECT_EQ(us7.messages, 6);
    EXPECT_EQ(us7.replied, 3);
    EXPECT_DOUBLE_EQ(*us7.first_response_median_seconds, 120.0);
    EXPECT_DOUBLE_EQ(*us7.first_response_p90_seconds, 2904.0);
    EXPECT_EQ(us7.waiting, 3);
    EXPECT_EQ(us7.waiting_overdue, 2);  // w-old, w-later
    EXPECT_EQ(us7.oldest_waiting_message_id, "w-old");
    EXPECT_EQ(*us7.oldest_waiting_received_at, T() - days(5));
    EXPECT_EQ(us7.window.start, T() - days(7));
    EXPECT_EQ(us7.window.end, T());

    const auto& ca = service_row(rows, kCA, 30);
    EXPECT_EQ(ca.messages, 0);
    EXPECT_FALSE(ca.first_response_median_seconds.has_value());
    EXPECT_FALSE(ca.first_response_p90_seconds.has_value());
    EXPECT_FALSE(ca.oldest_waiting_received_at.has_value());
    EXPECT_EQ(ca.oldest_waiting_message_id, "");
}

TEST(MessageService, WindowEdges) {
    // A window of 7 days is (T - 7 d, T]: exactly 7 days before T is out,
    // one second later is in; received exactly at T is in, after T is out.
    const std::vector<message_fact> m{
        fact("edge-out", T() - days(7), T() - days(7) + seconds(10)),
        fact("edge-in", T() - days(7) + seconds(1), T() - days(7) + seconds(21)),
        fact("at-t", T(), std::nullopt),
        fact("after-t", T() + seconds(1), std::nullopt),
        fact("day-30", T() - days(30) + seconds(1), std::nullopt),
        fact("day-90-out", T() - days(90), std::nullopt),
    };
    const auto rows = compute_message_service(m, {kUS}, T());
    const auto& w7 = service_row(rows, kUS, 7);
    EXPECT_EQ(w7.messages, 2);
    EXPECT_EQ(w7.replied, 1);
    EXPECT_DOUBLE_EQ(*w7.first_response_median_seconds, 20.0);
    EXPECT_EQ(w7.waiting, 1);
    EXPECT_EQ(w7.oldest_waiting_message_id, "at-t");
    EXPECT_EQ(w7.waiting_overdue, 0);
    const auto& w30 = service_row(rows, kUS, 30);
    EXPECT_EQ(w30.messages, 4);
    EXPECT_DOUBLE_EQ(*w30.first_response_median_seconds, 15.0);  // 10 s and 20 s
    EXPECT_EQ(w30.oldest_waiting_message_id, "day-30");
    EXPECT_EQ(service_row(rows, kUS, 90).messages, 4);
}

TEST(MessageService, OldestWaitingTieGoesToSmallerId) {
    const std::vector<message_fact> m{fact("b", T() - days(2), std::nullopt),
                                      fact("a", T() - days(2), std::nullopt)};
    const auto rows = compute_message_service(m, {kUS}, T());
    EXPECT_EQ(service_row(rows, kUS, 7).oldest_waiting_message_id, "a");
}

TEST(MessageService, ReplyStampedBeforeItsMessageTookNoTime) {
    const std::vector<message_fact> m{fact("x", T() - days(1), T() - days(1) - seconds(30))};
    const auto rows = compute_message_service(m, {kUS}, T());
    EXPECT_DOUBLE_EQ(*service_row(rows, kUS, 7).first_response_median_seconds, 0.0);
}

TEST(MessageService, EvaluationCarriesRowsForEveryMarketplace) {
    metrics_db db;
    db.order("111-0000000-0000001", std::string(kJP), "MFN", T() - days(2));
    db.message("m1", std::nullopt, kUS, T() - days(1), T() - days(1) + hours(2));
    db.message("m2", std::nullopt, kUS, T() - days(40), std::nullopt);
    const auto e = db.evaluate(T());
    ASSERT_EQ(e.message_service.size(), 6u);  // JP and US, 3 windows each
    const auto& us7 = service_row(e.message_service, kUS, 7);
    EXPECT_EQ(us7.replied, 1);
    EXPECT_DOUBLE_EQ(*us7.first_response_median_seconds, 7200.0);
    EXPECT_EQ(us7.waiting, 0);
    const auto& us90 = service_row(e.message_service, kUS, 90);
    EXPECT_EQ(us90.waiting, 1);
    EXPECT_EQ(us90.oldest_waiting_message_id, "m2");
    EXPECT_EQ(service_row(e.message_service, kJP, 7).messages, 0);
}

TEST(MessageMarks, MarkLeavesTheMessageOutOfTheRateAndUndoBringsItBack) {
    metrics_db db;
    db.message("late", std::nullopt, kUS, T() - days(2), std::nullopt);
    db.message("ok", std::nullopt, kUS, T() - days(2), T() - days(2) + hours(1));
    db.message("csv-thanks", std::nullopt, kUS, T() - days(2), std::nullopt, true);
    constexpr auto rr = metric_key::response_rate_24h;
    EXPECT_EQ(counts(db.evaluate(T()), rr, kUS, "all", 7), counts_pair(1, 2));

    auto& h = db.db().handle();
    auto marked = ingest::mark_no_response_needed(h, {"late", "late"}, false, T());
    EXPECT_TRUE(marked.unknown.empty());
    EXPECT_EQ(marked.changed, std::vector<std::string>{"late"});
    auto e = db.evaluate(T());
    EXPECT_EQ(counts(e, rr, kUS, "all", 7), counts_pair(1, 1));
    EXPECT_EQ(service_row(e.message_service, kUS, 7).waiting, 0);
    // Upcoming deadlines leave it out too.
    for (const auto& u : e.upcoming)
        EXPECT_TRUE(u.unanswered_messages.empty());

    // Marking again changes nothing.
    EXPECT_EQ(ingest::mark_no_response_needed(h, {"late"}, false, T()).unchanged,
              std::vector<std::string>{"late"});

    // A re-import of the message replaces its row and keeps the mark.
    db.exec(
        "INSERT INTO messages (message_id, received_at, no_response_needed, import_id)"
        " VALUES ('late', 1, 0, 1) ON CONFLICT(message_id) DO UPDATE SET"
        " no_response_needed = 0, marketplace_id = 'ATVPDKIKX0DER'");
    EXPECT_EQ(counts(db.evaluate(T()), rr, kUS, "all", 7), counts_pair(1, 1));

    auto undone = ingest::mark_no_response_needed(h, {"late", "csv-thanks"}, true, T());
    EXPECT_EQ(undone.changed, std::vector<std::string>{"late"});
    EXPECT_EQ(undone.unchanged, std::vector<std::string>{"csv-thanks"});
    EXPECT_EQ(undone.still_by_row, std::vector<std::string>{"csv-thanks"});
    EXPECT_EQ(counts(db.evaluate(T()), rr, kUS, "all", 7), counts_pair(1, 2));
}

TEST(MessageMarks, UnknownIdsChangeNothing) {
    metrics_db db;
    db.message("known", std::nullopt, kUS, T() - days(2), std::nullopt);
    auto& h = db.db().handle();
    const auto out = ingest::mark_no_response_needed(h, {"known", "nope", "gone"}, false, T());
    EXPECT_EQ(out.unknown, (std::vector<std::string>{"nope", "gone"}));
    EXPECT_TRUE(out.changed.empty());
    EXPECT_EQ(h.execAndGet("SELECT COUNT(*) FROM message_marks").getInt(), 0);
}

}  // namespace
}  // namespace shd::metrics::test
