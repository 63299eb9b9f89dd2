// Reading the seller's mailbox (spec/sources.md "The mailbox"): every
// configured folder, incrementally, each message classified (classify.hpp)
// and its records handed to the one store writer in batches of at most
// kBatchSize messages, each batch one transaction together with the folder's
// position (IMAP UID, Maildir files seen). A poll cut off half-way keeps
// what it committed and goes on from there next time; nothing is read twice
// and nothing is missed.
//
// A message that cannot be read is logged with its folder and UID or file
// name and skipped; it never stops the poll. A folder that cannot be read
// (the server went away, a Maildir that is not there) is an error of the
// poll; the other folders are still read, and the feed's arrival is recorded
// only when every folder was read.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace SQLite {
class Database;
}

namespace shd::mailbox {

inline constexpr std::size_t kBatchSize = 500;

struct poll_summary {
    long buyer_messages = 0;  // buyer messages read (again, after a UIDVALIDITY change)
    long replies = 0;         // replies to at least one alias
    long unrelated = 0;       // other mail
    long skipped = 0;         // unreadable, logged and skipped
    long folders_read = 0;
    long imap_commands = 0;  // IMAP round trips after login (EXAMINE, FETCH)
    long imap_connections = 0;
    std::vector<std::string> folder_errors;  // "INBOX: ..." for each folder not read to its end

    bool failed() const { return !folder_errors.empty(); }
};

// "mailbox: 3 buyer messages, 1 reply, 2 other, 0 skipped; 2 folders".
std::string describe(const poll_summary& s);

// Reads every folder of `cfg` into `db` (open and migrated) as of `now` (the
// imports row's time). `credentials_directory` resolves a password written
// credential:NAME ($CREDENTIALS_DIRECTORY, nullptr when unset). An error
// (rather than folder_errors) only for what stops every folder: a password
// that cannot be read.
result<poll_summary, error_message> poll_mailbox(SQLite::Database& db,
                                                 const config::mailbox_config& cfg, instant now,
                                                 const char* credentials_directory);

// curl_global_init for the IMAP transport: call before any thread starts.
void init_mailbox_transport();

}  // namespace shd::mailbox
