// Our messages CSV: buyer messages with their receipt and reply times.
#include <algorithm>

#include "core/marketplaces.hpp"
#include "ingest/formats/format_support.hpp"

namespace shd::ingest::detail {
namespace {

enum col : int {
    message_id,
    order_id,
    marketplace_id,
    received_at,
    responded_at,
    no_response_needed,
};

constexpr column_spec kColumns[] = {
    {"message_id", true},  {"order_id", false},     {"marketplace_id", false},
    {"received_at", true}, {"responded_at", false}, {"no_response_needed", false},
};

constexpr std::string_view kSignature[] = {"message_id", "received_at", "responded_at",
                                           "no_response_needed"};

result<long, import_error> parse(delimited_reader& reader, const column_map& columns,
                                 const parse_context&, const record_sink& sink) {
    record rec{std::in_place_type<message_row>};
    auto& out = std::get<message_row>(rec);

    return for_each_row(reader, columns, [&](const row_fields& row) -> result<void, import_error> {
        auto id = row.id(message_id);
        if (!id)
            return id.error();
        out.message_id.assign(*id);
        auto order = row.optional_id(order_id);
        if (!order)
            return order.error();
        out.order_id.assign(*order);

        const auto market = row.get(marketplace_id);
        // A mistyped ID would become a marketplace of its own in every report.
        if (!market.empty() && !shd::is_known_marketplace_id(market)) {
            return row.fail(marketplace_id,
                            "unknown marketplace ID (not one of Amazon's marketplace IDs)");
        }
        out.marketplace_id.assign(market);

        auto received = row.timestamp(received_at);
        if (!received)
            return received.error();
        out.received_at = *received;

        auto responded = row.optional_timestamp(responded_at);
        if (!responded)
            return responded.error();
        out.responded_at = *responded;

        auto no_reply = row.boolean(no_response_needed);
        if (!no_reply)
            return no_reply.error();
        out.no_response_needed = *no_reply;

        sink(rec, row.line());
        return {};
    });
}

}  // namespace

const format_spec& messages_format() {
    static const format_spec spec{file_format::messages, "messages CSV", kColumns, kSignature,
                                  &parse};
    return spec;
}

}  // namespace shd::ingest::detail
