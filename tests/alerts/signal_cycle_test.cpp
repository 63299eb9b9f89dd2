// Amazon's own signals and the SP-API's health through process_cycle, with
// a real SQLite file: the snapshots and spapi_sources rows the store holds
// become alerts of their own kinds that fire, repeat and resolve through the
// outbox like metric alerts, with the snapshot's values in the notice.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "alerts/cycle.hpp"
#include "alerts/signal_inputs.hpp"
#include "support/test_support.hpp"

namespace shd::alerts {
namespace {

constexpr const char* kUS = "ATVPDKIKX0DER";

instant at(const char* iso) {
    return *parse_iso8601(iso);
}

const instant T = at("2026-03-02T12:00:00Z");

config::config base_config() {
    config::config cfg = config::default_config();
    cfg.account = "Acme Trading";
    config::alert_channel c;
    c.name = "team";
    c.type = "webhook";
    c.url = "https://hooks.example.com/team";
    c.min_severity = "at_risk";
    cfg.alerts.channels = {c};
    return cfg;
}

struct amazon_metric_row {
    std::string metric;
    std::string channel;
    std::optional<double> rate;
    std::string status;
    std::optional<long long> numerator;
    std::optional<long long> denominator;
};

class signal_db {
  public:
    signal_db() {
        auto db = store::database::open(dir_ / "shd.sqlite");
        if (!db)
            throw std::runtime_error(db.error().text);
        db_.emplace(std::move(*db));
    }

    SQLite::Database& handle() { return db_->handle(); }

    // An imported account-health snapshot of the US marketplace.
    void snapshot(instant taken_at, const std::string& status,
                  const std::vector<amazon_metric_row>& metrics) {
        auto& db = handle();
        SQLite::Statement imp(
            db,
            "INSERT INTO imports(file_name, sha256, format, imported_at,"
            " row_count, order_count) VALUES (?1, ?2, 'account_health', ?3, 0, 0)");
        imp.bind(1, "health.json");
        imp.bind(2, "sha-" + std::to_string(++imports_));
        imp.bind(3, static_cast<std::int64_t>(to_unix(taken_at)));
        imp.exec();
        const auto import_id = db.getLastInsertRowid();
        SQLite::Statement snap(db,
                               "INSERT INTO account_health_snapshots(import_id, taken_at, document)"
                               " VALUES (?1, ?2, '{}')");
        snap.bind(1, import_id);
        snap.bind(2, static_cast<std::int64_t>(to_unix(taken_at)));
        snap.exec();
        const auto id = db.getLastInsertRowid();
        SQLite::Statement st(db,
                             "INSERT INTO account_statuses(snapshot_id, marketplace_id, status)"
                             " VALUES (?1, ?2, ?3)");
        st.bind(1, id);
        st.bind(2, kUS);
        st.bind(3, status);
        st.exec();
        for (const auto& m : metrics) {
            SQLite::Statement q(db,
                                "INSERT INTO account_health_metrics(snapshot_id, marketplace_id,"
                                " metric, channel, rate, status, numerator, denominator, window_to)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
            q.bind(1, id);
            q.bind(2, kUS);
            q.bind(3, m.metric);
            q.bind(4, m.channel);
            if (m.rate)
                q.bind(5, *m.rate);
            q.bind(6, m.status);
            if (m.numerator)
                q.bind(7, static_cast<std::int64_t>(*m.numerator));
            if (m.denominator)
                q.bind(8, static_cast<std::int64_t>(*m.denominator));
            q.bind(9, static_cast<std::int64_t>(to_unix(taken_at)));
            q.exec();
        }
    }

    cycle_summary cycle(const config::config& cfg, const metrics::evaluation& e, instant now) {
        auto s = process_cycle(*db_, cfg, e, now);
        if (!s)
            throw std::runtime_error(s.error().text);
        return std::move(*s);
    }

    std::vector<notification> outbox() {
        std::vector<notification> out;
        SQLite::Statement q(handle(), "SELECT payload FROM outbox ORDER BY id");
        while (q.executeStep()) {
            auto n = notification_from_json(q.getColumn(0).getString());
            if (!n)
                throw std::runtime_error(n.error().text);
            out.push_back(std::move(*n));
        }
        return out;
    }

    std::map<std::string, std::string> states() {
        std::map<std::string, std::string> out;
        SQLite::Statement q(handle(), "SELECT fingerprint, kind FROM alert_states");
        while (q.executeStep())
            out[q.getColumn(0).getString()] = q.getColumn(1).getString();
        return out;
    }

  private:
    test::temp_dir dir_;
    std::optional<store::database> db_;
    int imports_ = 0;
};

// The evaluation as the engine gives it: our ODR beside Amazon's.
metrics::evaluation eval_with_ours(instant now, std::optional<double> our_odr) {
    metrics::evaluation e;
    e.as_of = now;
    e.reconcile_tolerance = 0.005;
    metrics::amazon_snapshot s;
    s.marketplace_id = kUS;
    metrics::amazon_metric m;
    m.metric = "order_defect_rate";
    m.channel = "MFN";
    m.our_rate = our_odr;
    s.metrics.push_back(m);
    e.amazon.push_back(s);
    return e;
}

const alert_change* find_change(const std::vector<alert_change>& changes, const std::string& fp) {
    for (const auto& c : changes) {
        if (c.fingerprint == fp)
            return &c;
    }
    return nullptr;
}

const std::string kStatus = std::string("account_status|") + kUS;
const std::string kAhr = std::string("ahr_status|") + kUS;
const std::string kOdr = std::string("amazon_divergence|order_defect_rate|") + kUS + "|MFN";
const std::string kViolations =
    std::string("policy_violations|") + kUS + "|listingPolicyViolations";

TEST(SignalCycle, StatusAndDivergenceFireWithTheirValuesAndResolveOnANormalSnapshot) {
    signal_db db;
    const auto cfg = base_config();
    db.snapshot(T - std::chrono::hours(2), "AT_RISK",
                {{"order_defect_rate", "MFN", 0.004, "GOOD", 2, 500}});
    const auto fired = db.cycle(cfg, eval_with_ours(T, 0.012), T);
    const auto* status = find_change(fired.changes, kStatus);
    const auto* odr = find_change(fired.changes, kOdr);
    ASSERT_NE(status, nullptr);
    ASSERT_NE(odr, nullptr);
    EXPECT_EQ(status->kind, "account_status");
    EXPECT_EQ(status->transition, "firing");
    EXPECT_EQ(status->severity, "at_risk");
    EXPECT_EQ(status->title, "[AT RISK] Amazon account status AT_RISK in ATVPDKIKX0DER");
    ASSERT_TRUE(status->signal);
    EXPECT_EQ(status->signal->status, "AT_RISK");
    EXPECT_EQ(status->signal->taken_at, T - std::chrono::hours(2));
    EXPECT_EQ(odr->kind, "amazon_divergence");
    EXPECT_EQ(odr->channel, "MFN");
    ASSERT_TRUE(odr->signal);
    EXPECT_DOUBLE_EQ(*odr->signal->our_rate, 0.012);
    EXPECT_DOUBLE_EQ(*odr->signal->amazon_rate, 0.004);
    EXPECT_NE(odr->headroom_text.find("1.20%"), std::string::npos) << odr->headroom_text;
    EXPECT_NE(odr->headroom_text.find("0.40% (2 of 500)"), std::string::npos) << odr->headroom_text;
    EXPECT_FALSE(odr->advice.empty());

    // The outbox holds them, values included, for every channel to render.
    auto rows = db.outbox();
    ASSERT_EQ(rows.size(), 1u);
    ASSERT_EQ(rows[0].alerts.size(), 2u);
    EXPECT_EQ(db.states(), (std::map<std::string, std::string>{{kStatus, "account_status"},
                                                               {kOdr, "amazon_divergence"}}));
    ASSERT_TRUE(rows[0].alerts[1].signal || rows[0].alerts[0].signal);

    // Nothing new an hour later: no second notice.
    EXPECT_TRUE(
        db.cycle(cfg, eval_with_ours(T + std::chrono::hours(1), 0.012), T + std::chrono::hours(1))
            .changes.empty());

    // Past repeat_interval: a repeat of each.
    const instant later = T + cfg.alerts.repeat_interval + std::chrono::hours(1);
    const auto repeated = db.cycle(cfg, eval_with_ours(later, 0.012), later);
    ASSERT_EQ(repeated.changes.size(), 2u);
    EXPECT_EQ(repeated.changes[0].transition, "repeat");

    // A NORMAL snapshot with Amazon's ODR close to ours resolves both, and
    // says what it is now.
    const instant next = later + std::chrono::hours(4);
    db.snapshot(next - std::chrono::hours(1), "NORMAL",
                {{"order_defect_rate", "MFN", 0.011, "GOOD", 5, 500}});
    const auto resolved = db.cycle(cfg, eval_with_ours(next, 0.012), next);
    status = find_change(resolved.changes, kStatus);
    odr = find_change(resolved.changes, kOdr);
    ASSERT_NE(status, nullptr);
    ASSERT_NE(odr, nullptr);
    EXPECT_EQ(status->transition, "resolved");
    EXPECT_EQ(status->title, "[RESOLVED] Amazon account status NORMAL in ATVPDKIKX0DER");
    EXPECT_EQ(status->signal->status, "NORMAL");
    EXPECT_EQ(odr->transition, "resolved");
    EXPECT_DOUBLE_EQ(*odr->signal->amazon_rate, 0.011);
    EXPECT_TRUE(db.states().empty());
    EXPECT_EQ(db.outbox().size(), 3u);
}

TEST(SignalCycle, DeactivatedEscalatesToBreached) {
    signal_db db;
    const auto cfg = base_config();
    db.snapshot(T - std::chrono::hours(1), "AT_RISK", {});
    db.cycle(cfg, eval_with_ours(T, std::nullopt), T);
    db.snapshot(T + std::chrono::hours(1), "DEACTIVATED", {});
    const auto s = db.cycle(cfg, eval_with_ours(T + std::chrono::hours(2), std::nullopt),
                            T + std::chrono::hours(2));
    ASSERT_EQ(s.changes.size(), 1u);
    EXPECT_EQ(s.changes[0].transition, "escalated");
    EXPECT_EQ(s.changes[0].severity, "breached");
    EXPECT_EQ(s.changes[0].title, "[BREACHED] Amazon account status DEACTIVATED in ATVPDKIKX0DER");
}

TEST(SignalCycle, AWorseningHoldsUntilBackAtItsBaselineNotMerelyUntilTheNextSnapshot) {
    signal_db db;
    const auto cfg = base_config();
    db.snapshot(T - std::chrono::hours(8), "NORMAL",
                {{"accountHealthRating", "all", std::nullopt, "GOOD", 250, std::nullopt},
                 {"listingPolicyViolations", "all", std::nullopt, "GOOD", 1, std::nullopt}});
    EXPECT_TRUE(db.cycle(cfg, eval_with_ours(T - std::chrono::hours(7), std::nullopt),
                         T - std::chrono::hours(7))
                    .changes.empty())
        << "a first snapshot has nothing to be worse than";
    db.snapshot(T - std::chrono::hours(4), "NORMAL",
                {{"accountHealthRating", "all", std::nullopt, "AT_RISK", 180, std::nullopt},
                 {"listingPolicyViolations", "all", std::nullopt, "BAD", 3, std::nullopt}});
    auto s = db.cycle(cfg, eval_with_ours(T - std::chrono::hours(3), std::nullopt),
                      T - std::chrono::hours(3));
    const auto* ahr = find_change(s.changes, kAhr);
    const auto* violations = find_change(s.changes, kViolations);
    ASSERT_NE(ahr, nullptr);
    ASSERT_NE(violations, nullptr);
    EXPECT_EQ(ahr->severity, "breached");
    EXPECT_EQ(ahr->signal->previous_status, "GOOD");
    EXPECT_EQ(violations->signal->count, 3);
    EXPECT_EQ(violations->signal->previous_count, 1);

    // The next snapshot repeats the worse values: still firing, nothing new.
    db.snapshot(T, "NORMAL",
                {{"accountHealthRating", "all", std::nullopt, "AT_RISK", 175, std::nullopt},
                 {"listingPolicyViolations", "all", std::nullopt, "BAD", 2, std::nullopt}});
    s = db.cycle(cfg, eval_with_ours(T, std::nullopt), T);
    EXPECT_TRUE(s.changes.empty());
    EXPECT_EQ(db.states().size(), 2u);

    // Back at the baseline: both resolve.
    db.snapshot(T + std::chrono::hours(4), "NORMAL",
                {{"accountHealthRating", "all", std::nullopt, "GOOD", 240, std::nullopt},
                 {"listingPolicyViolations", "all", std::nullopt, "GOOD", 1, std::nullopt}});
    s = db.cycle(cfg, eval_with_ours(T + std::chrono::hours(5), std::nullopt),
                 T + std::chrono::hours(5));
    ASSERT_EQ(s.changes.size(), 2u);
    EXPECT_EQ(s.changes[0].transition, "resolved");
    EXPECT_EQ(s.changes[1].transition, "resolved");
    EXPECT_TRUE(db.states().empty());
}

TEST(SignalCycle, SpApiAuthExpiryAndASilentSourceAlertAndResolve) {
    signal_db db;
    auto cfg = base_config();
    cfg.sp_api.emplace();
    cfg.sp_api->marketplaces = {kUS};
    cfg.sp_api->client_secret_expires = "2026-03-10";
    auto& sql = db.handle();
    sql.exec(
        "INSERT INTO spapi_sources(source, marketplace_id, last_attempt_at, last_success_at,"
        " first_attempt_at, last_error, auth_refused) VALUES"
        " ('orders', 'ATVPDKIKX0DER', " +
        std::to_string(to_unix(T)) + ", " + std::to_string(to_unix(T - std::chrono::hours(2))) +
        ", " + std::to_string(to_unix(T - std::chrono::hours(30))) +
        ", 'Login with Amazon: invalid_grant (The refresh token is invalid)', 1)");
    const auto s = db.cycle(cfg, eval_with_ours(T, std::nullopt), T);
    EXPECT_NE(find_change(s.changes, "sp_api_auth"), nullptr);
    EXPECT_NE(find_change(s.changes, "sp_api_secret_expiry"), nullptr);
    const auto* silent = find_change(s.changes, "sp_api_source|orders|ATVPDKIKX0DER");
    ASSERT_NE(silent, nullptr);
    EXPECT_EQ(silent->signal->subject, "orders");
    EXPECT_NE(find_change(s.changes, "sp_api_auth")->headroom_text.find("invalid_grant"),
              std::string::npos);

    // A success clears the refusal and the silence; without the expiry date
    // nothing observes the secret any more: all three resolve.
    sql.exec("UPDATE spapi_sources SET auth_refused = 0, last_error = NULL, last_success_at = " +
             std::to_string(to_unix(T + std::chrono::minutes(10))));
    cfg.sp_api->client_secret_expires.clear();
    const auto r = db.cycle(cfg, eval_with_ours(T + std::chrono::minutes(15), std::nullopt),
                            T + std::chrono::minutes(15));
    ASSERT_EQ(r.changes.size(), 3u);
    for (const auto& c : r.changes)
        EXPECT_EQ(c.transition, "resolved") << c.fingerprint;
    EXPECT_NE(find_change(r.changes, "sp_api_secret_expiry")->title.find("no longer observed"),
              std::string::npos);
    EXPECT_TRUE(db.states().empty());
}

TEST(SignalInputs, TheNewestAttemptSaysWhetherTheCredentialsAreRefused) {
    signal_db db;
    auto cfg = base_config();
    cfg.sp_api.emplace();
    cfg.sp_api->marketplaces = {kUS};
    const auto row = [&](const char* source, const char* marketplace, instant attempt,
                         bool refused) {
        SQLite::Statement q(db.handle(),
                            "INSERT OR REPLACE INTO spapi_sources(source, marketplace_id,"
                            " last_attempt_at, last_success_at, first_attempt_at, last_error,"
                            " auth_refused) VALUES (?1, ?2, ?3, ?3, ?3, ?4, ?5)");
        q.bind(1, source);
        q.bind(2, marketplace);
        q.bind(3, static_cast<std::int64_t>(to_unix(attempt)));
        if (refused)
            q.bind(4, "Login with Amazon: invalid_client");
        q.bind(5, refused ? 1 : 0);
        q.exec();
    };
    row("orders", kUS, T - std::chrono::hours(1), true);
    row("finances", "", T, false);
    EXPECT_FALSE(load_access_health(db.handle(), cfg).auth_refused)
        << "a later attempt got a token";
    row("finances", "", T + std::chrono::minutes(1), true);
    const auto h = load_access_health(db.handle(), cfg);
    EXPECT_TRUE(h.auth_refused);
    EXPECT_EQ(h.auth_error, "invalid_client");
    ASSERT_EQ(h.sources.size(), 2u);
    EXPECT_EQ(h.sources[0].interval, cfg.sp_api->schedule.finances);
}

TEST(SignalInputs, TheTwoNewestSnapshotsPerMarketplaceAsOfT) {
    signal_db db;
    db.snapshot(T - std::chrono::hours(10), "NORMAL", {});
    db.snapshot(T - std::chrono::hours(5), "AT_RISK", {});
    db.snapshot(T + std::chrono::hours(5), "DEACTIVATED", {});  // not known yet as of T
    const auto pairs = load_snapshot_pairs(db.handle(), T);
    ASSERT_EQ(pairs.size(), 1u);
    EXPECT_EQ(pairs[0].current.statuses.at(0).status, "AT_RISK");
    ASSERT_TRUE(pairs[0].previous);
    EXPECT_EQ(pairs[0].previous->statuses.at(0).status, "NORMAL");
}

}  // namespace
}  // namespace shd::alerts
