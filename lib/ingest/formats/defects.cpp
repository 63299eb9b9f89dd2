// Our defects CSV: A-to-z claims, chargebacks and feedback, with the "counting
// defect" rule of spec/metrics.md decided here, once.
#include <algorithm>
#include <array>

#include "ingest/formats/format_support.hpp"

namespace shd::ingest::detail {
namespace {

enum col : int { order_id, kind, occurred_at, status, rating };

constexpr column_spec kColumns[] = {
    {"order_id", true}, {"kind", true}, {"occurred_at", true}, {"status", false}, {"rating", false},
};

constexpr std::string_view kSignature[] = {"kind", "occurred_at"};

struct kind_rules {
    std::string_view kind;
    std::string_view default_status;
    std::array<std::string_view, 6> statuses;      // the valid ones ("" pads the list)
    std::array<std::string_view, 3> not_counting;  // statuses decided for the seller
};

constexpr kind_rules kKinds[] = {
    {"negative_feedback", "active", {"active", "removed"}, {"removed"}},
    {"a_to_z_claim",
     "open",
     {"open", "granted", "refunded", "denied", "withdrawn", "protected"},
     {"denied", "withdrawn", "protected"}},
    {"chargeback", "open", {"open", "lost", "reversed"}, {"reversed"}},
};

bool contains(std::span<const std::string_view> list, std::string_view s) {
    return !s.empty() && std::find(list.begin(), list.end(), s) != list.end();
}

result<long, import_error> parse(delimited_reader& reader, const column_map& columns,
                                 const parse_context&, const record_sink& sink) {
    record rec{std::in_place_type<defect_row>};
    auto& out = std::get<defect_row>(rec);

    return for_each_row(reader, columns, [&](const row_fields& row) -> result<void, import_error> {
        auto id = row.id(order_id);
        if (!id)
            return id.error();
        out.order_id.assign(*id);

        auto kind_text = row.required(kind);
        if (!kind_text)
            return kind_text.error();
        const kind_rules* rules = nullptr;
        for (const auto& k : kKinds) {
            if (iequals(k.kind, *kind_text))
                rules = &k;
        }
        if (rules == nullptr) {
            return row.fail(kind,
                            "unknown kind (expected negative_feedback, a_to_z_claim or "
                            "chargeback)");
        }
        out.kind.assign(rules->kind);

        auto when = row.timestamp(occurred_at);
        if (!when)
            return when.error();
        out.occurred_at = *when;

        const auto status_text = row.get(status);
        if (status_text.empty()) {
            out.status.assign(rules->default_status);
        } else {
            out.status.clear();
            for (const char c : status_text) {
                out.status += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            }
            if (!contains(rules->statuses, out.status)) {
                std::string valid;
                for (const auto s : rules->statuses) {
                    if (s.empty())
                        continue;
                    if (!valid.empty())
                        valid += ", ";
                    valid += s;
                }
                return row.fail(status, "unknown status for " + std::string(rules->kind) +
                                            " (expected " + valid + ")");
            }
        }

        auto stars = row.int_in_range(rating, 1, 5);
        if (!stars)
            return stars.error();
        const bool removed_or_decided = contains(rules->not_counting, out.status);
        if (rules->kind == "negative_feedback") {
            // No rating given: the row is there because the feedback was negative.
            out.rating = *stars;
            out.counts = !removed_or_decided && (!*stars || **stars <= 2);
        } else {
            out.rating.reset();  // a rating means nothing for a claim or a chargeback
            out.counts = !removed_or_decided;
        }

        sink(rec, row.line());
        return {};
    });
}

}  // namespace

const format_spec& defects_format() {
    static const format_spec spec{file_format::defects, "defects CSV", kColumns, kSignature,
                                  &parse};
    return spec;
}

}  // namespace shd::ingest::detail
