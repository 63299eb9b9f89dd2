// Silences and acknowledgements: the pure parts (matchers, durations,
// states, matching), then process_cycle against a real SQLite file with
// silences and acks written through the store, time passed in.
#include "alerts/silences.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alerts/cycle.hpp"
#include "alerts/routing.hpp"
#include "alerts/silence_store.hpp"
#include "metrics/metrics_fixture.hpp"
#include "metrics/rules.hpp"
#include "support/test_support.hpp"

namespace shd::alerts {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr const char* kUS = "ATVPDKIKX0DER";
constexpr const char* kUK = "A1F83G8C2ARO7P";
const std::string kLdr10 = "late_dispatch_rate|ATVPDKIKX0DER|MFN|10";

const instant T = *parse_iso8601("2026-03-02T12:00:00Z");

// ---- matchers ----

TEST(SilenceMatchers, ParsesTheKeysOfAChannelMatchAndAlert) {
    auto m = parse_matchers(
        "marketplace=A1F83G8C2ARO7P,metric=late_dispatch_rate, severity=breached,kind=metric,"
        "marketplace=ATVPDKIKX0DER,alert=stale_data|shipments");
    ASSERT_TRUE(m) << m.error().text;
    EXPECT_EQ(m->match.marketplaces, (std::vector<std::string>{kUK, kUS}));
    EXPECT_EQ(m->match.metrics, std::vector<std::string>{"late_dispatch_rate"});
    EXPECT_EQ(m->match.severities, std::vector<std::string>{"breached"});
    EXPECT_EQ(m->match.kinds, std::vector<std::string>{"metric"});
    EXPECT_EQ(m->alerts, std::vector<std::string>{"stale_data|shipments"});
    EXPECT_EQ(matchers_text(*m),
              "marketplace=A1F83G8C2ARO7P,marketplace=ATVPDKIKX0DER,metric=late_dispatch_rate,"
              "severity=breached,kind=metric,alert=stale_data|shipments");
    auto back = matchers_from_json(matchers_json(*m));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, *m);
}

TEST(SilenceMatchers, ErrorsNameTheKeyOrValue) {
    const auto error = [](std::string_view text) {
        auto m = parse_matchers(text);
        return m ? std::string("(parsed)") : m.error().text;
    };
    EXPECT_EQ(error("market=ATVPDKIKX0DER"),
              "--match: unknown key 'market' (keys: marketplace, metric, severity, kind, alert)");
    EXPECT_EQ(error("metric=late_rate"),
              "--match: metric: 'late_rate' is not one of: order_defect_rate, "
              "late_dispatch_rate, cancellation_rate, valid_tracking_rate, response_rate_24h");
    EXPECT_NE(error("marketplace=UK").find("A1F83G8C2ARO7P"), std::string::npos);
    EXPECT_EQ(error("severity=critical"),
              "--match: severity: 'critical' is not one of: at_risk, breached");
    EXPECT_EQ(error("kind=deadlines"),
              "--match: kind: 'deadlines' is not one of: metric, deadline, stale, amazon, source");
    EXPECT_EQ(error("metric"),
              "--match: 'metric' is not key=value (keys: marketplace, metric, severity, kind, "
              "alert)");
    EXPECT_EQ(error("metric="), "--match: metric has no value");
    EXPECT_NE(error(""), "(parsed)");
    EXPECT_NE(error(",,"), "(parsed)");
}

TEST(SilenceDuration, UsesTheConfigurationsDurationForm) {
    EXPECT_EQ(parse_silence_duration("30m").value(), minutes(30));
    EXPECT_EQ(parse_silence_duration("4h").value(), hours(4));
    EXPECT_EQ(parse_silence_duration("2d").value(), days(2));
    EXPECT_EQ(parse_silence_duration("4").error().text,
              "--for: '4' is not a duration such as 30m, 4h or 2d (a number and s, m, h or d)");
    EXPECT_FALSE(parse_silence_duration("4x"));
    EXPECT_FALSE(parse_silence_duration("-4h"));
    EXPECT_EQ(parse_silence_duration("30s").error().text,
              "--for: 30s is out of range (1m to 366d)");
    EXPECT_FALSE(parse_silence_duration("400d"));
}

silence silence_of(const std::string& match, instant start, std::chrono::seconds length,
                   long long id = 1) {
    silence s;
    s.id = id;
    s.matchers = parse_matchers(match).value();
    s.starts_at = start;
    s.ends_at = start + length;
    s.created_at = start;
    return s;
}

TEST(SilenceState, PendingActiveExpired) {
    auto s = silence_of("metric=late_dispatch_rate", T, hours(4));
    EXPECT_EQ(state_at(s, T - minutes(1)), silence_state::pending);
    EXPECT_EQ(state_at(s, T), silence_state::active);
    EXPECT_EQ(state_at(s, T + hours(4) - std::chrono::seconds(1)), silence_state::active);
    EXPECT_EQ(state_at(s, T + hours(4)), silence_state::expired);
    s.expired_at = T + hours(1);
    EXPECT_EQ(state_at(s, T + minutes(59)), silence_state::active);
    EXPECT_EQ(state_at(s, T + hours(1)), silence_state::expired);
    EXPECT_EQ(silence_state_name(silence_state::pending), "pending");
}

alert_change change_of(std::string kind, std::string fingerprint, std::string marketplace,
                       std::string metric) {
    alert_change c;
    c.kind = std::move(kind);
    c.fingerprint = std::move(fingerprint);
    c.marketplace = std::move(marketplace);
    c.metric = std::move(metric);
    return c;
}

TEST(SilenceMatching, JudgesAsAChannelMatchButAccountWideAlertsFailAMarketplace) {
    const auto ldr_us = change_of("metric", kLdr10, kUS, "late_dispatch_rate");
    const auto ship = change_of("ship_deadline", "ship_deadline|111-1", kUS, "ship_deadline");
    const auto stale = change_of("stale_data", "stale_data|shipments", "", "stale_data");
    const auto us = silence_of("marketplace=ATVPDKIKX0DER", T, hours(1));
    EXPECT_TRUE(silence_matches(us.matchers, ldr_us, "at_risk"));
    EXPECT_TRUE(silence_matches(us.matchers, ship, "at_risk"));
    EXPECT_FALSE(silence_matches(us.matchers, stale, "at_risk"));
    // A ship-by deadline is about the late dispatch rate, as for channels.
    const auto ldr = silence_of("metric=late_dispatch_rate", T, hours(1));
    EXPECT_TRUE(silence_matches(ldr.matchers, ship, "at_risk"));
    EXPECT_FALSE(silence_matches(ldr.matchers, stale, "at_risk"));
    const auto breached = silence_of("severity=breached", T, hours(1));
    EXPECT_FALSE(silence_matches(breached.matchers, ldr_us, "at_risk"));
    EXPECT_TRUE(silence_matches(breached.matchers, ldr_us, "breached"));
    const auto stale_kind = silence_of("kind=stale", T, hours(1));
    EXPECT_TRUE(silence_matches(stale_kind.matchers, stale, "at_risk"));
    EXPECT_FALSE(silence_matches(stale_kind.matchers, ldr_us, "at_risk"));
    const auto one = silence_of("alert=" + kLdr10, T, hours(1));
    EXPECT_TRUE(silence_matches(one.matchers, ldr_us, "at_risk"));
    EXPECT_FALSE(silence_matches(one.matchers, ship, "at_risk"));
    // Only an active silence silences; the first matching one is named.
    const std::vector<silence> all = {
        silence_of("kind=stale", T, hours(1), 1),
        silence_of("marketplace=ATVPDKIKX0DER", T + hours(1), hours(1), 2)};
    EXPECT_EQ(silenced_by(all, ldr_us, "at_risk", T), std::nullopt);
    EXPECT_EQ(silenced_by(all, ldr_us, "at_risk", T + hours(1)), 2);
    EXPECT_EQ(silenced_by(all, stale, "at_risk", T), 1);
    EXPECT_EQ(silenced_by(all, stale, "at_risk", T + hours(1)), std::nullopt);
}

TEST(SilenceMatching, StoredAlertsKeepWhatTheMatchersJudge) {
    const auto metric = alert_identity(kLdr10, "metric", "");
    EXPECT_EQ(metric.marketplace, kUS);
    EXPECT_EQ(concerned_metric(metric), "late_dispatch_rate");
    const auto ship = alert_identity("ship_deadline|111-1", "ship_deadline",
                                     R"({"expires_at": 1, "marketplace": "A1F83G8C2ARO7P"})");
    EXPECT_EQ(ship.marketplace, kUK);
    const auto stale = alert_identity("stale_data|shipments", "stale_data", "");
    EXPECT_EQ(stale.marketplace, "");
}

TEST(Acknowledgement, HoldsForItsEpisodeAndSeverityOnly) {
    alert_ack a;
    a.fingerprint = kLdr10;
    a.episode_start = T;
    a.acked_severity = severity::breached;
    EXPECT_TRUE(ack_holds(a, T, severity::breached));
    EXPECT_FALSE(ack_holds(a, T, severity::at_risk));
    EXPECT_FALSE(ack_holds(a, T + hours(1), severity::breached));
    a.ended_at = T + hours(1);
    EXPECT_FALSE(ack_holds(a, T, severity::breached));
}

TEST(Acknowledgement, UnnotifiedKeepsTheBookkeepingOfBefore) {
    lifecycle before;
    before.state = phase::firing;
    before.last_notified_at = T;
    before.last_notified_severity = severity::at_risk;
    before.peak_notified_severity = severity::at_risk;
    before.notifications = 1;
    lifecycle after = before;
    after.current = severity::breached;
    after.last_notified_at = T + hours(1);
    after.last_notified_severity = severity::breached;
    after.peak_notified_severity = severity::breached;
    after.notifications = 2;
    const auto kept = unnotified(after, before);
    EXPECT_EQ(kept.current, severity::breached);
    EXPECT_EQ(kept.last_notified_at, T);
    EXPECT_EQ(kept.last_notified_severity, severity::at_risk);
    EXPECT_EQ(kept.notifications, 1);
    const auto first = unnotified(after, std::nullopt);
    EXPECT_FALSE(first.last_notified_at);
    EXPECT_FALSE(first.peak_notified_severity);
    EXPECT_EQ(first.notifications, 0);
}

TEST(Acknowledgement, AFiringAlertNobodyWasToldOfFiresAtItsNextStep) {
    lifecycle kept;  // what a silence left: firing, no notice recorded
    kept.state = phase::firing;
    kept.current = severity::breached;
    kept.pending_count = 1;
    kept.episode_start = T;
    const observation breached{metrics::metric_status::breached, 0.05, 0.03,
                               metric_direction::lower_is_better};
    const auto s = step(kept, breached, policy{}, T + hours(1));
    EXPECT_EQ(s.what, transition::firing);
    ASSERT_TRUE(s.next);
    EXPECT_EQ(s.next->episode_start, T);
    EXPECT_EQ(s.next->last_notified_at, T + hours(1));
    EXPECT_EQ(s.next->notifications, 1);
}

// ---- through the alert cycle ----

config::config base_config() {
    config::config cfg = config::default_config();
    cfg.account = "Acme Trading";
    config::alert_channel team;
    team.name = "team";
    team.type = "webhook";
    team.url = "https://hooks.example.com/team";
    cfg.alerts.channels = {team};
    return cfg;
}

// Late dispatch (warn 3 %, target 4 %): 3/100 at risk, 5/100 breached, 2/100 ok.
metrics::evaluation eval(const config::config& cfg, instant now, std::int64_t late,
                         const std::string& marketplace = kUS) {
    metrics::evaluation e;
    e.as_of = now;
    e.metrics = {metrics::make_result(metric_key::late_dispatch_rate, marketplace, "MFN", 10,
                                      cfg.thresholds(metric_key::late_dispatch_rate, marketplace),
                                      now, {late, 100, std::nullopt})};
    return e;
}

class quiet_db {
  public:
    quiet_db() {
        auto db = store::database::open(dir_ / "shd.sqlite");
        if (!db)
            throw std::runtime_error(db.error().text);
        db_.emplace(std::move(*db));
    }
    SQLite::Database& handle() { return db_->handle(); }

    cycle_summary cycle(const config::config& cfg, instant now, std::int64_t late) {
        return cycle(cfg, now, eval(cfg, now, late));
    }

    cycle_summary cycle(const config::config& cfg, instant now, const metrics::evaluation& e) {
        auto s = process_cycle(*db_, cfg, e, now);
        if (!s)
            throw std::runtime_error(s.error().text);
        return std::move(*s);
    }

    // Each outbox row's alerts as "transition/severity".
    std::vector<std::string> notices() {
        std::vector<std::string> out;
        SQLite::Statement q(handle(), "SELECT payload FROM outbox ORDER BY id");
        while (q.executeStep()) {
            const auto n = notification_from_json(q.getColumn(0).getString()).value();
            for (const auto& a : n.alerts)
                out.push_back(a.transition + "/" + a.severity);
        }
        return out;
    }

    long long add_silence(const std::string& match, instant start, std::chrono::seconds length) {
        return insert_silence(handle(), silence_of(match, start, length));
    }

    void ack(instant at) {
        const auto named = alerts_named(load_open_alerts(handle()), kLdr10);
        ASSERT_EQ(named.size(), 1u);
        alert_ack a;
        a.fingerprint = named[0].fingerprint;
        a.episode_start = named[0].episode_start;
        a.acked_severity = severity_from_name(named[0].severity).value();
        a.acked_at = at;
        insert_ack(handle(), a);
    }

  private:
    test::temp_dir dir_;
    std::optional<store::database> db_;
};

using notices = std::vector<std::string>;

TEST(SilenceCycle, ASilencedAlertStepsButEnqueuesNothingThenFiresAfterTheSilence) {
    quiet_db q;
    const auto cfg = base_config();
    const auto id =
        q.add_silence("marketplace=ATVPDKIKX0DER,metric=late_dispatch_rate", T, hours(4));
    const auto first = q.cycle(cfg, T, 5);
    EXPECT_EQ(first.firing, 1u);  // it steps through its lifecycle
    EXPECT_TRUE(first.changes.empty());
    ASSERT_EQ(first.kept_back.size(), 1u);
    EXPECT_EQ(first.kept_back[0].silence_id, id);
    EXPECT_EQ(first.outbox_rows, 0u);
    // The same every cycle while the silence lasts, past a repeat interval.
    for (const auto h : {1, 3})
        EXPECT_EQ(q.cycle(cfg, T + hours(h), 5).outbox_rows, 0u);
    EXPECT_TRUE(q.notices().empty());
    // Status sees it firing and silenced.
    const auto open = quiet_alerts(load_open_alerts(q.handle()), load_silences(q.handle()),
                                   load_open_acks(q.handle()), T + hours(3));
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].alert.state, "firing");
    EXPECT_EQ(open[0].silenced_by, id);
    // Ended: the first notice of the episode, once, dated from its start.
    const auto after = q.cycle(cfg, T + hours(4), 5);
    ASSERT_EQ(after.changes.size(), 1u);
    EXPECT_EQ(after.changes[0].transition, "firing");
    EXPECT_EQ(after.changes[0].since, T);
    EXPECT_EQ(q.cycle(cfg, T + hours(5), 5).outbox_rows, 0u);
    EXPECT_EQ(q.notices(), notices{"firing/breached"});
}

TEST(SilenceCycle, ExpiringASilenceSendsWhatItKeptBack) {
    quiet_db q;
    const auto cfg = base_config();
    const auto id = q.add_silence("kind=metric", T, hours(24));
    q.cycle(cfg, T, 3);
    EXPECT_EQ(expire_silence(q.handle(), id, T + hours(1)), expire_outcome::expired);
    EXPECT_EQ(expire_silence(q.handle(), id, T + hours(2)), expire_outcome::already_ended);
    EXPECT_EQ(expire_silence(q.handle(), id + 1, T + hours(2)), expire_outcome::not_found);
    q.cycle(cfg, T + hours(1), 3);
    EXPECT_EQ(q.notices(), notices{"firing/at_risk"});
}

TEST(SilenceCycle, AnEpisodeNobodyHeardOfResolvesSilently) {
    quiet_db q;
    const auto cfg = base_config();
    q.add_silence("metric=late_dispatch_rate", T, hours(4));
    q.cycle(cfg, T, 5);
    const auto resolved = q.cycle(cfg, T + hours(1), 2);
    EXPECT_TRUE(resolved.changes.empty());
    EXPECT_EQ(resolved.firing, 0u);
    q.cycle(cfg, T + hours(5), 2);
    EXPECT_TRUE(q.notices().empty());
}

TEST(SilenceCycle, AnEpisodeAChannelHeardOfStillResolvesThere) {
    quiet_db q;
    const auto cfg = base_config();
    q.cycle(cfg, T, 3);
    q.add_silence("metric=late_dispatch_rate", T + hours(1), hours(24));
    q.cycle(cfg, T + hours(1), 5);   // escalation kept back
    q.cycle(cfg, T + hours(13), 5);  // repeat kept back
    q.cycle(cfg, T + hours(14), 2);  // the resolve closes what the channel heard of
    EXPECT_EQ(q.notices(), (notices{"firing/at_risk", "resolved/at_risk"}));
}

TEST(SilenceCycle, AnEscalationKeptBackIsSentWhenTheSilenceEnds) {
    quiet_db q;
    const auto cfg = base_config();
    q.cycle(cfg, T, 3);
    q.add_silence("severity=breached", T, hours(2));
    q.cycle(cfg, T + hours(1), 5);
    EXPECT_EQ(q.notices(), notices{"firing/at_risk"});
    q.cycle(cfg, T + hours(2), 5);
    EXPECT_EQ(q.notices(), (notices{"firing/at_risk", "escalated/breached"}));
}

TEST(SilenceCycle, SilencesOfOtherAlertsChangeNothing) {
    quiet_db q;
    const auto cfg = base_config();
    q.add_silence("marketplace=A1F83G8C2ARO7P", T, hours(4));
    q.add_silence("kind=stale", T, hours(4));
    q.add_silence("metric=late_dispatch_rate", T + hours(1), hours(4));  // pending
    q.cycle(cfg, T, 5);
    EXPECT_EQ(q.notices(), notices{"firing/breached"});
}

TEST(SilenceCycle, ADeadlineAlertKeptBackFiresWhenTheSilenceEndsBeforeTheDeadline) {
    quiet_db q;
    const auto cfg = base_config();  // message_deadline_warn 20h
    const instant received = T - hours(20);
    const auto at = [&](instant now) {
        metrics::evaluation e = eval(cfg, now, 0);
        metrics::upcoming_events u;
        u.marketplace_id = kUK;
        u.unanswered_messages = {
            {"M1", "202-0000001-0000001", received, received + hours(24), false}};
        e.upcoming = {u};
        return e;
    };
    q.add_silence("marketplace=A1F83G8C2ARO7P,kind=deadline", T, hours(1));
    EXPECT_EQ(q.cycle(cfg, T, at(T)).kept_back.size(), 1u);
    EXPECT_TRUE(q.notices().empty());
    const auto open = load_open_alerts(q.handle());
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(
        alert_identity(open[0].fingerprint, open[0].kind, open[0].last_observation).marketplace,
        kUK);
    q.cycle(cfg, T + hours(1), at(T + hours(1)));
    q.cycle(cfg, T + hours(2), at(T + hours(2)));
    EXPECT_EQ(q.notices(), notices{"firing/at_risk"});
}

TEST(AckCycle, NoRepeatUntilTheSeverityChangesThenEscalationAndResolveGoOut) {
    quiet_db q;
    auto cfg = base_config();  // repeat_interval 12h
    q.cycle(cfg, T, 3);
    q.ack(T + hours(1));
    for (const auto h : {12, 13, 24})
        EXPECT_EQ(q.cycle(cfg, T + hours(h), 3).kept_back.size(), 1u) << h;
    EXPECT_EQ(q.notices(), notices{"firing/at_risk"});
    // Breached: the escalation goes out and the ack ends with it.
    q.cycle(cfg, T + hours(25), 5);
    EXPECT_EQ(load_open_acks(q.handle()).size(), 0u);
    q.cycle(cfg, T + hours(37), 5);  // a repeat again
    q.cycle(cfg, T + hours(38), 2);  // and the resolve
    EXPECT_EQ(q.notices(), (notices{"firing/at_risk", "escalated/breached", "repeat/breached",
                                    "resolved/breached"}));
}

TEST(AckCycle, AcknowledgedBreachStillResolvesAndANewEpisodeStartsUnacknowledged) {
    quiet_db q;
    const auto cfg = base_config();
    q.cycle(cfg, T, 5);
    q.ack(T);
    q.cycle(cfg, T + hours(12), 5);
    q.cycle(cfg, T + hours(13), 2);
    EXPECT_EQ(q.notices(), (notices{"firing/breached", "resolved/breached"}));
    q.cycle(cfg, T + hours(14), 5);
    q.cycle(cfg, T + hours(26), 5);
    EXPECT_EQ(q.notices(), (notices{"firing/breached", "resolved/breached", "firing/breached",
                                    "repeat/breached"}));
}

TEST(AckCycle, ADropInSeverityEndsTheAck) {
    quiet_db q;
    const auto cfg = base_config();
    q.cycle(cfg, T, 5);
    q.ack(T);
    q.cycle(cfg, T + hours(1), 3);  // at risk now: not what was acknowledged
    EXPECT_TRUE(load_open_acks(q.handle()).empty());
    q.cycle(cfg, T + hours(12), 3);
    EXPECT_EQ(q.notices(), (notices{"firing/breached", "repeat/at_risk"}));
}

TEST(SilenceStore, SilencesAndAcksSurviveReopeningTheFile) {
    test::temp_dir dir;
    {
        auto db = store::database::open(dir / "shd.sqlite").value();
        auto s = silence_of("metric=late_dispatch_rate,marketplace=A1F83G8C2ARO7P", T, hours(4));
        s.comment = "carrier strike";
        s.created_by = "ops";
        EXPECT_EQ(insert_silence(db.handle(), s), 1);
    }
    auto db = store::database::open(dir / "shd.sqlite").value();
    const auto all = load_silences(db.handle());
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].comment, "carrier strike");
    EXPECT_EQ(all[0].created_by, "ops");
    EXPECT_EQ(all[0].ends_at, T + hours(4));
    EXPECT_EQ(matchers_text(all[0].matchers),
              "marketplace=A1F83G8C2ARO7P,metric=late_dispatch_rate");
    const auto j = nlohmann::json::parse(silences_json(all, T + hours(1)));
    EXPECT_EQ(j.at(0).at("state"), "active");
    EXPECT_EQ(j.at(0).at("ends_at"), "2026-03-02T16:00:00Z");
    EXPECT_EQ(j.at(0).at("match").at("marketplace").at(0), kUK);
}

TEST(SilenceStore, AckNamesAFiringAlertByItsFingerprintOrAUniqueStart) {
    std::vector<open_alert> open = {
        {kLdr10, "metric", "firing", "at_risk", T, T, ""},
        {"late_dispatch_rate|ATVPDKIKX0DER|MFN|30", "metric", "firing", "at_risk", T, T, ""},
        {"stale_data|shipments", "stale_data", "pending", "at_risk", T, std::nullopt, ""}};
    EXPECT_EQ(alerts_named(open, kLdr10).size(), 1u);
    EXPECT_EQ(alerts_named(open, "late_dispatch_rate|ATVPDKIKX0DER|MFN|1").size(), 1u);
    EXPECT_EQ(alerts_named(open, "late_dispatch_rate").size(), 2u);
    EXPECT_TRUE(alerts_named(open, "stale_data").empty());  // pending: nothing to acknowledge
    EXPECT_TRUE(alerts_named(open, "").empty());
}

TEST(SilenceStatus, StatusJsonGetsSilencesAndAlertsBesideTheMetrics) {
    const std::string status = "{\n  \"as_of\": \"x\",\n  \"metrics\": []\n}";
    const std::vector<silence> silences = {silence_of("kind=stale", T, hours(1), 1),
                                           silence_of("kind=metric", T - hours(2), hours(1), 2)};
    quiet_alert q{{kLdr10, "metric", "firing", "breached", T, T, ""}, std::nullopt, 1};
    const auto doc = nlohmann::json::parse(with_quiet_json(status, silences, {q}, T));
    EXPECT_EQ(doc.at("metrics"), nlohmann::json::array());
    ASSERT_EQ(doc.at("silences").size(), 1u);  // the expired one is left out
    EXPECT_EQ(doc.at("silences").at(0).at("id"), 1);
    ASSERT_EQ(doc.at("alerts").size(), 1u);
    EXPECT_EQ(doc.at("alerts").at(0).at("silenced_by"), 1);
    EXPECT_EQ(doc.at("alerts").at(0).at("acknowledged"), false);
    const auto table = quiet_table(silences, {q}, T);
    EXPECT_NE(table.find("silenced by 1"), std::string::npos) << table;
    EXPECT_NE(table.find("kind=stale"), std::string::npos) << table;
}

}  // namespace
}  // namespace shd::alerts
