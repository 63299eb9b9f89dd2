// Many accounts summed up: the state of an account, the worst-first order,
// the table and JSON rows, and the monitoring-plugin line and exit code.
#include "report/accounts.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace shd::report {
namespace {

using metrics::metric_result;
using metrics::metric_status;

metric_result row(metric_key key, int window, std::int64_t num, std::int64_t den,
                  metric_status status, std::optional<std::int64_t> headroom) {
    metric_result r;
    r.metric = key;
    r.marketplace_id = "ATVPDKIKX0DER";
    r.channel = key == metric_key::response_rate_24h ? "all" : "MFN";
    r.window_days = window;
    r.numerator = num;
    r.denominator = den;
    if (den > 0)
        r.rate = static_cast<double>(num) / static_cast<double>(den);
    r.headroom = headroom;
    r.target = definition(key).default_target;
    r.warn = definition(key).default_warn;
    r.status = status;
    return r;
}

account_input account(std::string name, std::vector<metric_result> rows) {
    account_input in;
    in.account = std::move(name);
    in.config_path = "/etc/seller-healthd/" + in.account + ".yaml";
    in.database = "/var/lib/seller-healthd/" + in.account + ".sqlite";
    metrics::evaluation e;
    e.as_of = *parse_iso8601("2026-03-01T00:00:00Z");
    e.metrics = std::move(rows);
    in.evaluation = std::move(e);
    return in;
}

account_input broken(std::string name, std::string error) {
    account_input in;
    in.account = std::move(name);
    in.config_path = "/etc/seller-healthd/" + in.account + ".yaml";
    in.error = std::move(error);
    return in;
}

const auto ldr = metric_key::late_dispatch_rate;
const auto cr = metric_key::cancellation_rate;

TEST(Accounts, WorstFirstThenLeastHeadroomThenName) {
    auto rows = summarize_accounts({
        account("ok-roomy", {row(ldr, 10, 0, 200, metric_status::ok, 8)}),
        account("ok-tight", {row(ldr, 10, 5, 200, metric_status::ok, 2)}),
        broken("gone", "database does not exist"),
        account("risk-b", {row(ldr, 10, 7, 200, metric_status::at_risk, 1)}),
        account("risk-a", {row(ldr, 10, 7, 200, metric_status::at_risk, 1)}),
        account("risk-tighter", {row(ldr, 10, 7, 200, metric_status::at_risk, 0)}),
        account("breached", {row(ldr, 10, 1, 200, metric_status::ok, 6),
                             row(cr, 7, 3, 20, metric_status::breached, 0)}),
        account("empty", {row(ldr, 10, 0, 0, metric_status::no_data, std::nullopt)}),
    });
    std::vector<std::string> order;
    for (const auto& r : rows)
        order.push_back(r.account);
    EXPECT_EQ(order, (std::vector<std::string>{"breached", "risk-tighter", "risk-a", "risk-b",
                                               "empty", "gone", "ok-tight", "ok-roomy"}));
    EXPECT_EQ(rows[0].state, account_state::breached);
    EXPECT_EQ(rows[0].worst->metric, cr);
    EXPECT_EQ(rows[0].breached, 1);
    EXPECT_EQ(rows[0].ok, 1);
    EXPECT_EQ(rows[4].state, account_state::unknown);
    EXPECT_EQ(rows[4].error, "no data: no orders or messages imported");
    EXPECT_EQ(rows[4].no_data, 1);
    EXPECT_EQ(rows[5].error, "database does not exist");
}

TEST(Accounts, JsonRows) {
    const auto rows = summarize_accounts(
        {account("acme", {row(cr, 7, 3, 20, metric_status::breached, 0)}), broken("x", "bad")});
    const auto doc = nlohmann::json::parse(accounts_json(rows));
    ASSERT_EQ(doc.size(), 2u);
    EXPECT_EQ(doc[0]["account"], "acme");
    EXPECT_EQ(doc[0]["state"], "breached");
    EXPECT_EQ(doc[0]["as_of"], "2026-03-01T00:00:00Z");
    EXPECT_EQ(doc[0]["worst"]["metric"], "cancellation_rate");
    EXPECT_EQ(doc[0]["worst"]["rate"], 0.15);
    EXPECT_EQ(doc[0]["worst"]["headroom"], 0);
    EXPECT_TRUE(doc[0]["error"].is_null());
    EXPECT_EQ(doc[1]["state"], "unknown");
    EXPECT_TRUE(doc[1]["worst"].is_null());
    EXPECT_TRUE(doc[1]["database"].is_null());
    EXPECT_EQ(doc[1]["error"], "bad");
}

TEST(Accounts, TableHasAnAccountColumnAndNoColourUnlessAsked) {
    const auto rows =
        summarize_accounts({account("acme", {row(cr, 7, 3, 20, metric_status::breached, 0)}),
                            broken("x", "cannot open")});
    const std::string plain = accounts_table(rows, false);
    EXPECT_EQ(plain,
              "Account  State     Breached  At risk  Worst metric                 Value   Target"
              "   Headroom  Problem\n"
              "acme     breached  1         0        cancellation_rate US MFN 7d  15.00%  < 2.50%"
              "  0\n"
              "x        unknown   0         0        -                            -       -"
              "        -         cannot open\n");
    EXPECT_EQ(plain.find('\033'), std::string::npos);
    EXPECT_NE(accounts_table(rows, true).find("\033[1;31mbreached\033[0m"), std::string::npos);
}

TEST(Accounts, PluginExitCodesFollowTheWorstAccount) {
    const auto check = [](std::vector<account_input> in) {
        return plugin_check(summarize_accounts(std::move(in))).exit_code;
    };
    const auto ok = [] { return account("a", {row(ldr, 10, 0, 200, metric_status::ok, 8)}); };
    const auto risk = [] {
        return account("b", {row(ldr, 10, 7, 200, metric_status::at_risk, 1)});
    };
    const auto bad = [] { return account("c", {row(cr, 7, 3, 20, metric_status::breached, 0)}); };
    EXPECT_EQ(check({ok()}), 0);
    EXPECT_EQ(check({ok(), risk()}), 1);
    EXPECT_EQ(check({ok(), risk(), bad(), broken("d", "x")}), 2);
    EXPECT_EQ(check({ok(), broken("d", "x")}), 3);
    EXPECT_EQ(check({risk(), broken("d", "x")}), 1);
    EXPECT_EQ(check({}), 3);
    EXPECT_EQ(plugin_check({}).line, "SELLER-HEALTH UNKNOWN - no accounts");
}

TEST(Accounts, PluginLineKeepsItsShape) {
    // Higher-is-better rows alert below their levels: "W:" ranges.
    auto in =
        account("Acme 'EU'=1|x",
                {row(metric_key::valid_tracking_rate, 30, 96, 100, metric_status::at_risk, 1)});
    const auto result = plugin_check(summarize_accounts({std::move(in)}));
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.line,
              "SELLER-HEALTH WARNING - Acme 'EU'=1/x: at risk valid_tracking_rate US MFN 30d "
              "96.00% (warn 97.00%, target 95.00%, headroom 1) | 'Acme _EU__1_x breached'=0 "
              "'Acme _EU__1_x at_risk'=1 'Acme _EU__1_x valid_tracking_rate US MFN "
              "30d'=0.96;0.97:;0.95:;0;1");
}

}  // namespace
}  // namespace shd::report
