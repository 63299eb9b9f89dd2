#include "spapi/orders.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/marketplaces.hpp"

namespace shd::spapi {
namespace {

using json = nlohmann::json;

const json* member(const json& object, std::string_view name) {
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(name);
    if (it == object.end() || it->is_null())
        return nullptr;
    return &*it;
}

std::string text_of(const json& object, std::string_view name) {
    const json* v = member(object, name);
    return v && v->is_string() ? v->get<std::string>() : std::string();
}

struct order_reader {
    std::string where;  // "orders[3] (123-...)"

    map_error fail(std::string_view field, std::string reason) const {
        return map_error{fmt::format("{}.{}", where, field), std::move(reason)};
    }

    result<instant, map_error> required_time(const json& object, std::string_view field,
                                             std::string_view path) const {
        const json* v = member(object, field);
        if (!v || !v->is_string())
            return fail(path, "missing");
        auto t = parse_iso8601(v->get<std::string>());
        if (!t)
            return fail(path, fmt::format("'{}' is not a date-time", v->get<std::string>()));
        return *t;
    }

    result<std::optional<instant>, map_error> optional_time(const json& object,
                                                            std::string_view field,
                                                            std::string_view path) const {
        const json* v = member(object, field);
        if (!v)
            return std::optional<instant>{};
        if (!v->is_string())
            return fail(path, "not a date-time");
        if (v->get<std::string>().empty())
            return std::optional<instant>{};
        auto t = parse_iso8601(v->get<std::string>());
        if (!t)
            return fail(path, fmt::format("'{}' is not a date-time", v->get<std::string>()));
        return std::optional<instant>{*t};
    }
};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

result<fetched_order, map_error> map_order(const json& order, std::size_t index) {
    order_reader r{fmt::format("orders[{}]", index)};
    if (!order.is_object())
        return map_error{r.where, "not an object"};
    fetched_order out;
    out.order_id = text_of(order, "orderId");
    if (out.order_id.empty())
        return r.fail("orderId", "missing");
    r.where += fmt::format(" ({})", out.order_id);

    auto created = r.required_time(order, "createdTime", "createdTime");
    if (!created)
        return created.error();
    auto updated = r.required_time(order, "lastUpdatedTime", "lastUpdatedTime");
    if (!updated)
        return updated.error();
    out.last_updated_at = *updated;

    ingest::order_item_row base;
    base.order_id = out.order_id;
    base.purchased_at = *created;
    base.last_updated_at = *updated;

    // The marketplace: only an Amazon channel has one that counts.
    const json* channel = member(order, "salesChannel");
    if (!channel || !channel->is_object())
        return r.fail("salesChannel", "missing");
    const std::string channel_name = text_of(*channel, "channelName");
    const std::string marketplace = text_of(*channel, "marketplaceId");
    if (iequals(channel_name, "AMAZON") && !marketplace.empty()) {
        base.marketplace_id = marketplace;
        const std::string name = text_of(*channel, "marketplaceName");
        base.sales_channel = !name.empty() ? name : marketplace;
    } else {
        base.sales_channel = channel_name.empty() ? std::string("Non-Amazon") : channel_name;
    }

    const json* fulfillment = member(order, "fulfillment");
    const std::string fulfilled_by = fulfillment ? text_of(*fulfillment, "fulfilledBy") : "";
    if (fulfilled_by == "AMAZON") {
        base.fulfillment_channel = "AFN";
    } else if (fulfilled_by == "MERCHANT" || fulfilled_by.empty()) {
        // FULFILLMENT left out of includedData, or an order Amazon has not
        // routed yet: seller-fulfilled is the one that can be late.
        base.fulfillment_channel = "MFN";
    } else {
        return r.fail(
            "fulfillment.fulfilledBy",
            fmt::format("unknown value '{}' (expected MERCHANT or AMAZON)", fulfilled_by));
    }
    const std::string status = fulfillment ? text_of(*fulfillment, "fulfillmentStatus") : "";
    base.order_status = order_status_from_fulfillment_status(status);
    base.is_cancelled = status == "CANCELLED";

    std::optional<instant> latest_ship;
    if (fulfillment) {
        if (const json* window = member(*fulfillment, "shipByWindow")) {
            auto t = r.optional_time(*window, "latestDateTime",
                                     "fulfillment.shipByWindow.latestDateTime");
            if (!t)
                return t.error();
            latest_ship = *t;
        }
    }

    // Items: cancellations mark the order as the report's item-status does.
    const json* items = member(order, "orderItems");
    if (items && !items->is_array())
        return r.fail("orderItems", "not a list");
    bool buyer_requested = false;
    std::vector<ingest::order_item_row> rows;
    if (items) {
        for (std::size_t i = 0; i < items->size(); ++i) {
            const json& item = (*items)[i];
            ingest::order_item_row row = base;
            row.item_key = text_of(item, "orderItemId");
            if (const json* product = member(item, "product")) {
                row.sku = text_of(*product, "sellerSku");
                row.asin = text_of(*product, "asin");
            }
            if (row.item_key.empty())
                row.item_key = row.sku + "|" + row.asin;
            if (const json* q = member(item, "quantityOrdered"); q && q->is_number_integer())
                row.quantity = q->get<int>();
            if (const json* cancellation = member(item, "cancellation")) {
                if (member(*cancellation, "cancellationExecution")) {
                    row.item_cancelled = true;
                    row.item_status = "Cancelled";
                }
                if (const json* request = member(*cancellation, "cancellationRequest")) {
                    if (iequals(text_of(*request, "requester"), "BUYER"))
                        buyer_requested = true;
                }
            }
            if (row.item_status.empty())
                row.item_status = base.order_status;
            rows.push_back(std::move(row));
        }
    }
    if (rows.empty()) {
        // No items in the answer: the order still counts, as one item.
        ingest::order_item_row row = base;
        row.item_key = "order";
        row.item_status = base.order_status;
        rows.push_back(std::move(row));
    }
    for (auto& row : rows)
        row.buyer_requested_cancel = buyer_requested;
    out.items = std::move(rows);

    // Packages: the earliest hand-over and the first tracking number.
    std::optional<instant> confirmed;
    std::string tracking, carrier;
    const json* packages = member(order, "packages");
    if (packages && !packages->is_array())
        return r.fail("packages", "not a list");
    if (packages) {
        for (std::size_t i = 0; i < packages->size(); ++i) {
            const json& package = (*packages)[i];
            auto shipped =
                r.optional_time(package, "shipTime", fmt::format("packages[{}].shipTime", i));
            if (!shipped)
                return shipped.error();
            if (*shipped && (!confirmed || **shipped < *confirmed))
                confirmed = *shipped;
            const std::string number = text_of(package, "trackingNumber");
            if (tracking.empty() && !number.empty()) {
                tracking = number;
                carrier = text_of(package, "carrier");
            }
        }
    }
    if (base.fulfillment_channel == "MFN" && latest_ship) {
        ingest::shipment_row shipment;
        shipment.order_id = out.order_id;
        shipment.latest_ship_at = *latest_ship;
        shipment.confirmed_at = confirmed;
        shipment.tracking_id = std::move(tracking);
        shipment.carrier = std::move(carrier);
        shipment.fetched_updated_at = *updated;
        out.shipment = std::move(shipment);
    }
    return out;
}

}  // namespace

void throw_exception_from_error(map_error const& e, boost::source_location const&) {
    throw std::logic_error("unchecked SP-API result: " + e.to_string());
}

std::string order_status_from_fulfillment_status(std::string_view status) {
    if (status == "PENDING" || status == "PENDING_AVAILABILITY")
        return "Pending";
    if (status == "UNSHIPPED")
        return "Unshipped";
    if (status == "PARTIALLY_SHIPPED")
        return "PartiallyShipped";
    if (status == "SHIPPED")
        return "Shipped";
    if (status == "CANCELLED")
        return "Cancelled";
    if (status == "UNFULFILLABLE")
        return "Unfulfillable";
    // Not given (FULFILLMENT not included) or a value Amazon added later.
    return status.empty() ? "Pending" : std::string(status);
}

result<orders_page, map_error> parse_search_orders(std::string_view json_body) {
    const json body = json::parse(json_body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        return map_error{"", "the searchOrders answer is not a JSON object"};
    const json* orders = member(body, "orders");
    if (!orders || !orders->is_array())
        return map_error{"orders", "missing or not a list"};
    orders_page page;
    page.orders.reserve(orders->size());
    for (std::size_t i = 0; i < orders->size(); ++i) {
        auto order = map_order((*orders)[i], i);
        if (!order)
            return order.error();
        page.orders.push_back(std::move(*order));
    }
    if (const json* pagination = member(body, "pagination"))
        page.next_token = text_of(*pagination, "nextToken");
    return page;
}

}  // namespace shd::spapi
