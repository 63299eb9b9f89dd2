// searchOrders (Orders API v2026-01-01) answers as records, per the mapping
// of spec/sources.md "Orders": each Order gives one order_item_row per item
// (the order-level fields on each, as the All Orders report writes them), and
// for a seller-fulfilled order with a latest ship date its shipment_row.
// Pure: text in, records out; no clock, no database.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "ingest/records.hpp"

namespace shd::spapi {

// Where the answer is not what the model says: "orders[2].createdTime: not a
// date-time". Names the order when it has an ID.
struct map_error {
    std::string where;
    std::string reason;
    std::string to_string() const { return where.empty() ? reason : where + ": " + reason; }
};

[[noreturn]] void throw_exception_from_error(map_error const& e, boost::source_location const&);

struct fetched_order {
    std::string order_id;
    instant last_updated_at;
    std::vector<ingest::order_item_row> items;     // at least one
    std::optional<ingest::shipment_row> shipment;  // MFN with a latest ship date
};

struct orders_page {
    std::vector<fetched_order> orders;
    std::string next_token;  // empty: the last page
};

// One searchOrders answer body.
result<orders_page, map_error> parse_search_orders(std::string_view json_body);

// "PARTIALLY_SHIPPED" -> "PartiallyShipped": the store's spelling (that of
// the All Orders report).
std::string order_status_from_fulfillment_status(std::string_view status);

}  // namespace shd::spapi
