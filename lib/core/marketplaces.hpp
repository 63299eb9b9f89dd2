// Amazon marketplaces: sales-channel names, IDs, short codes, the date
// format of their Feedback report (spec/formats.md), their Seller Central
// host and local time zone. The table is Amazon's
// marketplace ID table, every marketplace in it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace shd {

// Day order of the Feedback report's Date column.
enum class feedback_date_style {
    month_day_year,         // US: M/D/YY
    year_month_day,         // JP: YY/M/D
    iso,                    // SE: YYYY-MM-DD
    day_month_year_dotted,  // DE: D.M.YY
    day_month_year,         // everyone else: D/M/YY
};

struct marketplace_info {
    std::string_view id;                   // "ATVPDKIKX0DER"
    std::string_view sales_channel;        // "Amazon.com"
    std::string_view code;                 // "US"
    std::string_view seller_central_host;  // "sellercentral.amazon.com"
    std::string_view time_zone;            // IANA name: "America/Los_Angeles"
};

std::span<const marketplace_info> known_marketplaces();

// "Amazon.com" -> "ATVPDKIKX0DER" (case-insensitive). nullopt for unknown
// channels; "Non-Amazon" is handled by the caller.
std::optional<std::string_view> marketplace_for_sales_channel(std::string_view sales_channel);

// A sales-channel cell as some exports write it: the name ("Amazon.de",
// case-insensitive) or the marketplace ID itself ("A1PA6795UKMFR9", exact).
std::optional<std::string_view> marketplace_for_sales_channel_or_id(std::string_view text);

bool is_known_marketplace_id(std::string_view marketplace_id);

// "ATVPDKIKX0DER" -> "US"; an unknown ID is returned as it is.
std::string marketplace_code(std::string_view marketplace_id);

feedback_date_style feedback_date_style_for(std::string_view marketplace_id);

// The table row of a marketplace ID; nullptr for an unknown one.
const marketplace_info* find_marketplace(std::string_view marketplace_id);

// "https://sellercentral.amazon.de/orders-v3/order/302-1234567-1234567": the
// order's page in the Seller Central of its marketplace. Empty for an unknown
// marketplace or an empty order ID.
std::string seller_central_order_url(std::string_view marketplace_id, std::string_view order_id);

// The Buyer-Seller Messages inbox of the marketplace's Seller Central (Amazon
// publishes no link to a single message). Empty for an unknown marketplace.
std::string seller_central_messages_url(std::string_view marketplace_id);

// The IANA zone Seller Central shows the marketplace's times in; empty for an
// unknown marketplace.
std::string_view marketplace_time_zone(std::string_view marketplace_id);

}  // namespace shd
