// The timestamp and duration parsers on arbitrary text. What parses must format
// and parse back to the same value, and the Feedback report's date parser must
// not crash in any marketplace's day order.
#include <cstdint>
#include <string>

#include "core/marketplaces.hpp"
#include "core/time.hpp"
#include "fuzz_support.hpp"
#include "ingest/formats/format_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace shd;
    const auto text = fuzz::as_text(data, size);

    if (auto t = parse_iso8601(text)) {
        const std::string formatted = format_iso8601(*t);
        auto again = parse_iso8601(formatted);
        if (!again || *again != *t)
            __builtin_trap();
    }
    if (auto d = parse_duration(text)) {
        const std::string formatted = format_duration(*d);
        auto again = parse_duration(formatted);
        if (!again || *again != *d)
            __builtin_trap();
        (void)format_span(*d);
    }
    for (auto style : {feedback_date_style::month_day_year, feedback_date_style::year_month_day,
                       feedback_date_style::iso, feedback_date_style::day_month_year_dotted,
                       feedback_date_style::day_month_year}) {
        if (auto t = ingest::detail::parse_feedback_date(text, style))
            (void)format_iso8601(*t);
    }
    return 0;
}
