#include "core/marketplaces.hpp"

#include <algorithm>
#include <cctype>

#include "core/text.hpp"

namespace shd {
namespace {

constexpr marketplace_info kMarketplaces[] = {
    {"ATVPDKIKX0DER", "Amazon.com", "US"},     {"A2EUQ1WTGCTBG2", "Amazon.ca", "CA"},
    {"A1AM78C64UM0Y8", "Amazon.com.mx", "MX"}, {"A2Q3Y263D00KWC", "Amazon.com.br", "BR"},
    {"A1F83G8C2ARO7P", "Amazon.co.uk", "UK"},  {"A1PA6795UKMFR9", "Amazon.de", "DE"},
    {"A13V1IB3VIYZZH", "Amazon.fr", "FR"},     {"APJ6JRA9NG5V4", "Amazon.it", "IT"},
    {"A1RKKUPIHCS9HS", "Amazon.es", "ES"},     {"A1805IZSGTT6HS", "Amazon.nl", "NL"},
    {"A1C3SOZRARQ6R3", "Amazon.pl", "PL"},     {"A2NODRKZP88ZB9", "Amazon.se", "SE"},
    {"AMEN7PMS3EDWL", "Amazon.com.be", "BE"},  {"A33AVAJ2PDY3EV", "Amazon.com.tr", "TR"},
    {"A21TJRUUN4KGV", "Amazon.in", "IN"},      {"A1VC38T7YXB528", "Amazon.co.jp", "JP"},
    {"A39IBJ37TRP1C6", "Amazon.com.au", "AU"}, {"A19VAU5U5O7RUS", "Amazon.sg", "SG"},
    {"A2VIGQ35RCS4UG", "Amazon.ae", "AE"},     {"A17E79C6D8DWNP", "Amazon.sa", "SA"},
    {"ARBP9OOSHTCHU", "Amazon.eg", "EG"},      {"A28R8C7NBKEWEA", "Amazon.ie", "IE"},
    {"AE08WJ6YKNBMC", "Amazon.co.za", "ZA"},
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
