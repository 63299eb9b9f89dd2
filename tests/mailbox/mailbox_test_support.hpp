// Shared by the mailbox tests: messages as a mail client would store them,
// a Maildir tree, and the `messages` rows the store holds.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "support/test_support.hpp"

namespace shd::mailbox::test {

// An RFC 5322 date for an ISO instant ("2026-12-07T10:00:00Z").
inline std::string rfc_date(const std::string& iso) {
    const instant t = *parse_iso8601(iso);
    const auto days = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{days};
    const std::chrono::hh_mm_ss hms{t - days};
    static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    return fmt::format("{} {} {} {:02}:{:02}:{:02} +0000", static_cast<unsigned>(ymd.day()),
                       kMonths[static_cast<unsigned>(ymd.month()) - 1],
                       static_cast<int>(ymd.year()), hms.hours().count(), hms.minutes().count(),
                       hms.seconds().count());
}

struct mail_options {
    std::string from;
    std::vector<std::string> to{"orders@example.com"};
    std::vector<std::string> cc;
    std::optional<std::string> message_id;  // without <>; nullopt: no header
    std::optional<std::string> date_iso;    // nullopt: no Date header
    std::string subject = "A question";
    std::string body = "Hello, where is my parcel?";
};

inline std::string make_mail(const mail_options& o) {
    std::string m = "From: " + o.from + "\r\n";
    auto join = [](const std::vector<std::string>& v) {
        std::string out;
        for (const auto& a : v)
            out += (out.empty() ? "" : ", ") + a;
        return out;
    };
    m += "To: " + join(o.to) + "\r\n";
    if (!o.cc.empty())
        m += "Cc: " + join(o.cc) + "\r\n";
    m += "Subject: " + o.subject + "\r\n";
    if (o.date_iso)
        m += "Date: " + rfc_date(*o.date_iso) + "\r\n";
    if (o.message_id)
        m += "Message-ID: <" + *o.message_id + ">\r\n";
    m += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + o.body + "\r\n";
    return m;
}

inline mail_options buyer(const std::string& alias, const std::string& id, const std::string& iso,
                          const std::string& subject = "A question") {
    mail_options o;
    o.from = "\"Buyer\" <" + alias + ">";
    o.message_id = id;
    o.date_iso = iso;
    o.subject = subject;
    return o;
}

inline mail_options reply(const std::vector<std::string>& to, const std::string& id,
                          const std::string& iso) {
    mail_options o;
    o.from = "Shop <orders@example.com>";
    o.to = to;
    o.message_id = id;
    o.date_iso = iso;
    o.subject = "Re: A question";
    o.body = "It ships today.";
    return o;
}

// A Maildir folder with new/, cur/ and tmp/.
inline void make_maildir(const std::filesystem::path& dir) {
    for (const char* sub : {"new", "cur", "tmp"})
        std::filesystem::create_directories(dir / sub);
}

// Delivers into new/ (or cur/ with flags) under a name that starts with the
// delivery time, as Maildir delivery agents write it.
inline std::filesystem::path deliver(const std::filesystem::path& dir, const std::string& mail,
                                     long long delivered_unix, bool in_cur = false) {
    static int counter = 0;
    const std::string unique = fmt::format("{}.M{}P{}.testhost", delivered_unix, ++counter, 4242);
    const auto path = in_cur ? dir / "cur" / (unique + ":2,S") : dir / "new" / unique;
    shd::test::write_file(path, mail);
    return path;
}

struct message_state {
    std::string order_id;
    std::string marketplace_id;
    long long received_at = 0;
    std::optional<long long> responded_at;
    bool operator==(const message_state&) const = default;
};

inline std::map<std::string, message_state> messages(SQLite::Database& db) {
    std::map<std::string, message_state> out;
    SQLite::Statement q(db,
                        "SELECT message_id, COALESCE(order_id, ''), COALESCE(marketplace_id, ''),"
                        " received_at, responded_at FROM messages");
    while (q.executeStep()) {
        message_state s;
        s.order_id = q.getColumn(1).getString();
        s.marketplace_id = q.getColumn(2).getString();
        s.received_at = q.getColumn(3).getInt64();
        if (!q.getColumn(4).isNull())
            s.responded_at = q.getColumn(4).getInt64();
        out[q.getColumn(0).getString()] = s;
    }
    return out;
}

inline long long unix_of(const std::string& iso) {
    return to_unix(*parse_iso8601(iso));
}

}  // namespace shd::mailbox::test
