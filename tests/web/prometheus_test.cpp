// The Prometheus exposition: exact lines for a hand-made snapshot, escaping,
// omitted values, the one-hot status, and the whole text read by a real
// parser (prometheus_client, via check_exposition.py) plus the strict checks.
#include "web/prometheus.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "core/marketplaces.hpp"
#include "support/test_support.hpp"
#include "web_fixture.hpp"
#include "web_process.hpp"

namespace shd::web {
namespace {

using namespace shd::web::test;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// The exposition without its # HELP lines (their wording is checked apart).
std::string without_help(const std::string& text) {
    std::string out;
    for (const auto& line : lines_of(text)) {
        if (line.rfind("# HELP ", 0) != 0)
            out += line + "\n";
    }
    return out;
}

snapshot hand_made() {
    const instant t = at("2026-03-01T12:00:00Z");
    snapshot s;
    s.account = "Acme";
    s.version = "0.1.0";
    s.started_at = at("2026-02-23T09:00:00Z");
    metrics::evaluation e;
    e.as_of = t;
    e.metrics.push_back(make_row(kUS, metric_key::late_dispatch_rate, "MFN", 10, 6, 170, t));
    e.metrics.push_back(make_row(kUS, metric_key::cancellation_rate, "MFN", 7, 0, 0, t));
    metrics::upcoming_events u;
    u.marketplace_id = kUS;
    u.unanswered_messages = {{"M1", "", t - hours(13), t + hours(11), false},
                             {"M2", "O2", t - hours(30), t - hours(6), true}};
    u.unconfirmed_orders = {{"O3", t + hours(4), false}};
    e.upcoming = {u};
    s.evaluation = e;
    s.alerts = {{"late_dispatch_rate|ATVPDKIKX0DER|MFN|10", "metric", "at_risk", "firing",
                 t - hours(5), std::nullopt},
                {"cancellation_rate|ATVPDKIKX0DER|MFN|7", "metric", "breached", "pending",
                 t - hours(1), std::nullopt},
                {"stale_data", "stale_data", "breached", "resolved", t - days(3), t - days(2)}};
    s.counters.files_imported = 5;
    s.counters.files_rejected = 1;
    s.counters.files_already_imported = 2;
    s.counters.cycles = 100;
    s.counters.cycle_failures = 3;
    s.counters.deliveries = 7;
    s.counters.delivery_failures = 2;
    s.counters.dead_letters = 1;
    s.counters.cycle_durations.observe(0.004);
    s.counters.cycle_durations.observe(0.3);
    s.counters.cycle_durations.observe(45);
    auto ops = channel_delivery_counters::of("ops slack", 6, 2, 1);
    ops.send_durations.observe(0.2);
    ops.send_durations.observe(1.5);
    s.counters.channels = {ops, channel_delivery_counters::of("pager", 1)};
    s.counters.outbox_pending = 4;
    s.counters.last_import_at = at("2026-03-01T11:35:00Z");
    s.alerts[0].acknowledged = true;
    s.silences = {{3, "active", "metric=order_defect_rate", t - hours(1), t + hours(3),
                   "carrier strike", "ops"}};
    return s;
}

TEST(Prometheus, ExactLinesForAHandMadeSnapshot) {
    const std::string account = R"(account="Acme")";
    const std::string ldr =
        R"(account="Acme",metric="late_dispatch_rate",marketplace="ATVPDKIKX0DER",marketplace_code="US",)"
        R"(channel="MFN",window_days="10")";
    const std::string cr =
        R"(account="Acme",metric="cancellation_rate",marketplace="ATVPDKIKX0DER",marketplace_code="US",)"
        R"(channel="MFN",window_days="7")";
    const std::string us = R"(account="Acme",marketplace="ATVPDKIKX0DER",marketplace_code="US")";
    const std::string p = "seller_healthd_";
    std::string expected;
    const auto line = [&](const std::string& l) { expected += l + "\n"; };
    line("# TYPE " + p + "metric_ratio gauge");
    line(p + "metric_ratio{" + ldr + "} 0.03529411764705882");
    line("# TYPE " + p + "metric_numerator gauge");
    line(p + "metric_numerator{" + ldr + "} 6");
    line(p + "metric_numerator{" + cr + "} 0");
    line("# TYPE " + p + "metric_denominator gauge");
    line(p + "metric_denominator{" + ldr + "} 170");
    line(p + "metric_denominator{" + cr + "} 0");
    line("# TYPE " + p + "metric_headroom gauge");
    line(p + "metric_headroom{" + ldr + "} 0");
    line("# TYPE " + p + "metric_warn_threshold_ratio gauge");
    line(p + "metric_warn_threshold_ratio{" + ldr + "} 0.03");
    line(p + "metric_warn_threshold_ratio{" + cr + "} 0.02");
    line("# TYPE " + p + "metric_target_threshold_ratio gauge");
    line(p + "metric_target_threshold_ratio{" + ldr + "} 0.04");
    line(p + "metric_target_threshold_ratio{" + cr + "} 0.025");
    line("# TYPE " + p + "metric_status gauge");
    line(p + "metric_status{" + ldr + ",status=\"ok\"} 0");
    line(p + "metric_status{" + ldr + ",status=\"at_risk\"} 1");
    line(p + "metric_status{" + ldr + ",status=\"breached\"} 0");
    line(p + "metric_status{" + ldr + ",status=\"no_data\"} 0");
    line(p + "metric_status{" + cr + ",status=\"ok\"} 0");
    line(p + "metric_status{" + cr + ",status=\"at_risk\"} 0");
    line(p + "metric_status{" + cr + ",status=\"breached\"} 0");
    line(p + "metric_status{" + cr + ",status=\"no_data\"} 1");
    line("# TYPE " + p + "metric_low_volume gauge");
    line(p + "metric_low_volume{" + ldr + "} 0");
    line(p + "metric_low_volume{" + cr + "} 1");
    line("# TYPE " + p + "metric_stale gauge");
    line(p + "metric_stale{" + ldr + "} 0");
    line(p + "metric_stale{" + cr + "} 0");
    line("# TYPE " + p + "evaluation_timestamp_seconds gauge");
    line(p + "evaluation_timestamp_seconds{" + account + "} 1772366400");
    line("# TYPE " + p + "last_import_timestamp_seconds gauge");
    line(p + "last_import_timestamp_seconds{" + account + "} 1772364900");
    line("# TYPE " + p + "imports_total counter");
    line(p + "imports_total{" + account + ",result=\"imported\"} 5");
    line(p + "imports_total{" + account + ",result=\"rejected\"} 1");
    line(p + "imports_total{" + account + ",result=\"already_imported\"} 2");
    line("# TYPE " + p + "cycles_total counter");
    line(p + "cycles_total{" + account + "} 100");
    line("# TYPE " + p + "cycle_failures_total counter");
    line(p + "cycle_failures_total{" + account + "} 3");
    line("# TYPE " + p + "cycle_duration_seconds histogram");
    const std::vector<std::pair<std::string, int>> cycle_buckets = {
        {"0.005", 1}, {"0.01", 1}, {"0.025", 1}, {"0.05", 1}, {"0.1", 1}, {"0.25", 1}, {"0.5", 2},
        {"1", 2},     {"2.5", 2},  {"5", 2},     {"10", 2},   {"30", 2},  {"+Inf", 3}};
    for (const auto& [le, n] : cycle_buckets)
        line(fmt::format("{}cycle_duration_seconds_bucket{{{},le=\"{}\"}} {}", p, account, le, n));
    line(p + "cycle_duration_seconds_sum{" + account + "} 45.304");
    line(p + "cycle_duration_seconds_count{" + account + "} 3");
    const std::string ops = account + ",channel=\"ops slack\"";
    const std::string pager = account + ",channel=\"pager\"";
    line("# TYPE " + p + "deliveries_total counter");
    line(p + "deliveries_total{" + ops + "} 6");
    line(p + "deliveries_total{" + pager + "} 1");
    line("# TYPE " + p + "delivery_failures_total counter");
    line(p + "delivery_failures_total{" + ops + "} 2");
    line(p + "delivery_failures_total{" + pager + "} 0");
    line("# TYPE " + p + "dead_letters_total counter");
    line(p + "dead_letters_total{" + ops + "} 1");
    line(p + "dead_letters_total{" + pager + "} 0");
    line("# TYPE " + p + "delivery_duration_seconds histogram");
    const std::vector<std::pair<std::string, int>> ops_buckets = {
        {"0.005", 0}, {"0.01", 0}, {"0.025", 0}, {"0.05", 0}, {"0.1", 0}, {"0.25", 1}, {"0.5", 1},
        {"1", 1},     {"2.5", 2},  {"5", 2},     {"10", 2},   {"30", 2},  {"+Inf", 2}};
    for (const auto& [le, n] : ops_buckets)
        line(fmt::format("{}delivery_duration_seconds_bucket{{{},le=\"{}\"}} {}", p, ops, le, n));
    line(p + "delivery_duration_seconds_sum{" + ops + "} 1.7");
    line(p + "delivery_duration_seconds_count{" + ops + "} 2");
    for (const auto& [le, n] : ops_buckets)
        line(fmt::format("{}delivery_duration_seconds_bucket{{{},le=\"{}\"}} 0", p, pager, le));
    line(p + "delivery_duration_seconds_sum{" + pager + "} 0");
    line(p + "delivery_duration_seconds_count{" + pager + "} 0");
    line("# TYPE " + p + "outbox_pending gauge");
    line(p + "outbox_pending{" + account + "} 4");
    line("# TYPE " + p + "alerts_active gauge");
    line(p + "alerts_active{" + account + ",severity=\"at_risk\"} 1");
    line(p + "alerts_active{" + account + ",severity=\"breached\"} 1");
    line("# TYPE " + p + "silences gauge");
    line(p + "silences{" + account + ",state=\"active\"} 1");
    line(p + "silences{" + account + ",state=\"pending\"} 0");
    line("# TYPE " + p + "alerts_acknowledged gauge");
    line(p + "alerts_acknowledged{" + account + "} 1");
    line("# TYPE " + p + "alerts_silenced gauge");
    line(p + "alerts_silenced{" + account + "} 0");
    line("# TYPE " + p + "unanswered_messages gauge");
    line(p + "unanswered_messages{" + us + "} 2");
    line("# TYPE " + p + "unconfirmed_orders gauge");
    line(p + "unconfirmed_orders{" + us + "} 1");
    line("# TYPE " + p + "start_time_seconds gauge");
    line(p + "start_time_seconds{" + account + "} 1771837200");
    line("# TYPE " + p + "build_info gauge");
    line(p + "build_info{" + account + ",version=\"0.1.0\"} 1");

    const std::string text = render_prometheus(hand_made(), at("2026-03-01T12:00:30Z"));
    EXPECT_EQ(without_help(text), expected);
}

TEST(Prometheus, EachFamilyHasOneHelpLineRightBeforeItsType) {
    const auto lines = lines_of(render_prometheus(hand_made(), at("2026-03-01T12:00:30Z")));
    std::map<std::string, int> help_count;
    std::size_t types = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].rfind("# TYPE ", 0) != 0)
            continue;
        ++types;
        const std::string name = lines[i].substr(7, lines[i].find(' ', 7) - 7);
        ASSERT_GT(i, 0u);
        EXPECT_EQ(lines[i - 1].rfind("# HELP " + name + " ", 0), 0u) << lines[i - 1];
        EXPECT_GT(lines[i - 1].size(), ("# HELP " + name + " ").size() + 10) << "help too short";
        ++help_count[name];
    }
    EXPECT_EQ(types, 28u);  // with the two histograms
    for (const auto& [name, n] : help_count)
        EXPECT_EQ(n, 1) << name;
    // The last line ends with a line feed, as the format requires.
    const std::string text = render_prometheus(hand_made(), at("2026-03-01T12:00:30Z"));
    EXPECT_EQ(text.back(), '\n');
}

TEST(Prometheus, EscapesLabelValues) {
    snapshot s = hand_made();
    const std::string nasty = "A\"B\\C\nD";
    s.evaluation->metrics = {
        make_row(nasty, metric_key::late_dispatch_rate, "MFN", 10, 1, 200, s.evaluation->as_of)};
    s.evaluation->upcoming.clear();
    s.version = "1.0 \"beta\"\\\n";
    const std::string text = render_prometheus(s, s.evaluation->as_of);
    EXPECT_THAT(
        text,
        HasSubstr("seller_healthd_metric_ratio{account=\"Acme\",metric=\"late_dispatch_rate\","
                  "marketplace=\"A\\\"B\\\\C\\nD\",marketplace_code="
                  "\"A\\\"B\\\\C\\nD\",channel=\"MFN\",window_days=\"10\"} 0.005\n"));
    EXPECT_THAT(
        text,
        HasSubstr(
            "seller_healthd_build_info{account=\"Acme\",version=\"1.0 \\\"beta\\\"\\\\\\n\"} 1\n"));
    // No raw newline inside any sample line: every line is a comment or a
    // whole sample.
    for (const auto& line : lines_of(text)) {
        if (line.rfind("#", 0) == 0)
            continue;
        EXPECT_EQ(line.rfind("seller_healthd_", 0), 0u) << line;
    }
}

TEST(Prometheus, InvalidUtf8InALabelBecomesTheReplacementCharacter) {
    snapshot s = hand_made();
    s.version = "0.1\xff";
    EXPECT_THAT(
        render_prometheus(s, s.started_at),
        HasSubstr("seller_healthd_build_info{account=\"Acme\",version=\"0.1\xEF\xBF\xBD\"} 1\n"));
}

TEST(Prometheus, LeavesOutTheRateAndHeadroomOfAWindowWithoutData) {
    snapshot s = hand_made();
    // A rate that holds NaN is as missing as no rate.
    auto nan_row =
        make_row(kUK, metric_key::late_dispatch_rate, "MFN", 10, 0, 0, s.evaluation->as_of);
    nan_row.rate = std::numeric_limits<double>::quiet_NaN();
    s.evaluation->metrics.push_back(nan_row);
    const std::string text = render_prometheus(s, s.evaluation->as_of);
    for (const auto& line : lines_of(text)) {
        const std::string value = line.substr(line.rfind(' ') + 1);
        EXPECT_NE(value, "NaN") << line;
        EXPECT_EQ(value.find("nan"), std::string::npos) << line;
    }
    EXPECT_THAT(text, Not(HasSubstr("metric_ratio{account=\"Acme\",metric=\"cancellation_rate\"")));
    EXPECT_THAT(text,
                Not(HasSubstr("metric_headroom{account=\"Acme\",metric=\"cancellation_rate\"")));
    EXPECT_THAT(
        text,
        Not(HasSubstr(
            "metric_ratio{account=\"Acme\",metric=\"late_dispatch_rate\",marketplace=\"A1F")));
    // The counts are still there: 0 of 0 is a fact.
    EXPECT_THAT(
        text,
        HasSubstr(
            "seller_healthd_metric_denominator{account=\"Acme\",metric=\"cancellation_rate\","));
}

TEST(Prometheus, StatusIsOneHotOverTheFourStatuses) {
    const snapshot s = realistic_snapshot();
    const auto lines = lines_of(render_prometheus(s, s.evaluation->as_of));
    std::map<std::string, std::map<std::string, std::string>>
        by_row;  // row labels -> status -> value
    const std::string prefix = "seller_healthd_metric_status{";
    for (const auto& line : lines) {
        if (line.rfind(prefix, 0) != 0)
            continue;
        const auto status_at = line.find(",status=\"");
        ASSERT_NE(status_at, std::string::npos) << line;
        const auto status_end = line.find('"', status_at + 9);
        const std::string row = line.substr(prefix.size(), status_at - prefix.size());
        const std::string status = line.substr(status_at + 9, status_end - status_at - 9);
        by_row[row][status] = line.substr(line.rfind(' ') + 1);
    }
    ASSERT_EQ(by_row.size(), s.evaluation->metrics.size());
    for (const auto& r : s.evaluation->metrics) {
        const std::string row = fmt::format(
            "account=\"{}\",metric=\"{}\",marketplace=\"{}\",marketplace_code=\"{}\","
            "channel=\"{}\",window_days=\"{}\"",
            s.account, definition(r.metric).name, r.marketplace_id,
            marketplace_code(r.marketplace_id), r.channel, r.window_days);
        const auto& statuses = by_row.at(row);
        ASSERT_EQ(statuses.size(), 4u) << row;
        for (const auto& [status, value] : statuses)
            EXPECT_EQ(value, status == metrics::status_name(r.status) ? "1" : "0") << row << status;
    }
}

TEST(Prometheus, ARepeatedRowGivesOneSeries) {
    snapshot s = hand_made();
    s.evaluation->metrics.push_back(s.evaluation->metrics.front());
    s.evaluation->metrics.back().numerator = 99;
    const std::string text = render_prometheus(s, s.evaluation->as_of);
    EXPECT_THAT(text, Not(HasSubstr("} 99\n")));
    std::size_t n = 0;
    for (const auto& line : lines_of(text))
        n += line.rfind("seller_healthd_metric_numerator{", 0) == 0;
    EXPECT_EQ(n, 2u);
}

TEST(Prometheus, BeforeTheFirstEvaluationOnlyTheDaemonFamilies) {
    snapshot s;
    s.version = "0.1.0";
    s.started_at = at("2026-02-23T09:00:00Z");
    const std::string text = render_prometheus(s, s.started_at);
    EXPECT_THAT(text, Not(HasSubstr("seller_healthd_metric_")));
    EXPECT_THAT(text, Not(HasSubstr("evaluation_timestamp_seconds")));
    EXPECT_THAT(text, Not(HasSubstr("last_import_timestamp_seconds")));
    EXPECT_THAT(text, Not(HasSubstr("unanswered_messages")));
    EXPECT_THAT(text, HasSubstr("seller_healthd_cycles_total{account=\"\"} 0\n"));
    EXPECT_THAT(text,
                HasSubstr("seller_healthd_alerts_active{account=\"\",severity=\"breached\"} 0\n"));
    EXPECT_THAT(text, HasSubstr("seller_healthd_start_time_seconds{account=\"\"} 1771837200\n"));
}

TEST(Prometheus, ActiveAlertsCountEveryAlertNotOnlyTheRecentList) {
    snapshot s;
    s.version = "0.1.0";
    s.alerts.push_back(recent_alert{"stale_data", "stale_data", "at_risk", "firing",
                                    at("2026-02-23T09:00:00Z"), std::nullopt});
    // The daemon counts them in the database; the list holds only the newest.
    s.counters.active_at_risk = 120;
    s.counters.active_breached = 2;
    const std::string text = render_prometheus(s, s.started_at);
    EXPECT_THAT(text,
                HasSubstr("seller_healthd_alerts_active{account=\"\",severity=\"at_risk\"} 120\n"));
    EXPECT_THAT(text,
                HasSubstr("seller_healthd_alerts_active{account=\"\",severity=\"breached\"} 2\n"));
}

// ---- the real parser ----

std::string checker() {
    return std::string(SHD_SOURCE_DIR) + "/tests/web/check_exposition.py";
}

// Debian's python3: python3-prometheus-client is installed for it, and a
// python3 earlier on PATH (pyenv, a virtualenv) may not have it.
constexpr const char* kPython = "/usr/bin/python3";

command_result check_exposition(const std::string& text, const std::string& flags = "") {
    shd::test::temp_dir dir;
    shd::test::write_file(dir / "metrics.prom", text);
    auto r = run_shell(fmt::format("{} {} {} {}", kPython, shell_quote(checker()), flags,
                                   shell_quote((dir / "metrics.prom").string())),
                       dir.path());
    if (r.exit_code == 3 || r.exit_code == 127)
        ADD_FAILURE() << "the exposition checker cannot run (" << r.err
                      << "): run scripts/install-deps.sh as root";
    return r;
}

TEST(PrometheusParser, ReadsTheRealisticExpositionAsIntended) {
    const snapshot s = realistic_snapshot();
    const std::string text = render_prometheus(s, s.evaluation->as_of + std::chrono::minutes(3));
    const auto r = check_exposition(text);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // name type samples, in order, as the parser and the strict reading saw them.
    const std::string expected =
        "seller_healthd_metric_ratio gauge 18\n"
        "seller_healthd_metric_numerator gauge 18\n"
        "seller_healthd_metric_denominator gauge 18\n"
        "seller_healthd_metric_headroom gauge 18\n"
        "seller_healthd_metric_warn_threshold_ratio gauge 18\n"
        "seller_healthd_metric_target_threshold_ratio gauge 18\n"
        "seller_healthd_metric_status gauge 72\n"
        "seller_healthd_metric_low_volume gauge 18\n"
        "seller_healthd_metric_stale gauge 18\n"
        "seller_healthd_evaluation_timestamp_seconds gauge 1\n"
        "seller_healthd_last_import_timestamp_seconds gauge 1\n"
        "seller_healthd_imports_total counter 3\n"
        "seller_healthd_cycles_total counter 1\n"
        "seller_healthd_cycle_failures_total counter 1\n"
        "seller_healthd_cycle_duration_seconds histogram 15\n"
        "seller_healthd_deliveries_total counter 2\n"
        "seller_healthd_delivery_failures_total counter 2\n"
        "seller_healthd_dead_letters_total counter 2\n"
        "seller_healthd_delivery_duration_seconds histogram 30\n"
        "seller_healthd_outbox_pending gauge 1\n"
        "seller_healthd_alerts_active gauge 2\n"
        "seller_healthd_silences gauge 2\n"
        "seller_healthd_alerts_acknowledged gauge 1\n"
        "seller_healthd_alerts_silenced gauge 1\n"
        "seller_healthd_unanswered_messages gauge 2\n"
        "seller_healthd_unconfirmed_orders gauge 2\n"
        "seller_healthd_start_time_seconds gauge 1\n"
        "seller_healthd_build_info gauge 1\n";
    EXPECT_EQ(r.out, expected);
}

TEST(PrometheusParser, AcceptsTheHandMadeAndTheEmptySnapshots) {
    const auto hand = check_exposition(render_prometheus(hand_made(), at("2026-03-01T12:00:30Z")));
    EXPECT_EQ(hand.exit_code, 0) << hand.err;
    snapshot empty;
    const auto bare = check_exposition(render_prometheus(empty, at("2026-03-01T12:00:30Z")));
    EXPECT_EQ(bare.exit_code, 0) << bare.err;
}

TEST(Prometheus, SpApiCountersPerOperationOnlyWithTheSection) {
    snapshot s = hand_made();
    EXPECT_THAT(render_prometheus(s, at("2026-03-01T12:00:30Z")), Not(HasSubstr("sp_api_")));
    s.sp_api = {{"searchOrders", 12, 3, 1}, {"getReport", 40, 0, 0}};
    const std::string text = render_prometheus(s, at("2026-03-01T12:00:30Z"));
    const std::string p = "seller_healthd_";
    EXPECT_THAT(
        text,
        HasSubstr("# TYPE " + p + "sp_api_requests_total counter\n" + p +
                  "sp_api_requests_total{account=\"Acme\",operation=\"searchOrders\"} "
                  "12\n" +
                  p + "sp_api_requests_total{account=\"Acme\",operation=\"getReport\"} 40\n"));
    EXPECT_THAT(
        text,
        HasSubstr(p + "sp_api_throttled_total{account=\"Acme\",operation=\"searchOrders\"} 3\n"));
    EXPECT_THAT(
        text,
        HasSubstr(p + "sp_api_errors_total{account=\"Acme\",operation=\"searchOrders\"} 1\n"));
    const auto checked = check_exposition(text);
    EXPECT_EQ(checked.exit_code, 0) << checked.err;
}

std::string hex(std::string_view s) {
    std::string out;
    for (const unsigned char c : s)
        out += fmt::format("{:02x}", c);
    return out;
}

TEST(PrometheusParser, ReadsEscapedLabelValuesBackByteForByte) {
    snapshot s = hand_made();
    const std::string nasty = "A\"B\\C\nD \xC3\xA9";
    s.evaluation->metrics = {
        make_row(nasty, metric_key::late_dispatch_rate, "MFN", 10, 1, 200, s.evaluation->as_of)};
    s.evaluation->upcoming.clear();
    s.version = "\\n is not a newline";
    const auto r = check_exposition(render_prometheus(s, s.evaluation->as_of), "--samples");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr(fmt::format(
                           "seller_healthd_metric_ratio account={},metric={},marketplace={},"
                           "marketplace_code={},channel={},window_days={} 0.005\n",
                           hex("Acme"), hex("late_dispatch_rate"), hex(nasty), hex(nasty),
                           hex("MFN"), hex("10"))));
    EXPECT_THAT(r.out,
                HasSubstr(fmt::format("seller_healthd_build_info account={},version={} 1.0\n",
                                      hex("Acme"), hex("\\n is not a newline"))));
}

// Many instances scraped into one Prometheus stay apart by `account`: read by
// the real parser, every sample of every family carries it, first, with the
// snapshot's value.
TEST(PrometheusParser, EverySampleCarriesTheAccountLabel) {
    snapshot s = realistic_snapshot();
    s.account = "acme \"EU\"";
    const auto r = check_exposition(render_prometheus(s, s.evaluation->as_of), "--samples");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_GT(lines.size(), 200u);
    std::set<std::string> families;
    for (const auto& line : lines) {
        const auto space = line.find(' ');
        families.insert(line.substr(0, space));
        EXPECT_EQ(line.substr(space + 1, 8 + hex(s.account).size()), "account=" + hex(s.account))
            << line;
    }
    // With metric_stale (the snapshot has no feeds); each histogram is three
    // names: _bucket, _sum, _count.
    EXPECT_EQ(families.size(), 32u);
}

// The checker is only worth its exit code if it fails on what the format
// forbids.
TEST(PrometheusParser, RejectsMalformedExpositions) {
    const std::string good = "# HELP x_total Things.\n# TYPE x_total counter\nx_total{a=\"1\"} 2\n";
    ASSERT_EQ(check_exposition(good).exit_code, 0);
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"second HELP",
         "# HELP x_total T.\n# HELP x_total T.\n# TYPE x_total counter\nx_total 1\n"},
        {"unescaped quote", "# HELP x A.\n# TYPE x gauge\nx{a=\"q\"q\"} 1\n"},
        {"bad escape", "# HELP x A.\n# TYPE x gauge\nx{a=\"\\t\"} 1\n"},
        {"NaN", "# HELP x A.\n# TYPE x gauge\nx NaN\n"},
        {"not grouped",
         "# HELP x A.\n# TYPE x gauge\nx{a=\"1\"} 1\n# HELP y B.\n# TYPE y gauge\ny 1\n"
         "x{a=\"2\"} 1\n"},
        {"duplicate series", "# HELP x A.\n# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n"},
        {"untyped", "x 1\n"},
        {"counter name", "# HELP x A.\n# TYPE x counter\nx 1\n"},
        {"no final newline", "# HELP x A.\n# TYPE x gauge\nx 1"},
        {"bad value", "# HELP x A.\n# TYPE x gauge\nx one\n"},
        {"trailing comma", "# HELP x A.\n# TYPE x gauge\nx{a=\"1\",} 1\n"},
    };
    for (const auto& [what, text] : bad)
        EXPECT_EQ(check_exposition(text).exit_code, 1) << what;
}

TEST(Prometheus, StaleRowsAndFeeds) {
    snapshot s = hand_made();
    auto& e = *s.evaluation;
    e.metrics[0].stale = true;
    e.metrics[0].stale_reason = "shipments last arrived 3 d ago (max 1 d 12 h)";
    metrics::feed_freshness shipments;
    shipments.feed = "shipments";
    shipments.max_age = hours(36);
    shipments.last_import_at = e.as_of - days(3);
    shipments.newest_data_at = e.as_of - days(3) - hours(2);
    shipments.age = days(3);
    shipments.stale = true;
    metrics::feed_freshness never;
    never.feed = "defects";
    never.max_age = hours(36);
    e.feeds = {shipments, never};
    const std::string text = render_prometheus(s, e.as_of);
    const std::string p = "seller_healthd_";
    EXPECT_THAT(
        text,
        HasSubstr(p + "metric_stale{account=\"Acme\",metric=\"late_dispatch_rate\",marketplace="
                      "\"ATVPDKIKX0DER\",marketplace_code=\"US\",channel=\"MFN\","
                      "window_days=\"10\"} 1\n"));
    EXPECT_THAT(
        text,
        HasSubstr(p + "feed_last_import_timestamp_seconds{account=\"Acme\",feed=\"shipments\"} " +
                  std::to_string(to_unix(e.as_of - days(3))) + "\n"));
    EXPECT_THAT(
        text,
        HasSubstr(p + "feed_newest_data_timestamp_seconds{account=\"Acme\",feed=\"shipments\"} " +
                  std::to_string(to_unix(e.as_of - days(3) - hours(2))) + "\n"));
    EXPECT_THAT(
        text, HasSubstr(p + "feed_max_age_seconds{account=\"Acme\",feed=\"shipments\"} 129600\n"));
    EXPECT_THAT(text, HasSubstr(p + "feed_stale{account=\"Acme\",feed=\"shipments\"} 1\n"));
    // A feed never imported: no times, but a stale sample of 0.
    EXPECT_THAT(text, HasSubstr(p + "feed_stale{account=\"Acme\",feed=\"defects\"} 0\n"));
    EXPECT_THAT(
        text,
        Not(HasSubstr("feed_last_import_timestamp_seconds{account=\"Acme\",feed=\"defects\"}")));
    // A real parser reads the feed families as intended.
    const auto r = check_exposition(text);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("seller_healthd_feed_last_import_timestamp_seconds gauge 1\n"
                                 "seller_healthd_feed_newest_data_timestamp_seconds gauge 1\n"
                                 "seller_healthd_feed_max_age_seconds gauge 2\n"
                                 "seller_healthd_feed_stale gauge 2\n"));
}

// The buyer messages' service metrics: a summary per marketplace and window
// (quantiles only with a reply), the waiting counts always, the oldest
// waiting message's time only when one waits.
TEST(Prometheus, MessageServiceMetrics) {
    snapshot s = hand_made();
    auto& e = *s.evaluation;
    metrics::message_service_row busy;
    busy.marketplace_id = kUS;
    busy.window_days = 7;
    busy.window = {e.as_of - days(7), e.as_of};
    busy.messages = 5;
    busy.replied = 3;
    busy.first_response_median_seconds = 120;
    busy.first_response_p90_seconds = 2904.5;
    busy.first_response_total_seconds = 3780;
    busy.waiting = 2;
    busy.waiting_overdue = 1;
    busy.oldest_waiting_received_at = e.as_of - days(2);
    busy.oldest_waiting_message_id = "m-old";
    metrics::message_service_row quiet;
    quiet.marketplace_id = kUK;
    quiet.window_days = 30;
    quiet.window = {e.as_of - days(30), e.as_of};
    e.message_service = {busy, quiet};

    const std::string text = render_prometheus(s, e.as_of);
    const std::string p = "seller_healthd_";
    const std::string us =
        "account=\"Acme\",marketplace=\"ATVPDKIKX0DER\",marketplace_code=\"US\",window_days=\"7\"";
    const std::string uk =
        "account=\"Acme\",marketplace=\"A1F83G8C2ARO7P\",marketplace_code=\"UK\","
        "window_days=\"30\"";
    EXPECT_THAT(text, HasSubstr("# TYPE seller_healthd_first_response_seconds summary\n"));
    EXPECT_THAT(text, HasSubstr(p + "first_response_seconds{" + us + ",quantile=\"0.5\"} 120\n"));
    EXPECT_THAT(text,
                HasSubstr(p + "first_response_seconds{" + us + ",quantile=\"0.9\"} 2904.5\n"));
    EXPECT_THAT(text, HasSubstr(p + "first_response_seconds_sum{" + us + "} 3780\n"));
    EXPECT_THAT(text, HasSubstr(p + "first_response_seconds_count{" + us + "} 3\n"));
    EXPECT_THAT(text, HasSubstr(p + "first_response_seconds_count{" + uk + "} 0\n"));
    EXPECT_THAT(text, Not(HasSubstr(p + "first_response_seconds{" + uk)));
    EXPECT_THAT(text, HasSubstr(p + "messages_waiting{" + us + "} 2\n"));
    EXPECT_THAT(text, HasSubstr(p + "messages_waiting{" + uk + "} 0\n"));
    EXPECT_THAT(text, HasSubstr(p + "messages_waiting_overdue{" + us + "} 1\n"));
    EXPECT_THAT(text, HasSubstr(p + "messages_oldest_waiting_timestamp_seconds{" + us + "} " +
                                std::to_string(to_unix(e.as_of - days(2))) + "\n"));
    EXPECT_THAT(text, Not(HasSubstr(p + "messages_oldest_waiting_timestamp_seconds{" + uk)));

    const auto r = check_exposition(text);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("seller_healthd_first_response_seconds summary 6\n"
                                 "seller_healthd_messages_waiting gauge 2\n"
                                 "seller_healthd_messages_waiting_overdue gauge 2\n"
                                 "seller_healthd_messages_oldest_waiting_timestamp_seconds gauge "
                                 "1\n"));
}

}  // namespace
}  // namespace shd::web
