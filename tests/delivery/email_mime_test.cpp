// The email message as rendered for SMTP: headers, encodings, both parts,
// escaping, line rules. Pure: no server involved.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <sstream>

#include "delivery/mime.hpp"

namespace shd::delivery {
namespace {

instant at(const char* iso) {
    return parse_iso8601(iso).value();
}

alerts::alert_change breached_ldr() {
    alerts::alert_change a;
    a.kind = "metric";
    a.fingerprint = "metric/late_dispatch_rate/ATVPDKIKX0DER/MFN/10";
    a.metric = "late_dispatch_rate";
    a.marketplace = "ATVPDKIKX0DER";
    a.channel = "MFN";
    a.window_days = 10;
    a.state = "firing";
    a.severity = "breached";
    a.rate = 0.046;
    a.warn = 0.03;
    a.target = 0.04;
    a.numerator = 23;
    a.denominator = 500;
    a.since = at("2025-11-01T06:00:00Z");
    a.title = "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)";
    a.headroom_text = "already 3 late dispatches past the 4% line in this 10-day window";
    a.advice = "Confirm shipment of every order before its ship-by date";
    return a;
}

alerts::alert_change at_risk_odr() {
    alerts::alert_change a;
    a.kind = "metric";
    a.fingerprint = "metric/order_defect_rate/ATVPDKIKX0DER/all/60";
    a.metric = "order_defect_rate";
    a.marketplace = "ATVPDKIKX0DER";
    a.channel = "all";
    a.window_days = 60;
    a.state = "firing";
    a.severity = "at_risk";
    a.numerator = 4;
    a.denominator = 600;
    a.since = at("2025-11-02T06:00:00Z");
    a.title = "[AT RISK] Order defect rate 0.7% (US, 60 days)";
    a.headroom_text = "2 more defects in this 60-day window breach 1%";
    return a;
}

alerts::notification sample() {
    alerts::notification n;
    n.idempotency_key = "metric/late_dispatch_rate/ATVPDKIKX0DER/MFN/10@1761976800/firing";
    n.account = "Acme Outdoor";
    n.created_at = at("2025-11-04T09:00:00Z");
    n.alerts.push_back(breached_ldr());
    n.upcoming.push_back("3 orders must ship within 24 h (US)");
    return n;
}

config::alert_channel email_channel() {
    config::alert_channel c;
    c.name = "ops-mail";
    c.type = "email";
    c.url = "smtp://mail.example.com:587";
    c.from = "seller-healthd <alerts@example.com>";
    c.to = {"ops@example.com", "Owner Name <owner@example.org>"};
    return c;
}

std::vector<std::string> header_lines(const std::string& data) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (true) {
        const auto end = data.find("\r\n", pos);
        if (end == std::string::npos || end == pos)
            break;
        lines.push_back(data.substr(pos, end - pos));
        pos = end + 2;
    }
    return lines;
}

// The value of a header (unfolded), or "" when absent.
std::string header(const std::string& data, const std::string& name) {
    const auto lines = header_lines(data);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].starts_with(name + ": ")) {
            std::string value = lines[i].substr(name.size() + 2);
            for (std::size_t j = i + 1; j < lines.size() && lines[j].starts_with(" "); ++j) {
                value += lines[j];
            }
            return value;
        }
    }
    return {};
}

std::string base64_decode(std::string encoded) {
    std::erase(encoded, '\r');
    std::erase(encoded, '\n');
    std::string out(encoded.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(encoded.data()),
                                  static_cast<int>(encoded.size()));
    EXPECT_GE(n, 0);
    out.resize(static_cast<std::size_t>(n));
    // EVP_DecodeBlock keeps the zero bytes that padding stands for.
    const auto padding = encoded.size() - encoded.find_last_not_of('=') - 1;
    out.resize(out.size() - padding);
    return out;
}

// The decoded body of the part with this content type.
std::string part_body(const std::string& data, const std::string& content_type) {
    const std::string marker = "Content-Type: " + content_type +
                               "; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    const auto start = data.find(marker);
    if (start == std::string::npos)
        return "<no " + content_type + " part>";
    const auto body = start + marker.size();
    const auto end = data.find("\r\n--", body);
    return base64_decode(data.substr(body, end - body));
}

// Decodes "=?UTF-8?B?...?=" words separated by folding whitespace.
std::string decode_encoded_words(const std::string& value) {
    std::string out;
    std::size_t pos = 0;
    while ((pos = value.find("=?UTF-8?B?", pos)) != std::string::npos) {
        const auto start = pos + 10;
        const auto end = value.find("?=", start);
        out += base64_decode(value.substr(start, end - start));
        pos = end + 2;
    }
    return out;
}

TEST(EmailMime, HeadersArePresentAndExact) {
    const auto m = render_email(email_channel(), sample(), at("2025-11-04T09:05:07Z"));
    EXPECT_EQ(header(m.data, "Date"), "Tue, 04 Nov 2025 09:05:07 +0000");
    EXPECT_EQ(header(m.data, "From"), "seller-healthd <alerts@example.com>");
    EXPECT_EQ(header(m.data, "To"), "ops@example.com, Owner Name <owner@example.org>");
    EXPECT_EQ(header(m.data, "Subject"), "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)");
    EXPECT_EQ(header(m.data, "MIME-Version"), "1.0");
    EXPECT_EQ(header(m.data, "Message-ID"), m.message_id);
    EXPECT_EQ(header(m.data, "X-Idempotency-Key"), sample().idempotency_key);
    EXPECT_EQ(header(m.data, "Auto-Submitted"), "auto-generated");
    EXPECT_TRUE(header(m.data, "Content-Type").starts_with("multipart/alternative; boundary=\""))
        << header(m.data, "Content-Type");

    EXPECT_EQ(m.envelope_from, "alerts@example.com");
    EXPECT_EQ(m.envelope_to, (std::vector<std::string>{"ops@example.com", "owner@example.org"}));
    EXPECT_EQ(m.subject, "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)");
}

TEST(EmailMime, MessageIdIsStableAcrossRetriesAndDistinctOtherwise) {
    const auto channel = email_channel();
    const auto first = render_email(channel, sample(), at("2025-11-04T09:05:07Z"));
    const auto retry = render_email(channel, sample(), at("2025-11-04T10:35:00Z"));
    EXPECT_EQ(first.message_id, retry.message_id);
    EXPECT_NE(header(first.data, "Date"), header(retry.data, "Date"));
    EXPECT_EQ(first.message_id.size(), 1 + 32 + 1 + std::string("example.com").size() + 1);
    EXPECT_TRUE(first.message_id.ends_with("@example.com>")) << first.message_id;

    auto other = sample();
    other.idempotency_key += "-resolved";
    EXPECT_NE(make_message_id(channel, other), first.message_id);

    auto second_channel = channel;
    second_channel.name = "owner-mail";
    EXPECT_NE(make_message_id(second_channel, sample()), first.message_id);

    auto no_domain = channel;
    no_domain.from = "alerts";
    EXPECT_TRUE(make_message_id(no_domain, sample()).ends_with("@seller-healthd>"));
}

TEST(EmailMime, EveryLineEndsInCrlfAndStaysShort) {
    auto n = sample();
    n.alerts.push_back(at_risk_odr());
    n.alerts[0].advice = std::string(3000, 'x');  // one very long body line
    const auto m = render_email(email_channel(), n, at("2025-11-04T09:05:07Z"));
    ASSERT_TRUE(m.data.ends_with("\r\n"));
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < m.data.size(); ++i) {
        if (m.data[i] == '\r') {
            ASSERT_LT(i + 1, m.data.size());
            ASSERT_EQ(m.data[i + 1], '\n') << "bare CR at " << i;
        }
        if (m.data[i] == '\n') {
            ASSERT_GT(i, 0u);
            ASSERT_EQ(m.data[i - 1], '\r') << "bare LF at " << i;
            EXPECT_LE(i - 1 - line_start, 998u);
            // The idempotency key is one token and cannot be folded.
            if (!std::string_view(m.data).substr(line_start).starts_with("X-Idempotency-Key:")) {
                EXPECT_LE(i - 1 - line_start, 78u) << m.data.substr(line_start, i - line_start);
            }
            line_start = i + 1;
        }
        // Everything on the wire is 7-bit: non-ASCII travels encoded.
        ASSERT_LT(static_cast<unsigned char>(m.data[i]), 0x80u);
    }
}

TEST(EmailMime, BothPartsCarryTheAlert) {
    auto n = sample();
    n.alerts.push_back(at_risk_odr());
    const auto m = render_email(email_channel(), n, at("2025-11-04T09:05:07Z"));
    const auto boundary = header(m.data, "Content-Type");
    const auto b =
        boundary.substr(boundary.find('"') + 1, boundary.rfind('"') - boundary.find('"') - 1);
    EXPECT_NE(m.data.find("\r\n--" + b + "\r\nContent-Type: text/plain; charset=utf-8\r\n"),
              std::string::npos);
    EXPECT_NE(m.data.find("\r\n--" + b + "\r\nContent-Type: text/html; charset=utf-8\r\n"),
              std::string::npos);
    EXPECT_TRUE(m.data.ends_with("\r\n--" + b + "--\r\n"));

    const auto text = part_body(m.data, "text/plain");
    EXPECT_NE(text.find("[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)\r\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("already 3 late dispatches past the 4% line"), std::string::npos);
    EXPECT_NE(text.find("What to do: Confirm shipment"), std::string::npos);
    EXPECT_NE(text.find("Counted: 23 of 500 in the last 10 days"), std::string::npos);
    EXPECT_NE(text.find("Since: 2025-11-01T06:00:00Z"), std::string::npos);
    EXPECT_NE(text.find("[AT RISK] Order defect rate 0.7% (US, 60 days)"), std::string::npos);
    EXPECT_NE(text.find("  - 3 orders must ship within 24 h (US)"), std::string::npos);
    EXPECT_NE(text.find("Account: Acme Outdoor"), std::string::npos);
    EXPECT_EQ(text.find('\n', 0), text.find("\r\n") + 1) << "text part lines end in CRLF";

    const auto html = part_body(m.data, "text/html");
    EXPECT_NE(html.find("[BREACHED] Late dispatch rate 4.6% &gt; 4% (US, 10 days)"),
              std::string::npos)
        << html;
    EXPECT_NE(html.find("<li>3 orders must ship within 24 h (US)</li>"), std::string::npos);
    EXPECT_NE(html.find("[AT RISK] Order defect rate 0.7% (US, 60 days)"), std::string::npos);
    EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
}

TEST(EmailMime, HtmlEscapesEveryValue) {
    auto n = sample();
    n.account = "Tom & Jerry's <Shop>";
    n.alerts[0].title = "[BREACHED] <script>alert(1)</script>";
    n.alerts[0].advice = "Use \"Confirm shipment\" & check <b>";
    n.alerts[0].headroom_text = "a<b";
    n.alerts[0].caveat = "only 12 orders > small";
    n.upcoming = {"<img src=x onerror=y>"};
    const auto html =
        part_body(render_email(email_channel(), n, at("2025-11-04T09:05:07Z")).data, "text/html");
    EXPECT_EQ(html.find("<script>"), std::string::npos) << html;
    EXPECT_EQ(html.find("<img"), std::string::npos);
    EXPECT_EQ(html.find("<b>"), std::string::npos);
    EXPECT_NE(html.find("Tom &amp; Jerry&#39;s &lt;Shop&gt;"), std::string::npos);
    EXPECT_NE(html.find("[BREACHED] &lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(html.find("Use &quot;Confirm shipment&quot; &amp; check &lt;b&gt;"),
              std::string::npos);
    EXPECT_NE(html.find("a&lt;b"), std::string::npos);
    EXPECT_NE(html.find("only 12 orders &gt; small"), std::string::npos);
    EXPECT_NE(html.find("&lt;img src=x onerror=y&gt;"), std::string::npos);

    EXPECT_EQ(html_escape(R"(<a href="x">'&'</a>)"),
              "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(EmailMime, NonAsciiSubjectIsEncodedAndRoundTrips) {
    auto n = sample();
    const std::string title = "[BREACHED] Tasa de envío tardío 4,6 % > 4 % (ES, 10 días) — 注文 🚚";
    n.alerts[0].title = title;
    const auto m = render_email(email_channel(), n, at("2025-11-04T09:05:07Z"));
    EXPECT_EQ(m.subject, title);
    const auto subject = header(m.data, "Subject");
    EXPECT_TRUE(subject.starts_with("=?UTF-8?B?")) << subject;
    EXPECT_EQ(decode_encoded_words(subject), title);

    // Each encoded-word holds whole characters (RFC 2047 section 5).
    std::size_t pos = 0;
    while ((pos = subject.find("=?UTF-8?B?", pos)) != std::string::npos) {
        const auto end = subject.find("?=", pos + 10);
        EXPECT_LE(end + 2 - pos, 75u);
        const auto word = base64_decode(subject.substr(pos + 10, end - pos - 10));
        ASSERT_FALSE(word.empty());
        EXPECT_NE(static_cast<unsigned char>(word.front()) & 0xC0, 0x80) << "split character";
        pos = end + 2;
    }

    const auto text = part_body(m.data, "text/plain");
    EXPECT_NE(text.find(title), std::string::npos);
}

TEST(EmailMime, NonAsciiDisplayNameIsEncoded) {
    auto channel = email_channel();
    channel.from = "Tienda Núñez <alertas@example.es>";
    const auto m = render_email(channel, sample(), at("2025-11-04T09:05:07Z"));
    const auto from = header(m.data, "From");
    EXPECT_TRUE(from.starts_with("=?UTF-8?B?")) << from;
    EXPECT_TRUE(from.ends_with(" <alertas@example.es>")) << from;
    EXPECT_EQ(decode_encoded_words(from), "Tienda Núñez");
    EXPECT_EQ(m.envelope_from, "alertas@example.es");
}

TEST(EmailMime, ControlCharactersCannotInjectHeaders) {
    auto n = sample();
    n.alerts[0].title = "[BREACHED] x\r\nBcc: victim@example.net\r\n\r\nbody";
    n.idempotency_key = "key\r\nBcc: victim@example.net";
    auto channel = email_channel();
    channel.to = {"ops@example.com\r\nBcc: victim@example.net"};
    const auto m = render_email(channel, n, at("2025-11-04T09:05:07Z"));
    for (const auto& line : header_lines(m.data)) {
        EXPECT_FALSE(line.starts_with("Bcc:")) << line;
    }
    EXPECT_EQ(m.subject.find('\r'), std::string::npos);
    EXPECT_EQ(m.subject.find('\n'), std::string::npos);
}

TEST(EmailMime, SubjectNamesTheMostSevereFiringAlert) {
    alerts::notification n;
    n.account = "Acme";
    n.alerts = {at_risk_odr(), breached_ldr()};
    EXPECT_EQ(email_subject(n), "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days) (+1 more)");

    auto resolved = breached_ldr();
    resolved.state = "resolved";
    resolved.title = "[RESOLVED] Late dispatch rate 3.1% (US, 10 days)";
    n.alerts = {resolved, at_risk_odr()};
    EXPECT_EQ(email_subject(n), "[AT RISK] Order defect rate 0.7% (US, 60 days) (+1 more)");

    n.alerts = {resolved};
    EXPECT_EQ(email_subject(n), "[RESOLVED] Late dispatch rate 3.1% (US, 10 days)");

    n.alerts.clear();
    n.upcoming = {"3 orders must ship within 24 h (US)", "1 message awaits a reply (UK)"};
    EXPECT_EQ(email_subject(n), "seller-healthd: 3 orders must ship within 24 h (US) (+1 more)");

    n.upcoming.clear();
    n.is_test = true;
    EXPECT_EQ(email_subject(n), "[TEST] seller-healthd test alert for Acme");

    n.alerts = {breached_ldr()};
    EXPECT_EQ(email_subject(n), "[TEST] [BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)");
}

TEST(EmailMime, DatesFollowRfc5322) {
    EXPECT_EQ(format_rfc5322_date(at("1970-01-01T00:00:00Z")), "Thu, 01 Jan 1970 00:00:00 +0000");
    EXPECT_EQ(format_rfc5322_date(at("2024-02-29T23:59:59Z")), "Thu, 29 Feb 2024 23:59:59 +0000");
    EXPECT_EQ(format_rfc5322_date(at("2025-12-07T05:04:03Z")), "Sun, 07 Dec 2025 05:04:03 +0000");
    EXPECT_EQ(format_rfc5322_date(at("2026-06-01T12:00:00Z")), "Mon, 01 Jun 2026 12:00:00 +0000");
}

TEST(EmailMime, AddressesAndHeaderTextHelpers) {
    EXPECT_EQ(bare_address("a@example.com"), "a@example.com");
    EXPECT_EQ(bare_address(" <a@example.com> "), "a@example.com");
    EXPECT_EQ(bare_address("\"Ops, Team\" <a@example.com>"), "a@example.com");
    EXPECT_EQ(encode_header_text("plain ascii", 9), "plain ascii");
    const std::string long_ascii(1200, 'a');
    const auto folded = encode_header_text(long_ascii, 9);
    EXPECT_TRUE(folded.starts_with("=?UTF-8?B?"));
    EXPECT_EQ(decode_encoded_words(folded), long_ascii);

    auto channel = email_channel();
    channel.to = {"\"Ops, Team\" <ops@example.com>"};
    const auto m = render_email(channel, sample(), at("2025-11-04T09:05:07Z"));
    EXPECT_EQ(header(m.data, "To"), "\"Ops, Team\" <ops@example.com>");
}

TEST(EmailMime, ManyRecipientsFoldTheToHeader) {
    auto channel = email_channel();
    channel.to.clear();
    for (int i = 0; i < 40; ++i) {
        channel.to.push_back("recipient" + std::to_string(i) + "@example.com");
    }
    const auto m = render_email(channel, sample(), at("2025-11-04T09:05:07Z"));
    for (const auto& line : header_lines(m.data)) {
        // The idempotency key is one token and cannot be folded.
        if (!line.starts_with("X-Idempotency-Key:")) {
            EXPECT_LE(line.size(), 78u) << line;
        }
    }
    std::string unfolded = header(m.data, "To");
    EXPECT_NE(unfolded.find("recipient0@example.com, recipient1@example.com"), std::string::npos);
    EXPECT_NE(unfolded.find("recipient39@example.com"), std::string::npos);
    EXPECT_EQ(m.envelope_to.size(), 40u);
}

}  // namespace
}  // namespace shd::delivery
