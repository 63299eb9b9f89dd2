#include "config/config.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <sstream>

#include "config/schema.hpp"
#include "support/test_support.hpp"

namespace shd::config {
namespace {

const std::filesystem::path kFile = "/etc/seller-healthd/test.yaml";
constexpr const char* kUk = "A1F83G8C2ARO7P";

config parse_ok(std::string_view yaml) {
    auto c = parse_config(yaml, kFile);
    EXPECT_TRUE(c.has_value()) << yaml << "\n-> " << (c ? "" : c.error().to_string());
    return c ? *c : config{};
}

config_error parse_error(std::string_view yaml) {
    auto c = parse_config(yaml, kFile);
    EXPECT_FALSE(c.has_value()) << yaml;
    return c ? config_error{} : c.error();
}

// The error's position and key, and its message (exactly, or a part of it
// when `exact` is false).
::testing::AssertionResult error_is(std::string_view yaml, int line, int column,
                                    const std::string& key, const std::string& message,
                                    bool exact = true) {
    auto c = parse_config(yaml, kFile);
    if (c)
        return ::testing::AssertionFailure() << "parsed without error:\n" << yaml;
    const config_error& e = c.error();
    const bool message_ok =
        exact ? e.message == message : e.message.find(message) != std::string::npos;
    if (e.file != kFile.string() || e.line != line || e.column != column || e.key != key ||
        !message_ok) {
        return ::testing::AssertionFailure()
               << "got      " << e.to_string() << "\nexpected " << kFile.string() << ":" << line
               << ":" << column << ": " << key << ": " << (exact ? "" : "...") << message
               << "\nfor:\n"
               << yaml;
    }
    return ::testing::AssertionSuccess();
}

const metric_thresholds& ldr(const config& c) {
    return c.metrics.at(metric_key::late_dispatch_rate);
}

// ---- Defaults ----

TEST(ConfigDefaults, EqualTheCatalog) {
    const config c = default_config();
    ASSERT_EQ(c.metrics.size(), all_metrics().size());
    for (const auto& m : all_metrics()) {
        const auto& t = c.metrics.at(m.key);
        EXPECT_EQ(t.target, m.default_target) << m.name;
        EXPECT_EQ(t.warn, m.default_warn) << m.name;
        EXPECT_EQ(t.windows, std::vector<int>(m.default_windows.begin(), m.default_windows.end()))
            << m.name;
        EXPECT_EQ(t.lag_days, m.default_lag_days) << m.name;
        EXPECT_EQ(t.min_orders, m.default_min_orders) << m.name;
    }
    EXPECT_EQ(ldr(c).windows, (std::vector<int>{10, 30}));
    EXPECT_EQ(c.metrics.at(metric_key::order_defect_rate).lag_days, 14);
    EXPECT_TRUE(c.marketplace_metrics.empty());
    EXPECT_EQ(c.poll_interval, std::chrono::seconds{60});
    EXPECT_EQ(c.log_level, "info");
    EXPECT_EQ(c.default_marketplace, "ATVPDKIKX0DER");
}

TEST(ConfigAccount, DefaultsToTheFileStem) {
    EXPECT_EQ(parse_config("", "/etc/seller-healthd/acme.yaml")->account, "acme");
    EXPECT_EQ(parse_config("", "/etc/seller-healthd/seller-healthd.yaml")->account,
              "seller-healthd");
    EXPECT_EQ(parse_config("", "eu.shop.yaml")->account, "eu.shop");
    EXPECT_EQ(parse_config("account: Acme Ltd\n", "/etc/seller-healthd/acme.yaml")->account,
              "Acme Ltd");
    // A stem that is no label value falls back to the fixed default.
    EXPECT_EQ(default_account_for(" .yaml"), "seller-healthd");
    EXPECT_EQ(default_account_for(std::string(70, 'a') + ".yaml"), "seller-healthd");
    EXPECT_EQ(default_config().account, "seller-healthd");
}

TEST(ConfigAccount, MustBeALabelValue) {
    EXPECT_TRUE(error_is("account: \" acme\"\n", 1, 10, "account",
                         "account must not start or end with a space"));
    EXPECT_TRUE(error_is("account: " + std::string(65, 'a') + "\n", 1, 10, "account",
                         "account is 65 bytes long; at most 64 fit a label"));
    EXPECT_EQ(detail::label_value_problem("a\xff"), "is not valid UTF-8");
    EXPECT_EQ(parse_ok("account: " + std::string(64, 'a') + "\n").account, std::string(64, 'a'));
}

TEST(ConfigDefaults, EmptyOrCommentOnlyFileIsAllDefaults) {
    config expected = default_config();
    expected.source_path = kFile;
    expected.account = "test";  // the file's stem
    EXPECT_EQ(parse_ok(""), expected);
    EXPECT_EQ(parse_ok("# nothing here\n\n   # indented comment\n"), expected);
    EXPECT_EQ(parse_ok("---\n"), expected);
    EXPECT_EQ(parse_ok("metrics:\nmarketplaces:\n"), expected);  // empty sections
}

TEST(ConfigDefaults, ShippedExampleHoldsTheDefaults) {
    const auto path = std::filesystem::path(SHD_SOURCE_DIR) / "config/seller-healthd.yaml";
    auto c = load_config(path);
    ASSERT_TRUE(c.has_value()) << c.error().to_string();
    config expected = default_config();
    expected.source_path = c->source_path;
    EXPECT_EQ(*c, expected);
    EXPECT_EQ(c->database, "/var/lib/seller-healthd/seller-healthd.sqlite");
    EXPECT_EQ(c->inbox, "/var/lib/seller-healthd/inbox");
}

TEST(ConfigDefaults, ShippedExampleOverrideIsValidOnceUncommented) {
    const auto path = std::filesystem::path(SHD_SOURCE_DIR) / "config/seller-healthd.yaml";
    std::string text = test::read_file(path);
    const auto example = text.find("# marketplaces:");
    ASSERT_NE(example, std::string::npos);
    std::string uncommented;
    std::istringstream lines(text.substr(example));
    for (std::string line; std::getline(lines, line);) {
        uncommented += (line.starts_with("# ") ? line.substr(2) : line) + "\n";
    }
    text = text.substr(0, example);
    const auto empty = text.find("marketplaces: {}\n");
    ASSERT_NE(empty, std::string::npos);
    text.erase(empty, std::string("marketplaces: {}\n").size());
    const config c = parse_ok(text + uncommented);
    ASSERT_EQ(c.marketplace_metrics.count(kUk), 1u);
    EXPECT_EQ(c.thresholds(metric_key::late_dispatch_rate, kUk).warn, 0.02);
    EXPECT_EQ(c.thresholds(metric_key::order_defect_rate, kUk).min_orders, 50);
}

// ---- Valid files ----

TEST(ConfigParse, WorkedExample) {
    const auto path = test::data_file("worked-example/config.yaml");
    auto c = load_config(path);
    ASSERT_TRUE(c.has_value()) << c.error().to_string();
    EXPECT_EQ(ldr(*c).windows, (std::vector<int>{7, 14, 30}));
    EXPECT_EQ(ldr(*c).min_orders, 150);
    EXPECT_EQ(ldr(*c).target, 0.04);  // untouched fields keep their defaults
    EXPECT_EQ(ldr(*c).warn, 0.03);
    EXPECT_EQ(c->metrics.at(metric_key::cancellation_rate).min_orders, 100);
    EXPECT_EQ(c->metrics.at(metric_key::response_rate_24h).min_orders, 150);
    EXPECT_EQ(c->metrics.at(metric_key::response_rate_24h).windows, (std::vector<int>{7, 30, 90}));
    EXPECT_EQ(c->metrics.at(metric_key::order_defect_rate).min_orders, 100);
    EXPECT_EQ(c->default_marketplace, "ATVPDKIKX0DER");
    const auto folder = std::filesystem::absolute(path).parent_path();
    EXPECT_EQ(c->database, folder / "worked-example.sqlite");
    EXPECT_EQ(c->inbox, folder / "inbox");
    EXPECT_EQ(c->source_path, std::filesystem::absolute(path));
}

TEST(ConfigParse, EveryTopLevelKey) {
    const config c = parse_ok(
        "account: \"Acme Ltd\"\n"
        "database: /srv/shd/db.sqlite\n"
        "inbox: /srv/shd/inbox\n"
        "default_marketplace: A1PA6795UKMFR9\n"
        "poll_interval: 5m\n"
        "reconcile_tolerance: 0\n"
        "log_level: debug\n");
    EXPECT_EQ(c.account, "Acme Ltd");
    EXPECT_EQ(c.database, "/srv/shd/db.sqlite");
    EXPECT_EQ(c.inbox, "/srv/shd/inbox");
    EXPECT_EQ(c.default_marketplace, "A1PA6795UKMFR9");
    EXPECT_EQ(c.poll_interval, std::chrono::seconds{300});
    EXPECT_EQ(c.reconcile_tolerance, 0.0);
    EXPECT_EQ(c.log_level, "debug");
}

TEST(ConfigParse, UnknownButWellFormedMarketplaceIdIsAccepted) {
    const config c = parse_ok("default_marketplace: A3ZZNEWMKT42\n");
    EXPECT_EQ(c.default_marketplace, "A3ZZNEWMKT42");
}

// `marketplace`: the account's own, for reports that name none. Unset by
// default, and an unset value is not printed (so the printed file reads back).
TEST(ConfigParse, AccountMarketplace) {
    EXPECT_EQ(parse_ok("").marketplace, "");
    const config c = parse_ok("marketplace: AE08WJ6YKNBMC\n");
    EXPECT_EQ(c.marketplace, "AE08WJ6YKNBMC");
    EXPECT_EQ(c.default_marketplace, "ATVPDKIKX0DER");  // independent of each other
    EXPECT_TRUE(error_is("marketplace: DE\n", 1, 14, "marketplace",
                         "'DE' is a country code, not a marketplace ID; the ID of Amazon.de is "
                         "A1PA6795UKMFR9",
                         false));
    EXPECT_TRUE(error_is("marketplace: Amazon.co.za\n", 1, 14, "marketplace",
                         "its ID is AE08WJ6YKNBMC", false));
    EXPECT_TRUE(
        error_is("marketplace: \"\"\n", 1, 14, "marketplace", "marketplace must not be empty"));
    const std::string printed = format_effective(c);
    EXPECT_NE(printed.find("marketplace: AE08WJ6YKNBMC"), std::string::npos) << printed;
    auto again = parse_config(printed, kFile);
    ASSERT_TRUE(again) << again.error().to_string();
    EXPECT_EQ(again->marketplace, "AE08WJ6YKNBMC");
    const std::string unset = format_effective(parse_ok(""));
    EXPECT_EQ(unset.find("\nmarketplace:"), std::string::npos) << unset;
}

TEST(ConfigParse, DecimalNotations) {
    for (const char* text : {"0.04", "4e-2", "4E-2", "0.040", ".04", "+0.04"}) {
        const config c =
            parse_ok(std::string("metrics:\n  late_dispatch_rate:\n    target: ") + text + "\n");
        EXPECT_DOUBLE_EQ(ldr(c).target, 0.04) << text;
    }
}

TEST(ConfigParse, WindowsAreSortedOnLoad) {
    const config c = parse_ok("metrics:\n  late_dispatch_rate:\n    windows: [30, 7, 14]\n");
    EXPECT_EQ(ldr(c).windows, (std::vector<int>{7, 14, 30}));
    const config block = parse_ok(
        "metrics:\n  late_dispatch_rate:\n    windows:\n      - 365\n"
        "      - 1\n");
    EXPECT_EQ(ldr(block).windows, (std::vector<int>{1, 365}));
}

TEST(ConfigParse, MarketplaceOverrideMergesFieldByField) {
    // The override section comes first in the file: merging must not depend on order.
    const config c = parse_ok(
        "marketplaces:\n"
        "  A1F83G8C2ARO7P:\n"
        "    late_dispatch_rate:\n"
        "      target: 0.035\n"
        "      windows: [30]\n"
        "metrics:\n"
        "  late_dispatch_rate:\n"
        "    warn: 0.025\n"
        "    min_orders: 150\n");
    // Global: defaults <- metrics.
    EXPECT_EQ(ldr(c).target, 0.04);
    EXPECT_EQ(ldr(c).warn, 0.025);
    EXPECT_EQ(ldr(c).windows, (std::vector<int>{10, 30}));
    EXPECT_EQ(ldr(c).min_orders, 150);
    // UK: defaults <- metrics <- marketplaces.
    ASSERT_EQ(c.marketplace_metrics.size(), 1u);
    const auto& uk = c.marketplace_metrics.at(kUk);
    ASSERT_EQ(uk.size(), all_metrics().size());
    const auto& uk_ldr = uk.at(metric_key::late_dispatch_rate);
    EXPECT_EQ(uk_ldr.target, 0.035);
    EXPECT_EQ(uk_ldr.warn, 0.025);
    EXPECT_EQ(uk_ldr.windows, (std::vector<int>{30}));
    EXPECT_EQ(uk_ldr.lag_days, 0);
    EXPECT_EQ(uk_ldr.min_orders, 150);
    // Metrics the override does not name are the global ones.
    for (const auto& m : all_metrics()) {
        if (m.key == metric_key::late_dispatch_rate)
            continue;
        EXPECT_EQ(uk.at(m.key), c.metrics.at(m.key)) << m.name;
    }
    EXPECT_EQ(&c.thresholds(metric_key::late_dispatch_rate, kUk), &uk_ldr);
    EXPECT_EQ(c.thresholds(metric_key::late_dispatch_rate, "ATVPDKIKX0DER"), ldr(c));
}

TEST(ConfigParse, RelativePathsResolveAgainstTheFilesFolder) {
    auto c = parse_config("database: \"x.sqlite\"\ninbox: ../spool/inbox\n",
                          "/srv/shd/conf/seller-healthd.yaml");
    ASSERT_TRUE(c.has_value()) << c.error().to_string();
    EXPECT_EQ(c->database, "/srv/shd/conf/x.sqlite");
    EXPECT_EQ(c->inbox, "/srv/shd/spool/inbox");
    auto absolute = parse_config("database: /data/x.sqlite\n", "/srv/shd/conf/seller-healthd.yaml");
    ASSERT_TRUE(absolute.has_value());
    EXPECT_EQ(absolute->database, "/data/x.sqlite");
}

TEST(ConfigParse, LoadConfigResolvesAgainstTheFilesFolder) {
    test::temp_dir dir;
    test::write_file(dir / "conf/seller-healthd.yaml", "database: \"x.sqlite\"\ninbox: in\n");
    auto c = load_config(dir / "conf/seller-healthd.yaml");
    ASSERT_TRUE(c.has_value()) << c.error().to_string();
    EXPECT_EQ(c->database, dir.path() / "conf/x.sqlite");
    EXPECT_EQ(c->inbox, dir.path() / "conf/in");
    EXPECT_EQ(c->source_path, dir.path() / "conf/seller-healthd.yaml");
}

TEST(ConfigParse, ThresholdsFallBackToGlobalForOtherMarketplaces) {
    const config c = parse_ok(
        "marketplaces:\n  A1F83G8C2ARO7P:\n    cancellation_rate:\n"
        "      min_orders: 20\n");
    EXPECT_EQ(c.thresholds(metric_key::cancellation_rate, kUk).min_orders, 20);
    EXPECT_EQ(c.thresholds(metric_key::cancellation_rate, "A1PA6795UKMFR9").min_orders, 100);
}

// ---- format_effective ----

TEST(ConfigFormat, EffectiveConfigHasEveryKey) {
    const config c = parse_ok(
        "marketplaces:\n  A1F83G8C2ARO7P:\n    late_dispatch_rate:\n"
        "      warn: 0.02\n");
    const std::string text = format_effective(c);
    for (const char* key :
         {"account:", "database:", "inbox:", "default_marketplace:", "poll_interval:",
          "reconcile_tolerance:", "log_level:", "metrics:", "marketplaces:", "A1F83G8C2ARO7P:"}) {
        EXPECT_NE(text.find(key), std::string::npos) << key << "\n" << text;
    }
    // Five fields for each metric, globally and in the one marketplace.
    for (const char* field : {"target:", "warn:", "windows:", "lag_days:", "min_orders:"}) {
        std::size_t count = 0;
        // " warn:", so that alerts' message_deadline_warn is not counted.
        const std::string key = std::string(" ") + field;
        for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) {
            ++count;
        }
        EXPECT_EQ(count, 2 * all_metrics().size()) << field;
    }
    EXPECT_EQ(text.find('#'), std::string::npos);  // no comments
    EXPECT_NE(text.find("windows: [10, 30]"), std::string::npos) << text;
    EXPECT_NE(text.find("poll_interval: 1m"), std::string::npos) << text;
}

TEST(ConfigFormat, DefaultsPrintAnEmptyMarketplaceMap) {
    EXPECT_NE(format_effective(default_config()).find("marketplaces: {}"), std::string::npos);
}

TEST(ConfigFormat, OutputParsesBackToAnEqualConfig) {
    const config c = parse_ok(
        "account: \"yes\"\n"  // would be a boolean if printed bare in YAML 1.1
        "database: /srv/shd/db.sqlite\n"
        "inbox: \"/srv/shd/in box\"\n"
        "poll_interval: 90s\n"
        "reconcile_tolerance: 0.0125\n"
        "log_level: warn\n"
        "metrics:\n"
        "  order_defect_rate:\n"
        "    target: 0.009\n"
        "    warn: 1e-3\n"
        "    lag_days: 7\n"
        "  response_rate_24h:\n"
        "    windows: [7]\n"
        "    min_orders: 0\n"
        "marketplaces:\n"
        "  A1F83G8C2ARO7P:\n"
        "    valid_tracking_rate:\n"
        "      target: 0.96\n"
        "      warn: 0.985\n"
        "  A1VC38T7YXB528:\n"
        "    late_dispatch_rate:\n"
        "      windows: [30, 10, 60]\n");
    const std::string text = format_effective(c);
    auto again = parse_config(text, kFile);
    ASSERT_TRUE(again.has_value()) << again.error().to_string() << "\n" << text;
    EXPECT_EQ(*again, c) << text;
    EXPECT_EQ(format_effective(*again), text);
    auto defaults = parse_config(format_effective(default_config()), kFile);
    ASSERT_TRUE(defaults.has_value());
    config expected = default_config();
    expected.source_path = kFile;
    EXPECT_EQ(*defaults, expected);
}

TEST(ConfigFormat, AccountWithQuotesAndUnicodeRoundTrips) {
    const config c = parse_ok("account: 'Müller \"Handel\" GmbH: #1'\n");
    EXPECT_EQ(c.account, "Müller \"Handel\" GmbH: #1");
    auto again = parse_config(format_effective(c), kFile);
    ASSERT_TRUE(again.has_value()) << format_effective(c);
    EXPECT_EQ(again->account, c.account);
}

// ---- Errors: keys ----

TEST(ConfigErrors, ToStringFormat) {
    const config_error e = parse_error("metrics:\n  late_dispatch_rate:\n    tagret: 0.04\n");
    EXPECT_EQ(e.to_string(),
              "/etc/seller-healthd/test.yaml:3:5: metrics.late_dispatch_rate.tagret: unknown key "
              "'tagret'; did you mean 'target'?");
}

TEST(ConfigErrors, UnknownTopLevelKey) {
    EXPECT_TRUE(error_is("account: a\npoll_intervall: 5m\n", 2, 1, "poll_intervall",
                         "unknown key 'poll_intervall'; did you mean 'poll_interval'?"));
    EXPECT_TRUE(error_is("colour: blue\n", 1, 1, "colour",
                         "unknown key 'colour'; expected one of: account, database, inbox, "
                         "default_marketplace, marketplace, poll_interval, reconcile_tolerance, "
                         "log_level, display_time_zone, metrics, marketplaces, alerts, feeds, "
                         "http, sp_api, mailbox"));
}

TEST(ConfigErrors, UnknownKeyInsideAMetric) {
    EXPECT_TRUE(error_is("metrics:\n  late_dispatch_rate:\n    tagret: 0.04\n", 3, 5,
                         "metrics.late_dispatch_rate.tagret",
                         "unknown key 'tagret'; did you mean 'target'?"));
}

TEST(ConfigErrors, UnknownKeyInsideAMarketplaceOverride) {
    EXPECT_TRUE(
        error_is("marketplaces:\n  A1F83G8C2ARO7P:\n    late_dispatch_rate:\n"
                 "      wran: 0.02\n",
                 4, 7, "marketplaces.A1F83G8C2ARO7P.late_dispatch_rate.wran",
                 "unknown key 'wran'; did you mean 'warn'?"));
}

TEST(ConfigErrors, UnknownMetric) {
    EXPECT_TRUE(error_is("metrics:\n  late_shipment_rate:\n    target: 0.04\n", 2, 3,
                         "metrics.late_shipment_rate",
                         "unknown metric 'late_shipment_rate'; expected one of: "
                         "order_defect_rate, late_dispatch_rate, cancellation_rate, "
                         "valid_tracking_rate, response_rate_24h"));
    EXPECT_TRUE(error_is("metrics:\n  late_dispatch_rat: {}\n", 2, 3, "metrics.late_dispatch_rat",
                         "unknown metric 'late_dispatch_rat'; did you mean 'late_dispatch_rate'?"));
    EXPECT_TRUE(error_is("marketplaces:\n  A1F83G8C2ARO7P:\n    odr:\n      target: 0.01\n", 3, 5,
                         "marketplaces.A1F83G8C2ARO7P.odr", "unknown metric 'odr'", false));
}

TEST(ConfigErrors, ThresholdFieldDirectlyUnderMarketplace) {
    EXPECT_TRUE(error_is("marketplaces:\n  A1F83G8C2ARO7P:\n    target: 0.03\n", 3, 5,
                         "marketplaces.A1F83G8C2ARO7P.target",
                         "target belongs under a metric: "
                         "marketplaces.A1F83G8C2ARO7P.<metric>.target",
                         false));
}

TEST(ConfigErrors, DuplicateTopLevelKey) {
    EXPECT_TRUE(error_is("account: a\nlog_level: info\naccount: b\n", 3, 1, "account",
                         "duplicate key 'account' (first at line 1, column 1)"));
}

TEST(ConfigErrors, DuplicateNestedKeys) {
    EXPECT_TRUE(error_is("metrics:\n  late_dispatch_rate:\n    warn: 0.02\n    warn: 0.025\n", 4, 5,
                         "metrics.late_dispatch_rate.warn",
                         "duplicate key 'warn' (first at line 3, column 5)"));
    EXPECT_TRUE(error_is("metrics:\n  late_dispatch_rate: {}\n  late_dispatch_rate: {}\n", 3, 3,
                         "metrics.late_dispatch_rate",
                         "duplicate key 'late_dispatch_rate' (first at line 2, column 3)"));
    EXPECT_TRUE(error_is("marketplaces:\n  A1F83G8C2ARO7P: {}\n  A1F83G8C2ARO7P: {}\n", 3, 3,
                         "marketplaces.A1F83G8C2ARO7P",
                         "duplicate key 'A1F83G8C2ARO7P' (first at line 2, column 3)"));
    EXPECT_TRUE(
        error_is("marketplaces:\n  A1F83G8C2ARO7P:\n    cancellation_rate:\n"
                 "      min_orders: 5\n      min_orders: 6\n",
                 5, 7, "marketplaces.A1F83G8C2ARO7P.cancellation_rate.min_orders",
                 "duplicate key 'min_orders' (first at line 4, column 7)"));
    // Flow style too.
    EXPECT_TRUE(error_is("metrics: {cancellation_rate: {warn: 0.01, warn: 0.02}}\n", 1, 43,
                         "metrics.cancellation_rate.warn", "duplicate key 'warn'", false));
}

// ---- Errors: types and numbers ----

TEST(ConfigErrors, Yaml11BooleanWhereANumberIsExpected) {
    EXPECT_TRUE(error_is("metrics:\n  cancellation_rate:\n    target: yes\n", 3, 13,
                         "metrics.cancellation_rate.target", "expected a number, got 'yes'"));
    EXPECT_TRUE(error_is("metrics:\n  cancellation_rate:\n    min_orders: off\n", 3, 17,
                         "metrics.cancellation_rate.min_orders",
                         "expected a whole number, got 'off'"));
}

TEST(ConfigErrors, OctalLookingIntegers) {
    EXPECT_TRUE(error_is("metrics:\n  cancellation_rate:\n    min_orders: 010\n", 3, 17,
                         "metrics.cancellation_rate.min_orders",
                         "'010' has a leading zero, which YAML 1.1 reads as octal; write 10"));
    EXPECT_TRUE(error_is("metrics:\n  order_defect_rate:\n    lag_days: 014\n", 3, 15,
                         "metrics.order_defect_rate.lag_days", "leading zero", false));
    EXPECT_TRUE(error_is("metrics:\n  late_dispatch_rate:\n    windows: [10, 030]\n", 3, 19,
                         "metrics.late_dispatch_rate.windows", "leading zero", false));
    EXPECT_TRUE(error_is("metrics:\n  cancellation_rate:\n    target: 00.02\n", 3, 13,
                         "metrics.cancellation_rate.target", "leading zero", false));
}

TEST(ConfigErrors, OtherNumberForms) {
    const std::string prefix = "metrics:\n  cancellation_rate:\n    target: ";
    for (const char* bad :
         {"0x10", "1e", "inf", ".inf", "nan", "1_000", "2%", "0.02.1", "0,02", "true"}) {
        auto e = parse_error(prefix + bad + "\n");
        EXPECT_EQ(e.line, 3) << bad;
        EXPECT_EQ(e.column, 13) << bad;
        EXPECT_EQ(e.key, "metrics.cancellation_rate.target") << bad;
    }
    EXPECT_TRUE(error_is("metrics:\n  cancellation_rate:\n    min_orders: 1.5\n", 3, 17,
                         "metrics.cancellation_rate.min_orders",
                         "expected a whole number, got '1.5'"));
    EXPECT_TRUE(error_is("metrics:\n  cancellation_rate:\n    min_orders: 1e2\n", 3, 17,
                         "metrics.cancellation_rate.min_orders",
                         "expected a whole number, got '1e2'"));
}

TEST(ConfigErrors, QuotedNumbers) {
    EXPECT_TRUE(error_is("metrics:\n  cancellation_rate:\n    target: \"0.02\"\n", 3, 13,
                         "metrics.cancellation_rate.target",
                         "expected a number, got the quoted text \"0.02\"; write it without "
                         "quotes"));
    EXPECT_TRUE(error_is("metrics:\n  cancellation_rate:\n    min_orders: '150'\n", 3, 17,
                         "metrics.cancellation_rate.min_orders",
                         "expected a whole number, got the quoted text \"150\"", false));
    EXPECT_TRUE(error_is("metrics:\n  cancellation_rate:\n    windows: [\"7\"]\n", 3, 15,
                         "metrics.cancellation_rate.windows", "quoted text", false));
}

TEST(ConfigErrors, WrongNodeKinds) {
    EXPECT_TRUE(error_is("account: {name: x}\n", 1, 10, "account", "expected text, got a map"));
    EXPECT_TRUE(error_is("account: [x]\n", 1, 10, "account", "expected text, got a list"));
    EXPECT_TRUE(error_is("metrics: [late_dispatch_rate]\n", 1, 10, "metrics",
                         "expected a map with the keys", false));
    EXPECT_TRUE(error_is("metrics:\n  late_dispatch_rate: 0.04\n", 2, 23,
                         "metrics.late_dispatch_rate",
                         "expected a map with the keys target, warn, windows, lag_days, "
                         "min_orders, got the value '0.04'"));
    EXPECT_TRUE(error_is("metrics:\n  late_dispatch_rate:\n    target: [0.04]\n", 3, 13,
                         "metrics.late_dispatch_rate.target", "expected a number, got a list"));
    EXPECT_TRUE(error_is("metrics:\n  late_dispatch_rate:\n    windows: 30\n", 3, 14,
                         "metrics.late_dispatch_rate.windows",
                         "expected a list of whole numbers such as [7, 30], got the value '30'; "
                         "write [30]"));
    EXPECT_TRUE(error_is("account:\nlog_level: info\n", 1, 1, "account",
                         "no value; expected text (remove the key to use the default)"));
    EXPECT_TRUE(error_is("account: !!str x\n", 1, 10, "account", "YAML tags", false));
}

TEST(ConfigErrors, TopLevelMustBeAMap) {
    EXPECT_TRUE(error_is("- account\n- inbox\n", 1, 1, "",
                         "the top level of the file must be a map of keys (key: value lines), "
                         "got a list"));
    EXPECT_TRUE(
        error_is("just text\n", 1, 1, "", "the top level of the file must be a map", false));
}

TEST(ConfigErrors, SecondDocument) {
    EXPECT_TRUE(error_is("account: a\n---\naccount: b\n", 3, 1, "",
                         "a second YAML document starts here (after a '---' line); a "
                         "configuration file holds one"));
}

TEST(ConfigErrors, TextValues) {
    EXPECT_TRUE(error_is("account: \"\"\n", 1, 10, "account", "account must not be empty"));
    EXPECT_TRUE(error_is("account: \"a\\nb\"\n", 1, 10, "account", "control characters", false));
    EXPECT_TRUE(error_is("log_level: warning\n", 1, 12, "log_level",
                         "unknown log_level 'warning'; did you mean 'warn'?"));
    EXPECT_TRUE(error_is("log_level: INFO\n", 1, 12, "log_level",
                         "unknown log_level 'INFO'; did you mean 'info'?"));
    EXPECT_TRUE(error_is("database: ~/shd.sqlite\n", 1, 11, "database",
                         "'~' is not expanded in paths; write the full path"));
}

// ---- Errors: ranges ----

TEST(ConfigErrors, TargetOutsideZeroOne) {
    for (const char* bad : {"0", "1", "1.5", "-0.1"}) {
        EXPECT_TRUE(error_is(
            std::string("metrics:\n  cancellation_rate:\n    target: ") + bad + "\n", 3, 13,
            "metrics.cancellation_rate.target",
            std::string("target ") + bad + " is out of range; it must be above 0 and below 1"));
    }
    EXPECT_TRUE(
        error_is("marketplaces:\n  A1F83G8C2ARO7P:\n    response_rate_24h:\n"
                 "      warn: 1\n",
                 4, 13, "marketplaces.A1F83G8C2ARO7P.response_rate_24h.warn",
                 "warn 1 is out of range; it must be above 0 and below 1"));
}

TEST(ConfigErrors, WarnOnTheWrongSideLowerIsBetter) {
    EXPECT_TRUE(error_is("metrics:\n  late_dispatch_rate:\n    target: 0.04\n    warn: 0.05\n", 4,
                         11, "metrics.late_dispatch_rate.warn",
                         "warn 0.05 is above target 0.04; for late_dispatch_rate warn must be "
                         "below target"));
    EXPECT_TRUE(error_is("metrics:\n  cancellation_rate:\n    warn: 0.025\n", 3, 11,
                         "metrics.cancellation_rate.warn",
                         "warn 0.025 equals target 0.025 (the default); for cancellation_rate "
                         "warn must be below target"));
    // Only the target given: the target is what moved, so it is blamed.
    EXPECT_TRUE(error_is("metrics:\n  order_defect_rate:\n    target: 0.005\n", 3, 13,
                         "metrics.order_defect_rate.target",
                         "target 0.005 is below warn 0.0075 (the default); for "
                         "order_defect_rate warn must be below target"));
}

TEST(ConfigErrors, WarnOnTheWrongSideHigherIsBetter) {
    EXPECT_TRUE(error_is("metrics:\n  valid_tracking_rate:\n    target: 0.95\n    warn: 0.94\n", 4,
                         11, "metrics.valid_tracking_rate.warn",
                         "warn 0.94 is below target 0.95; for valid_tracking_rate warn must be "
                         "above target"));
    EXPECT_TRUE(error_is("metrics:\n  response_rate_24h:\n    warn: 0.85\n", 3, 11,
                         "metrics.response_rate_24h.warn",
                         "warn 0.85 is below target 0.9 (the default); for response_rate_24h "
                         "warn must be above target"));
}

TEST(ConfigErrors, MarketplaceTargetOverrideMakesGlobalWarnWrong) {
    // The global warn is fine against the global target, but not against the
    // UK target: the UK override is what to fix.
    EXPECT_TRUE(
        error_is("metrics:\n"
                 "  late_dispatch_rate:\n"
                 "    warn: 0.035\n"
                 "marketplaces:\n"
                 "  A1F83G8C2ARO7P:\n"
                 "    late_dispatch_rate:\n"
                 "      target: 0.03\n",
                 7, 15, "marketplaces.A1F83G8C2ARO7P.late_dispatch_rate.target",
                 "target 0.03 is below warn 0.035 (from metrics.late_dispatch_rate.warn, "
                 "line 3); for late_dispatch_rate warn must be below target"));
    EXPECT_TRUE(
        error_is("marketplaces:\n"
                 "  A1F83G8C2ARO7P:\n"
                 "    response_rate_24h:\n"
                 "      target: 0.96\n",
                 4, 15, "marketplaces.A1F83G8C2ARO7P.response_rate_24h.target",
                 "target 0.96 is above warn 0.95 (the default); for response_rate_24h "
                 "warn must be above target"));
    // A marketplace warn against the global target is blamed on the warn.
    EXPECT_TRUE(
        error_is("metrics:\n"
                 "  late_dispatch_rate:\n"
                 "    target: 0.03\n"
                 "    warn: 0.02\n"
                 "marketplaces:\n"
                 "  A1F83G8C2ARO7P:\n"
                 "    late_dispatch_rate:\n"
                 "      warn: 0.031\n",
                 8, 13, "marketplaces.A1F83G8C2ARO7P.late_dispatch_rate.warn",
                 "warn 0.031 is above target 0.03 (from metrics.late_dispatch_rate.target, "
                 "line 3); for late_dispatch_rate warn must be below target"));
}

TEST(ConfigErrors, Windows) {
    const std::string prefix = "metrics:\n  late_dispatch_rate:\n    windows: ";
    EXPECT_TRUE(error_is(prefix + "[10, 0]\n", 3, 19, "metrics.late_dispatch_rate.windows",
                         "window 0 is out of range; it must be between 1 and 365"));
    EXPECT_TRUE(error_is(prefix + "[366]\n", 3, 15, "metrics.late_dispatch_rate.windows",
                         "window 366 is out of range; it must be between 1 and 365"));
    EXPECT_TRUE(error_is(prefix + "[-7]\n", 3, 15, "metrics.late_dispatch_rate.windows",
                         "window -7 is out of range", false));
    EXPECT_TRUE(error_is(prefix + "[]\n", 3, 14, "metrics.late_dispatch_rate.windows",
                         "the list is empty; give at least one window"));
    EXPECT_TRUE(error_is(prefix + "[10, 30, 10]\n", 3, 23, "metrics.late_dispatch_rate.windows",
                         "window 10 is listed twice (first at line 3, column 15)"));
    EXPECT_TRUE(error_is("metrics:\n  late_dispatch_rate:\n    windows:\n      - 10\n      - 10\n",
                         5, 9, "metrics.late_dispatch_rate.windows", "listed twice", false));
    EXPECT_TRUE(error_is(prefix + "[10.5]\n", 3, 15, "metrics.late_dispatch_rate.windows",
                         "expected a whole number, got '10.5'"));
    EXPECT_TRUE(
        error_is(prefix + "\n", 3, 5, "metrics.late_dispatch_rate.windows", "no value", false));
}

TEST(ConfigErrors, LagDaysAndMinOrders) {
    EXPECT_TRUE(error_is("metrics:\n  order_defect_rate:\n    lag_days: -1\n", 3, 15,
                         "metrics.order_defect_rate.lag_days",
                         "lag_days -1 is out of range; it must be between 0 and 365"));
    EXPECT_TRUE(error_is("metrics:\n  order_defect_rate:\n    lag_days: 400\n", 3, 15,
                         "metrics.order_defect_rate.lag_days", "out of range", false));
    EXPECT_TRUE(error_is("metrics:\n  order_defect_rate:\n    min_orders: -5\n", 3, 17,
                         "metrics.order_defect_rate.min_orders",
                         "min_orders -5 is out of range; it must be between 0 and 2147483647"));
    EXPECT_TRUE(error_is("metrics:\n  order_defect_rate:\n    min_orders: 99999999999999999999\n",
                         3, 17, "metrics.order_defect_rate.min_orders", "too large", false));
}

TEST(ConfigErrors, PollInterval) {
    EXPECT_TRUE(error_is("poll_interval: 60\n", 1, 16, "poll_interval",
                         "'60' is not a duration; write a whole number and a unit: 90s, 15m, "
                         "12h or 2d"));
    EXPECT_TRUE(
        error_is("poll_interval: 5 minutes\n", 1, 16, "poll_interval", "is not a duration", false));
    EXPECT_TRUE(error_is("poll_interval: 0s\n", 1, 16, "poll_interval",
                         "poll_interval 0s is out of range; it must be at least 1s"));
}

TEST(ConfigErrors, ReconcileTolerance) {
    EXPECT_TRUE(error_is("reconcile_tolerance: 1\n", 1, 22, "reconcile_tolerance",
                         "reconcile_tolerance 1 is out of range; it must be at least 0 and "
                         "below 1"));
    EXPECT_TRUE(error_is("reconcile_tolerance: -0.01\n", 1, 22, "reconcile_tolerance",
                         "out of range", false));
}

TEST(ConfigErrors, BadMarketplaceIds) {
    EXPECT_TRUE(error_is("default_marketplace: UK\n", 1, 22, "default_marketplace",
                         "'UK' is a country code, not a marketplace ID; the ID of Amazon.co.uk "
                         "is A1F83G8C2ARO7P"));
    EXPECT_TRUE(error_is("default_marketplace: atvpdkikx0der\n", 1, 22, "default_marketplace",
                         "marketplace IDs are upper case; write ATVPDKIKX0DER"));
    EXPECT_TRUE(error_is("default_marketplace: Amazon.de\n", 1, 22, "default_marketplace",
                         "'Amazon.de' is a sales channel, not a marketplace ID; its ID is "
                         "A1PA6795UKMFR9"));
    EXPECT_TRUE(error_is("default_marketplace: ATVP-DKIKX0DER\n", 1, 22, "default_marketplace",
                         "is not a marketplace ID", false));
    EXPECT_TRUE(error_is("marketplaces:\n  DE:\n    late_dispatch_rate:\n      warn: 0.02\n", 2, 3,
                         "marketplaces.DE",
                         "'DE' is a country code, not a marketplace ID; the ID of Amazon.de is "
                         "A1PA6795UKMFR9"));
}

// ---- Errors: syntax and files ----

TEST(ConfigErrors, YamlSyntaxErrorHasAPosition) {
    EXPECT_TRUE(error_is("metrics:\n  late_dispatch_rate:\n    windows: [10, 30\n", 4, 1, "",
                         "YAML syntax error: end of sequence flow not found"));
    EXPECT_TRUE(error_is("account: a: b\n", 1, 11, "", "YAML syntax error: illegal map value"));
    EXPECT_TRUE(error_is("account: a\n log_level: info\n", 2, 11, "",
                         "YAML syntax error: illegal map value"));
    EXPECT_TRUE(error_is("account: *missing\n", 1, 10, "",
                         "YAML syntax error: the referenced anchor is not defined"));
    auto tab = parse_error("metrics:\n\tlate_dispatch_rate: {}\n");
    EXPECT_GT(tab.line, 0);
    EXPECT_TRUE(tab.key.empty()) << tab.key;
}

TEST(ConfigErrors, MissingFile) {
    test::temp_dir dir;
    const auto path = dir / "absent.yaml";
    auto c = load_config(path);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().file, path.string());
    EXPECT_EQ(c.error().line, 0);
    EXPECT_EQ(c.error().column, 0);
    EXPECT_EQ(c.error().to_string(),
              path.string() +
                  ":0:0: cannot open the configuration file: No such file or "
                  "directory");
}

TEST(ConfigErrors, DirectoryInsteadOfFile) {
    test::temp_dir dir;
    auto c = load_config(dir.path());
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().line, 0);
    EXPECT_NE(c.error().message.find("Is a directory"), std::string::npos) << c.error().message;
}

TEST(ConfigErrors, ErrorsFromLoadConfigNameThePathAsGiven) {
    test::temp_dir dir;
    test::write_file(dir / "bad.yaml", "acount: x\n");
    auto c = load_config(dir / "bad.yaml");
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().to_string(), (dir / "bad.yaml").string() +
                                         ":1:1: acount: unknown key 'acount'; did you mean "
                                         "'account'?");
}

// ---- Docs and example stay in step with the keys ----

TEST(ConfigDocs, EveryKeyIsDocumentedAndInTheExample) {
    const auto root = std::filesystem::path(SHD_SOURCE_DIR);
    const std::string docs = test::read_file(root / "docs/configuration.md");
    const std::string example = test::read_file(root / "config/seller-healthd.yaml");
    std::istringstream lines(format_effective(default_config()));
    int keys = 0;
    for (std::string line; std::getline(lines, line);) {
        const auto first = line.find_first_not_of(' ');
        const auto colon = line.find(':');
        ASSERT_NE(colon, std::string::npos) << line;
        const std::string key = line.substr(first, colon - first);
        EXPECT_NE(docs.find("`" + key + "`"), std::string::npos) << key << " not in the docs";
        EXPECT_NE(example.find(key + ":"), std::string::npos) << key << " not in the example";
        ++keys;
    }
    // 13 top-level keys, 5 fields for each of 6 metric lines, 10 alerts keys,
    // 8 feeds with max_age each, 1 http key.
    EXPECT_EQ(keys, 13 + 5 * 6 + 10 + 8 * 2 + 1);
}

}  // namespace
}  // namespace shd::config

namespace shd::config {
namespace {

// The man page seller-healthd.yaml(5) is written from schema_keys(): every
// key the parser reads has a type and a description there.
TEST(ConfigSchemaKeys, EveryKeyIsTypedAndDescribed) {
    const auto keys = schema_keys();
    ASSERT_GT(keys.size(), 40u);
    std::set<std::string> seen;
    for (const auto& k : keys) {
        EXPECT_TRUE(seen.insert(k.key).second) << k.key;
        EXPECT_FALSE(k.type.empty()) << k.key;
        EXPECT_GT(k.description.size(), 10u) << k.key;
    }
    const auto find = [&](const std::string& key) -> const key_doc& {
        for (const auto& k : keys) {
            if (k.key == key)
                return k;
        }
        throw std::runtime_error("no key " + key);
    };
    EXPECT_EQ(find("poll_interval").type, "duration, at least 1s");
    EXPECT_EQ(find("poll_interval").default_value, "1m");
    EXPECT_EQ(find("log_level").type, "one of: trace, debug, info, warn, error");
    EXPECT_EQ(find("metrics.<metric>.target").type, "number, above 0 and below 1");
    EXPECT_EQ(find("metrics.<metric>.target").default_value, "");  // per metric
    EXPECT_EQ(find("alerts.channels[].timeout").default_value, "10s");
    EXPECT_EQ(find("alerts.quiet_hours.timezone").default_value, "UTC");
    EXPECT_EQ(find("alerts.channels[].name").default_value, "");  // required
    // Every top-level key format_effective writes is documented.
    const YAML::Node effective = YAML::Load(format_effective(default_config()));
    for (const auto& kv : effective)
        EXPECT_NO_THROW(find(kv.first.as<std::string>())) << kv.first.as<std::string>();
}

}  // namespace
}  // namespace shd::config
