// process_cycle against a real SQLite file, with time passed in: what reaches
// the outbox, once, and what survives crashes, restarts and reloads.
#include "alerts/cycle.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "alerts/silence_store.hpp"
#include "metrics/freshness.hpp"
#include "metrics/metrics_fixture.hpp"
#include "metrics/rules.hpp"
#include "support/test_support.hpp"

namespace shd::alerts {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kUS = "ATVPDKIKX0DER";
constexpr const char* kUK = "A1F83G8C2ARO7P";

const instant T = *parse_iso8601("2026-03-02T12:00:00Z");

config::alert_channel channel(const std::string& name, const std::string& min_severity) {
    config::alert_channel c;
    c.name = name;
    c.type = "webhook";
    c.url = "https://hooks.example.com/" + name;
    c.min_severity = min_severity;
    return c;
}

config::config base_config() {
    config::config cfg = config::default_config();
    cfg.account = "Acme Trading";
    cfg.alerts.channels = {channel("team", "at_risk"), channel("pager", "breached")};
    return cfg;
}

// A late-dispatch row (warn 3 %, target 4 % by default): 3/100 at risk,
// 5/100 breached, 2/100 ok.
metrics::metric_result ldr(const config::config& cfg, std::int64_t late, std::int64_t orders,
                           int window = 10, const std::string& marketplace = kUS) {
    return metrics::make_result(metric_key::late_dispatch_rate, marketplace, "MFN", window,
                                cfg.thresholds(metric_key::late_dispatch_rate, marketplace), T,
                                {late, orders, std::nullopt});
}

metrics::evaluation eval(instant now, std::vector<metrics::metric_result> rows,
                         std::vector<metrics::upcoming_events> upcoming = {}) {
    metrics::evaluation e;
    e.as_of = now;
    e.metrics = std::move(rows);
    e.upcoming = std::move(upcoming);
    return e;
}

struct outbox_row {
    std::string channel;
    std::string key;
    std::string severity;
    instant created_at;
    instant not_before;
    notification n;
};

struct state_row {
    std::string kind;
    std::string state;
    std::string severity;
    int pending_count = 0;
    instant episode_start;
    int notifications = 0;
};

class alert_db {
  public:
    alert_db() { open(); }

    store::database& db() { return *db_; }
    const std::filesystem::path& path() const { return path_; }

    // Closing and opening the file: what a restart (or a crash) leaves.
    void reopen() {
        db_.reset();
        open();
    }

    cycle_summary cycle(const config::config& cfg, const metrics::evaluation& e, instant now) {
        auto s = process_cycle(*db_, cfg, e, now);
        if (!s)
            throw std::runtime_error(s.error().text);
        return std::move(*s);
    }

    std::vector<outbox_row> outbox() {
        std::vector<outbox_row> rows;
        SQLite::Statement q(db_->handle(),
                            "SELECT channel_name, idempotency_key, severity, created_at,"
                            " not_before, payload FROM outbox ORDER BY id");
        while (q.executeStep()) {
            auto n = notification_from_json(q.getColumn(5).getString());
            if (!n)
                throw std::runtime_error(n.error().text);
            rows.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                            q.getColumn(2).getString(), from_unix(q.getColumn(3).getInt64()),
                            from_unix(q.getColumn(4).getInt64()), std::move(*n)});
        }
        return rows;
    }

    std::map<std::string, state_row> states() {
        std::map<std::string, state_row> out;
        SQLite::Statement q(db_->handle(),
                            "SELECT fingerprint, kind, state, severity, pending_count,"
                            " episode_start, notifications FROM alert_states");
        while (q.executeStep()) {
            out[q.getColumn(0).getString()] = {
                q.getColumn(1).getString(),           q.getColumn(2).getString(),
                q.getColumn(3).getString(),           q.getColumn(4).getInt(),
                from_unix(q.getColumn(5).getInt64()), q.getColumn(6).getInt()};
        }
        return out;
    }

    long long count(const std::string& table) {
        return db_->handle().execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
    }

  private:
    void open() {
        auto db = store::database::open(path_);
        if (!db)
            throw std::runtime_error(db.error().text);
        db_.emplace(std::move(*db));
    }

    test::temp_dir dir_;
    std::filesystem::path path_ = dir_ / "shd.sqlite";
    std::optional<store::database> db_;
};

std::vector<std::string> channels_of(const std::vector<outbox_row>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows)
        out.push_back(r.channel);
    return out;
}

const std::string kLdr10 = "late_dispatch_rate|ATVPDKIKX0DER|MFN|10";

// ---- lifecycle through the outbox ----

TEST(AlertCycle, FiresOnceThenStaysQuiet) {
    alert_db a;
    const auto cfg = base_config();
    const auto s = a.cycle(cfg, eval(T, {ldr(cfg, 3, 100)}), T);
    EXPECT_EQ(s.firing, 1u);
    EXPECT_EQ(s.outbox_rows, 1u);
    ASSERT_EQ(s.changes.size(), 1u);
    auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 1u);  // the breached-only pager hears nothing of at_risk
    EXPECT_EQ(rows[0].channel, "team");
    EXPECT_EQ(rows[0].severity, "at_risk");
    EXPECT_EQ(rows[0].created_at, T);
    EXPECT_EQ(rows[0].not_before, T);
    EXPECT_EQ(rows[0].key.size(), 64u);
    const notification& n = rows[0].n;
    EXPECT_EQ(n.idempotency_key, rows[0].key);
    EXPECT_EQ(n.account, "Acme Trading");
    EXPECT_EQ(n.created_at, T);
    ASSERT_EQ(n.alerts.size(), 1u);
    EXPECT_EQ(n.alerts[0].fingerprint, kLdr10);
    EXPECT_EQ(n.alerts[0].state, "firing");
    EXPECT_EQ(n.alerts[0].severity, "at_risk");
    EXPECT_EQ(n.alerts[0].since, T);
    EXPECT_EQ(n.alerts[0].title, "[AT RISK] Late dispatch rate 3% ≥ warn 3% (US, 10 days)");
    EXPECT_EQ(n.alerts[0].headroom_text,
              "The next late dispatch in this 10-day window breaches 4%.");

    for (int i = 1; i <= 10; ++i) {
        const auto again = a.cycle(cfg, eval(T + minutes(i), {ldr(cfg, 3, 100)}), T + minutes(i));
        EXPECT_TRUE(again.changes.empty());
        EXPECT_EQ(again.outbox_rows, 0u);
    }
    EXPECT_EQ(a.outbox().size(), 1u);
    EXPECT_EQ(a.states().at(kLdr10).state, "firing");
}

TEST(AlertCycle, RepeatsEveryRepeatInterval) {
    alert_db a;
    const auto cfg = base_config();  // repeat_interval 12h
    a.cycle(cfg, eval(T, {ldr(cfg, 3, 100)}), T);
    a.cycle(cfg, eval(T + hours(11), {ldr(cfg, 3, 100)}), T + hours(11));
    EXPECT_EQ(a.outbox().size(), 1u);
    a.cycle(cfg, eval(T + hours(12), {ldr(cfg, 3, 100)}), T + hours(12));
    a.cycle(cfg, eval(T + hours(13), {ldr(cfg, 3, 100)}), T + hours(13));
    auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_NE(rows[0].key, rows[1].key);
    EXPECT_EQ(rows[1].n.alerts[0].title, rows[0].n.alerts[0].title);
    EXPECT_EQ(rows[1].n.alerts[0].since, T);  // the same episode
    a.cycle(cfg, eval(T + hours(24), {ldr(cfg, 3, 100)}), T + hours(24));
    EXPECT_EQ(a.outbox().size(), 3u);
    EXPECT_EQ(a.states().at(kLdr10).notifications, 3);
}

TEST(AlertCycle, TimesStoredByAClockThatWasAheadAreTakenAsNow) {
    alert_db a;
    const auto cfg = base_config();  // repeat_interval 12h
    // One cycle with the clock a year ahead fires the alert then.
    const auto ahead = T + days(365);
    const auto first = a.cycle(cfg, eval(ahead, {ldr(cfg, 3, 100)}), ahead);
    EXPECT_TRUE(first.future_times.empty());
    ASSERT_EQ(a.outbox().size(), 1u);
    // Back at the real time: the stored times are treated as now (and said
    // so), and the repeat comes 12 h later, not a year later.
    const auto back = a.cycle(cfg, eval(T, {ldr(cfg, 3, 100)}), T);
    EXPECT_EQ(back.future_times, std::vector<std::string>{kLdr10});
    EXPECT_EQ(a.outbox().size(), 1u);
    a.cycle(cfg, eval(T + hours(12), {ldr(cfg, 3, 100)}), T + hours(12));
    EXPECT_EQ(a.outbox().size(), 2u);
}

TEST(AlertCycle, EscalationGoesOutAtOnceToEveryChannel) {
    alert_db a;
    const auto cfg = base_config();
    a.cycle(cfg, eval(T, {ldr(cfg, 3, 100)}), T);
    a.cycle(cfg, eval(T + minutes(5), {ldr(cfg, 5, 100)}), T + minutes(5));
    auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(channels_of(rows), (std::vector<std::string>{"team", "team", "pager"}));
    EXPECT_EQ(rows[1].severity, "breached");
    EXPECT_EQ(rows[1].key, rows[2].key);  // same changes, same key; unique per channel
    EXPECT_EQ(rows[2].n.alerts[0].title, "[BREACHED] Late dispatch rate 5% > 4% (US, 10 days)");
    EXPECT_EQ(rows[2].n.alerts[0].since, T);
    // Down to at_risk and back up within the repeat interval: silent.
    a.cycle(cfg, eval(T + minutes(10), {ldr(cfg, 3, 100)}), T + minutes(10));
    a.cycle(cfg, eval(T + minutes(15), {ldr(cfg, 5, 100)}), T + minutes(15));
    EXPECT_EQ(a.outbox().size(), 3u);
}

TEST(AlertCycle, BreachedFromTheStartReachesTheBreachedOnlyChannel) {
    alert_db a;
    const auto cfg = base_config();
    a.cycle(cfg, eval(T, {ldr(cfg, 5, 100)}), T);
    EXPECT_EQ(channels_of(a.outbox()), (std::vector<std::string>{"team", "pager"}));
}

TEST(AlertCycle, ResolvedGoesWhereTheEpisodeWent) {
    alert_db a;
    const auto cfg = base_config();
    // An at_risk episode: the pager never heard of it, so it hears no resolve.
    a.cycle(cfg, eval(T, {ldr(cfg, 3, 100)}), T);
    a.cycle(cfg, eval(T + hours(1), {ldr(cfg, 2, 100)}), T + hours(1));
    auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].channel, "team");
    EXPECT_EQ(rows[1].n.alerts[0].state, "resolved");
    EXPECT_EQ(rows[1].n.alerts[0].title,
              "[RESOLVED] Late dispatch rate 2% < warn 3% (US, 10 days)");
    EXPECT_EQ(rows[1].n.alerts[0].since, T);
    EXPECT_TRUE(a.states().empty());

    // A breached episode that fell to at_risk before resolving: both hear the resolve.
    a.cycle(cfg, eval(T + hours(2), {ldr(cfg, 5, 100)}), T + hours(2));
    a.cycle(cfg, eval(T + hours(3), {ldr(cfg, 3, 100)}), T + hours(3));
    a.cycle(cfg, eval(T + hours(4), {ldr(cfg, 1, 100)}), T + hours(4));
    rows = a.outbox();
    ASSERT_EQ(rows.size(), 6u);
    EXPECT_EQ(channels_of(rows),
              (std::vector<std::string>{"team", "team", "team", "pager", "team", "pager"}));
    EXPECT_EQ(rows[5].n.alerts[0].state, "resolved");
    EXPECT_EQ(rows[5].severity, "breached");  // the episode's peak
    EXPECT_EQ(a.count("alert_history"), 2);
}

TEST(AlertCycle, ChannelsTakeOnlyTheAlertsTheyMatch) {
    alert_db a;
    auto cfg = base_config();
    auto uk = channel("uk", "at_risk");
    uk.match.marketplaces = {kUK};
    auto quiet_chat = channel("chat", "at_risk");
    quiet_chat.send_resolved = false;
    auto cancellations = channel("cancellations", "at_risk");
    cancellations.match.metrics = {"cancellation_rate"};
    cfg.alerts.channels = {uk, quiet_chat, cancellations};
    // The US breaches, then the UK; then both recover.
    a.cycle(cfg, eval(T, {ldr(cfg, 5, 100)}), T);
    a.cycle(cfg, eval(T + hours(1), {ldr(cfg, 5, 100), ldr(cfg, 5, 100, 10, kUK)}), T + hours(1));
    a.cycle(cfg, eval(T + hours(2), {ldr(cfg, 1, 100), ldr(cfg, 1, 100, 10, kUK)}), T + hours(2));
    const auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 4u);
    // chat: the US breach, the UK breach; no resolves. uk: the UK breach and its resolve.
    EXPECT_EQ(channels_of(rows), (std::vector<std::string>{"chat", "uk", "chat", "uk"}));
    EXPECT_EQ(rows[1].n.alerts.size(), 1u);
    EXPECT_EQ(rows[1].n.alerts[0].marketplace, kUK);
    EXPECT_EQ(rows[3].n.alerts.size(), 1u);
    EXPECT_EQ(rows[3].n.alerts[0].state, "resolved");
    EXPECT_EQ(rows[3].n.alerts[0].marketplace, kUK);
    for (const auto& r : rows) {
        if (r.channel == "chat") {
            for (const auto& alert : r.n.alerts)
                EXPECT_EQ(alert.state, "firing");
        }
    }
}

TEST(AlertCycle, ResolveMarginHoldsThenResolves) {
    alert_db a;
    auto cfg = base_config();
    cfg.alerts.resolve_margin = 0.005;  // resolves below 2.5 %
    a.cycle(cfg, eval(T, {ldr(cfg, 3, 100)}), T);
    a.cycle(cfg, eval(T + hours(1), {ldr(cfg, 28, 1000)}), T + hours(1));  // ok, inside
    a.cycle(cfg, eval(T + hours(2), {ldr(cfg, 25, 1000)}), T + hours(2));  // exactly 2.5 %
    EXPECT_EQ(a.outbox().size(), 1u);
    EXPECT_EQ(a.states().at(kLdr10).state, "firing");
    // Back to at_risk while holding: no new notice (still the same episode).
    a.cycle(cfg, eval(T + hours(3), {ldr(cfg, 3, 100)}), T + hours(3));
    EXPECT_EQ(a.outbox().size(), 1u);
    a.cycle(cfg, eval(T + hours(4), {ldr(cfg, 24, 1000)}), T + hours(4));
    const auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].n.alerts[0].state, "resolved");
    EXPECT_TRUE(a.states().empty());
    SQLite::Statement h(a.db().handle(),
                        "SELECT fingerprint, severity, episode_start, resolved_at FROM "
                        "alert_history");
    ASSERT_TRUE(h.executeStep());
    EXPECT_EQ(h.getColumn(0).getString(), kLdr10);
    EXPECT_EQ(h.getColumn(1).getString(), "at_risk");
    EXPECT_EQ(h.getColumn(2).getInt64(), to_unix(T));
    EXPECT_EQ(h.getColumn(3).getInt64(), to_unix(T + hours(4)));
}

TEST(AlertCycle, NoDataResolves) {
    alert_db a;
    const auto cfg = base_config();
    a.cycle(cfg, eval(T, {ldr(cfg, 3, 100)}), T);
    a.cycle(cfg, eval(T + hours(1), {ldr(cfg, 0, 0)}), T + hours(1));
    const auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].n.alerts[0].title,
              "[RESOLVED] Late dispatch rate: no orders in the window (US, 10 days)");
}

TEST(AlertCycle, ForTwoWaitsForTheSecondEvaluation) {
    alert_db a;
    auto cfg = base_config();
    cfg.alerts.for_evaluations = 2;
    a.cycle(cfg, eval(T, {ldr(cfg, 3, 100)}), T);
    EXPECT_EQ(a.outbox().size(), 0u);
    EXPECT_EQ(a.states().at(kLdr10).state, "pending");
    // A dip breaks the run: pending ends without a word.
    a.cycle(cfg, eval(T + minutes(1), {ldr(cfg, 2, 100)}), T + minutes(1));
    EXPECT_TRUE(a.states().empty());
    a.cycle(cfg, eval(T + minutes(2), {ldr(cfg, 3, 100)}), T + minutes(2));
    EXPECT_EQ(a.outbox().size(), 0u);
    const auto s = a.cycle(cfg, eval(T + minutes(3), {ldr(cfg, 3, 100)}), T + minutes(3));
    EXPECT_EQ(s.firing, 1u);
    const auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].n.alerts[0].since, T + minutes(2));  // the episode began when it held
}

TEST(AlertCycle, OneNotificationPerChannelPerCycle) {
    alert_db a;
    const auto cfg = base_config();
    const auto s = a.cycle(
        cfg, eval(T, {ldr(cfg, 3, 100, 10), ldr(cfg, 5, 100, 30), ldr(cfg, 4, 100, 10, kUK)}), T);
    EXPECT_EQ(s.changes.size(), 3u);
    const auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].channel, "team");
    ASSERT_EQ(rows[0].n.alerts.size(), 3u);
    // Breached first, then the evaluation's order.
    EXPECT_EQ(rows[0].n.alerts[0].fingerprint, "late_dispatch_rate|ATVPDKIKX0DER|MFN|30");
    EXPECT_EQ(rows[0].n.alerts[1].fingerprint, "late_dispatch_rate|A1F83G8C2ARO7P|MFN|10");
    EXPECT_EQ(rows[0].n.alerts[2].fingerprint, kLdr10);
    EXPECT_EQ(rows[1].channel, "pager");
    ASSERT_EQ(rows[1].n.alerts.size(), 2u);
    EXPECT_EQ(rows[1].n.alerts[0].severity, "breached");
    EXPECT_EQ(rows[1].n.alerts[1].severity, "breached");
    EXPECT_NE(rows[0].key, rows[1].key);
}

TEST(AlertCycle, NoChannelsStillTracksState) {
    alert_db a;
    auto cfg = base_config();
    cfg.alerts.channels.clear();
    const auto s = a.cycle(cfg, eval(T, {ldr(cfg, 5, 100)}), T);
    EXPECT_EQ(s.changes.size(), 1u);
    EXPECT_EQ(s.outbox_rows, 0u);
    EXPECT_EQ(a.states().at(kLdr10).state, "firing");
}

// ---- quiet hours ----

TEST(AlertCycle, QuietHoursHoldAtRiskButNotBreached) {
    alert_db a;
    auto cfg = base_config();
    cfg.alerts.quiet_hours = config::quiet_hours_config{"22:00", "07:00", "Europe/Berlin"};
    // 2026-03-02 22:30 in Berlin (UTC+1) is 21:30Z; quiet hours end 06:00Z.
    const instant night = *parse_iso8601("2026-03-02T21:30:00Z");
    const instant morning = *parse_iso8601("2026-03-03T06:00:00Z");
    const auto s = a.cycle(cfg, eval(night, {ldr(cfg, 3, 100)}), night);
    EXPECT_EQ(s.held_rows, 1u);
    auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 1u);
    // Sendable only from the morning: its delivery age counts from then too.
    EXPECT_EQ(rows[0].created_at, morning);
    EXPECT_EQ(rows[0].not_before, morning);

    // After midnight, an escalation goes out at once, with the at_risk one
    // still waiting.
    const instant late_night = *parse_iso8601("2026-03-03T01:15:00Z");
    a.cycle(cfg, eval(late_night, {ldr(cfg, 5, 100)}), late_night);
    rows = a.outbox();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[1].not_before, late_night);
    EXPECT_EQ(rows[2].not_before, late_night);

    // A notification holding an at_risk and a breached change is not held.
    alert_db b;
    b.cycle(cfg, eval(night, {ldr(cfg, 3, 100, 10), ldr(cfg, 5, 100, 30)}), night);
    rows = b.outbox();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].channel, "team");
    EXPECT_EQ(rows[0].not_before, night);

    // After the end, nothing is held.
    alert_db c;
    c.cycle(cfg, eval(morning, {ldr(cfg, 3, 100)}), morning);
    EXPECT_EQ(c.outbox().at(0).not_before, morning);
}

TEST(AlertCycle, QuietHoursEndFollowsDaylightSaving) {
    alert_db a;
    auto cfg = base_config();
    cfg.alerts.quiet_hours = config::quiet_hours_config{"22:00", "07:00", "America/New_York"};
    // 2026-03-07 23:00 EST (04:00Z on the 8th); 07:00 EDT on the 8th is 11:00Z.
    const instant night = *parse_iso8601("2026-03-08T04:00:00Z");
    a.cycle(cfg, eval(night, {ldr(cfg, 3, 100)}), night);
    EXPECT_EQ(a.outbox().at(0).not_before, *parse_iso8601("2026-03-08T11:00:00Z"));
}

TEST(AlertCycle, QuietHoursHoldAtRiskResolvedButNotABreachedOnesResolve) {
    alert_db a;
    auto cfg = base_config();
    const instant day = *parse_iso8601("2026-03-02T12:00:00Z");
    const instant night = *parse_iso8601("2026-03-02T23:00:00Z");
    cfg.alerts.quiet_hours = config::quiet_hours_config{"22:00", "07:00", "UTC"};
    a.cycle(cfg, eval(day, {ldr(cfg, 3, 100, 10), ldr(cfg, 5, 100, 30)}), day);
    a.cycle(cfg, eval(night, {ldr(cfg, 1, 100, 10), ldr(cfg, 1, 100, 30)}), night);
    const auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 4u);
    // team: both resolves in one notice, breached inside: not held.
    EXPECT_EQ(rows[2].channel, "team");
    EXPECT_EQ(rows[2].n.alerts.size(), 2u);
    EXPECT_EQ(rows[2].not_before, night);
    EXPECT_EQ(rows[3].channel, "pager");
    EXPECT_EQ(rows[3].n.alerts.size(), 1u);
    EXPECT_EQ(rows[3].not_before, night);

    alert_db b;
    b.cycle(cfg, eval(day, {ldr(cfg, 3, 100, 10)}), day);
    b.cycle(cfg, eval(night, {ldr(cfg, 1, 100, 10)}), night);
    EXPECT_EQ(b.outbox().at(1).not_before, *parse_iso8601("2026-03-03T07:00:00Z"));
}

// ---- durability ----

TEST(AlertCycle, CrashBeforeCommitLeavesNothingAndTheRerunWritesTheSameKeys) {
    const auto cfg = base_config();
    const auto e = eval(T, {ldr(cfg, 3, 100, 10), ldr(cfg, 5, 100, 30)});

    alert_db reference;
    reference.cycle(cfg, e, T);
    const auto expected = reference.outbox();
    ASSERT_EQ(expected.size(), 2u);

    alert_db a;
    // The process dies while writing the second outbox row.
    a.db().handle().exec(
        "CREATE TEMP TRIGGER crash AFTER INSERT ON main.outbox WHEN NEW.channel_name = 'pager'"
        " BEGIN SELECT RAISE(ABORT, 'simulated crash'); END");
    auto failed = process_cycle(a.db(), cfg, e, T);
    ASSERT_FALSE(failed.has_value());
    EXPECT_NE(failed.error().text.find("simulated crash"), std::string::npos);
    a.reopen();  // the temp trigger dies with the connection, like the process
    EXPECT_EQ(a.count("outbox"), 0);
    EXPECT_EQ(a.count("alert_states"), 0);

    a.cycle(cfg, e, T);
    auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].key, expected[0].key);
    EXPECT_EQ(rows[1].key, expected[1].key);
    // And once more for the same instant: nothing new.
    a.cycle(cfg, e, T);
    EXPECT_EQ(a.outbox().size(), 2u);
}

TEST(AlertCycle, TheOutboxKeyRefusesADuplicateEvenWithoutState) {
    alert_db a;
    const auto cfg = base_config();
    const auto e = eval(T, {ldr(cfg, 5, 100)});
    a.cycle(cfg, e, T);
    a.db().handle().exec("DELETE FROM alert_states");
    const auto s = a.cycle(cfg, e, T);
    EXPECT_EQ(s.changes.size(), 1u);  // decided again...
    EXPECT_EQ(s.outbox_rows, 0u);     // ...but the same key is already there
    EXPECT_EQ(a.outbox().size(), 2u);
}

TEST(AlertCycle, ResolvedNoticeSurvivesRestarts) {
    alert_db a;
    const auto cfg = base_config();
    a.cycle(cfg, eval(T, {ldr(cfg, 5, 100)}), T);
    a.db().handle().exec("UPDATE outbox SET delivered_at = " + std::to_string(to_unix(T)));
    a.reopen();  // restart while firing
    a.cycle(cfg, eval(T + hours(1), {ldr(cfg, 5, 100)}), T + hours(1));
    EXPECT_EQ(a.count("outbox"), 2);  // nothing re-sent after the restart
    a.cycle(cfg, eval(T + hours(2), {ldr(cfg, 1, 100)}), T + hours(2));
    a.reopen();  // restart before delivery
    const auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[2].n.alerts[0].state, "resolved");
    EXPECT_EQ(rows[3].n.alerts[0].state, "resolved");
    EXPECT_EQ(a.db()
                  .handle()
                  .execAndGet("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")
                  .getInt(),
              2);
}

TEST(AlertCycle, ConfigReloadDoesNotResend) {
    alert_db a;
    const auto before = base_config();
    a.cycle(before, eval(T, {ldr(before, 3, 100)}), T);
    ASSERT_EQ(a.outbox().size(), 1u);

    // New thresholds (still at risk), a new channel, another `for`.
    auto after = base_config();
    after.metrics.at(metric_key::late_dispatch_rate).warn = 0.025;
    after.metrics.at(metric_key::late_dispatch_rate).target = 0.05;
    after.alerts.channels.push_back(channel("new", "at_risk"));
    after.alerts.for_evaluations = 3;
    const auto s = a.cycle(after, eval(T + minutes(1), {ldr(after, 3, 100)}), T + minutes(1));
    EXPECT_TRUE(s.changes.empty());
    EXPECT_EQ(a.outbox().size(), 1u);
    EXPECT_EQ(a.states().at(kLdr10).state, "firing");
    // The new channel hears of it at the next repeat.
    a.cycle(after, eval(T + hours(12), {ldr(after, 3, 100)}), T + hours(12));
    EXPECT_EQ(channels_of(a.outbox()), (std::vector<std::string>{"team", "team", "new"}));
}

TEST(AlertCycle, WindowRemovedByAReload) {
    alert_db a;
    auto cfg = base_config();
    cfg.alerts.for_evaluations = 2;
    // 10 days fires (two evaluations), 30 days is only pending.
    a.cycle(cfg, eval(T, {ldr(cfg, 5, 100, 10)}), T);
    a.cycle(cfg, eval(T + minutes(1), {ldr(cfg, 5, 100, 10), ldr(cfg, 3, 100, 30)}),
            T + minutes(1));
    ASSERT_EQ(a.states().size(), 2u);
    ASSERT_EQ(a.outbox().size(), 2u);
    // Reload: late dispatch is evaluated over 60 days only.
    a.cycle(cfg, eval(T + minutes(2), {ldr(cfg, 1, 100, 60)}), T + minutes(2));
    EXPECT_TRUE(a.states().empty());
    const auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[2].n.alerts.size(), 1u);  // the pending one goes quietly
    EXPECT_EQ(rows[2].n.alerts[0].state, "resolved");
    EXPECT_EQ(rows[2].n.alerts[0].title,
              "[RESOLVED] Late dispatch rate (US, 10 days): no longer evaluated");
    EXPECT_EQ(rows[2].n.alerts[0].numerator, 5);  // the last figures seen
    EXPECT_EQ(rows[3].channel, "pager");
}

// ---- deadline alerts ----

metrics::upcoming_events messages_due(std::vector<metrics::unanswered_message> m) {
    metrics::upcoming_events u;
    u.marketplace_id = kUS;
    u.unanswered_messages = std::move(m);
    return u;
}

metrics::unanswered_message message(const std::string& id, instant received, instant now) {
    return {id, "111-0000001-0000001", received, received + hours(24), now > received + hours(24)};
}

std::size_t alerts_of_kind(const std::vector<outbox_row>& rows, const std::string& kind) {
    std::size_t n = 0;
    for (const auto& r : rows) {
        for (const auto& c : r.n.alerts)
            n += c.kind == kind ? 1 : 0;
    }
    return n;
}

TEST(AlertCycle, MessageDeadlineFiresOnceAtTheWarnAge) {
    alert_db a;
    const auto cfg = base_config();  // message_deadline_warn 20h, poll_interval 60s
    const instant received = T - hours(19);
    const auto at = [&](instant now) {
        return eval(now, {}, {messages_due({message("M1", received, now)})});
    };
    a.cycle(cfg, at(T), T);
    EXPECT_EQ(a.count("outbox"), 0);  // 19 h old: not yet
    const instant warn = received + hours(20);
    a.cycle(cfg, at(warn), warn);
    auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 1u);  // at_risk: the team only
    EXPECT_EQ(rows[0].n.alerts[0].kind, "message_deadline");
    EXPECT_EQ(rows[0].n.alerts[0].fingerprint, "message_deadline|M1");
    EXPECT_EQ(rows[0].n.alerts[0].title,
              "[AT RISK] Buyer message M1 without reply: due in 4 h (US)");
    EXPECT_EQ(rows[0].n.alerts[0].transition, "firing");
    EXPECT_EQ(rows[0].n.alerts[0].links.size(), 2u);  // the message and its order
    ASSERT_TRUE(rows[0].n.alerts[0].ends_at);
    EXPECT_EQ(*rows[0].n.alerts[0].ends_at, received + hours(24) + seconds(60));
    for (const auto& now : {warn + hours(1), warn + hours(4), warn + hours(4) + seconds(59),
                            warn + hours(4) + seconds(60), warn + hours(10)}) {
        a.cycle(cfg, at(now), now);  // still listed, later overdue: never again
    }
    EXPECT_EQ(a.outbox().size(), 1u);
    EXPECT_TRUE(a.states().empty());  // dropped once past the deadline and the grace
}

TEST(AlertCycle, MessageDeadlineJustPastTheDeadlineStillFires) {
    // The cycles straddled the deadline (or the export arrived late): inside
    // one poll_interval after it, the alert still goes out, saying so.
    alert_db a;
    const auto cfg = base_config();
    const instant now = T;
    const auto m = message("M2", now - hours(24) - seconds(30), now);
    a.cycle(cfg, eval(now, {}, {messages_due({m})}), now);
    const auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 1u);
    // Missed, and said so: no call to reply "before the deadline".
    EXPECT_EQ(rows[0].n.alerts[0].title,
              "[MISSED] Buyer message M2 not answered within 24 hours (US)");
    EXPECT_NE(rows[0].n.alerts[0].headroom_text.find("Missed: it counts against the 24-hour "
                                                     "response rate."),
              std::string::npos);
}

TEST(AlertCycle, NoDeadlineAlertsForHistory) {
    // A first import of 90 days of messages, most never answered.
    alert_db a;
    const auto cfg = base_config();
    std::vector<metrics::unanswered_message> history;
    for (int d = 2; d < 90; ++d)
        history.push_back(message("OLD" + std::to_string(d), T - days(d), T));
    history.push_back(message("OLD-25h", T - hours(25), T));
    history.push_back(message("NEW", T - hours(21), T));
    const auto s = a.cycle(cfg, eval(T, {}, {messages_due(history)}), T);
    ASSERT_EQ(s.changes.size(), 1u);
    EXPECT_EQ(s.changes[0].fingerprint, "message_deadline|NEW");
}

TEST(AlertCycle, ShipDeadline) {
    alert_db a;
    const auto cfg = base_config();  // ship_deadline_warn 4h
    metrics::upcoming_events u;
    u.marketplace_id = kUK;
    u.unconfirmed_orders = {{"SOON", T + hours(3), false},
                            {"LATER", T + hours(5), false},
                            {"JUST-LATE", T - seconds(30), true},
                            {"LONG-LATE", T - hours(30), true}};
    const auto s = a.cycle(cfg, eval(T, {}, {u}), T);
    ASSERT_EQ(s.changes.size(), 2u);
    EXPECT_EQ(s.changes[0].fingerprint, "ship_deadline|SOON");
    EXPECT_EQ(s.changes[0].title,
              "[AT RISK] Order SOON not confirmed: latest ship date in 3 h (UK)");
    EXPECT_EQ(s.changes[1].fingerprint, "ship_deadline|JUST-LATE");
    // An hour later LATER is due within 4 h; SOON is not sent again.
    const auto s2 = a.cycle(cfg, eval(T + hours(1), {}, {u}), T + hours(1));
    ASSERT_EQ(s2.changes.size(), 1u);
    EXPECT_EQ(s2.changes[0].fingerprint, "ship_deadline|LATER");
    EXPECT_EQ(alerts_of_kind(a.outbox(), "ship_deadline"), 3u);
}

TEST(AlertCycle, DeadlineAlertsOff) {
    alert_db a;
    auto cfg = base_config();
    cfg.alerts.deadline_alerts = false;
    metrics::upcoming_events u = messages_due({message("M1", T - hours(21), T)});
    u.unconfirmed_orders = {{"SOON", T + hours(1), false}};
    const auto s = a.cycle(cfg, eval(T, {}, {u}), T);
    EXPECT_TRUE(s.changes.empty());
    EXPECT_EQ(a.count("alert_states"), 0);
}

// ---- stale data ----

// The evaluation's feeds as of `now` from (feed, last arrival) pairs, by the
// real freshness rules.
std::vector<metrics::feed_freshness> feeds_at(
    const config::config& cfg, instant now,
    const std::vector<std::pair<std::string, instant>>& arrivals) {
    std::vector<metrics::feed_arrival> rows;
    for (const auto& [feed, at] : arrivals)
        rows.push_back({feed, at, std::nullopt, 1});
    return metrics::judge_freshness(
        rows, [&](std::string_view f) { return cfg.feed_max_age(f); }, now);
}

metrics::evaluation eval_with_feeds(const config::config& cfg, instant now,
                                    std::vector<metrics::metric_result> rows,
                                    const std::vector<std::pair<std::string, instant>>& arrivals) {
    auto e = eval(now, std::move(rows));
    e.feeds = feeds_at(cfg, now, arrivals);
    metrics::flag_stale_metrics(e.metrics, e.feeds);
    return e;
}

TEST(AlertCycle, StaleFeedFiresRepeatsAndResolves) {
    alert_db a;
    const auto cfg = base_config();  // stale_after 36h: every feed's max_age
    // Nothing imported: no feed can be stale.
    EXPECT_TRUE(a.cycle(cfg, eval_with_feeds(cfg, T, {}, {}), T).changes.empty());
    const instant shipped = T - hours(35);
    const auto at = [&](instant now, instant shipments, instant orders) {
        return eval_with_feeds(cfg, now, {}, {{"all_orders", orders}, {"shipments", shipments}});
    };
    EXPECT_TRUE(a.cycle(cfg, at(T, shipped, T), T).changes.empty());
    EXPECT_TRUE(a.cycle(cfg, at(T + hours(1), shipped, T + hours(1)), T + hours(1)).changes.empty())
        << "exactly max_age is still within it";
    const auto s = a.cycle(cfg, at(T + hours(2), shipped, T + hours(2)), T + hours(2));
    ASSERT_EQ(s.changes.size(), 1u);
    EXPECT_EQ(s.changes[0].kind, "stale_data");
    EXPECT_EQ(s.changes[0].fingerprint, "stale_data|shipments");
    EXPECT_EQ(s.changes[0].title,
              "[AT RISK] Stale feed: shipments last arrived 1 d 13 h ago (max 1 d 12 h)");
    EXPECT_EQ(s.changes[0].headroom_text,
              "Shipments last arrived at 2026-03-01 01:00 UTC. Metrics counted from it are "
              "flagged stale, and their alerts are held until it arrives again.");
    EXPECT_EQ(a.states().at("stale_data|shipments").kind, "stale_data");
    // No repeat before repeat_interval, however often it is evaluated.
    for (int i = 3; i < 14; ++i) {
        EXPECT_TRUE(
            a.cycle(cfg, at(T + hours(i), shipped, T + hours(i)), T + hours(i)).changes.empty());
    }
    EXPECT_EQ(a.cycle(cfg, at(T + hours(14), shipped, T + hours(14)), T + hours(14)).changes.size(),
              1u);  // repeat
    const auto back = a.cycle(cfg, at(T + hours(15), T + hours(15), T + hours(15)), T + hours(15));
    ASSERT_EQ(back.changes.size(), 1u);
    EXPECT_EQ(back.changes[0].state, "resolved");
    EXPECT_EQ(back.changes[0].fingerprint, "stale_data|shipments");
    EXPECT_EQ(back.changes[0].title, "[RESOLVED] Feed arriving again: shipments");
    EXPECT_EQ(back.changes[0].since, T + hours(2));
    EXPECT_TRUE(a.states().empty());
    const auto rows = a.outbox();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(channels_of(rows), (std::vector<std::string>{"team", "team", "team"}));
    EXPECT_EQ(a.count("alert_history"), 1);
}

TEST(AlertCycle, EachFeedHasItsOwnMaxAge) {
    alert_db a;
    auto cfg = base_config();
    cfg.feed_max_ages["defects"] = days(8);  // claims exported weekly
    const auto e =
        eval_with_feeds(cfg, T, {}, {{"all_orders", T - hours(37)}, {"defects", T - days(7)}});
    const auto s = a.cycle(cfg, e, T);
    ASSERT_EQ(s.changes.size(), 1u);
    EXPECT_EQ(s.changes[0].fingerprint, "stale_data|all_orders");
}

TEST(AlertCycle, BreachHeldWhileItsFeedIsStale) {
    alert_db a;
    const auto cfg = base_config();
    // Orders keep arriving, shipments stopped 3 days ago: late dispatch
    // looks breached because confirmations are missing.
    const auto stale_eval = [&](instant now) {
        return eval_with_feeds(cfg, now, {ldr(cfg, 5, 100)},
                               {{"all_orders", now - hours(1)}, {"shipments", T - days(3)}});
    };
    const auto s = a.cycle(cfg, stale_eval(T), T);
    ASSERT_EQ(s.changes.size(), 1u);  // only the stale feed speaks
    EXPECT_EQ(s.changes[0].fingerprint, "stale_data|shipments");
    ASSERT_EQ(s.held.size(), 1u);
    EXPECT_EQ(s.held[0].fingerprint, kLdr10);
    EXPECT_EQ(s.held[0].title, "[BREACHED] Late dispatch rate 5% > 4% (US, 10 days)");
    EXPECT_EQ(s.held[0].reason, "shipments last arrived 3 d ago (max 1 d 12 h)");
    EXPECT_FALSE(a.states().contains(kLdr10));
    for (const auto& row : a.outbox()) {
        for (const auto& change : row.n.alerts)
            EXPECT_NE(change.kind, "metric") << change.title;
    }
    // Still stale a day later: still held; only the stale alert repeats.
    const auto later = a.cycle(cfg, stale_eval(T + days(1)), T + days(1));
    ASSERT_EQ(later.changes.size(), 1u);
    EXPECT_EQ(later.changes[0].fingerprint, "stale_data|shipments");
    EXPECT_EQ(later.held.size(), 1u);
    EXPECT_FALSE(a.states().contains(kLdr10));

    // Shipments arrive and the rate really is breached: now it fires, and
    // the stale alert resolves in the same notification.
    const instant fresh = T + days(1) + hours(1);
    const auto e = eval_with_feeds(cfg, fresh, {ldr(cfg, 5, 100)},
                                   {{"all_orders", fresh}, {"shipments", fresh}});
    EXPECT_FALSE(e.metrics[0].stale);
    const auto f = a.cycle(cfg, e, fresh);
    EXPECT_TRUE(f.held.empty());
    ASSERT_EQ(f.changes.size(), 2u);
    EXPECT_EQ(f.changes[0].fingerprint, kLdr10);
    EXPECT_EQ(f.changes[0].state, "firing");
    EXPECT_EQ(f.changes[1].fingerprint, "stale_data|shipments");
    EXPECT_EQ(f.changes[1].state, "resolved");
}

TEST(AlertCycle, FiringAlertNeitherRepeatsNorResolvesWhileStale) {
    alert_db a;
    const auto cfg = base_config();  // repeat_interval 12h
    const auto fresh = [&](instant now, std::int64_t late) {
        return eval_with_feeds(cfg, now, {ldr(cfg, late, 100)},
                               {{"all_orders", now}, {"shipments", now}});
    };
    a.cycle(cfg, fresh(T, 5), T);  // fires, breached
    ASSERT_EQ(a.states().at(kLdr10).notifications, 1);
    const instant last_shipments = T;
    // The shipments feed stops; the figures drop to ok (orders without
    // confirmations, or fewer orders): neither a repeat nor a resolve.
    for (int h : {37, 48, 60, 72}) {
        const instant now = T + hours(h);
        const auto e = eval_with_feeds(cfg, now, {ldr(cfg, h == 60 ? 1 : 5, 100)},
                                       {{"all_orders", now}, {"shipments", last_shipments}});
        ASSERT_TRUE(e.metrics[0].stale);
        const auto s = a.cycle(cfg, e, now);
        for (const auto& c : s.changes)
            EXPECT_NE(c.kind, "metric") << c.title;
        ASSERT_EQ(s.held.size(), 1u);
        EXPECT_EQ(s.held[0].title, h == 60 ? "Late dispatch rate (US, 10 days)"
                                           : "[BREACHED] Late dispatch rate 5% > 4% (US, 10 days)");
        EXPECT_EQ(a.states().at(kLdr10).state, "firing");
        EXPECT_EQ(a.states().at(kLdr10).notifications, 1);
    }
    // Fresh again and ok: resolves now.
    const auto s = a.cycle(cfg, fresh(T + hours(73), 1), T + hours(73));
    bool resolved = false;
    for (const auto& c : s.changes)
        resolved = resolved || (c.fingerprint == kLdr10 && c.state == "resolved");
    EXPECT_TRUE(resolved);
    EXPECT_FALSE(a.states().contains(kLdr10));
}

TEST(AlertCycle, StaleFeedOnlyHoldsTheMetricsThatUseIt) {
    alert_db a;
    const auto cfg = base_config();
    // Messages stopped; late dispatch does not read them and fires.
    const auto e =
        eval_with_feeds(cfg, T, {ldr(cfg, 5, 100)},
                        {{"all_orders", T}, {"shipments", T}, {"messages", T - days(2)}});
    EXPECT_FALSE(e.metrics[0].stale);
    const auto s = a.cycle(cfg, e, T);
    EXPECT_TRUE(s.held.empty());
    std::vector<std::string> fingerprints;
    for (const auto& c : s.changes)
        fingerprints.push_back(c.fingerprint);
    EXPECT_EQ(fingerprints, (std::vector<std::string>{kLdr10, "stale_data|messages"}));
}

TEST(AlertCycle, TheAnyImportStaleAlertOfEarlierVersionsResolvesOnce) {
    alert_db a;
    const auto cfg = base_config();
    a.db().handle().exec(
        "INSERT INTO alert_states (fingerprint, kind, state, severity, pending_count,"
        " episode_start, last_notified_at, last_notified_severity, peak_notified_severity,"
        " notifications, updated_at) VALUES ('stale_data', 'stale_data', 'firing', 'at_risk', 1, " +
        std::to_string(to_unix(T - days(1))) + ", " + std::to_string(to_unix(T - days(1))) +
        ", 'at_risk', 'at_risk', 1, " + std::to_string(to_unix(T - days(1))) + ")");
    const auto s = a.cycle(cfg, eval_with_feeds(cfg, T, {}, {{"all_orders", T}}), T);
    ASSERT_EQ(s.changes.size(), 1u);
    EXPECT_EQ(s.changes[0].fingerprint, "stale_data");
    EXPECT_EQ(s.changes[0].state, "resolved");
    EXPECT_TRUE(a.states().empty());
    EXPECT_TRUE(
        a.cycle(cfg, eval_with_feeds(cfg, T + hours(1), {}, {{"all_orders", T}}), T + hours(1))
            .changes.empty());
}

// ---- with the real engine ----

TEST(AlertCycle, EndToEndWithTheMetricsEngine) {
    metrics::test::metrics_db m;
    const instant now = *parse_iso8601("2026-03-01T00:00:00Z");
    m.exec("UPDATE imports SET imported_at = " + std::to_string(to_unix(now - hours(1))));
    // 90 days of messages, one a day, answered late every third day; one
    // fresh message 21 h old without a reply.
    for (int d = 2; d <= 89; ++d) {
        const instant received = now - days(d);
        m.message("H" + std::to_string(d), std::nullopt, std::string(kUS), received,
                  d % 3 == 0 ? std::optional<instant>(received + hours(30))
                             : std::optional<instant>(received + hours(2)));
    }
    m.message("FRESH", std::nullopt, std::string(kUS), now - hours(21), std::nullopt);
    m.message("NEVER", std::nullopt, std::string(kUS), now - days(5) - hours(3), std::nullopt);
    auto cfg = base_config();
    const auto e = m.evaluate(cfg, now);
    auto s = process_cycle(m.db(), cfg, e, now);
    ASSERT_TRUE(s.has_value()) << s.error().text;
    std::vector<std::string> fingerprints;
    for (const auto& c : s->changes)
        fingerprints.push_back(c.fingerprint);
    // Response rate breached in every window; only the fresh message is a deadline alert.
    EXPECT_EQ(fingerprints,
              (std::vector<std::string>{
                  "response_rate_24h|ATVPDKIKX0DER|all|7", "response_rate_24h|ATVPDKIKX0DER|all|30",
                  "response_rate_24h|ATVPDKIKX0DER|all|90", "message_deadline|FRESH"}));
    SQLite::Statement q(m.db().handle(), "SELECT payload FROM outbox WHERE channel_name = 'team'");
    ASSERT_TRUE(q.executeStep());
    const auto n = notification_from_json(q.getColumn(0).getString());
    ASSERT_TRUE(n.has_value());
    ASSERT_FALSE(n->upcoming.empty());
    // Worst first: the missed message, named, before the one still waiting.
    EXPECT_EQ(n->upcoming[0],
              "1 buyer message missed the 24-hour reply deadline (US): NEVER. Missed: counts "
              "against the response rate.");
    EXPECT_FALSE(n->alerts[0].caveat.empty());  // 30 or so messages: a small sample
}

TEST(AlertCycle, Fingerprints) {
    const auto cfg = base_config();
    EXPECT_EQ(metric_fingerprint(ldr(cfg, 1, 2, 30, kUK)),
              "late_dispatch_rate|A1F83G8C2ARO7P|MFN|30");
    EXPECT_EQ(message_deadline_fingerprint("M"), "message_deadline|M");
    EXPECT_EQ(ship_deadline_fingerprint("O"), "ship_deadline|O");
}

TEST(AlertCycle, BatchKeyIsStableAndOrderFree) {
    const key_part a{"fp-a", T, "firing", 1};
    const key_part b{"fp-b", T - hours(1), "repeat", 3};
    EXPECT_EQ(batch_idempotency_key({a, b}), batch_idempotency_key({b, a}));
    EXPECT_NE(batch_idempotency_key({a, b}), batch_idempotency_key({a}));
    key_part a2 = a;
    a2.sequence = 2;
    EXPECT_NE(batch_idempotency_key({a}), batch_idempotency_key({a2}));
    key_part a3 = a;
    a3.episode_start = T + seconds(1);
    EXPECT_NE(batch_idempotency_key({a}), batch_idempotency_key({a3}));
    EXPECT_EQ(batch_idempotency_key({a}).size(), 64u);
}

// ---- digest channels ----

config::config digest_config() {
    config::config cfg = base_config();
    auto daily = channel("daily", "at_risk");
    daily.digest = config::digest_config{"13:00", "UTC"};
    cfg.alerts.channels = {channel("team", "at_risk"), daily};
    return cfg;
}

std::vector<outbox_row> rows_of(const std::vector<outbox_row>& rows, const std::string& name) {
    std::vector<outbox_row> out;
    for (const auto& r : rows) {
        if (r.channel == name)
            out.push_back(r);
    }
    return out;
}

TEST(AlertCycle, ADigestChannelIsSentOneDigestAtItsHourInsteadOfNotices) {
    alert_db a;
    const auto cfg = digest_config();
    // 12:00: at risk. The immediate channel is told; the digest channel's
    // change is recorded, in the same transaction.
    a.cycle(cfg, eval(T, {ldr(cfg, 3, 100)}), T);
    EXPECT_EQ(channels_of(a.outbox()), std::vector<std::string>{"team"});
    EXPECT_EQ(a.count("digest_items"), 1);

    // 12:30: nothing due yet.
    a.cycle(cfg, eval(T + minutes(30), {ldr(cfg, 3, 100)}), T + minutes(30));
    EXPECT_TRUE(rows_of(a.outbox(), "daily").empty());

    // 13:00: the digest, once.
    const auto s = a.cycle(cfg, eval(T + hours(1), {ldr(cfg, 3, 100)}), T + hours(1));
    EXPECT_EQ(s.digest_rows, 1u);
    auto daily = rows_of(a.outbox(), "daily");
    ASSERT_EQ(daily.size(), 1u);
    EXPECT_EQ(daily[0].key, "digest|daily|2026-03-02");
    EXPECT_EQ(daily[0].not_before, T + hours(1));
    ASSERT_TRUE(daily[0].n.digest.has_value());
    ASSERT_EQ(daily[0].n.alerts.size(), 1u);
    EXPECT_EQ(daily[0].n.alerts[0].fingerprint, kLdr10);
    EXPECT_EQ(daily[0].n.alerts[0].transition, "firing");
    EXPECT_EQ(daily[0].n.alerts[0].decided_at, T);
    ASSERT_EQ(daily[0].n.digest->still_firing.size(), 1u);
    EXPECT_EQ(daily[0].n.digest->still_firing[0].fingerprint, kLdr10);
    EXPECT_EQ(daily[0].n.digest->since, T);
    EXPECT_EQ(a.count("digest_items WHERE digest_key IS NULL"), 0);

    // The rest of the day: nothing more, even with news (it waits a day).
    a.cycle(cfg, eval(T + hours(3), {ldr(cfg, 1, 100)}), T + hours(3));
    EXPECT_EQ(rows_of(a.outbox(), "daily").size(), 1u);
    EXPECT_EQ(rows_of(a.outbox(), "team").size(), 2u);  // the resolve

    // The next day at 13:00: the resolve, and nothing still firing.
    a.cycle(cfg, eval(T + hours(25), {ldr(cfg, 1, 100)}), T + hours(25));
    daily = rows_of(a.outbox(), "daily");
    ASSERT_EQ(daily.size(), 2u);
    EXPECT_EQ(daily[1].key, "digest|daily|2026-03-03");
    ASSERT_EQ(daily[1].n.alerts.size(), 1u);
    EXPECT_EQ(daily[1].n.alerts[0].transition, "resolved");
    EXPECT_TRUE(daily[1].n.digest->still_firing.empty());

    // A day with nothing recorded and nothing firing sends nothing.
    a.cycle(cfg, eval(T + hours(49), {ldr(cfg, 1, 100)}), T + hours(49));
    EXPECT_EQ(rows_of(a.outbox(), "daily").size(), 2u);
}

TEST(AlertCycle, ADigestDueTwiceInOneCycleRerunWritesOneRow) {
    alert_db a;
    const auto cfg = digest_config();
    a.cycle(cfg, eval(T, {ldr(cfg, 5, 100)}), T);
    // The same cycle run twice (a crash after the commit, a rerun): one row.
    a.cycle(cfg, eval(T + hours(1), {ldr(cfg, 5, 100)}), T + hours(1));
    a.cycle(cfg, eval(T + hours(1), {ldr(cfg, 5, 100)}), T + hours(1));
    EXPECT_EQ(rows_of(a.outbox(), "daily").size(), 1u);
    EXPECT_EQ(rows_of(a.outbox(), "daily")[0].severity, "breached");
}

TEST(AlertCycle, ADigestListsOnlyTheFiringAlertsItsChannelMatches) {
    alert_db a;
    auto cfg = digest_config();
    cfg.alerts.channels[1].match.marketplaces = {kUK};
    a.cycle(cfg, eval(T, {ldr(cfg, 5, 100), ldr(cfg, 3, 100, 10, kUK)}), T);
    a.cycle(cfg, eval(T + hours(1), {ldr(cfg, 5, 100), ldr(cfg, 3, 100, 10, kUK)}), T + hours(1));
    const auto daily = rows_of(a.outbox(), "daily");
    ASSERT_EQ(daily.size(), 1u);
    ASSERT_EQ(daily[0].n.alerts.size(), 1u);
    EXPECT_EQ(daily[0].n.alerts[0].marketplace, kUK);
    ASSERT_EQ(daily[0].n.digest->still_firing.size(), 1u);
    EXPECT_EQ(daily[0].n.digest->still_firing[0].marketplace, kUK);
    EXPECT_EQ(daily[0].severity, "at_risk");
}

TEST(AlertCycle, ADigestNamesMissedDeadlinesAndDeadlinesStillAhead) {
    alert_db a;
    const auto cfg = digest_config();  // daily at 13:00 UTC; ship_deadline_warn 4h
    metrics::upcoming_events u;
    u.marketplace_id = kUK;
    // MISSED is due 12:30 and stays unconfirmed; MET is due 12:45 and is
    // confirmed before it; STILL is due 15:00; AHEAD is due 14:30.
    u.unconfirmed_orders = {{"MISSED", T + minutes(30), false},
                            {"MET", T + minutes(45), false},
                            {"STILL", T + hours(3), false}};
    a.cycle(cfg, eval(T, {}, {u}), T);
    EXPECT_EQ(a.count("digest_items"), 3);
    metrics::upcoming_events later = u;
    later.unconfirmed_orders = {{"MISSED", T + minutes(30), true},
                                {"AHEAD", T + hours(2) + minutes(30), false},
                                {"STILL", T + hours(3), false}};
    a.cycle(cfg, eval(T + hours(1), {}, {later}), T + hours(1));
    const auto daily = rows_of(a.outbox(), "daily");
    ASSERT_EQ(daily.size(), 1u);
    const auto& n = daily[0].n;
    ASSERT_EQ(n.alerts.size(), 4u);
    EXPECT_EQ(n.alerts[0].fingerprint, "ship_deadline|MISSED");
    EXPECT_EQ(n.alerts[3].fingerprint, "ship_deadline|AHEAD");
    EXPECT_EQ(n.digest->missed_deadlines, std::vector<std::string>{"ship_deadline|MISSED"});
    // Said as it is now, not as it was before the deadline.
    EXPECT_EQ(n.alerts[0].title,
              "[MISSED] Order MISSED not confirmed by its latest ship date (UK)");
    EXPECT_EQ(n.alerts[0].decided_at, T);
    EXPECT_EQ(n.alerts[1].title,
              "[AT RISK] Order MET not confirmed: latest ship date in 45 min (UK)");
    // Still firing: AHEAD (fired in this very cycle) and STILL (fired at
    // 12:00), in the evaluation's order, with their links and current words.
    ASSERT_EQ(n.digest->still_firing.size(), 2u);
    EXPECT_EQ(n.digest->still_firing[0].fingerprint, "ship_deadline|AHEAD");
    EXPECT_EQ(n.digest->still_firing[1].fingerprint, "ship_deadline|STILL");
    EXPECT_EQ(n.digest->still_firing[1].title,
              "[AT RISK] Order STILL not confirmed: latest ship date in 2 h (UK)");
    ASSERT_EQ(n.digest->still_firing[1].links.size(), 1u);
    EXPECT_EQ(n.digest->still_firing[1].links[0].id, "STILL");
}

TEST(AlertCycle, ASilencedAlertIsLeftOutOfADigest) {
    alert_db a;
    const auto cfg = digest_config();
    a.cycle(cfg, eval(T, {ldr(cfg, 5, 100), ldr(cfg, 3, 100, 10, kUK)}), T);
    // A silence of the UK from 12:30 to 14:00: its alert is not listed as
    // still firing at 13:00; the US one is.
    silence quiet;
    quiet.matchers = parse_matchers(std::string("marketplace=") + kUK).value();
    quiet.starts_at = T + minutes(30);
    quiet.ends_at = T + hours(2);
    quiet.created_at = T + minutes(30);
    insert_silence(a.db().handle(), quiet);
    a.cycle(cfg, eval(T + hours(1), {ldr(cfg, 5, 100), ldr(cfg, 3, 100, 10, kUK)}), T + hours(1));
    const auto daily = rows_of(a.outbox(), "daily");
    ASSERT_EQ(daily.size(), 1u);
    ASSERT_EQ(daily[0].n.digest->still_firing.size(), 1u);
    EXPECT_EQ(daily[0].n.digest->still_firing[0].marketplace, kUS);
}

}  // namespace
}  // namespace shd::alerts
