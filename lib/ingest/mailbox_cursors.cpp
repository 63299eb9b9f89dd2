#include "ingest/mailbox_cursors.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace shd::ingest {

mailbox_cursors::mailbox_cursors(SQLite::Database& db)
    : select_imap_(std::make_unique<SQLite::Statement>(
          db,
          "SELECT uidvalidity, last_uid FROM mailbox_imap_folders WHERE account = ?1 AND "
          "folder = ?2")),
      select_seen_(std::make_unique<SQLite::Statement>(
          db, "SELECT 1 FROM mailbox_maildir_seen WHERE folder = ?1 AND file_key = ?2")) {}

mailbox_cursors::~mailbox_cursors() = default;

std::optional<imap_folder_position> mailbox_cursors::imap_folder(const std::string& account,
                                                                 const std::string& folder) {
    auto& q = *select_imap_;
    q.bind(1, account);
    q.bind(2, folder);
    std::optional<imap_folder_position> out;
    if (q.executeStep())
        out = imap_folder_position{q.getColumn(0).getInt64(), q.getColumn(1).getInt64()};
    q.reset();
    return out;
}

bool mailbox_cursors::maildir_file_seen(const std::string& folder, const std::string& file_key) {
    auto& q = *select_seen_;
    q.bind(1, folder);
    q.bind(2, file_key);
    const bool seen = q.executeStep();
    q.reset();
    return seen;
}

}  // namespace shd::ingest
