#include "mailbox/sink.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>
#include <spdlog/spdlog.h>

namespace shd::mailbox::detail {

void record_sink::add_mail(std::string_view raw, folder_role role,
                           std::optional<instant> delivered_at, const std::string& where,
                           std::string_view whole_sha256) {
    add_classified(classify_message(raw, role, delivered_at, whole_sha256), where);
}

void record_sink::add_classified(result<classification, error_message> c,
                                 const std::string& where) {
    if (!c) {
        ++summary_.skipped;
        spdlog::warn("mailbox: skipped {}: {}", where, c.error().text);
        return;
    }
    if (auto* m = std::get_if<buyer_message>(&*c)) {
        ++summary_.buyer_messages;
        queued_.push_back(ingest::mailbox_message_row{m->message_id, m->order_id, m->marketplace_id,
                                                      m->received_at, m->alias_key});
    } else if (auto* r = std::get_if<buyer_reply>(&*c)) {
        ++summary_.replies;
        for (const auto& key : r->alias_keys)
            queued_.push_back(ingest::mailbox_reply_row{r->reply_id, key, r->replied_at});
    } else {
        ++summary_.unrelated;
    }
}

void record_sink::commit() {
    if (queued_.empty())
        return;
    SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
    import_.write_batch(queued_);
    tx.commit();
    queued_.clear();
}

}  // namespace shd::mailbox::detail
