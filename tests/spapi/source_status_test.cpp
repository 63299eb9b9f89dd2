// The SP-API sources in status: one section, values as stored.
#include "spapi/source_status.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace shd::spapi {
namespace {

instant at(const char* iso) {
    return *parse_iso8601(iso);
}

TEST(SourceStatus, TableAndJson) {
    EXPECT_EQ(sources_table({}, at("2026-12-07T12:00:00Z")), "");
    source_state orders;
    orders.source = "orders";
    orders.marketplace_id = "ATVPDKIKX0DER";
    orders.last_success_at = at("2026-12-07T11:45:00Z");
    orders.newest_data_at = at("2026-12-07T11:40:00Z");
    orders.behind = true;
    source_state finances;
    finances.source = "finances";
    finances.last_error = "HTTP 400: invalid_grant";
    const std::vector<source_state> states = {orders, finances};

    const std::string table = sources_table(states, at("2026-12-07T12:00:00Z"));
    EXPECT_NE(table.find("orders ATVPDKIKX0DER"), std::string::npos) << table;
    EXPECT_NE(table.find("15 min ago"), std::string::npos) << table;
    EXPECT_NE(table.find("newest data 2026-12-07T11:40:00Z"), std::string::npos) << table;
    EXPECT_NE(table.find("BEHIND"), std::string::npos) << table;
    EXPECT_NE(table.find("last success never"), std::string::npos) << table;
    EXPECT_NE(table.find("last error: HTTP 400: invalid_grant"), std::string::npos) << table;
    // Asked as of a time before the fetch: no negative age.
    const std::string earlier = sources_table(states, at("2026-12-01T00:00:00Z"));
    EXPECT_NE(earlier.find("last success after the as-of time"), std::string::npos) << earlier;

    const auto doc = nlohmann::json::parse(with_sources_json(R"({"as_of": "x"})", states));
    EXPECT_EQ(doc["as_of"], "x");
    ASSERT_EQ(doc["sources"].size(), 2u);
    EXPECT_EQ(doc["sources"][0]["last_success_at"], "2026-12-07T11:45:00Z");
    EXPECT_EQ(doc["sources"][0]["behind"], true);
    EXPECT_TRUE(doc["sources"][1]["marketplace_id"].is_null());
    EXPECT_TRUE(doc["sources"][1]["last_success_at"].is_null());
    EXPECT_EQ(doc["sources"][1]["last_error"], "HTTP 400: invalid_grant");
}

}  // namespace
}  // namespace shd::spapi
