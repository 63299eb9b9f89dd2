// The Feedback report (GET_SELLER_FEEDBACK_DATA): one negative_feedback defect
// per row. Its Date has no year-first rule: the order of day, month and year
// depends on the marketplace, which is the order's (asked of the caller) or the
// configured default.
#include <date/date.h>
#include <fmt/format.h>

#include <array>
#include <charconv>

#include "core/marketplaces.hpp"
#include "ingest/formats/format_support.hpp"

namespace shd::ingest::detail {
namespace {

enum col : int { date_col, rating, order_id, comments, your_response, rater_email, response };

// Some marketplaces' reports call "Your Response" just "Response".
constexpr column_spec kColumns[] = {
    {"Date", true},           {"Rating", true},       {"Order ID", true},  {"Comments", false},
    {"Your Response", false}, {"Rater Email", false}, {"Response", false},
};

// "Rating" alone would also match our defects CSV; the header's other columns
// decide between them (recognise_header prefers the format with more matches).
constexpr std::string_view kSignature[] = {"Rater Email", "Your Response", "Response", "Rating"};

std::string_view style_text(feedback_date_style style) {
    switch (style) {
        case feedback_date_style::month_day_year:
            return "M/D/YY";
        case feedback_date_style::year_month_day:
            return "YY/M/D";
        case feedback_date_style::iso:
            return "YYYY-MM-DD";
        case feedback_date_style::day_month_year_dotted:
            return "D.M.YY";
        case feedback_date_style::day_month_year:
            return "D/M/YY";
    }
    return "?";
}

// Three numbers split by `sep`, each 1 to 4 digits.
bool split_date(std::string_view s, char sep, std::array<int, 3>& parts,
                std::array<std::size_t, 3>& digits) {
    for (std::size_t i = 0; i < 3; ++i) {
        const std::size_t cut = i < 2 ? s.find(sep) : s.size();
        if (cut == std::string_view::npos)
            return false;
        const std::string_view part = s.substr(0, cut);
        if (part.empty() || part.size() > 4)
            return false;
        for (const char c : part) {
            if (c < '0' || c > '9')
                return false;
        }
        std::from_chars(part.data(), part.data() + part.size(), parts[i]);
        digits[i] = part.size();
        s.remove_prefix(i < 2 ? cut + 1 : cut);
    }
    return true;
}

}  // namespace

std::optional<instant> parse_feedback_date(std::string_view s, feedback_date_style style) {
    std::array<int, 3> p{};
    std::array<std::size_t, 3> digits{};
    int y = 0, m = 0, d = 0;
    std::size_t year_digits = 0;
    switch (style) {
        case feedback_date_style::month_day_year:
            if (!split_date(s, '/', p, digits))
                return std::nullopt;
            m = p[0], d = p[1], y = p[2], year_digits = digits[2];
            break;
        case feedback_date_style::year_month_day:
            if (!split_date(s, '/', p, digits))
                return std::nullopt;
            y = p[0], m = p[1], d = p[2], year_digits = digits[0];
            break;
        case feedback_date_style::iso:
            if (!split_date(s, '-', p, digits) || digits[0] != 4)
                return std::nullopt;
            y = p[0], m = p[1], d = p[2], year_digits = digits[0];
            break;
        case feedback_date_style::day_month_year_dotted:
            if (!split_date(s, '.', p, digits))
                return std::nullopt;
            d = p[0], m = p[1], y = p[2], year_digits = digits[2];
            break;
        case feedback_date_style::day_month_year:
            if (!split_date(s, '/', p, digits))
                return std::nullopt;
            d = p[0], m = p[1], y = p[2], year_digits = digits[2];
            break;
    }
    // Two-digit years are this century; a spreadsheet may have widened them to four.
    if (year_digits == 2) {
        y += 2000;
    } else if (year_digits != 4) {
        return std::nullopt;
    }
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return std::nullopt;
    const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                   date::day{static_cast<unsigned>(d)}};
    if (!ymd.ok())
        return std::nullopt;
    return instant{date::sys_days{ymd}.time_since_epoch()};
}

namespace {

result<long, import_error> parse(delimited_reader& reader, const column_map& columns,
                                 const parse_context& ctx, const record_sink& sink) {
    record rec{std::in_place_type<defect_row>};
    auto& out = std::get<defect_row>(rec);
    out.kind = "negative_feedback";
    out.status = "active";

    return for_each_row(reader, columns, [&](const row_fields& row) -> result<void, import_error> {
        auto id = row.id(order_id);
        if (!id)
            return id.error();
        out.order_id.assign(*id);

        std::optional<std::string> marketplace;
        if (ctx.order_marketplace)
            marketplace = ctx.order_marketplace(*id);
        const std::string& market = marketplace ? *marketplace : ctx.default_marketplace;
        const auto style = shd::feedback_date_style_for(market);

        auto text = row.required(date_col);
        if (!text)
            return text.error();
        const auto day = parse_feedback_date(*text, style);
        if (!day) {
            return row.fail(date_col,
                            fmt::format("not a date in the {} format {}",
                                        shd::marketplace_code(market), style_text(style)));
        }
        out.occurred_at = *day;

        auto stars = row.int_in_range(rating, 1, 5);
        if (!stars)
            return stars.error();
        if (!*stars)
            return row.fail(rating, "required field is empty");
        out.rating = *stars;
        out.counts = **stars <= 2;

        sink(rec, row.line());
        return {};
    });
}

}  // namespace

const format_spec& feedback_format() {
    static const format_spec spec{file_format::feedback, "Feedback report", kColumns, kSignature,
                                  &parse};
    return spec;
}

}  // namespace shd::ingest::detail
