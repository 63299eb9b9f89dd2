// The Unshipped orders report (GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING):
// MFN orders not yet confirmed, one row per item; promise-date is taken as the
// latest ship date. Some marketplaces' reports have no sales-channel column
// (they have is-iba, verge-of-cancellation and verge-of-lateShipment instead):
// their orders are the account's marketplace, which the config must state.
#include "ingest/formats/format_support.hpp"

namespace shd::ingest::detail {
namespace {

enum col : int {
    order_id,
    purchase_date,
    promise_date,
    sales_channel,
    is_buyer_requested_cancellation,
};

constexpr column_spec kColumns[] = {
    {"order-id", true},
    {"purchase-date", true},
    {"promise-date", true},
    {"sales-channel", false},
    {"is-buyer-requested-cancellation", false},
};

constexpr std::string_view kSignature[] = {"order-id"};

result<long, import_error> parse(delimited_reader& reader, const column_map& columns,
                                 const parse_context& ctx, const record_sink& sink) {
    record rec{std::in_place_type<unshipped_row>};
    auto& out = std::get<unshipped_row>(rec);
    sales_channel_mapper channels;
    const bool has_channel = columns.index[sales_channel] >= 0;
    if (!has_channel && !ctx.account_marketplace.empty()) {
        out.marketplace_id = ctx.account_marketplace;
        for (const auto& m : shd::known_marketplaces()) {
            if (m.id == ctx.account_marketplace)
                out.sales_channel.assign(m.sales_channel);
        }
    }

    return for_each_row(reader, columns, [&](const row_fields& row) -> result<void, import_error> {
        // A header without rows is an empty export even here: nothing to place.
        if (!has_channel && ctx.account_marketplace.empty()) {
            return import_error{
                {},
                1,
                "sales-channel",
                "this Unshipped orders report has no sales-channel column, so its orders belong "
                "to the account's marketplace, and the configuration does not state it: set "
                "`marketplace` (a marketplace ID, e.g. A1PA6795UKMFR9 for Amazon.de) in the "
                "config file"};
        }
        auto id = row.id(order_id);
        if (!id)
            return id.error();
        out.order_id.assign(*id);

        auto purchased = row.timestamp(purchase_date);
        if (!purchased)
            return purchased.error();
        out.purchased_at = *purchased;

        auto promise = row.timestamp(promise_date);
        if (!promise)
            return promise.error();
        out.promise_at = *promise;

        if (has_channel) {
            if (auto mapped =
                    channels.assign(row, sales_channel, out.sales_channel, out.marketplace_id);
                !mapped)
                return mapped.error();
        }

        auto buyer_cancel = row.boolean(is_buyer_requested_cancellation);
        if (!buyer_cancel)
            return buyer_cancel.error();
        out.buyer_requested_cancel = *buyer_cancel;

        sink(rec, row.line());
        return {};
    });
}

}  // namespace

const format_spec& unshipped_format() {
    static const format_spec spec{file_format::unshipped, "Unshipped orders report", kColumns,
                                  kSignature, &parse};
    return spec;
}

}  // namespace shd::ingest::detail
