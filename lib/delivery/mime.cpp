#include "delivery/mime.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <stdexcept>

#include "core/digest.hpp"
#include "delivery/render.hpp"

namespace shd::delivery {
namespace {

constexpr std::string_view kCrlf = "\r\n";
// RFC 5322 2.1.1: lines SHOULD stay within 78 characters and MUST within 998.
constexpr std::size_t kSoftLineLimit = 78;
constexpr std::size_t kHardLineLimit = 998;
// Bytes of UTF-8 per encoded-word: 39 bytes are 52 base64 characters, so
// "=?UTF-8?B?" + 52 + "?=" is 64 characters and "Subject: " plus one word
// stays under 78.
constexpr std::size_t kEncodedWordBytes = 39;
// Base64 body lines: 57 bytes give 76 characters (RFC 2045 6.8).
constexpr std::size_t kBase64LineBytes = 57;

bool is_ascii_printable(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20 && u < 0x7f;
    });
}

// Header values come from alert titles, the account name and the config; a
// CR or LF inside one would start a new header.
std::string without_controls(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f)
            c = ' ';
    }
    return out;
}

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos)
        return {};
    const auto last = text.find_last_not_of(" \t");
    return std::string(text.substr(first, last - first + 1));
}

std::string base64(std::string_view bytes) {
    if (bytes.empty())
        return {};
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(bytes.data()),
                                        static_cast<int>(bytes.size()));
    if (written < 0)
        throw std::logic_error("EVP_EncodeBlock failed");
    out.resize(static_cast<std::size_t>(written));
    return out;
}

// A body part's content as base64 lines of 76 characters, each ending in CRLF.
std::string base64_body(std::string_view bytes) {
    std::string out;
    for (std::size_t pos = 0; pos < bytes.size(); pos += kBase64LineBytes) {
        out += base64(bytes.substr(pos, kBase64LineBytes));
        out += kCrlf;
    }
    return out;
}

std::string to_crlf(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 16);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r')
            continue;
        if (text[i] == '\n') {
            out += kCrlf;
        } else {
            out += text[i];
        }
    }
    return out;
}

bool is_domain(std::string_view text) {
    if (text.empty() || text.size() > 253)
        return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-';
    });
}

// The display-name part of "Name <addr>", empty for a bare address.
std::string display_name(std::string_view address) {
    const auto open = address.find('<');
    if (open == std::string_view::npos)
        return {};
    std::string name = trim(address.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
        name = name.substr(1, name.size() - 2);
    }
    return name;
}

// RFC 5322 atext plus space: a display name made only of these needs no quoting.
bool is_plain_phrase(std::string_view text) {
    static constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~ .";
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               specials.find(c) != std::string_view::npos;
    });
}

// One mailbox for a From/To header: "Name <addr>" or "addr".
std::string header_mailbox(std::string_view address, std::size_t used) {
    const std::string addr = without_controls(bare_address(address));
    const std::string name = without_controls(display_name(address));
    if (name.empty())
        return addr;
    std::string phrase;
    if (!is_ascii_printable(name)) {
        phrase = encode_header_text(name, used);
    } else if (is_plain_phrase(name)) {
        phrase = name;
    } else {
        phrase = "\"";
        for (char c : name) {
            if (c == '"' || c == '\\')
                phrase += '\\';
            phrase += c;
        }
        phrase += '"';
    }
    return phrase + " <" + addr + ">";
}

// "To: a, b, c", folded before a mailbox that would pass 78 characters.
std::string address_list_header(std::string_view name, const std::vector<std::string>& addresses) {
    if (addresses.empty())
        return std::string(name) + ": undisclosed-recipients:;\r\n";
    std::string out = std::string(name) + ": ";
    std::size_t line_length = out.size();
    for (std::size_t i = 0; i < addresses.size(); ++i) {
        const std::string mailbox = header_mailbox(addresses[i], line_length);
        if (i > 0) {
            out += ',';
            ++line_length;
            if (line_length + 1 + mailbox.size() > kSoftLineLimit) {
                out += "\r\n";
                line_length = 0;
            }
            out += ' ';
            ++line_length;
        }
        out += mailbox;
        const auto last_break = mailbox.rfind('\n');
        line_length = last_break == std::string::npos ? line_length + mailbox.size()
                                                      : mailbox.size() - last_break - 1;
    }
    return out + std::string(kCrlf);
}

// The key is one unfoldable token: a key too long for a header line travels
// as its digest.
std::string idempotency_header_value(std::string_view key) {
    const std::string clean = without_controls(key);
    if (clean.size() <= 900)
        return clean;
    return "sha256:" + sha256_hex(key);
}

// The alert the subject names: breached before at-risk, firing before resolved,
// otherwise the first.
const alerts::alert_change* lead_alert(const alerts::notification& n) {
    const alerts::alert_change* best = nullptr;
    int best_rank = -1;
    for (const auto& a : n.alerts) {
        const int rank = (a.state == "firing" ? 2 : 0) + (a.severity == "breached" ? 1 : 0);
        if (rank > best_rank) {
            best = &a;
            best_rank = rank;
        }
    }
    return best;
}

std::string alert_heading(const alerts::alert_change& a) {
    if (!a.title.empty())
        return a.title;
    // The lifecycle always writes a title; this keeps a message readable if not.
    return fmt::format("[{}] {} {}", a.state == "resolved" ? "RESOLVED" : a.severity, a.metric,
                       a.marketplace);
}

std::string severity_colour(const alerts::alert_change& a) {
    if (a.state == "resolved")
        return "#1a7f37";
    return a.severity == "breached" ? "#c62828" : "#b26a00";
}

}  // namespace

std::string bare_address(std::string_view address) {
    const auto open = address.find('<');
    if (open != std::string_view::npos) {
        const auto close = address.find('>', open);
        if (close != std::string_view::npos) {
            return trim(address.substr(open + 1, close - open - 1));
        }
    }
    return trim(address);
}

std::string format_rfc5322_date(instant t) {
    using namespace std::chrono;
    static constexpr std::array<std::string_view, 7> weekdays = {"Sun", "Mon", "Tue", "Wed",
                                                                 "Thu", "Fri", "Sat"};
    static constexpr std::array<std::string_view, 12> months = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto day_point = floor<std::chrono::days>(t);
    const year_month_day date{day_point};
    const weekday wd{day_point};
    const hh_mm_ss time{t - day_point};
    return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000", weekdays[wd.c_encoding()],
                       static_cast<unsigned>(date.day()),
                       months[static_cast<unsigned>(date.month()) - 1],
                       static_cast<int>(date.year()), time.hours().count(), time.minutes().count(),
                       time.seconds().count());
}

std::string make_message_id(const config::alert_channel& channel, const alerts::notification& n) {
    const std::string address = bare_address(channel.from);
    const auto at = address.rfind('@');
    std::string domain = at == std::string::npos ? std::string() : address.substr(at + 1);
    if (!is_domain(domain))
        domain = "seller-healthd";
    // The channel name is in the digest: two email channels carry two distinct
    // messages, while retries on one channel repeat the same ID.
    const std::string digest = sha256_hex(n.idempotency_key + '\n' + channel.name);
    return fmt::format("<{}@{}>", digest.substr(0, 32), domain);
}

std::string encode_header_text(std::string_view utf8_text, std::size_t used) {
    const std::string text = without_controls(utf8_text);
    if (is_ascii_printable(text) && used + text.size() <= kHardLineLimit - 2)
        return text;
    std::string out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = std::min(text.size(), pos + kEncodedWordBytes);
        // Never split a UTF-8 sequence across two encoded-words (RFC 2047 5).
        while (end < text.size() && end > pos + 1 &&
               (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
            --end;
        }
        if (!out.empty())
            out += "\r\n ";
        out += "=?UTF-8?B?" + base64(std::string_view(text).substr(pos, end - pos)) + "?=";
        pos = end;
    }
    return out;
}

std::string email_subject(const alerts::notification& n) {
    std::string subject;
    if (n.digest) {
        subject = digest_headline(n);
    } else if (const auto* lead = lead_alert(n)) {
        subject = alert_heading(*lead);
        if (n.alerts.size() > 1)
            subject += fmt::format(" (+{} more)", n.alerts.size() - 1);
    } else if (!n.upcoming.empty()) {
        subject = "seller-healthd: " + n.upcoming.front();
        if (n.upcoming.size() > 1)
            subject += fmt::format(" (+{} more)", n.upcoming.size() - 1);
    } else {
        subject = (n.is_test ? "seller-healthd test alert for " : "seller-healthd notice for ") +
                  n.account;
    }
    if (n.is_test && !subject.starts_with("[TEST]"))
        subject = "[TEST] " + subject;
    return without_controls(subject);
}

// "  Order 111-2223333-4444444 in Seller Central: https://..."
std::string link_text_line(const alerts::id_link& l) {
    const std::string what = (l.kind == "order" ? "Order " : "Message ") + l.id;
    if (l.url.empty())
        return "  " + what + "\n";
    return "  " + what + " in Seller Central: " + l.url + "\n";
}

// "<p>Open in Seller Central: <a href=...>order 111-...</a>, ...</p>"
std::string links_html(const std::vector<alerts::id_link>& links) {
    if (links.empty())
        return {};
    std::string out = "<p>Open in Seller Central: ";
    for (std::size_t i = 0; i < links.size(); ++i) {
        const auto& l = links[i];
        if (i > 0)
            out += ", ";
        const std::string label = html_escape(l.kind + " " + l.id);
        out += l.url.empty() ? label : "<a href=\"" + html_escape(l.url) + "\">" + label + "</a>";
    }
    return out + "</p>\n";
}

namespace {

// One alert as a block of the text part; `when` (a digest's) first.
std::string alert_text(const alerts::alert_change& a, const std::string& when) {
    std::string out = fmt::format("\n{}\n", alert_heading(a));
    if (!when.empty())
        out += "  " + when + "\n";
    if (!a.headroom_text.empty())
        out += "  " + a.headroom_text + "\n";
    if (!a.advice.empty())
        out += "  What to do: " + a.advice + "\n";
    if (!a.caveat.empty())
        out += "  Note: " + a.caveat + "\n";
    for (const auto& l : a.links)
        out += link_text_line(l);
    if (a.denominator > 0) {
        out += fmt::format("  Counted: {} of {} in the last {} days\n", a.numerator, a.denominator,
                           a.window_days);
    }
    out += (a.state == "resolved" ? "  Started: " : "  Since: ") + format_iso8601(a.since) + "\n";
    return out;
}

// The same block in the HTML part.
std::string alert_html(const alerts::alert_change& a, const std::string& when) {
    std::string out = "<div style=\"margin: 1em 0; padding-left: 0.8em; border-left: 4px solid " +
                      severity_colour(a) + "\">\n";
    out += "<p><strong>" + html_escape(alert_heading(a)) + "</strong></p>\n";
    if (!when.empty())
        out += "<p><small>" + html_escape(when) + "</small></p>\n";
    if (!a.headroom_text.empty())
        out += "<p>" + html_escape(a.headroom_text) + "</p>\n";
    if (!a.advice.empty())
        out += "<p>What to do: " + html_escape(a.advice) + "</p>\n";
    if (!a.caveat.empty())
        out += "<p><em>Note: " + html_escape(a.caveat) + "</em></p>\n";
    out += links_html(a.links);
    if (a.denominator > 0) {
        out += fmt::format("<p>Counted: {} of {} in the last {} days</p>\n", a.numerator,
                           a.denominator, a.window_days);
    }
    out += std::string("<p><small>") + (a.state == "resolved" ? "Started: " : "Since: ") +
           html_escape(format_iso8601(a.since)) + "</small></p>\n</div>\n";
    return out;
}

}  // namespace

std::string render_email_text(const alerts::notification& n) {
    std::string out = "Account: " + n.account + "\n";
    if (n.is_test) {
        out +=
            "This is a test alert from seller-healthd: if you can read it, email delivery "
            "works.\n";
    }
    if (n.digest) {
        out += digest_headline(n) + "\n";
        for (const auto& g : digest_groups(n)) {
            out += fmt::format("\n== {} ({}) ==\n", g.heading, g.alerts.size());
            for (const auto* a : g.alerts)
                out += alert_text(*a, digest_when_line(n, *a));
        }
    } else {
        for (const auto& a : n.alerts)
            out += alert_text(a, {});
    }
    if (!n.upcoming.empty()) {
        out += "\nComing up:\n";
        for (const auto& line : n.upcoming)
            out += "  - " + line + "\n";
        for (const auto& l : n.upcoming_links)
            out += link_text_line(l);
    }
    out += "\n-- \nseller-healthd, " + format_iso8601(n.created_at) + "\n";
    return out;
}

std::string render_email_html(const alerts::notification& n) {
    std::string out =
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>" +
        html_escape(email_subject(n)) +
        "</title>\n</head>\n<body style=\"font-family: sans-serif; line-height: 1.4\">\n";
    out += "<p>Account: <strong>" + html_escape(n.account) + "</strong></p>\n";
    if (n.is_test) {
        out +=
            "<p>This is a test alert from seller-healthd: if you can read it, email delivery "
            "works.</p>\n";
    }
    if (n.digest) {
        for (const auto& g : digest_groups(n)) {
            out += fmt::format("<h3>{} ({})</h3>\n", html_escape(g.heading), g.alerts.size());
            for (const auto* a : g.alerts)
                out += alert_html(*a, digest_when_line(n, *a));
        }
    } else {
        for (const auto& a : n.alerts)
            out += alert_html(a, {});
    }
    if (!n.upcoming.empty()) {
        out += "<p>Coming up:</p>\n<ul>\n";
        for (const auto& line : n.upcoming)
            out += "<li>" + html_escape(line) + "</li>\n";
        out += "</ul>\n";
        out += links_html(n.upcoming_links);
    }
    out += "<p><small>seller-healthd, " + html_escape(format_iso8601(n.created_at)) +
           "</small></p>\n</body>\n</html>\n";
    return out;
}

email_message render_email(const config::alert_channel& channel, const alerts::notification& n,
                           instant now) {
    email_message message;
    message.envelope_from = bare_address(channel.from);
    for (const auto& to : channel.to)
        message.envelope_to.push_back(bare_address(to));
    message.message_id = make_message_id(channel, n);
    message.subject = email_subject(n);

    // Derived from the Message-ID so the message is reproducible; "=_" never
    // occurs in base64, so the boundary cannot collide with a body line.
    const std::string boundary = "=_shd_" + message.message_id.substr(1, 32);

    std::string& d = message.data;
    d += "Date: " + format_rfc5322_date(now) + std::string(kCrlf);
    d += "From: " + header_mailbox(channel.from, 6) + std::string(kCrlf);
    d += address_list_header("To", channel.to);
    d += "Message-ID: " + message.message_id + std::string(kCrlf);
    d += "Subject: " + encode_header_text(message.subject, 9) + std::string(kCrlf);
    d += "MIME-Version: 1.0" + std::string(kCrlf);
    // RFC 3834: keeps vacation responders and mailing-list bounces away.
    d += "Auto-Submitted: auto-generated" + std::string(kCrlf);
    d += "X-Mailer: seller-healthd" + std::string(kCrlf);
    d += "X-Idempotency-Key: " + idempotency_header_value(n.idempotency_key) + std::string(kCrlf);
    d += "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"" +
         std::string(kCrlf);
    d += kCrlf;
    d += "This is a MIME message with a text and an HTML part." + std::string(kCrlf);
    // Plain text first: RFC 2046 5.1.4 puts the preferred (richest) part last.
    d += "--" + boundary + std::string(kCrlf);
    d += "Content-Type: text/plain; charset=utf-8" + std::string(kCrlf);
    d += "Content-Transfer-Encoding: base64" + std::string(kCrlf);
    d += kCrlf;
    d += base64_body(to_crlf(render_email_text(n)));
    d += "--" + boundary + std::string(kCrlf);
    d += "Content-Type: text/html; charset=utf-8" + std::string(kCrlf);
    d += "Content-Transfer-Encoding: base64" + std::string(kCrlf);
    d += kCrlf;
    d += base64_body(to_crlf(render_email_html(n)));
    d += "--" + boundary + "--" + std::string(kCrlf);
    return message;
}

}  // namespace shd::delivery
