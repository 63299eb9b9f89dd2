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

std::string header_summary(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        if (!out.empty())
            out += ", ";
        out += n;
        if (out.size() > 120) {
            out += ", ...";
            break;
        }
    }
    return out;
}

}  // namespace

std::string quote_value(std::string_view v) {
    constexpr std::size_t kMax = 60;
    bool cut = false;
    if (v.size() > kMax) {
        std::size_t n = kMax;
        // Do not cut a UTF-8 sequence in half.
        while (n > 0 && (static_cast<unsigned char>(v[n]) & 0xC0) == 0x80)
            --n;
        v = v.substr(0, n);
        cut = true;
    }
    std::string out = "'";
    for (const char c : v) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            out += fmt::format("\\x{:02x}", u);
        } else {
            out += c;
        }
    }
    out += cut ? "...'" : "'";
    return out;
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
            fmt::format("not a recognised export: the header ({}) is none of the All Orders, "
                        "Unshipped orders or Feedback reports, the shipments, defects or messages "
                        "CSV, or the account-health JSON",
                        header_summary(columns.header_names))};
    }

    columns.index.reserve(best->columns.size());
    std::vector<std::string_view> missing;
    for (const auto& c : best->columns) {
        const int i = find(c.name);
        columns.index.push_back(i);
        if (i < 0 && c.required)
            missing.push_back(c.name);
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
        return fail(col, "not an ISO-8601 timestamp with an offset or Z: " + quote_value(v));
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
    return fail(col, "not true or false: " + quote_value(v));
}

result<std::optional<int>, import_error> row_fields::count(int col) const {
    const auto v = get(col);
    if (v.empty())
        return std::optional<int>{};
    int n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec == std::errc::result_out_of_range)
        return fail(col, "number too large: " + quote_value(v));
    if (ec != std::errc{} || end != v.data() + v.size()) {
        return fail(col, "not a whole number: " + quote_value(v));
    }
    if (n < 0)
        return fail(col, "negative: " + quote_value(v));
    return std::optional<int>{n};
}

result<std::optional<int>, import_error> row_fields::int_in_range(int col, int lo, int hi) const {
    const auto v = get(col);
    if (v.empty())
        return std::optional<int>{};
    int n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc{} || end != v.data() + v.size() || n < lo || n > hi) {
        return fail(col,
                    fmt::format("not a whole number from {} to {}: {}", lo, hi, quote_value(v)));
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
        marketplace = shd::marketplace_for_sales_channel(*channel);
        if (!marketplace)
            return row.fail(col, "unknown sales channel " + quote_value(*channel));
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
