// `feeds:`: per-feed max_age, its default from alerts.stale_after, strict
// names and ranges, and the effective configuration printing it back.
#include <gtest/gtest.h>

#include "config/config.hpp"
#include "core/feed_catalog.hpp"

namespace shd::config {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const std::filesystem::path kFile = "/etc/seller-healthd/test.yaml";

config parse_ok(std::string_view yaml) {
    auto c = parse_config(yaml, kFile);
    EXPECT_TRUE(c.has_value()) << yaml << "\n-> " << (c ? "" : c.error().to_string());
    return c ? *c : config{};
}

std::string error_of(std::string_view yaml) {
    auto c = parse_config(yaml, kFile);
    if (c)
        return "no error";
    return c.error().to_string().substr(kFile.string().size() + 1);
}

TEST(FeedsConfig, EveryFeedDefaultsToStaleAfter) {
    const config d = default_config();
    ASSERT_EQ(d.feed_max_ages.size(), all_feeds().size());
    for (const auto& f : all_feeds())
        EXPECT_EQ(d.feed_max_age(f.name), hours(36)) << f.name;
    // A file's stale_after moves every feed it does not name, wherever the
    // key is written.
    const config c = parse_ok("feeds:\n  defects: {max_age: 8d}\nalerts:\n  stale_after: 2d\n");
    EXPECT_EQ(c.feed_max_age("defects"), hours(8 * 24));
    EXPECT_EQ(c.feed_max_age("shipments"), hours(48));
    EXPECT_EQ(c.feed_max_age("account_health"), hours(48));
    // A feed named with an empty map takes stale_after too.
    EXPECT_EQ(parse_ok("feeds:\n  shipments: {}\n").feed_max_age("shipments"), hours(36));
    EXPECT_EQ(parse_ok("feeds:\n").feed_max_ages, default_config().feed_max_ages);
}

TEST(FeedsConfig, ErrorsNameTheKey) {
    EXPECT_EQ(error_of("feeds:\n  shipment: {max_age: 2d}\n"),
              "2:3: feeds.shipment: unknown feed 'shipment'; did you mean 'shipments'?");
    EXPECT_EQ(error_of("feeds:\n  shipments: {max_age: 30s}\n"),
              "2:24: feeds.shipments.max_age: max_age 30s is out of range; it must be at least "
              "1m");
    EXPECT_EQ(error_of("feeds:\n  shipments: {max_age: 2}\n"),
              "2:24: feeds.shipments.max_age: '2' is not a duration; write a whole number and a "
              "unit: 90s, 15m, 12h or 2d");
    EXPECT_EQ(error_of("feeds:\n  shipments: {maxage: 2d}\n"),
              "2:15: feeds.shipments.maxage: unknown key 'maxage'; did you mean 'max_age'?");
}

TEST(FeedsConfig, EffectiveConfigurationRoundTrips) {
    const config c = parse_ok("alerts:\n  stale_after: 2d\nfeeds:\n  defects: {max_age: 8d}\n");
    const std::string text = format_effective(c);
    EXPECT_NE(text.find("feeds:\n  all_orders:\n    max_age: 2d\n"), std::string::npos) << text;
    EXPECT_NE(text.find("  defects:\n    max_age: 8d\n"), std::string::npos) << text;
    auto again = parse_config(text, kFile);
    ASSERT_TRUE(again.has_value()) << again.error().to_string();
    EXPECT_EQ(*again, c);
}

}  // namespace
}  // namespace shd::config
