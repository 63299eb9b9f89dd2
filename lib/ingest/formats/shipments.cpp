// Our shipments CSV: latest ship date and confirmation per order, from the
// seller's shipping software.
#include "ingest/formats/format_support.hpp"

namespace shd::ingest::detail {
namespace {

enum col : int { order_id, latest_ship_date, confirmed_at, tracking_id, carrier, tracking_valid };

constexpr column_spec kColumns[] = {
    {"order_id", true},     {"latest_ship_date", true}, {"confirmed_at", false},
    {"tracking_id", false}, {"carrier", false},         {"tracking_valid", false},
};

constexpr std::string_view kSignature[] = {"latest_ship_date", "confirmed_at", "tracking_id",
                                           "tracking_valid", "carrier"};

result<long, import_error> parse(delimited_reader& reader, const column_map& columns,
                                 const parse_context&, const record_sink& sink) {
    record rec{std::in_place_type<shipment_row>};
    auto& out = std::get<shipment_row>(rec);

    return for_each_row(reader, columns, [&](const row_fields& row) -> result<void, import_error> {
        auto id = row.id(order_id);
        if (!id)
            return id.error();
        out.order_id.assign(*id);

        auto latest = row.timestamp(latest_ship_date);
        if (!latest)
            return latest.error();
        out.latest_ship_at = *latest;

        auto confirmed = row.optional_timestamp(confirmed_at);
        if (!confirmed)
            return confirmed.error();
        out.confirmed_at = *confirmed;

        auto tracking = row.optional_id(tracking_id);
        if (!tracking)
            return tracking.error();
        out.tracking_id.assign(*tracking);
        out.carrier.assign(row.get(carrier));

        auto valid = row.optional_boolean(tracking_valid);
        if (!valid)
            return valid.error();
        out.tracking_valid = *valid;

        sink(rec, row.line());
        return {};
    });
}

}  // namespace

const format_spec& shipments_format() {
    static const format_spec spec{file_format::shipments, "shipments CSV", kColumns, kSignature,
                                  &parse};
    return spec;
}

}  // namespace shd::ingest::detail
