// Internal to lib/mailbox: reading IMAP folders through libcurl, which does
// the protocol (TLS or STARTTLS required, certificate and host name checks,
// login); this asks only read-only questions. Each folder: EXAMINE (read
// only, so nothing is marked seen), then UID FETCH of the UIDs after the
// stored position, up to kFetchChunk UIDs a command (fewer when messages are
// large), of the header fields the classifier reads and the first kTextBytes
// of the text (BODY.PEEK: no flag changes). A changed UIDVALIDITY reads the
// folder again from the start (the same message again is one). A message
// without Message-ID is fetched whole to hash it. libcurl ends a response at
// any line that starts with its command tag, even inside a message: such a
// cut response is detected, the connection replaced, and the message read
// from its header fields alone.
#pragma once

#include <string>

#include "config/config.hpp"
#include "mailbox/classify.hpp"
#include "mailbox/imap_response.hpp"
#include "mailbox/sink.hpp"

namespace shd::ingest {
class mailbox_cursors;
}

namespace shd::mailbox::detail {

inline constexpr long long kFirstFetchChunk = 50;
inline constexpr long long kFetchChunk = 800;
inline constexpr std::size_t kHeaderBytes = 8192;
inline constexpr std::size_t kTextBytes = 2048;

class imap_session {
  public:
    // `password` is the resolved secret; it never reaches a log line.
    imap_session(const config::mailbox_imap_config& cfg, std::string password);
    ~imap_session();
    imap_session(const imap_session&) = delete;
    imap_session& operator=(const imap_session&) = delete;

    // "imaps://orders@example.com@mail.example.com:993": the cursor's key.
    const std::string& account() const { return account_; }

    // Reads the new messages of one folder. Errors: the server cannot be
    // reached, refuses the login or the folder, or goes away.
    result<void, error_message> read_folder(const std::string& folder, folder_role role,
                                            ingest::mailbox_cursors& cursors, record_sink& sink,
                                            poll_summary& summary);

  private:
    struct command_error {
        error_message message;
        bool too_large = false;  // the response passed kResponseLimit
    };
    result<std::string, command_error> command(const std::string& text, poll_summary& summary);
    void reconnect();
    result<examine_result, error_message> examine(const std::string& folder, poll_summary& summary);
    static std::string fetch_command(const std::string& uids);
    void add_message(fetched_message m, const std::string& folder, folder_role role,
                     record_sink& sink, poll_summary& summary);
    void read_cut_message(long long uid, const std::string& folder, folder_role role,
                          record_sink& sink, poll_summary& summary);

    struct impl;
    std::unique_ptr<impl> impl_;
    std::string account_;
};

}  // namespace shd::mailbox::detail
