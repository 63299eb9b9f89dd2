#include "core/marketplaces.hpp"

#include <algorithm>
#include <cctype>

#include "core/text.hpp"

namespace shd {
namespace {

// Seller Central hosts: the per-marketplace sign-in hosts of the SP-API
// "Seller Central URLs" table. Time zones: the zone Seller Central shows the
// marketplace's dates in (Pacific time for the US and Canada).
constexpr marketplace_info kMarketplaces[] = {
    {"ATVPDKIKX0DER", "Amazon.com", "US", "sellercentral.amazon.com", "America/Los_Angeles"},
    {"A2EUQ1WTGCTBG2", "Amazon.ca", "CA", "sellercentral.amazon.ca", "America/Los_Angeles"},
    {"A1AM78C64UM0Y8", "Amazon.com.mx", "MX", "sellercentral.amazon.com.mx", "America/Mexico_City"},
    {"A2Q3Y263D00KWC", "Amazon.com.br", "BR", "sellercentral.amazon.com.br", "America/Sao_Paulo"},
    {"A1F83G8C2ARO7P", "Amazon.co.uk", "UK", "sellercentral.amazon.co.uk", "Europe/London"},
    {"A1PA6795UKMFR9", "Amazon.de", "DE", "sellercentral.amazon.de", "Europe/Berlin"},
    {"A13V1IB3VIYZZH", "Amazon.fr", "FR", "sellercentral.amazon.fr", "Europe/Paris"},
    {"APJ6JRA9NG5V4", "Amazon.it", "IT", "sellercentral.amazon.it", "Europe/Rome"},
    {"A1RKKUPIHCS9HS", "Amazon.es", "ES", "sellercentral.amazon.es", "Europe/Madrid"},
    {"A1805IZSGTT6HS", "Amazon.nl", "NL", "sellercentral.amazon.nl", "Europe/Amsterdam"},
    {"A1C3SOZRARQ6R3", "Amazon.pl", "PL", "sellercentral.amazon.pl", "Europe/Warsaw"},
    {"A2NODRKZP88ZB9", "Amazon.se", "SE", "sellercentral.amazon.se", "Europe/Stockholm"},
    {"AMEN7PMS3EDWL", "Amazon.com.be", "BE", "sellercentral.amazon.com.be", "Europe/Brussels"},
    {"A33AVAJ2PDY3EV", "Amazon.com.tr", "TR", "sellercentral.amazon.com.tr", "Europe/Istanbul"},
    {"A21TJRUUN4KGV", "Amazon.in", "IN", "sellercentral.amazon.in", "Asia/Kolkata"},
    {"A1VC38T7YXB528", "Amazon.co.jp", "JP", "sellercentral.amazon.co.jp", "Asia/Tokyo"},
    {"A39IBJ37TRP1C6", "Amazon.com.au", "AU", "sellercentral.amazon.com.au", "Australia/Sydney"},
    {"A19VAU5U5O7RUS", "Amazon.sg", "SG", "sellercentral.amazon.sg", "Asia/Singapore"},
    {"A2VIGQ35RCS4UG", "Amazon.ae", "AE", "sellercentral.amazon.ae", "Asia/Dubai"},
    {"A17E79C6D8DWNP", "Amazon.sa", "SA", "sellercentral.amazon.sa", "Asia/Riyadh"},
    {"ARBP9OOSHTCHU", "Amazon.eg", "EG", "sellercentral.amazon.eg", "Africa/Cairo"},
    {"A28R8C7NBKEWEA", "Amazon.ie", "IE", "sellercentral.amazon.ie", "Europe/Dublin"},
    {"AE08WJ6YKNBMC", "Amazon.co.za", "ZA", "sellercentral.amazon.co.za", "Africa/Johannesburg"},
};

}  // namespace

std::span<const marketplace_info> known_marketplaces() {
    return kMarketplaces;
}

std::optional<std::string_view> marketplace_for_sales_channel(std::string_view sales_channel) {
    for (const auto& m : kMarketplaces) {
        if (iequals(m.sales_channel, sales_channel))
            return m.id;
    }
    return std::nullopt;
}

std::optional<std::string_view> marketplace_for_sales_channel_or_id(std::string_view text) {
    for (const auto& m : kMarketplaces) {
        if (m.id == text || iequals(m.sales_channel, text))
            return m.id;
    }
    return std::nullopt;
}

bool is_known_marketplace_id(std::string_view marketplace_id) {
    return std::any_of(std::begin(kMarketplaces), std::end(kMarketplaces),
                       [&](const marketplace_info& m) { return m.id == marketplace_id; });
}

std::string marketplace_code(std::string_view marketplace_id) {
    for (const auto& m : kMarketplaces) {
        if (m.id == marketplace_id)
            return std::string(m.code);
    }
    return std::string(marketplace_id);
}

const marketplace_info* find_marketplace(std::string_view marketplace_id) {
    for (const auto& m : kMarketplaces) {
        if (m.id == marketplace_id)
            return &m;
    }
    return nullptr;
}

std::string seller_central_order_url(std::string_view marketplace_id, std::string_view order_id) {
    const auto* m = find_marketplace(marketplace_id);
    if (m == nullptr || order_id.empty())
        return {};
    return "https://" + std::string(m->seller_central_host) + "/orders-v3/order/" +
           std::string(order_id);
}

std::string seller_central_messages_url(std::string_view marketplace_id) {
    const auto* m = find_marketplace(marketplace_id);
    if (m == nullptr)
        return {};
    return "https://" + std::string(m->seller_central_host) + "/messaging/inbox";
}

std::string_view marketplace_time_zone(std::string_view marketplace_id) {
    const auto* m = find_marketplace(marketplace_id);
    return m == nullptr ? std::string_view{} : m->time_zone;
}

feedback_date_style feedback_date_style_for(std::string_view marketplace_id) {
    if (marketplace_id == "ATVPDKIKX0DER")
        return feedback_date_style::month_day_year;
    if (marketplace_id == "A1VC38T7YXB528")
        return feedback_date_style::year_month_day;
    if (marketplace_id == "A2NODRKZP88ZB9")
        return feedback_date_style::iso;
    if (marketplace_id == "A1PA6795UKMFR9")
        return feedback_date_style::day_month_year_dotted;
    return feedback_date_style::day_month_year;
}

}  // namespace shd
