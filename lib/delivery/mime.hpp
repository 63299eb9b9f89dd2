// Renders a notification as an RFC 5322 message for the email channel: a pure
// function of the notification, the channel (From, To) and the send time.
//
// The message is multipart/alternative with a text/plain and a text/html part,
// both UTF-8 and base64 encoded (so no body line is long and no body line can
// start with "." or "From "), every line ending in CRLF and no line longer than
// 998 characters. Header values that come from outside (titles, account name,
// addresses) have control characters replaced by spaces so they cannot inject
// headers; non-ASCII header text is RFC 2047 encoded. Every value in the HTML
// part is HTML-escaped.
//
// The same notification on the same channel always gets the same Message-ID
// and MIME boundary, so a retried send is recognisably the same message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alerts/notification.hpp"
#include "config/config.hpp"
#include "core/html_text.hpp"
#include "core/time.hpp"

namespace shd::delivery {

struct email_message {
    std::string envelope_from;             // bare address for MAIL FROM
    std::vector<std::string> envelope_to;  // bare addresses for RCPT TO
    std::string message_id;                // "<hex@domain>", as in the Message-ID header
    std::string subject;                   // the subject as people read it (UTF-8, not encoded)
    std::string data;                      // the whole message: headers, blank line, body
};

email_message render_email(const config::alert_channel& channel, const alerts::notification& n,
                           instant now);

// --- the pieces, exposed for tests -------------------------------------------

// "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)": the title of the
// most severe firing alert, "(+N more)" when there are others; "[TEST] ..."
// for test alerts. Control characters are replaced by spaces.
std::string email_subject(const alerts::notification& n);

// "Tue, 04 Nov 2025 09:05:07 +0000" (RFC 5322 section 3.3, always UTC).
std::string format_rfc5322_date(instant t);

// "<32 hex digits@domain>": a digest of the idempotency key and the channel
// name; the domain is the From address's domain, or "seller-healthd".
std::string make_message_id(const config::alert_channel& channel, const alerts::notification& n);

// "a@example.com" from "a@example.com", "<a@example.com>" or
// "Name <a@example.com>" (surrounding spaces trimmed).
std::string bare_address(std::string_view address);

// Header text as it goes on the wire after "Name: " (`used` characters of the
// line already taken): unchanged when it is printable ASCII and fits the line,
// else RFC 2047 encoded-words (UTF-8, B encoding) folded over several lines.
std::string encode_header_text(std::string_view utf8_text, std::size_t used);

// & < > " ' replaced by entities: core/html_text.hpp, shared with the dashboard.
using shd::html_escape;

// The two bodies, before transfer encoding (LF line ends in the text part).
std::string render_email_text(const alerts::notification& n);
std::string render_email_html(const alerts::notification& n);

}  // namespace shd::delivery
