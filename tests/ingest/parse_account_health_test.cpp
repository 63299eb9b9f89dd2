// The account-health JSON: Amazon's schema example, the airbyte mock with its
// wrong shapes, and documents that are not account-health reports.
#include <gtest/gtest.h>

#include "parse_test_support.hpp"
#include "support/test_support.hpp"

namespace shd::ingest {
namespace {

using test::at;
using test::collected;

const account_health_metric_row* find_metric(const account_health_snapshot& s,
                                             std::string_view metric, std::string_view channel) {
    for (const auto& m : s.metrics) {
        if (m.metric == metric && m.channel == channel)
            return &m;
    }
    return nullptr;
}

TEST(ParseAccountHealth, AmazonSchemaExample) {
    const auto path =
        shd::test::data_file("samples/amzn_accountHealthReport-2020-11-18.example.json");
    collected got;
    auto r = test::parse_path(path, got);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->format, file_format::account_health);
    EXPECT_EQ(r->rows, 1);
    ASSERT_EQ(got.records.size(), 1u);
    const auto& s = std::get<account_health_snapshot>(got.records[0]);
    EXPECT_EQ(s.document, shd::test::read_file(path));
    EXPECT_EQ(s.taken_at, at("2020-11-19T23:59Z"));

    ASSERT_EQ(s.statuses.size(), 3u);
    EXPECT_EQ(s.statuses[0].marketplace_id, "ATVPDKIKX0DER");
    EXPECT_EQ(s.statuses[0].status, "AT_RISK");
    EXPECT_EQ(s.statuses[2].status, "SUSPENDED");

    // 16 metrics plus the account-health rating; warningState is no metric.
    EXPECT_EQ(s.metrics.size(), 17u);
    for (const auto& m : s.metrics)
        EXPECT_EQ(m.marketplace_id, "ATVPDKIKX0DER");

    const auto* odr_mfn = find_metric(s, "order_defect_rate", "MFN");
    ASSERT_NE(odr_mfn, nullptr);
    EXPECT_EQ(odr_mfn->rate, 0.009);
    EXPECT_EQ(odr_mfn->numerator, 1078);
    EXPECT_EQ(odr_mfn->denominator, 539000);
    EXPECT_EQ(odr_mfn->status, "GOOD");
    EXPECT_EQ(odr_mfn->target, 0.01);
    EXPECT_EQ(odr_mfn->window_from, at("2020-09-06T00:00:00Z"));
    EXPECT_EQ(odr_mfn->window_to, at("2020-11-04T23:59:00Z"));
    EXPECT_NE(find_metric(s, "order_defect_rate", "AFN"),
              nullptr);  // the key decides, not fulfillmentType

    const auto* ldr = find_metric(s, "late_dispatch_rate", "MFN");
    ASSERT_NE(ldr, nullptr);
    EXPECT_EQ(ldr->numerator, 27896);
    EXPECT_EQ(ldr->denominator, 870669);
    EXPECT_EQ(ldr->rate, 0.03203973037);

    const auto* cancel = find_metric(s, "cancellation_rate", "MFN");  // prefulfillmentCancelRate
    ASSERT_NE(cancel, nullptr);
    EXPECT_EQ(cancel->numerator, 551);
    EXPECT_EQ(cancel->denominator, 17197);
    EXPECT_EQ(cancel->window_to, at("2020-11-18T23:59:00Z"));

    const auto* vtr = find_metric(s, "valid_tracking_rate", "MFN");
    ASSERT_NE(vtr, nullptr);
    EXPECT_EQ(vtr->numerator, 896462);
    EXPECT_EQ(vtr->denominator, 878443);

    const auto* otdr = find_metric(s, "onTimeDeliveryRate", "all");
    ASSERT_NE(otdr, nullptr);
    EXPECT_EQ(otdr->numerator, 847987);
    EXPECT_EQ(otdr->denominator, 808046);

    const auto* invoice = find_metric(s, "invoiceDefectRate", "all");
    ASSERT_NE(invoice, nullptr);
    EXPECT_EQ(invoice->numerator, 315);
    EXPECT_EQ(invoice->denominator, 9001);

    const auto* policy = find_metric(s, "listingPolicyViolations", "all");
    ASSERT_NE(policy, nullptr);
    EXPECT_EQ(policy->numerator, 86);
    EXPECT_FALSE(policy->denominator.has_value());
    EXPECT_EQ(policy->status, "BAD");
    EXPECT_EQ(policy->target, 0.0);

    const auto* rating = find_metric(s, "accountHealthRating", "all");
    ASSERT_NE(rating, nullptr);
    EXPECT_EQ(rating->status, "WARNED");
    EXPECT_FALSE(rating->rate.has_value());
}

TEST(ParseAccountHealth, AirbyteMockWithWrongShapesIsTolerated) {
    collected got;
    auto r = test::parse_path(
        shd::test::data_file("samples/airbyte_GET_V2_SELLER_PERFORMANCE_REPORT.mock.json"), got,
        test::make_context("A1F83G8C2ARO7P"));
    ASSERT_TRUE(r) << r.error().to_string();
    const auto& s = std::get<account_health_snapshot>(got.records.at(0));
    EXPECT_EQ(s.taken_at, at("2026-07-24T23:59:59Z"));
    ASSERT_EQ(s.statuses.size(), 1u);
    EXPECT_EQ(s.statuses[0].status, "NORMAL");
    // No marketplaceId on the metrics: the document's only marketplace.
    ASSERT_EQ(s.metrics.size(), 4u);
    for (const auto& m : s.metrics)
        EXPECT_EQ(m.marketplace_id, "ATVPDKIKX0DER");
    const auto* ldr = find_metric(s, "late_dispatch_rate", "MFN");
    ASSERT_NE(ldr, nullptr);
    EXPECT_EQ(ldr->rate, 0.01);
    EXPECT_EQ(ldr->status, "NORMAL");
    EXPECT_FALSE(ldr->numerator.has_value());
    const auto* afn = find_metric(s, "order_defect_rate", "AFN");
    ASSERT_NE(afn, nullptr);
    EXPECT_EQ(afn->rate, 0.0);
    EXPECT_FALSE(afn->window_to.has_value());
    const auto* rating = find_metric(s, "accountHealthRating", "all");
    ASSERT_NE(rating, nullptr);
    EXPECT_EQ(rating->status, "GREEN");
    EXPECT_EQ(rating->numerator, 1000);  // ahrScore
}

TEST(ParseAccountHealth, LateShipmentRateListAndMissingFields) {
    const std::string doc = R"({
  "performanceMetrics": [
    {
      "lateShipmentRate": {"rate": 0.02, "orderCount": 100, "lateShipmentCount": 2,
        "reportingDateRange": {"reportingDateFrom": "2025-10-01T00:00:00Z", "reportingDateTo": "2025-10-10T00:00:00Z"}},
      "lateShipmentRateList": [
        {"rate": 0.02, "orderCount": 100, "lateShipmentCount": 2,
         "reportingDateRange": {"reportingDateFrom": "2025-10-01T00:00:00Z", "reportingDateTo": "2025-10-10T00:00:00Z"}},
        {"rate": 0.03, "orderCount": 300, "lateShipmentCount": 9,
         "reportingDateRange": {"reportingDateFrom": "2025-09-11T00:00:00Z", "reportingDateTo": "2025-10-11T00:00:00Z"}}
      ],
      "validTrackingRate": {"rate": null, "status": "GOOD"},
      "orderDefectRate": [{"fulfillmentType": "afn", "rate": 0.001, "orderWithDefects": {"count": 1}, "orderCount": 1000}],
      "someNewMetric": {"status": "GOOD", "defectsCount": 0},
      "marketplaceId": "A1PA6795UKMFR9"
    },
    {"preFulfillmentCancellationRate": {"rate": 0.5, "cancellationCount": 1, "orderCount": 2}}
  ]
})";
    collected got;
    auto r = test::parse_text(doc, got, test::make_context("A1F83G8C2ARO7P"));
    ASSERT_TRUE(r) << r.error().to_string();
    const auto& s = std::get<account_health_snapshot>(got.records.at(0));
    EXPECT_EQ(s.taken_at, at("2025-10-11T00:00:00Z"));
    int ldr_rows = 0;
    for (const auto& m : s.metrics)
        ldr_rows += m.metric == "late_dispatch_rate";
    EXPECT_EQ(ldr_rows, 2);  // the list repeats the headline 10-day entry: kept once
    const auto* vtr = find_metric(s, "valid_tracking_rate", "MFN");
    ASSERT_NE(vtr, nullptr);
    EXPECT_FALSE(vtr->rate.has_value());
    EXPECT_FALSE(vtr->denominator.has_value());
    const auto* afn = find_metric(s, "order_defect_rate", "AFN");
    ASSERT_NE(afn, nullptr);
    EXPECT_EQ(afn->numerator, 1);
    EXPECT_EQ(afn->marketplace_id, "A1PA6795UKMFR9");
    const auto* other = find_metric(s, "someNewMetric", "all");
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->numerator, 0);
    // No marketplaceId and no accountStatuses: the configured default.
    const auto* cancel = find_metric(s, "cancellation_rate", "MFN");
    ASSERT_NE(cancel, nullptr);
    EXPECT_EQ(cancel->marketplace_id, "A1F83G8C2ARO7P");
    EXPECT_EQ(s.metrics.size(), 6u);
}

TEST(ParseAccountHealth, OddShapesAreRefusedByPath) {
    // Missing fields are fine; fields of another type are not taken as "no data".
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"performanceMetrics": [{"lateShipmentRateList": [{"rate": 0.02}, "not an object"]}]})",
         "performanceMetrics[0].lateShipmentRateList[1]"},
        {R"({"performanceMetrics": [{"validTrackingRate": {"rate": "96%"}}]})",
         "performanceMetrics[0].validTrackingRate.rate"},
        {R"({"performanceMetrics": [{"validTrackingRate": {"shipmentCount": "lots"}}]})",
         "performanceMetrics[0].validTrackingRate.shipmentCount"},
        {R"({"performanceMetrics": [{"marketplaceId": "ATVPDKIKX0DER"}, "junk"]})",
         "performanceMetrics[1]"},
    };
    for (const auto& [doc, path] : cases) {
        collected got;
        auto r = test::parse_text(doc, got);
        ASSERT_FALSE(r) << doc;
        EXPECT_EQ(r.error().field, path) << r.error().to_string();
        EXPECT_TRUE(got.records.empty());
    }
}

TEST(ParseAccountHealth, BrokenJsonNamesTheLine) {
    collected got;
    auto r =
        test::parse_text("{\n  \"accountStatuses\": [\n    {\"marketplaceId\": }\n  ]\n}\n", got);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().line, 3);
    EXPECT_EQ(r.error().reason.rfind("not valid JSON: ", 0), 0u) << r.error().reason;
    EXPECT_TRUE(got.records.empty());

    auto cut = test::parse_text("{\"performanceMetrics\": [\n{\n", got);
    ASSERT_FALSE(cut);
    EXPECT_EQ(cut.error().line, 3);
}

TEST(ParseAccountHealth, OtherJsonIsNotRecognised) {
    collected got;
    auto r = test::parse_path(
        shd::test::data_file("samples/amzn_accountHealthReport-2020-11-18.schema.json"), got);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().reason.find("not a recognised export"), std::string::npos);
    auto arr = test::parse_text("  [1, 2]\n", got);
    ASSERT_FALSE(arr);
    EXPECT_NE(arr.error().reason.find("not a recognised export"), std::string::npos);
}

}  // namespace
}  // namespace shd::ingest
