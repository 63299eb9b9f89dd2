// The Unshipped orders report (GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING):
// MFN orders not yet confirmed, one row per item; promise-date is taken as the
// latest ship date.
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
    {"sales-channel", true},
    {"is-buyer-requested-cancellation", false},
};

constexpr std::string_view kSignature[] = {"order-id"};

result<long, import_error> parse(delimited_reader& reader, const column_map& columns,
                                 const parse_context&, const record_sink& sink) {
    record rec{std::in_place_type<unshipped_row>};
    auto& out = std::get<unshipped_row>(rec);
    sales_channel_mapper channels;

    return for_each_row(reader, columns, [&](const row_fields& row) -> result<void, import_error> {
        auto id = row.required(order_id);
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

        if (auto mapped =
                channels.assign(row, sales_channel, out.sales_channel, out.marketplace_id);
            !mapped)
            return mapped.error();

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
