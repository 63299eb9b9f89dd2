// Internal to lib/mailbox: turns fetched messages into store records and
// writes them in batches, each in one transaction with the folder's position.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "ingest/records.hpp"
#include "ingest/source_import.hpp"
#include "mailbox/classify.hpp"
#include "mailbox/poll.hpp"

namespace SQLite {
class Database;
}

namespace shd::mailbox::detail {

class record_sink {
  public:
    record_sink(SQLite::Database& db, ingest::source_import& import, poll_summary& summary)
        : db_(db), import_(import), summary_(summary) {}

    // Classifies one message and queues its records. `where` names it in the
    // log ("INBOX UID 7", "/home/shop/Maildir/cur/1733.M1P2.host:2,S") when it
    // cannot be read. `whole_sha256`: the raw message's digest when `raw` is
    // only its start.
    void add_mail(std::string_view raw, folder_role role, std::optional<instant> delivered_at,
                  const std::string& where, std::string_view whole_sha256 = {});
    // The same for a message already classified.
    void add_classified(result<classification, error_message> c, const std::string& where);
    void add(ingest::record bookkeeping) { queued_.push_back(std::move(bookkeeping)); }
    std::size_t queued() const { return queued_.size(); }
    // Writes what is queued in one transaction.
    void commit();

  private:
    SQLite::Database& db_;
    ingest::source_import& import_;
    poll_summary& summary_;
    std::vector<ingest::record> queued_;
};

}  // namespace shd::mailbox::detail
