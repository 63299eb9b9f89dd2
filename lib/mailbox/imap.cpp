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

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
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
    CURL* curl = nullptr;
    std::string response;
    char error[CURL_ERROR_SIZE] = {};
    std::string url;
    std::string username;
    std::string password;
    std::string ca_file;
    ~impl() {
        if (curl)
            curl_easy_cleanup(curl);
    }
};

imap_session::imap_session(const config::mailbox_imap_config& cfg, std::string password)
    : impl_(std::make_unique<impl>()) {
    impl_->url = server_url(cfg.url);
    impl_->username = cfg.username;
    impl_->password = std::move(password);
    impl_->ca_file = cfg.ca_file.string();
    const auto scheme_end = impl_->url.find("://");
    account_ = impl_->url.substr(0, scheme_end + 3) + cfg.username + "@" +
               impl_->url.substr(scheme_end + 3, impl_->url.size() - scheme_end - 4);

    impl_->curl = curl_easy_init();
    if (!impl_->curl)
        throw std::runtime_error("curl_easy_init failed");
    CURL* c = impl_->curl;
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, impl_->error);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_URL, impl_->url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    curl_easy_setopt(c, CURLOPT_USE_SSL,
                     static_cast<long>(cfg.tls == "none" ? CURLUSESSL_NONE : CURLUSESSL_ALL));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!impl_->ca_file.empty())
        curl_easy_setopt(c, CURLOPT_CAINFO, impl_->ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_USERNAME, impl_->username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, impl_->password.c_str());
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(cfg.timeout.count()));
    // A server that stops sending for `timeout` is gone; a long first read
    // that keeps moving is not cut off.
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(cfg.timeout.count()));
    // libcurl hands every response line, literals included, to the header
    // callback; the body callback gets only the untagged lines.
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &impl_->response);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &discard);
}

imap_session::~imap_session() = default;

result<std::string, error_message> imap_session::command(const std::string& text,
                                                         poll_summary& summary) {
    impl_->response.clear();
    impl_->error[0] = '\0';
    curl_easy_setopt(impl_->curl, CURLOPT_CUSTOMREQUEST, text.c_str());
    const CURLcode rc = curl_easy_perform(impl_->curl);
    ++summary.imap_commands;
    long connects = 0;
    curl_easy_getinfo(impl_->curl, CURLINFO_NUM_CONNECTS, &connects);
    summary.imap_connections += connects;
    if (rc != CURLE_OK) {
        const std::string detail = impl_->error[0] ? impl_->error : curl_easy_strerror(rc);
        return error_message{fmt::format("{}: {}", impl_->url, detail)};
    }
    return result<std::string, error_message>(boost::system::in_place_value,
                                              std::move(impl_->response));
}

result<void, error_message> imap_session::read_folder(const std::string& folder, folder_role role,
                                                      ingest::mailbox_cursors& cursors,
                                                      record_sink& sink, poll_summary& summary) {
    auto examined = command("EXAMINE " + quote_mailbox(folder), summary);
    if (!examined)
        return examined.error();
    const auto state = parse_examine(*examined);
    if (!state.uidvalidity)
        return error_message{fmt::format("folder {}: the server sent no UIDVALIDITY", folder)};

    long long last_uid = 0;
    if (const auto stored = cursors.imap_folder(account_, folder)) {
        if (stored->uidvalidity == *state.uidvalidity) {
            last_uid = stored->last_uid;
        } else {
            spdlog::warn(
                "mailbox: folder {} has a new UIDVALIDITY ({} was {}): reading it again from "
                "the start",
                folder, *state.uidvalidity, stored->uidvalidity);
            // The old position means nothing now.
            sink.add(ingest::mailbox_imap_cursor_row{account_, folder, *state.uidvalidity, 0});
        }
    }
    // Without UIDNEXT (old servers), one open-ended FETCH.
    const long long newest = state.uidnext ? *state.uidnext - 1 : -1;
    if (state.uidnext && newest <= last_uid) {
        sink.commit();
        return {};
    }

    for (long long first = last_uid + 1;;) {
        const long long last = newest < 0 ? -1 : std::min(newest, first + kFetchChunk - 1);
        const std::string range =
            last < 0 ? fmt::format("{}:*", first) : fmt::format("{}:{}", first, last);
        auto fetched = command(fmt::format("UID FETCH {} (UID INTERNALDATE BODY.PEEK[HEADER] "
                                           "BODY.PEEK[TEXT]<0.{}>)",
                                           range, kTextBytes),
                               summary);
        if (!fetched)
            return fetched.error();
        long long highest = last;
        std::set<long long> got;
        for (auto& m : parse_fetch(*fetched)) {
            // "n:*" also answers with the newest message when none is newer than n.
            if (m.uid < first || (last >= 0 && m.uid > last) || !got.insert(m.uid).second)
                continue;
            highest = std::max(highest, m.uid);
            const std::string where = fmt::format("folder {} UID {}", folder, m.uid);
            const std::string raw = m.header + m.text;
            auto classified = classify_message(raw, role, m.internal_date);
            if (needs_whole_message(classified, raw)) {
                // No Message-ID: the ID is the hash of the whole message.
                auto whole = command(fmt::format("UID FETCH {} (UID BODY.PEEK[])", m.uid), summary);
                if (!whole)
                    return whole.error();
                for (auto& w : parse_fetch(*whole)) {
                    if (w.uid == m.uid && w.whole)
                        classified =
                            classify_message(raw, role, m.internal_date, sha256_hex(w.text));
                }
            }
            sink.add_classified(std::move(classified), where);
        }
        if (last >= 0) {
            // Asked for but not sent: expunged since EXAMINE, or unreadable.
            const long long missing = (last - first + 1) - static_cast<long long>(got.size());
            if (missing > 0 && static_cast<long long>(got.size()) > 0)
                spdlog::debug("mailbox: folder {}: {} UIDs of {} not sent (expunged?)", folder,
                              missing, range);
        }
        const long long position = highest < 0 ? last_uid : highest;
        sink.add(ingest::mailbox_imap_cursor_row{account_, folder, *state.uidvalidity, position});
        sink.commit();
        if (last < 0 || last >= newest)
            break;
        first = last + 1;
    }
    return {};
}

}  // namespace shd::mailbox::detail
