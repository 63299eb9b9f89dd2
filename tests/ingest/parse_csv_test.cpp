// Our own CSV formats: shipments, defects, messages.
#include <gtest/gtest.h>

#include "parse_test_support.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

using test::at;
using test::collected;

TEST(ParseShipments, WorkedExample) {
    collected got;
    auto r = test::parse_path(shd::test::data_file("worked-example/rnd9024-shipments.csv"), got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::shipments);
    EXPECT_EQ(r->rows, 404);
    const auto rows = got.all<shipment_row>();
    ASSERT_EQ(rows.size(), 404u);
    EXPECT_EQ(rows[0].order_id, "111-3360589-9901550");
    EXPECT_EQ(rows[0].latest_ship_at, at("2025-10-25T06:59:59Z"));
    EXPECT_EQ(rows[0].confirmed_at, at("2025-10-23T17:35:14Z"));
    EXPECT_EQ(rows[0].tracking_id, "1ZA4A4FB7CA2CC50EF");
    EXPECT_EQ(rows[0].carrier, "UPS");
    EXPECT_FALSE(rows[0].tracking_valid.has_value());
    EXPECT_EQ(rows.back().order_id, "302-1859486-4644263");
    EXPECT_EQ(rows.back().tracking_valid, true);
    EXPECT_EQ(got.lines.back(), 536);  // notes span lines: records and lines differ

    int unconfirmed = 0, invalid = 0, untracked = 0;
    for (const auto& s : rows) {
        unconfirmed += !s.confirmed_at;
        invalid += s.tracking_valid == false;
        untracked += s.tracking_id.empty();
    }
    EXPECT_EQ(unconfirmed, 7);
    EXPECT_EQ(invalid, 19);
    EXPECT_EQ(untracked, 27);
    // The first row with tracking_valid=false starts on line 37 (after multi-line notes).
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].tracking_valid == false) {
            EXPECT_EQ(rows[i].order_id, "402-4309571-9429563");
            EXPECT_EQ(got.lines[i], 37);
            break;
        }
    }
}

TEST(ParseShipments, Rules) {
    const std::string header =
        "order_id,latest_ship_date,confirmed_at,tracking_id,carrier,tracking_valid\n";
    collected got;
    ASSERT_TRUE(test::parse_text(header + "O-1,2025-10-01T00:00:00Z,,,,\n", got));
    const auto row = got.all<shipment_row>().at(0);
    EXPECT_FALSE(row.confirmed_at.has_value());
    EXPECT_FALSE(row.tracking_valid.has_value());
    EXPECT_EQ(row.tracking_id, "");

    // Only the required columns.
    collected minimal;
    auto r = test::parse_text("latest_ship_date,order_id\n2025-10-01,O-9\n", minimal);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::shipments);
    EXPECT_EQ(minimal.all<shipment_row>().at(0).order_id, "O-9");

    collected bad;
    auto e = test::parse_text(header + "O-1,2025-10-01T00:00:00Z,,T,UPS,maybe\n", bad);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().where_and_why(), "line 2, field tracking_valid: not true or false");
    auto e2 = test::parse_text(header + "O-1,,,T,UPS,\n", bad);
    ASSERT_FALSE(e2);
    EXPECT_EQ(e2.error().where_and_why(),
              "line 2, field latest_ship_date: required field is empty");
    auto e3 = test::parse_text("order_id,confirmed_at\nO-1,2025-10-01\n", bad);
    ASSERT_FALSE(e3);
    EXPECT_EQ(e3.error().line, 1);
    EXPECT_EQ(e3.error().field, "latest_ship_date");
}

TEST(ParseDefects, WorkedExample) {
    collected got;
    auto r = test::parse_path(shd::test::data_file("worked-example/rnd9024-defects.csv"), got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::defects);
    const auto rows = got.all<defect_row>();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].order_id, "171-2384423-5642500");
    EXPECT_EQ(rows[0].kind, "a_to_z_claim");
    EXPECT_EQ(rows[0].occurred_at, at("2025-11-01T02:24:22Z"));
    EXPECT_EQ(rows[0].status, "refunded");
    EXPECT_TRUE(rows[0].counts);
    EXPECT_FALSE(rows[0].rating.has_value());
    EXPECT_EQ(rows[1].order_id, "S01-3162066-5310356");
    EXPECT_EQ(rows[1].status, "open");  // empty
    EXPECT_TRUE(rows[1].counts);
    EXPECT_EQ(got.lines, (std::vector<long>{2, 3}));
}

TEST(ParseDefects, CountingRuleOfTheMetricsSpec) {
    struct defect_case {
        std::string row;
        std::string status;
        std::optional<int> rating;
        bool counts;
    };
    const std::vector<defect_case> cases = {
        {"negative_feedback,2025-10-01,,", "active", std::nullopt, true},
        {"negative_feedback,2025-10-01,,1", "active", 1, true},
        {"negative_feedback,2025-10-01,active,2", "active", 2, true},
        {"negative_feedback,2025-10-01,,3", "active", 3, false},
        {"negative_feedback,2025-10-01,removed,1", "removed", 1, false},
        {"negative_feedback,2025-10-01,Removed,", "removed", std::nullopt, false},
        {"a_to_z_claim,2025-10-01,,", "open", std::nullopt, true},
        {"a_to_z_claim,2025-10-01,granted,", "granted", std::nullopt, true},
        {"a_to_z_claim,2025-10-01,refunded,", "refunded", std::nullopt, true},
        {"a_to_z_claim,2025-10-01,denied,", "denied", std::nullopt, false},
        {"a_to_z_claim,2025-10-01,withdrawn,", "withdrawn", std::nullopt, false},
        {"a_to_z_claim,2025-10-01,protected,4", "protected", std::nullopt, false},
        {"chargeback,2025-10-01,,", "open", std::nullopt, true},
        {"chargeback,2025-10-01,lost,", "lost", std::nullopt, true},
        {"chargeback,2025-10-01,reversed,", "reversed", std::nullopt, false},
        {"Chargeback,2025-10-01,OPEN,", "open", std::nullopt, true},
    };
    for (const auto& c : cases) {
        collected got;
        auto r =
            test::parse_text("order_id,kind,occurred_at,status,rating\nO-1," + c.row + "\n", got);
        ASSERT_TRUE(r) << c.row << ": " << r.error().to_string();
        const auto d = got.all<defect_row>().at(0);
        EXPECT_EQ(d.status, c.status) << c.row;
        EXPECT_EQ(d.rating, c.rating) << c.row;
        EXPECT_EQ(d.counts, c.counts) << c.row;
        EXPECT_EQ(d.occurred_at, at("2025-10-01T00:00:00Z"));
    }
}

TEST(ParseDefects, BadValues) {
    const std::string header = "order_id,kind,occurred_at,status,rating\n";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"O-1,refund,2025-10-01,,",
         "line 2, field kind: unknown kind (expected negative_feedback, a_to_z_claim or "
         "chargeback)"},
        {"O-1,chargeback,2025-10-01,granted,",
         "line 2, field status: unknown status for chargeback (expected open, lost, "
         "reversed)"},
        {"O-1,negative_feedback,2025-10-01,open,",
         "line 2, field status: unknown status for negative_feedback (expected active, "
         "removed)"},
        {"O-1,negative_feedback,2025-10-01,,6",
         "line 2, field rating: not a whole number from 1 to 5"},
        {"O-1,negative_feedback,yesterday,,",
         "line 2, field occurred_at: not an ISO-8601 timestamp with an offset or Z"},
    };
    for (const auto& [row, error] : cases) {
        collected got;
        auto r = test::parse_text(header + row + "\n", got);
        ASSERT_FALSE(r) << row;
        EXPECT_EQ(r.error().where_and_why(), error);
    }
}

TEST(ParseMessages, WorkedExample) {
    collected got;
    auto r = test::parse_path(shd::test::data_file("worked-example/rnd9024-messages.csv"), got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::messages);
    EXPECT_EQ(r->rows, 443);
    const auto rows = got.all<message_row>();
    ASSERT_EQ(rows.size(), 443u);
    EXPECT_EQ(rows[0].message_id, "rnd9024-m00001");
    EXPECT_EQ(rows[0].order_id, "");
    EXPECT_EQ(rows[0].marketplace_id, "A1VC38T7YXB528");
    EXPECT_EQ(rows[0].received_at, at("2025-10-27T05:06:50Z"));
    EXPECT_EQ(rows[0].responded_at, at("2025-10-27T12:24:13Z"));
    EXPECT_FALSE(rows[0].no_response_needed);
    // Every subject "Hello,\nis this in stock?" takes two lines.
    EXPECT_EQ(got.lines[0], 2);
    EXPECT_EQ(got.lines[1], 4);
    EXPECT_EQ(got.lines.back(), 572);
    EXPECT_EQ(rows.back().message_id, "rnd9024-m00443");

    int no_reply_needed = 0, unanswered = 0, no_marketplace = 0;
    for (const auto& m : rows) {
        no_reply_needed += m.no_response_needed;
        unanswered += !m.responded_at;
        no_marketplace += m.marketplace_id.empty();
    }
    EXPECT_EQ(no_reply_needed, 37);
    EXPECT_EQ(unanswered, 1);
    EXPECT_EQ(no_marketplace, 167);
}

TEST(ParseMessages, Rules) {
    const std::string header =
        "message_id,order_id,marketplace_id,received_at,responded_at,no_response_needed\n";
    collected got;
    auto r = test::parse_text("received_at,message_id\n2025-10-01T10:00:00+02:00,M-1\n", got);
    ASSERT_TRUE(r) << r.error().to_string();
    const auto m = got.all<message_row>().at(0);
    EXPECT_EQ(m.received_at, at("2025-10-01T08:00:00Z"));
    EXPECT_FALSE(m.responded_at.has_value());
    EXPECT_FALSE(m.no_response_needed);
    EXPECT_EQ(m.marketplace_id, "");

    collected bad;
    auto e = test::parse_text(header + "M-1,,US,2025-10-01T10:00:00Z,,\n", bad);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().where_and_why(),
              "line 2, field marketplace_id: unknown marketplace ID (not one of Amazon's "
              "marketplace IDs)");
    auto e2 = test::parse_text(header + "M-1,,,2025-10-01T10:00:00Z,,1\n", bad);
    ASSERT_FALSE(e2);
    EXPECT_EQ(e2.error().where_and_why(), "line 2, field no_response_needed: not true or false");
    auto e3 = test::parse_text(header + ",,,2025-10-01T10:00:00Z,,\n", bad);
    ASSERT_FALSE(e3);
    EXPECT_EQ(e3.error().where_and_why(), "line 2, field message_id: required field is empty");
}

}  // namespace
}  // namespace shd::ingest
