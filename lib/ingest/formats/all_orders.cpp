// The All Orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL,
// ..._BY_LAST_UPDATE_GENERAL and the archived variant): one row per order item.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

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

// A run of rows kept packed (about 170 bytes a row instead of a record's 400)
// until it is handed over sorted by order ID (parse_context::group_by_order).
constexpr std::size_t kOrderRunBytes = std::size_t{8} << 20;

class order_run {
  public:
    explicit order_run(const record_sink& sink) : sink_(sink) {
        starts_.reserve(kOrderRunRows);
        bytes_.reserve(kOrderRunRows * 176);
    }

    void add(const order_item_row& r, long line) {
        starts_.push_back(static_cast<std::uint32_t>(bytes_.size()));
        put(r.order_id);
        put(r.marketplace_id.value_or(std::string()));
        put(r.sales_channel);
        put(r.fulfillment_channel);
        put(r.order_status);
        put(r.item_key);
        put(r.sku);
        put(r.asin);
        put(r.item_status);
        put_number(to_unix(r.purchased_at));
        put_number(r.last_updated_at ? to_unix(*r.last_updated_at) : 0);
        put_number(r.quantity.value_or(0));
        put_number(line);
        bytes_ +=
            static_cast<char>((r.marketplace_id ? 1 : 0) | (r.is_cancelled ? 2 : 0) |
                              (r.last_updated_at ? 4 : 0) | (r.buyer_requested_cancel ? 8 : 0) |
                              (r.quantity ? 16 : 0) | (r.item_cancelled ? 32 : 0));
        // Long fields end a run early: memory stays bounded by bytes, not rows.
        if (starts_.size() >= kOrderRunRows || bytes_.size() >= kOrderRunBytes)
            flush();
    }

    // Hands the rows over, sorted by order ID; rows of one order keep their
    // file order (a stable sort), so a later row still wins.
    void flush() {
        std::vector<std::uint32_t>& order = sorted_;
        order.resize(starts_.size());
        std::iota(order.begin(), order.end(), 0u);
        std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
            return order_id_at(starts_[a]) < order_id_at(starts_[b]);
        });
        for (const std::uint32_t i : order) {
            const long line = unpack(starts_[i]);
            sink_(rec_, line);
        }
        starts_.clear();
        bytes_.clear();
    }

  private:
    void put(std::string_view text) {
        const auto size = static_cast<std::uint32_t>(text.size());
        bytes_.append(reinterpret_cast<const char*>(&size), sizeof size);
        bytes_.append(text.data(), size);
    }
    void put_number(std::int64_t n) { bytes_.append(reinterpret_cast<const char*>(&n), sizeof n); }

    std::string_view order_id_at(std::uint32_t at) const {
        std::uint32_t size = 0;
        std::memcpy(&size, bytes_.data() + at, sizeof size);
        return {bytes_.data() + at + sizeof size, size};
    }

    // Fills rec_ with the row at `at` and returns its line.
    long unpack(std::uint32_t at) {
        auto& r = std::get<order_item_row>(rec_);
        const char* p = bytes_.data() + at;
        auto text = [&](std::string& into) {
            std::uint32_t size = 0;
            std::memcpy(&size, p, sizeof size);
            into.assign(p + sizeof size, size);
            p += sizeof size + size;
        };
        auto number = [&] {
            std::int64_t n = 0;
            std::memcpy(&n, p, sizeof n);
            p += sizeof n;
            return n;
        };
        text(r.order_id);
        text(marketplace_);
        text(r.sales_channel);
        text(r.fulfillment_channel);
        text(r.order_status);
        text(r.item_key);
        text(r.sku);
        text(r.asin);
        text(r.item_status);
        const std::int64_t purchased = number();
        const std::int64_t updated = number();
        const std::int64_t quantity = number();
        const long line = static_cast<long>(number());
        const auto flags = static_cast<unsigned char>(*p);
        r.purchased_at = from_unix(purchased);
        if (flags & 1) {
            r.marketplace_id = marketplace_;
        } else {
            r.marketplace_id.reset();
        }
        r.is_cancelled = (flags & 2) != 0;
        if (flags & 4) {
            r.last_updated_at = from_unix(updated);
        } else {
            r.last_updated_at.reset();
        }
        r.buyer_requested_cancel = (flags & 8) != 0;
        if (flags & 16) {
            r.quantity = static_cast<int>(quantity);
        } else {
            r.quantity.reset();
        }
        r.item_cancelled = (flags & 32) != 0;
        return line;
    }

    const record_sink& sink_;
    record rec_{std::in_place_type<order_item_row>};
    std::string marketplace_;
    std::string bytes_;
    std::vector<std::uint32_t> starts_;
    std::vector<std::uint32_t> sorted_;
};

result<long, import_error> parse(delimited_reader& reader, const column_map& columns,
                                 const parse_context& ctx, const record_sink& sink) {
    record rec{std::in_place_type<order_item_row>};
    auto& out = std::get<order_item_row>(rec);
    sales_channel_mapper channels;
    std::optional<order_run> run;
    if (ctx.group_by_order)
        run.emplace(sink);

    auto parsed =
        for_each_row(reader, columns, [&](const row_fields& row) -> result<void, import_error> {
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
                const auto* known =
                    std::find(kOrderStatuses.begin(), kOrderStatuses.end(), *status);
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

            if (run) {
                run->add(out, row.line());
            } else {
                sink(rec, row.line());
            }
            return {};
        });
    if (parsed && run)
        run->flush();
    return parsed;
}

}  // namespace

const format_spec& all_orders_format() {
    static const format_spec spec{file_format::all_orders, "All Orders report", kColumns,
                                  kSignature, &parse};
    return spec;
}

}  // namespace shd::ingest::detail
