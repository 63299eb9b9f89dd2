// Internal to lib/mailbox: reading IMAP folders through libcurl, which does
// the protocol (TLS or STARTTLS required, certificate and host name checks,
// login); this asks only read-only questions. Each folder: EXAMINE (read
// only, so nothing is marked seen), then UID FETCH of the UIDs after the
// stored position, kFetchChunk UIDs a command, of the header and the first
// kTextBytes of the text (BODY.PEEK: no flag changes). A changed UIDVALIDITY
// reads the folder again from the start (the same message again is one).
// A message without Message-ID is fetched whole to hash it.
#pragma once

#include <string>

#include "config/config.hpp"
#include "mailbox/classify.hpp"
#include "mailbox/sink.hpp"

namespace shd::ingest {
class mailbox_cursors;
}

namespace shd::mailbox::detail {

inline constexpr long long kFetchChunk = 1000;
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
    result<std::string, error_message> command(const std::string& text, poll_summary& summary);

    struct impl;
    std::unique_ptr<impl> impl_;
    std::string account_;
};

}  // namespace shd::mailbox::detail
