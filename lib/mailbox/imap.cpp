#include "mailbox/imap.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "core/digest.hpp"
#include "ingest/mailbox_cursors.hpp"
#include "mailbox/imap_response.hpp"

namespace shd::mailbox::detail {
namespace {

// Keeps a response below libcurl's own limit on what it passes through the
// header callback (300 KB a transfer), so that a FETCH too large ends here,
// known as such, and is asked again in smaller pieces.
inline constexpr std::size_t kResponseLimit = 256 * 1024;
// A FETCH whose response stayed below this asks for twice as many next time.
inline constexpr std::size_t kGrowBelowBytes = 40 * 1024;

struct response_buffer {
    std::string text;
    bool too_large = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) {
    auto* buffer = static_cast<response_buffer*>(out);
    if (buffer->text.size() + size * count > kResponseLimit) {
        buffer->too_large = true;
        return 0;
    }
    buffer->text.append(data, size * count);
    return size * count;
}

std::size_t discard(char*, std::size_t size, std::size_t count, void*) {
    return size * count;
}

// The URL without a path: commands name their folder themselves.
std::string server_url(const std::string& url) {
    const auto scheme_end = url.find("://");
    const auto path = url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
    return (path == std::string::npos ? url : url.substr(0, path)) + "/";
}

// A buyer message or reply whose ID fell back to the hash of what was
// fetched, which is only the start of the message.
bool needs_whole_message(const result<classification, error_message>& c, std::string_view raw) {
    if (!c)
        return false;
    const std::string partial = sha256_hex(raw);
    if (const auto* m = std::get_if<buyer_message>(&*c))
        return m->message_id == partial;
    if (const auto* r = std::get_if<buyer_reply>(&*c))
        return r->reply_id == partial;
    return false;
}

}  // namespace

struct imap_session::impl {
    // The connection lives in `share`; each command gets an easy handle of
    // its own, because libcurl counts every response line a handle ever
    // passed to the header callback against one 300 KB limit.
    CURLSH* share = nullptr;
    CURL* curl = nullptr;
    response_buffer response;
    char error[CURL_ERROR_SIZE] = {};
    std::string url;
    std::string username;
    std::string password;
    std::string ca_file;
    long use_ssl = CURLUSESSL_ALL;
    long timeout_seconds = 60;

    ~impl() { close(); }
    void close() {
        if (curl)
            curl_easy_cleanup(curl);
        curl = nullptr;
        if (share)
            curl_share_cleanup(share);
        share = nullptr;
    }
    // A new connection for the next command: after a cut response the old
    // one is out of step with the server.
    void open() {
        close();
        share = curl_share_init();
        if (!share)
            throw std::runtime_error("curl_share_init failed");
        curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    }
    void new_handle() {
        if (curl)
            curl_easy_cleanup(curl);
        curl = curl_easy_init();
        if (!curl)
            throw std::runtime_error("curl_easy_init failed");
        CURL* c = curl;
        curl_easy_setopt(c, CURLOPT_SHARE, share);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
        curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
        if (!ca_file.empty())
            curl_easy_setopt(c, CURLOPT_CAINFO, ca_file.c_str());
        curl_easy_setopt(c, CURLOPT_USERNAME, username.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, password.c_str());
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout_seconds);
        // A server that stops sending for `timeout` is gone; a long first read
        // that keeps moving is not cut off.
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, timeout_seconds);
        // libcurl hands every response line, literals included, to the header
        // callback; the body callback gets only the untagged lines.
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &collect);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &response);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &discard);
    }
};

imap_session::imap_session(const config::mailbox_imap_config& cfg, std::string password)
    : impl_(std::make_unique<impl>()) {
    impl_->url = server_url(cfg.url);
    impl_->username = cfg.username;
    impl_->password = std::move(password);
    impl_->ca_file = cfg.ca_file.string();
    impl_->use_ssl = cfg.tls == "none" ? CURLUSESSL_NONE : CURLUSESSL_ALL;
    impl_->timeout_seconds = static_cast<long>(cfg.timeout.count());
    const auto scheme_end = impl_->url.find("://");
    account_ = impl_->url.substr(0, scheme_end + 3) + cfg.username + "@" +
               impl_->url.substr(scheme_end + 3, impl_->url.size() - scheme_end - 4);
    impl_->open();
}

imap_session::~imap_session() = default;

result<std::string, imap_session::command_error> imap_session::command(const std::string& text,
                                                                       poll_summary& summary) {
    impl_->response.text.clear();
    impl_->response.too_large = false;
    impl_->error[0] = '\0';
    impl_->new_handle();
    curl_easy_setopt(impl_->curl, CURLOPT_CUSTOMREQUEST, text.c_str());
    const CURLcode rc = curl_easy_perform(impl_->curl);
    ++summary.imap_commands;
    long connects = 0;
    curl_easy_getinfo(impl_->curl, CURLINFO_NUM_CONNECTS, &connects);
    summary.imap_connections += connects;
    if (rc != CURLE_OK) {
        // libcurl's own limit counts far more than the bytes it passes on
        // (about 3.4 times as many on Debian 12's libcurl), so its error
        // is taken for what it is too.
        const bool too_large = impl_->response.too_large ||
                               (rc == CURLE_RECV_ERROR &&
                                std::string_view(impl_->error).find("Too large response headers") !=
                                    std::string_view::npos);
        const std::string detail = too_large         ? "the response is too large"
                                   : impl_->error[0] ? impl_->error
                                                     : curl_easy_strerror(rc);
        // Whatever the server still sends belongs to the failed command.
        impl_->open();
        return command_error{error_message{fmt::format("{}: {}", impl_->url, detail)}, too_large};
    }
    return result<std::string, command_error>(boost::system::in_place_value,
                                              std::move(impl_->response.text));
}

void imap_session::reconnect() {
    impl_->open();
}

result<examine_result, error_message> imap_session::examine(const std::string& folder,
                                                            poll_summary& summary) {
    auto examined = command("EXAMINE " + quote_mailbox(folder), summary);
    if (!examined)
        return examined.error().message;
    auto state = parse_examine(*examined);
    if (!state.uidvalidity)
        return error_message{fmt::format("folder {}: the server sent no UIDVALIDITY", folder)};
    return state;
}

result<void, error_message> imap_session::read_folder(const std::string& folder, folder_role role,
                                                      ingest::mailbox_cursors& cursors,
                                                      record_sink& sink, poll_summary& summary) {
    auto examined = examine(folder, summary);
    if (!examined)
        return examined.error();
    const examine_result state = *examined;
    const long long uidvalidity = *state.uidvalidity;

    long long last_uid = 0;
    if (const auto stored = cursors.imap_folder(account_, folder)) {
        if (stored->uidvalidity == uidvalidity) {
            last_uid = stored->last_uid;
        } else {
            spdlog::warn(
                "mailbox: folder {} has a new UIDVALIDITY ({} was {}): reading it again from "
                "the start",
                folder, uidvalidity, stored->uidvalidity);
            // The old position means nothing now.
            sink.add(ingest::mailbox_imap_cursor_row{account_, folder, uidvalidity, 0});
        }
    }
    // Without UIDNEXT (old servers), one open-ended FETCH.
    const long long newest = state.uidnext ? *state.uidnext - 1 : -1;
    if (state.uidnext && newest <= last_uid) {
        sink.commit();
        return {};
    }

    // After a new connection the folder must be opened again, and must still
    // be the same folder.
    const auto reopen = [&]() -> result<void, error_message> {
        auto again = examine(folder, summary);
        if (!again)
            return again.error();
        if (*again->uidvalidity != uidvalidity)
            return error_message{fmt::format(
                "folder {}: UIDVALIDITY changed while it was read; it is read again next poll",
                folder)};
        return {};
    };

    // The number of UIDs a FETCH asks for adapts to the size of the messages:
    // halved when a response would be too large, grown back while they are small.
    long long chunk = kFirstFetchChunk;
    long long ceiling = kFetchChunk;
    for (long long first = last_uid + 1;;) {
        const long long last = newest < 0 ? -1 : std::min(newest, first + chunk - 1);
        const std::string range =
            last < 0 ? fmt::format("{}:*", first) : fmt::format("{}:{}", first, last);
        auto fetched = command(fetch_command(range), summary);
        if (!fetched) {
            if (!fetched.error().too_large || chunk == 1)
                return fetched.error().message;
            chunk = ceiling = std::max(1LL, chunk / 2);
            if (auto r = reopen(); !r)
                return r.error();
            continue;
        }
        const std::size_t response_bytes = fetched->size();
        auto response = parse_fetch(*fetched);
        long long highest = response.cut ? first - 1 : last;
        std::set<long long> got;
        for (auto& m : response.messages) {
            // "n:*" also answers with the newest message when none is newer than n.
            if (m.uid < first || (last >= 0 && m.uid > last) || !got.insert(m.uid).second)
                continue;
            highest = std::max(highest, m.uid);
            add_message(std::move(m), folder, role, sink, summary);
        }
        if (response.cut) {
            // The rest of this response cannot be trusted, nor the connection.
            reconnect();
            if (auto r = reopen(); !r)
                return r.error();
            if (response.cut_uid) {
                read_cut_message(*response.cut_uid, folder, role, sink, summary);
                highest = std::max(highest, *response.cut_uid);
            } else if (chunk > 1) {
                // The cut message is unknown: ask again, a piece at a time.
                chunk = 1;
            } else {
                return error_message{fmt::format(
                    "folder {}: the server's answer for UID {} was cut off", folder, first)};
            }
        } else if (last >= 0) {
            // Asked for but not sent: expunged since EXAMINE, or unreadable.
            const long long missing = (last - first + 1) - static_cast<long long>(got.size());
            if (missing > 0 && !got.empty())
                spdlog::debug("mailbox: folder {}: {} UIDs of {} not sent (expunged?)", folder,
                              missing, range);
            if (response_bytes < kGrowBelowBytes)
                chunk = std::min(ceiling, chunk * 2);
        }
        if (highest >= first) {
            sink.add(ingest::mailbox_imap_cursor_row{account_, folder, uidvalidity, highest});
            sink.commit();
        }
        if (!response.cut && (last < 0 || last >= newest))
            break;
        if (response.cut && !response.cut_uid)
            continue;
        first = std::max(first, highest + 1);
        if (newest >= 0 && first > newest)
            break;
    }
    return {};
}

std::string imap_session::fetch_command(const std::string& uids) {
    // Only the header fields the classifier reads: a fraction of a whole
    // header (no Received chain), and each line starts with its field name.
    return fmt::format(
        "UID FETCH {} (UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO CC DATE MESSAGE-ID "
        "SUBJECT MIME-VERSION CONTENT-TYPE CONTENT-TRANSFER-ENCODING)]<0.{}> "
        "BODY.PEEK[TEXT]<0.{}>)",
        uids, kHeaderBytes, kTextBytes);
}

void imap_session::add_message(fetched_message m, const std::string& folder, folder_role role,
                               record_sink& sink, poll_summary& summary) {
    const std::string where = fmt::format("folder {} UID {}", folder, m.uid);
    const std::string raw = m.header + m.text;
    auto classified = classify_message(raw, role, m.internal_date);
    if (needs_whole_message(classified, raw)) {
        // No Message-ID: the ID is the hash of the whole message.
        auto whole = command(fmt::format("UID FETCH {} (UID BODY.PEEK[])", m.uid), summary);
        std::optional<std::string> digest;
        if (whole) {
            auto response = parse_fetch(*whole);
            for (auto& w : response.messages) {
                if (w.uid == m.uid && w.whole)
                    digest = sha256_hex(w.text);
            }
            if (response.cut)
                reconnect();
        }
        if (digest) {
            classified = classify_message(raw, role, m.internal_date, *digest);
        } else {
            spdlog::warn(
                "mailbox: {}: has no Message-ID and could not be read whole; its ID is "
                "the hash of its start",
                where);
        }
    }
    sink.add_classified(std::move(classified), where);
}

void imap_session::read_cut_message(long long uid, const std::string& folder, folder_role role,
                                    record_sink& sink, poll_summary& summary) {
    // The message whose text cut the response short is read from its header
    // fields alone: no line of those can pass for a command tag.
    const std::string where = fmt::format("folder {} UID {}", folder, uid);
    spdlog::warn(
        "mailbox: {}: its text holds a line the IMAP client takes for the end of the "
        "answer; it is read from its header alone",
        where);
    auto fetched = command(
        fmt::format("UID FETCH {} (UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM TO CC DATE "
                    "MESSAGE-ID SUBJECT)]<0.{}>)",
                    uid, kHeaderBytes),
        summary);
    if (!fetched) {
        spdlog::warn("mailbox: {}: skipped: {}", where, fetched.error().message.text);
        ++summary.skipped;
        return;
    }
    auto response = parse_fetch(*fetched);
    for (auto& m : response.messages) {
        if (m.uid != uid)
            continue;
        auto classified = classify_message(m.header, role, m.internal_date);
        sink.add_classified(std::move(classified), where);
        return;
    }
    if (response.cut)
        reconnect();
    spdlog::warn("mailbox: {}: skipped: the server sent nothing readable for it", where);
    ++summary.skipped;
}

}  // namespace shd::mailbox::detail
