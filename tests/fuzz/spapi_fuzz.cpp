// The Selling Partner API answers as the daemon reads them: searchOrders and
// listFinancialEvents bodies (JSON to records), Login with Amazon and SP-API
// error bodies, and the x-amzn-RateLimit-Limit header. The first byte picks
// the reader, the rest is the text.
#include <cmath>
#include <cstdint>
#include <string_view>

#include "spapi/finances.hpp"
#include "spapi/orders.hpp"
#include "spapi/rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace shd;
    if (size == 0)
        return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 4) {
        case 0: {
            auto page = spapi::parse_search_orders(text);
            if (page) {
                for (const auto& o : page->orders) {
                    // Every mapped order has its items, each of that order.
                    if (o.items.empty())
                        __builtin_trap();
                    for (const auto& item : o.items) {
                        if (item.order_id != o.order_id)
                            __builtin_trap();
                    }
                }
            } else {
                (void)page.error().to_string();
            }
            break;
        }
        case 1: {
            auto page = spapi::parse_financial_events(text);
            if (page) {
                auto rows = spapi::defects_from_events(
                    page->events,
                    [](std::string_view, std::string_view) -> std::optional<spapi::stored_defect> {
                        return std::nullopt;
                    });
                (void)rows.size();
            } else {
                (void)page.error().to_string();
            }
            break;
        }
        case 2:
            (void)spapi::parse_lwa_error(text);
            (void)spapi::parse_sp_errors(text);
            break;
        default:
            if (auto rate = spapi::parse_rate_limit_header(text); rate && !(*rate >= 0))
                __builtin_trap();  // a rate is a number, never negative or NaN
            break;
    }
    return 0;
}
