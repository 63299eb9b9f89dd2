#include "ingest/formats/format_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "core/marketplaces.hpp"

namespace shd::ingest::detail {
namespace {

const std::array<const format_spec*, 6>& delimited_formats() {
    static const std::array<const format_spec*, 6> all = {&all_orders_format(), &unshipped_format(),
                                                          &feedback_format(),   &shipments_format(),
                                                          &defects_format(),    &messages_format()};
    return all;
}

// Amazon reports the daemon does not read, by columns no format of ours has.
// Checked before our formats: an FBA shipments report has amazon-order-id and
// an FBA returns report order-id, and either must not pass for an orders file.
struct foreign_report {
    std::string_view title;
    std::initializer_list<std::string_view> columns;  // any one of them is enough
};

const foreign_report kForeignReports[] = {
    {"FBA shipments report (GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL)",
     {"shipment-item-id", "amazon-order-item-id", "estimated-arrival-date"}},
    {"returns report (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE)",
     {"Return request date", "Return request status", "Amazon RMA ID", "Merchant RMA ID"}},
    {"FBA customer returns report (GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA)",
     {"detailed-disposition", "license-plate-number", "return-date"}},
    {"settlement report (GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE)",
     {"settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date"}},
    {"listings report (GET_MERCHANT_LISTINGS_ALL_DATA)",
     {"listing-id", "seller-sku", "item-name", "open-date", "asin1"}},
    {"FBA inventory report (GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA)",
     {"fnsku", "afn-warehouse-quantity", "afn-fulfillable-quantity", "mfn-fulfillable-quantity",
      "fulfillment-channel-sku", "Quantity Available"}},
};

bool is_control(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}

}  // namespace

bool repeats_header(std::span<const std::string_view> fields, const column_map& columns) {
    const auto& names = columns.header_names;
    if (!may_repeat_header(fields, columns))
        return false;
    std::size_t differing = names.size() - std::min(names.size(), fields.size());
    for (std::size_t i = 0; i < fields.size() && i < names.size(); ++i) {
        if (!iequals(trim(fields[i]), names[i]))
            ++differing;
    }
    // One field may differ (Amazon's Feedback fixture repeats its header with a
    // date in the first column); in a short header every field must match.
    return differing <= (names.size() >= 4 ? 1u : 0u);
}

std::string column_label(const column_map& columns, int field_index) {
    if (field_index < 0)
        return {};
    const auto i = static_cast<std::size_t>(field_index);
    if (i < columns.header_names.size() && !columns.header_names[i].empty()) {
        return columns.header_names[i];
    }
    return "column " + std::to_string(field_index + 1);
}

import_error to_import_error(const reader_error& e, const column_map* columns) {
    if (e.source)
        return *e.source;
    std::string field;
    if (e.split.field_index >= 0) {
        field = columns != nullptr ? column_label(*columns, e.split.field_index)
                                   : "column " + std::to_string(e.split.field_index + 1);
    }
    return import_error{{}, e.split.line, std::move(field), e.split.reason};
}

result<recognised_header, import_error> recognise_header(std::span<const std::string_view> header,
                                                         long line) {
    column_map columns;
    columns.header_names.reserve(header.size());
    for (const auto f : header)
        columns.header_names.emplace_back(trim(f));

    auto find = [&](std::string_view name) -> int {
        for (std::size_t i = 0; i < columns.header_names.size(); ++i) {
            if (iequals(columns.header_names[i], name))
                return static_cast<int>(i);
        }
        return -1;
    };

    for (const auto& foreign : kForeignReports) {
        for (const auto column : foreign.columns) {
            if (find(column) >= 0) {
                return import_error{
                    {},
                    line,
                    {},
                    fmt::format("Amazon's {}, which seller-healthd does not read (its header has "
                                "the column {}); the reports it reads are All Orders, Unshipped "
                                "orders, Feedback and account health",
                                foreign.title, column)};
            }
        }
    }

    const format_spec* best = nullptr;
    int best_score = -1;
    for (const format_spec* spec : delimited_formats()) {
        const bool candidate = std::any_of(spec->signature.begin(), spec->signature.end(),
                                           [&](std::string_view s) { return find(s) >= 0; });
        if (!candidate)
            continue;
        const auto score = std::count_if(spec->columns.begin(), spec->columns.end(),
                                         [&](const column_spec& c) { return find(c.name) >= 0; });
        if (score > best_score) {
            best = spec;
            best_score = static_cast<int>(score);
        }
    }
    if (best == nullptr) {
        return import_error{
            {},
            line,
            {},
            fmt::format("not a recognised export: the header's {} column{} are none of the All "
                        "Orders, Unshipped orders or Feedback reports, the shipments, defects or "
                        "messages CSV, or the account-health JSON",
                        columns.header_names.size(), columns.header_names.size() == 1 ? "" : "s")};
    }

    columns.index.reserve(best->columns.size());
    std::vector<std::string_view> missing;
    for (const auto& c : best->columns) {
        const int i = find(c.name);
        columns.index.push_back(i);
        if (i < 0 && c.required)
            missing.push_back(c.name);
    }
    // The same column twice: which one holds the value would be a guess.
    for (const auto& c : best->columns) {
        int first = -1;
        for (std::size_t i = 0; i < columns.header_names.size(); ++i) {
            if (!iequals(columns.header_names[i], c.name))
                continue;
            if (first < 0) {
                first = static_cast<int>(i);
                continue;
            }
            return import_error{{},
                                line,
                                std::string(c.name),
                                fmt::format("the column appears twice in the header (columns {} "
                                            "and {}); a column must be named once",
                                            first + 1, i + 1)};
        }
    }
    if (!missing.empty()) {
        std::string reason =
            fmt::format("missing required column (the file looks like the {})", best->title);
        if (missing.size() > 1) {
            reason += "; also missing: ";
            for (std::size_t i = 1; i < missing.size(); ++i) {
                if (i > 1)
                    reason += ", ";
                reason += missing[i];
            }
        }
        return import_error{{}, line, std::string(missing.front()), std::move(reason)};
    }
    return recognised_header{best, std::move(columns)};
}

import_error row_fields::fail(int col, std::string reason) const {
    return import_error{{}, line_, column_label(columns_, columns_.index[col]), std::move(reason)};
}

result<std::string_view, import_error> row_fields::required(int col) const {
    const auto v = get(col);
    if (v.empty())
        return fail(col, "required field is empty");
    return v;
}

result<std::string_view, import_error> row_fields::checked_id(int col, bool required) const {
    const auto v = get(col);
    if (required && v.empty())
        return fail(col, "required field is empty");
    for (std::size_t i = 0; i < v.size(); ++i) {
        const auto u = static_cast<unsigned char>(v[i]);
        if (is_control(u))
            return fail(col, fmt::format("a control character (\\x{:02x}) in an ID", u));
        if (u < 0x80)
            continue;
        if (columns_.windows_1252) {
            return fail(col,
                        "not valid UTF-8: the file is not UTF-8 (read as Windows-1252) and this "
                        "ID has a non-ASCII character, so its bytes cannot be trusted as an ID");
        }
        if (u == 0xC2 && i + 1 < v.size() && static_cast<unsigned char>(v[i + 1]) <= 0x9F) {
            return fail(col, fmt::format("a control character (\\u{:04x}) in an ID",
                                         static_cast<unsigned char>(v[i + 1])));
        }
    }
    return v;
}

result<instant, import_error> row_fields::timestamp(int col) const {
    auto v = optional_timestamp(col);
    if (!v)
        return v.error();
    if (!*v)
        return fail(col, "required field is empty");
    return **v;
}

result<std::optional<instant>, import_error> row_fields::optional_timestamp(int col) const {
    const auto v = get(col);
    if (v.empty())
        return std::optional<instant>{};
    auto t = parse_iso8601(v);
    if (!t) {
        // Say what is wrong without repeating the value.
        std::string with_z(v);
        with_z += 'Z';
        if (parse_iso8601(with_z)) {
            return fail(col,
                        "not an ISO-8601 timestamp with an offset or Z: a date and time without "
                        "an offset (the time zone would be a guess)");
        }
        return fail(col, "not an ISO-8601 timestamp with an offset or Z");
    }
    return t;
}

result<bool, import_error> row_fields::boolean(int col) const {
    auto v = optional_boolean(col);
    if (!v)
        return v.error();
    return v->value_or(false);
}

result<std::optional<bool>, import_error> row_fields::optional_boolean(int col) const {
    const auto v = get(col);
    if (v.empty())
        return std::optional<bool>{};
    if (iequals(v, "true"))
        return std::optional<bool>{true};
    if (iequals(v, "false"))
        return std::optional<bool>{false};
    return fail(col, "not true or false");
}

result<std::optional<int>, import_error> row_fields::count(int col) const {
    const auto v = get(col);
    if (v.empty())
        return std::optional<int>{};
    int n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec == std::errc::result_out_of_range)
        return fail(col, "a whole number too large");
    if (ec != std::errc{} || end != v.data() + v.size()) {
        return fail(col, "not a whole number");
    }
    if (n < 0)
        return fail(col, "a negative number (expected 0 or more)");
    return std::optional<int>{n};
}

result<std::optional<int>, import_error> row_fields::int_in_range(int col, int lo, int hi) const {
    const auto v = get(col);
    if (v.empty())
        return std::optional<int>{};
    int n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || end != v.data() + v.size() || n < lo || n > hi) {
        return fail(col, fmt::format("not a whole number from {} to {}", lo, hi));
    }
    return std::optional<int>{n};
}

result<std::optional<std::string_view>, import_error> sales_channel_mapper::map(
    const row_fields& row, int col) {
    auto channel = row.required(col);
    if (!channel)
        return channel.error();
    if (has_last_ && *channel == last_channel_)
        return last_marketplace_;
    std::optional<std::string_view> marketplace;
    if (!iequals(*channel, "Non-Amazon")) {
        marketplace = shd::marketplace_for_sales_channel_or_id(*channel);
        if (!marketplace) {
            return row.fail(col,
                            "unknown sales channel: neither a marketplace of Amazon's marketplace "
                            "table (by name, such as Amazon.de, or by ID) nor Non-Amazon");
        }
    }
    last_channel_.assign(*channel);
    last_marketplace_ = marketplace;
    has_last_ = true;
    return marketplace;
}

result<void, import_error> sales_channel_mapper::assign(
    const row_fields& row, int col, std::string& sales_channel,
    std::optional<std::string>& marketplace_id) {
    auto marketplace = map(row, col);
    if (!marketplace)
        return marketplace.error();
    sales_channel.assign(row.get(col));
    if (*marketplace) {
        if (!marketplace_id)
            marketplace_id.emplace();
        marketplace_id->assign(**marketplace);
    } else {
        marketplace_id.reset();
    }
    return {};
}

}  // namespace shd::ingest::detail
