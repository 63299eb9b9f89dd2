// The pure mappers: Amazon's sandbox answers and hand-made ones give the
// records of spec/sources.md's mapping table.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "spapi/finances.hpp"
#include "spapi/orders.hpp"

namespace shd::spapi {
namespace {

std::string read_data(const std::string& name) {
    std::ifstream in(std::string(SHD_TEST_DATA) + "/spapi/" + name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

instant at(const char* iso) {
    return *parse_iso8601(iso);
}

TEST(SearchOrders, AmazonFulfilledSandboxOrder) {
    auto page = parse_search_orders(read_data("search_orders_sandbox_0.json"));
    ASSERT_TRUE(page) << page.error().to_string();
    EXPECT_EQ(page->next_token, "2YgYW55IGNhcm5hbCBwbGVhc3VyZS4");
    ASSERT_EQ(page->orders.size(), 1u);
    const auto& o = page->orders[0];
    EXPECT_EQ(o.order_id, "250-1234567-8901234");
    ASSERT_EQ(o.items.size(), 2u);
    const auto& item = o.items[0];
    EXPECT_EQ(item.marketplace_id, "A1VC38T7YXB528");
    EXPECT_EQ(item.sales_channel, "Amazon.co.jp");
    EXPECT_EQ(item.fulfillment_channel, "AFN");
    EXPECT_EQ(item.purchased_at, at("2024-12-25T02:30:00Z"));
    EXPECT_EQ(item.last_updated_at, at("2024-12-25T06:45:00Z"));
    EXPECT_EQ(item.order_status, "Shipped");
    EXPECT_FALSE(item.is_cancelled);
    EXPECT_EQ(item.item_key, "25012345678901");
    EXPECT_EQ(item.sku, "ECHO-DOT-4-JP-CHARCOAL");
    EXPECT_EQ(item.asin, "B08C1W5N87");
    EXPECT_EQ(item.quantity, 1);
    EXPECT_EQ(o.items[1].quantity, 2);
    EXPECT_FALSE(o.shipment) << "Amazon ships its own orders: no shipment row";
}

TEST(SearchOrders, SellerFulfilledShippedSandboxOrder) {
    auto page = parse_search_orders(read_data("search_orders_sandbox_1.json"));
    ASSERT_TRUE(page) << page.error().to_string();
    EXPECT_EQ(page->next_token, "");
    ASSERT_EQ(page->orders.size(), 1u);
    const auto& o = page->orders[0];
    EXPECT_EQ(o.items[0].fulfillment_channel, "MFN");
    EXPECT_EQ(o.items[0].marketplace_id, "A1F83G8C2ARO7P");
    ASSERT_TRUE(o.shipment);
    EXPECT_EQ(o.shipment->order_id, "202-7654321-1098765");
    EXPECT_EQ(o.shipment->latest_ship_at, at("2024-12-25T23:59:59Z"));
    EXPECT_EQ(o.shipment->confirmed_at, at("2024-12-25T14:00:00Z"));
    EXPECT_EQ(o.shipment->tracking_id, "15501234567890123456");
    EXPECT_EQ(o.shipment->carrier, "DPD");
    EXPECT_EQ(o.shipment->fetched_updated_at, at("2024-12-24T18:45:00Z"));
}

TEST(SearchOrders, UnshippedSandboxOrderIsNotConfirmed) {
    auto page = parse_search_orders(read_data("search_orders_sandbox_2.json"));
    ASSERT_TRUE(page) << page.error().to_string();
    const auto& o = page->orders.at(0);
    EXPECT_EQ(o.items[0].order_status, "Unshipped");
    ASSERT_TRUE(o.shipment);
    EXPECT_EQ(o.shipment->latest_ship_at, at("2024-12-24T23:59:59Z"));
    EXPECT_FALSE(o.shipment->confirmed_at);
    EXPECT_EQ(o.shipment->tracking_id, "");
}

const char* kMfnOrder = R"({"orders": [{
  "orderId": "111-0000001-0000001",
  "createdTime": "2026-11-01T10:00:00Z", "lastUpdatedTime": "2026-11-03T08:00:00Z",
  "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"},
  "fulfillment": {"fulfillmentStatus": "PARTIALLY_SHIPPED", "fulfilledBy": "MERCHANT",
                  "shipByWindow": {"latestDateTime": "2026-11-03T07:59:59Z"}},
  "orderItems": [
    {"orderItemId": "1", "quantityOrdered": 1, "product": {"sellerSku": "A"},
     "cancellation": {"cancellationRequest": {"requester": "BUYER", "cancelReason": "x"}}},
    {"orderItemId": "2", "quantityOrdered": 1, "product": {"sellerSku": "B"},
     "cancellation": {"cancellationExecution": {"cancelledBy": "SELLER"}}}],
  "packages": [
    {"packageReferenceId": "p1", "shipTime": "2026-11-02T18:00:00Z", "trackingNumber": "",
     "carrier": "USPS"},
    {"packageReferenceId": "p2", "shipTime": "2026-11-02T09:30:00+01:00",
     "trackingNumber": "1Z999", "carrier": "UPS"},
    {"packageReferenceId": "p3", "trackingNumber": "9400", "carrier": "USPS"}]
}]})";

TEST(SearchOrders, PackagesCancellationsAndBuyerRequests) {
    auto page = parse_search_orders(kMfnOrder);
    ASSERT_TRUE(page) << page.error().to_string();
    const auto& o = page->orders.at(0);
    ASSERT_EQ(o.items.size(), 2u);
    EXPECT_EQ(o.items[0].order_status, "PartiallyShipped");
    EXPECT_FALSE(o.items[0].is_cancelled);
    EXPECT_FALSE(o.items[0].item_cancelled);
    EXPECT_TRUE(o.items[1].item_cancelled);
    EXPECT_EQ(o.items[1].item_status, "Cancelled");
    EXPECT_TRUE(o.items[0].buyer_requested_cancel) << "any item's request marks the order";
    EXPECT_TRUE(o.items[1].buyer_requested_cancel);
    ASSERT_TRUE(o.shipment);
    EXPECT_EQ(o.shipment->confirmed_at, at("2026-11-02T08:30:00Z")) << "the earliest shipTime";
    EXPECT_EQ(o.shipment->tracking_id, "1Z999") << "the first non-empty tracking number";
    EXPECT_EQ(o.shipment->carrier, "UPS");
}

TEST(SearchOrders, CancelledAndNonAmazonChannels) {
    auto page = parse_search_orders(R"({"orders": [{
      "orderId": "111-0000002-0000002",
      "createdTime": "2026-11-01T10:00:00Z", "lastUpdatedTime": "2026-11-01T11:00:00Z",
      "salesChannel": {"channelName": "NON_AMAZON"},
      "fulfillment": {"fulfillmentStatus": "CANCELLED", "fulfilledBy": "AMAZON"},
      "orderItems": []}]})");
    ASSERT_TRUE(page) << page.error().to_string();
    const auto& o = page->orders.at(0);
    ASSERT_EQ(o.items.size(), 1u) << "an order without items is still one order";
    EXPECT_FALSE(o.items[0].marketplace_id) << "stored, never counted";
    EXPECT_EQ(o.items[0].sales_channel, "NON_AMAZON");
    EXPECT_TRUE(o.items[0].is_cancelled);
    EXPECT_EQ(o.items[0].order_status, "Cancelled");
}

TEST(SearchOrders, BadAnswersNameTheOrderAndField) {
    auto no_date = parse_search_orders(R"({"orders": [{"orderId": "111-0000003-0000003",
      "createdTime": "yesterday", "lastUpdatedTime": "2026-11-01T11:00:00Z",
      "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"}}]})");
    ASSERT_FALSE(no_date);
    EXPECT_EQ(no_date.error().to_string(),
              "orders[0] (111-0000003-0000003).createdTime: 'yesterday' is not a date-time");
    EXPECT_FALSE(parse_search_orders("<html>"));
    EXPECT_FALSE(parse_search_orders(R"({"errors": []})"));
    auto by = parse_search_orders(R"({"orders": [{"orderId": "1",
      "createdTime": "2026-11-01T10:00:00Z", "lastUpdatedTime": "2026-11-01T11:00:00Z",
      "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"},
      "fulfillment": {"fulfillmentStatus": "SHIPPED", "fulfilledBy": "ROBOTS"}}]})");
    ASSERT_FALSE(by);
    EXPECT_EQ(by.error().where, "orders[0] (1).fulfillment.fulfilledBy");
}

const char* kEvents = R"({"payload": {"NextToken": "next-page", "FinancialEvents": {
  "GuaranteeClaimEventList": [
    {"AmazonOrderId": "111-0000001-0000001", "PostedDate": "2026-11-05T10:00:00Z",
     "OrderChargeAdjustmentList": [{"ChargeType": "Principal",
        "ChargeAmount": {"CurrencyCode": "USD", "CurrencyAmount": -25.0}}]},
    {"AmazonOrderId": "111-0000001-0000001", "PostedDate": "2026-11-20T10:00:00Z",
     "ShipmentItemAdjustmentList": [{"ItemChargeAdjustmentList": [{"ChargeType": "Principal",
        "ChargeAmount": {"CurrencyCode": "USD", "CurrencyAmount": 25.0}}]}]}],
  "ChargebackEventList": [
    {"AmazonOrderId": "111-0000002-0000002", "PostedDate": "2026-11-06T10:00:00Z",
     "ShipmentItemAdjustmentList": [{"ItemChargeAdjustmentList": [{"ChargeType": "Principal",
        "ChargeAmount": {"CurrencyCode": "USD", "CurrencyAmount": -10.5}}]}]}],
  "ShipmentEventList": [{"AmazonOrderId": "111-0000009-0000009", "PostedDate": "2026-11-06T10:00:00Z"}]
}}})";

TEST(FinancialEvents, ClaimsAndChargebacks) {
    auto page = parse_financial_events(kEvents);
    ASSERT_TRUE(page) << page.error().to_string();
    EXPECT_EQ(page->next_token, "next-page");
    ASSERT_EQ(page->events.size(), 3u) << "shipment events are not defects";
    EXPECT_EQ(page->events[0].kind, "a_to_z_claim");
    EXPECT_DOUBLE_EQ(page->events[0].net_amount, -25.0);
    EXPECT_DOUBLE_EQ(page->events[1].net_amount, 25.0);
    EXPECT_EQ(page->events[2].kind, "chargeback");

    const auto rows = defects_from_events(page->events, nullptr);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].order_id, "111-0000001-0000001");
    EXPECT_EQ(rows[0].status, "protected") << "the later refund to the seller decides it";
    EXPECT_EQ(rows[0].occurred_at, at("2026-11-05T10:00:00Z")) << "the claim's own date";
    EXPECT_FALSE(rows[0].counts);
    EXPECT_EQ(rows[1].kind, "chargeback");
    EXPECT_EQ(rows[1].status, "lost");
    EXPECT_TRUE(rows[1].counts);
    EXPECT_EQ(rows[1].occurred_at, at("2026-11-06T10:00:00Z"));
}

TEST(FinancialEvents, AgainstTheStoredState) {
    std::vector<financial_event> events = {
        {"111-0000002-0000002", "chargeback", at("2026-11-10T10:00:00Z"), 10.5},
        {"111-0000003-0000003", "chargeback", at("2026-11-10T11:00:00Z"), -5},
    };
    const stored_defect_lookup stored = [](std::string_view order,
                                           std::string_view kind) -> std::optional<stored_defect> {
        if (order == "111-0000002-0000002" && kind == "chargeback")
            return stored_defect{at("2026-11-06T10:00:00Z"), "lost"};
        if (order == "111-0000003-0000003")
            return stored_defect{at("2026-11-01T10:00:00Z"), "reversed"};
        return std::nullopt;
    };
    const auto rows = defects_from_events(events, stored);
    ASSERT_EQ(rows.size(), 1u) << "a re-fetched old chargeback does not undo its reversal";
    EXPECT_EQ(rows[0].status, "reversed");
    EXPECT_EQ(rows[0].occurred_at, at("2026-11-06T10:00:00Z"));
    EXPECT_FALSE(rows[0].counts);
}

TEST(FinancialEvents, BadAnswers) {
    EXPECT_FALSE(parse_financial_events("[]"));
    auto no_order = parse_financial_events(
        R"({"payload": {"FinancialEvents": {"ChargebackEventList": [{"PostedDate": "2026-11-06T10:00:00Z"}]}}})");
    ASSERT_FALSE(no_order);
    EXPECT_EQ(no_order.error().where, "ChargebackEventList[0].AmazonOrderId");
    auto empty = parse_financial_events(R"({"payload": {}})");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->events.empty());
}

}  // namespace
}  // namespace shd::spapi
