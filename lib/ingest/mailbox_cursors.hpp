// Reads back how far the mailbox has been read (migrations/0005_mailbox.sql):
// the counterpart of the store writer's mailbox cursor records, so the
// mailbox source holds no SQL of its own.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace shd::ingest {

struct imap_folder_position {
    long long uidvalidity = 0;
    long long last_uid = 0;
};

class mailbox_cursors {
  public:
    explicit mailbox_cursors(SQLite::Database& db);
    ~mailbox_cursors();
    mailbox_cursors(const mailbox_cursors&) = delete;
    mailbox_cursors& operator=(const mailbox_cursors&) = delete;

    // nullopt: the folder has never been read.
    std::optional<imap_folder_position> imap_folder(const std::string& account,
                                                    const std::string& folder);
    bool maildir_file_seen(const std::string& folder, const std::string& file_key);

  private:
    std::unique_ptr<SQLite::Statement> select_imap_;
    std::unique_ptr<SQLite::Statement> select_seen_;
};

}  // namespace shd::ingest
