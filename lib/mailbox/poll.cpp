#include "mailbox/poll.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <mutex>

#include "core/credentials.hpp"
#include "ingest/mailbox_cursors.hpp"
#include "ingest/source_import.hpp"
#include "mailbox/imap.hpp"
#include "mailbox/maildir.hpp"
#include "mailbox/sink.hpp"

namespace shd::mailbox {

std::string describe(const poll_summary& s) {
    return fmt::format(
        "mailbox: {} buyer message{}, {} repl{}, {} other, {} skipped; {} folder{}{}",
        s.buyer_messages, s.buyer_messages == 1 ? "" : "s", s.replies, s.replies == 1 ? "y" : "ies",
        s.unrelated, s.skipped, s.folders_read, s.folders_read == 1 ? "" : "s",
        s.failed() ? fmt::format(", {} not read", s.folder_errors.size()) : "");
}

void init_mailbox_transport() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

result<poll_summary, error_message> poll_mailbox(SQLite::Database& db,
                                                 const config::mailbox_config& cfg, instant now,
                                                 const char* credentials_directory) {
    poll_summary summary;
    if (!cfg.enabled())
        return summary;
    ingest::mailbox_cursors cursors(db);

    auto read_all = [&](auto&& read_one, const auto& buyer_folders, const auto& reply_folders,
                        ingest::source_import& import) {
        detail::record_sink sink(db, import, summary);
        for (const auto role : {folder_role::buyer, folder_role::reply}) {
            for (const auto& folder : role == folder_role::buyer ? buyer_folders : reply_folders) {
                auto read = read_one(folder, role, sink);
                if (read) {
                    ++summary.folders_read;
                } else {
                    summary.folder_errors.push_back(read.error().text);
                    spdlog::error("mailbox: {}", read.error().text);
                }
            }
        }
    };

    if (cfg.maildir) {
        ingest::source_import import(db, "mailbox", "maildir", now);
        read_all(
            [&](const std::filesystem::path& folder, folder_role role, detail::record_sink& sink) {
                return detail::read_maildir_folder(folder, role, cursors, sink);
            },
            cfg.maildir->buyer_folders, cfg.maildir->reply_folders, import);
        if (!summary.failed()) {
            SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
            import.finish();
            tx.commit();
        }
    }
    if (cfg.imap) {
        std::string password = cfg.imap->password;
        if (is_credential_reference(password)) {
            auto read = read_credential(password, credentials_directory);
            if (!read)
                return error_message{fmt::format("mailbox.imap.password: {}", read.error().text)};
            password = std::move(*read);
        }
        detail::imap_session session(*cfg.imap, std::move(password));
        ingest::source_import import(db, "mailbox", session.account(), now);
        bool gone = false;
        read_all(
            [&](const std::string& folder, folder_role role,
                detail::record_sink& sink) -> result<void, error_message> {
                // Once the server has failed, the other folders would fail
                // the same way, each after a timeout.
                if (gone)
                    return error_message{fmt::format("folder {}: not read", folder)};
                auto read = session.read_folder(folder, role, cursors, sink, summary);
                if (!read) {
                    gone = true;
                    return error_message{fmt::format("folder {}: {}", folder, read.error().text)};
                }
                return read;
            },
            cfg.imap->buyer_folders, cfg.imap->reply_folders, import);
        if (!summary.failed()) {
            SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
            import.finish();
            tx.commit();
        }
    }
    return summary;
}

}  // namespace shd::mailbox
