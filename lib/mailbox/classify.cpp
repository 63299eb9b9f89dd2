#include "mailbox/classify.hpp"

#include <gmime/gmime.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <mutex>

#include "core/digest.hpp"
#include "core/marketplaces.hpp"

namespace shd::mailbox {
namespace {

// spec/sources.md: the alias domains, marketplace.amazon.<suffix>, and the
// sales channel each stands for.
constexpr std::array<std::string_view, 22> kAliasSuffixes = {
    "com", "ca",     "com.mx", "com.br", "co.uk", "de", "fr", "it",    "es",     "nl", "se",
    "pl",  "com.be", "com.tr", "ae",     "sa",    "eg", "in", "co.jp", "com.au", "sg", "ie"};
constexpr std::string_view kAliasDomainPrefix = "marketplace.amazon.";

// A message whose Date is missing or unreadable and that the mailbox gave no
// time for cannot be placed in any window.
constexpr std::string_view kNoTime = "has neither a readable Date header nor a delivery time";

void init_gmime_once() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

struct gobject_unref {
    void operator()(void* p) const {
        if (p)
            g_object_unref(p);
    }
};
template <class T>
using gobject_ptr = std::unique_ptr<T, gobject_unref>;

// Every mailbox address in a list, groups opened.
void collect_addresses(InternetAddressList* list, std::vector<std::string>& out) {
    if (!list)
        return;
    const int n = internet_address_list_length(list);
    for (int i = 0; i < n; ++i) {
        InternetAddress* ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
            const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
            if (addr)
                out.emplace_back(addr);
        } else if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            collect_addresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), out);
        }
    }
}

// The decoded text of the first text/plain part, else the first text/html
// part, in document order; forwarded messages inside are not looked into.
void find_text(GMimeObject* part, std::string& plain, std::string& html) {
    if (!part)
        return;
    if (GMIME_IS_MULTIPART(part)) {
        auto* multipart = GMIME_MULTIPART(part);
        const int n = g_mime_multipart_get_count(multipart);
        for (int i = 0; i < n && plain.empty(); ++i)
            find_text(g_mime_multipart_get_part(multipart, i), plain, html);
        return;
    }
    if (!GMIME_IS_TEXT_PART(part))
        return;
    GMimeContentType* type = g_mime_object_get_content_type(part);
    const bool is_plain = !type || g_mime_content_type_is_type(type, "text", "plain");
    const bool is_html = type && g_mime_content_type_is_type(type, "text", "html");
    if ((is_plain && !plain.empty()) || (is_html && !html.empty()) || (!is_plain && !is_html))
        return;
    char* text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
    if (text) {
        (is_plain ? plain : html) = text;
        g_free(text);
    }
}

}  // namespace

std::optional<std::string> alias_marketplace(std::string_view address) {
    const auto at = address.rfind('@');
    if (at == std::string_view::npos || at == 0)
        return std::nullopt;
    const std::string domain = lower(address.substr(at + 1));
    if (!domain.starts_with(kAliasDomainPrefix))
        return std::nullopt;
    const std::string_view suffix = std::string_view(domain).substr(kAliasDomainPrefix.size());
    if (std::find(kAliasSuffixes.begin(), kAliasSuffixes.end(), suffix) == kAliasSuffixes.end())
        return std::nullopt;
    const auto id = marketplace_for_sales_channel("Amazon." + std::string(suffix));
    if (!id)
        throw std::logic_error("mailbox: alias suffix without a marketplace: " +
                               std::string(suffix));
    return std::string(*id);
}

std::string alias_key(std::string_view address) {
    return sha256_hex(lower(address));
}

std::optional<std::string> find_order_id(std::string_view text) {
    constexpr std::size_t kLength = 19;  // NNN-NNNNNNN-NNNNNNN
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    for (std::size_t i = 0; i + kLength <= text.size(); ++i) {
        if (i > 0 && digit(text[i - 1]))
            continue;
        bool match = true;
        for (std::size_t k = 0; k < kLength && match; ++k) {
            const char c = text[i + k];
            match = (k == 3 || k == 11) ? c == '-' : digit(c);
        }
        if (!match)
            continue;
        if (i + kLength < text.size() && digit(text[i + kLength]))
            continue;
        return std::string(text.substr(i, kLength));
    }
    return std::nullopt;
}

result<classification, error_message> classify_message(std::string_view raw, folder_role role,
                                                       std::optional<instant> received_by_mailbox,
                                                       std::string_view whole_sha256) {
    init_gmime_once();
    gobject_ptr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
    gobject_ptr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    gobject_ptr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
    if (!message)
        return error_message{"not an e-mail message (no header could be read)"};
    GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(message.get()));
    if (!headers || g_mime_header_list_get_count(headers) == 0)
        return error_message{"not an e-mail message (no header could be read)"};

    std::optional<instant> dated;
    if (GDateTime* date = g_mime_message_get_date(message.get()))
        dated = from_unix(g_date_time_to_unix(date));
    const std::optional<instant> at = dated ? dated : received_by_mailbox;

    auto identity = [&]() -> std::string {
        const char* id = g_mime_message_get_message_id(message.get());
        if (id && *id)
            return id;
        return whole_sha256.empty() ? sha256_hex(raw) : std::string(whole_sha256);
    };

    if (role == folder_role::buyer) {
        std::vector<std::string> from;
        collect_addresses(g_mime_message_get_from(message.get()), from);
        if (from.empty())
            return classification{unrelated{}};
        const auto marketplace = alias_marketplace(from.front());
        if (!marketplace)
            return classification{unrelated{}};
        if (!at)
            return error_message{std::string("a buyer message ") + std::string(kNoTime)};
        buyer_message m;
        m.message_id = identity();
        m.marketplace_id = *marketplace;
        m.received_at = *at;
        m.alias_key = alias_key(from.front());
        const char* subject = g_mime_message_get_subject(message.get());
        auto order = find_order_id(subject ? subject : "");
        if (!order) {
            std::string plain, html;
            find_text(g_mime_message_get_mime_part(message.get()), plain, html);
            order = find_order_id(plain);
            if (!order)
                order = find_order_id(html);
        }
        m.order_id = order.value_or("");
        return classification{std::move(m)};
    }

    std::vector<std::string> recipients;
    collect_addresses(g_mime_message_get_addresses(message.get(), GMIME_ADDRESS_TYPE_TO),
                      recipients);
    collect_addresses(g_mime_message_get_addresses(message.get(), GMIME_ADDRESS_TYPE_CC),
                      recipients);
    buyer_reply r;
    for (const auto& address : recipients) {
        if (!alias_marketplace(address))
            continue;
        std::string key = alias_key(address);
        if (std::find(r.alias_keys.begin(), r.alias_keys.end(), key) == r.alias_keys.end())
            r.alias_keys.push_back(std::move(key));
    }
    if (r.alias_keys.empty())
        return classification{unrelated{}};
    if (!at)
        return error_message{std::string("a reply ") + std::string(kNoTime)};
    r.reply_id = identity();
    r.replied_at = *at;
    return classification{std::move(r)};
}

}  // namespace shd::mailbox
