// The All Orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL,
// ..._BY_LAST_UPDATE_GENERAL and the archived variant): one row per order item.
#include <algorithm>
#include <array>

#include "ingest/formats/format_support.hpp"

namespace shd::ingest::detail {
namespace {

enum col : int {
    amazon_order_id,
    purchase_date,
    order_status,
    fulfillment_channel,
    sales_channel,
    last_updated_date,
    item_status,
    is_buyer_requested_cancellation,
    sku,
    asin,
    quantity,
    order_item_id,
    quantity_purchased,
};

constexpr column_spec kColumns[] = {
    {"amazon-order-id", true},
    {"purchase-date", true},
    {"order-status", true},
    {"fulfillment-channel", true},
    {"sales-channel", true},
    {"last-updated-date", false},
    {"item-status", false},
    {"is-buyer-requested-cancellation", false},
    {"sku", false},
    {"asin", false},
    {"quantity", false},
    {"order-item-id", false},
    // Some marketplaces' reports name the quantity as the Unshipped report does.
    {"quantity-purchased", false},
};

constexpr std::string_view kSignature[] = {"amazon-order-id"};

constexpr std::array<std::string_view, 6> kOrderStatuses = {
    "Pending", "Unshipped", "PartiallyShipped", "Shipping", "Shipped", "Cancelled"};

bool is_cancelled_spelling(std::string_view s) {
    return (s.size() == 9 || s.size() == 8) && (iequals(s, "Cancelled") || iequals(s, "Canceled"));
}

result<long, import_error> parse(delimited_reader& reader, const column_map& columns,
                                 const parse_context&, const record_sink& sink) {
    record rec{std::in_place_type<order_item_row>};
    auto& out = std::get<order_item_row>(rec);
    sales_channel_mapper channels;

    return for_each_row(reader, columns, [&](const row_fields& row) -> result<void, import_error> {
        auto order_id = row.id(amazon_order_id);
        if (!order_id)
            return order_id.error();
        out.order_id.assign(*order_id);

        auto purchased = row.timestamp(purchase_date);
        if (!purchased)
            return purchased.error();
        out.purchased_at = *purchased;

        auto status = row.required(order_status);
        if (!status)
            return status.error();
        if (is_cancelled_spelling(*status)) {
            out.order_status.assign("Cancelled");  // the Orders API spells it "Canceled"
        } else {
            // Exact spelling first: it is the only one Amazon writes.
            const auto* known = std::find(kOrderStatuses.begin(), kOrderStatuses.end(), *status);
            if (known == kOrderStatuses.end()) {
                known = std::find_if(kOrderStatuses.begin(), kOrderStatuses.end(),
                                     [&](std::string_view s) { return iequals(s, *status); });
            }
            if (known == kOrderStatuses.end()) {
                return row.fail(order_status,
                                "unknown order-status (expected Pending, Unshipped, "
                                "PartiallyShipped, Shipping, Shipped or Cancelled)");
            }
            out.order_status.assign(*known);
        }
        out.is_cancelled = out.order_status == "Cancelled";

        auto channel = row.required(fulfillment_channel);
        if (!channel)
            return channel.error();
        if (iequals(*channel, "Merchant") || iequals(*channel, "MFN")) {
            out.fulfillment_channel.assign("MFN");
        } else if (iequals(*channel, "Amazon") || iequals(*channel, "AFN")) {
            out.fulfillment_channel.assign("AFN");
        } else {
            return row.fail(fulfillment_channel,
                            "unknown fulfillment-channel (expected Merchant or Amazon)");
        }

        if (auto mapped =
                channels.assign(row, sales_channel, out.sales_channel, out.marketplace_id);
            !mapped)
            return mapped.error();

        auto updated = row.optional_timestamp(last_updated_date);
        if (!updated)
            return updated.error();
        out.last_updated_at = *updated;

        auto buyer_cancel = row.boolean(is_buyer_requested_cancellation);
        if (!buyer_cancel)
            return buyer_cancel.error();
        out.buyer_requested_cancel = *buyer_cancel;

        out.sku.assign(row.get(sku));
        out.asin.assign(row.get(asin));
        auto qty = row.count(row.has_column(quantity) ? quantity : quantity_purchased);
        if (!qty)
            return qty.error();
        out.quantity = *qty;

        const auto item = row.get(item_status);
        out.item_cancelled = is_cancelled_spelling(item);
        if (out.item_cancelled) {
            out.item_status.assign("Cancelled");
        } else {
            out.item_status.assign(item);
        }

        auto item_id_field = row.optional_id(order_item_id);
        if (!item_id_field)
            return item_id_field.error();
        const auto item_id = *item_id_field;
        if (!item_id.empty()) {
            out.item_key.assign(item_id);
        } else {
            out.item_key.assign(out.sku);
            out.item_key += '|';
            out.item_key += out.asin;
        }

        sink(rec, row.line());
        return {};
    });
}

}  // namespace

const format_spec& all_orders_format() {
    static const format_spec spec{file_format::all_orders, "All Orders report", kColumns,
                                  kSignature, &parse};
    return spec;
}

}  // namespace shd::ingest::detail
