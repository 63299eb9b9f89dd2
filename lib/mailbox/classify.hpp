// What one e-mail is to the mailbox source (spec/sources.md, "The mailbox"):
// a buyer message, a reply to buyers, or nothing of ours. A pure function of
// the message's bytes, the folder's role and the time the mailbox received
// it; the MIME work (encoded words, multipart bodies, folded headers, dates,
// 8-bit junk) is GMime's.
//
// Nothing a buyer wrote leaves this module but the order ID: the alias is
// kept only as alias_key, a SHA-256 of the lower-cased address, which is all
// that threading a reply to its messages needs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace shd::mailbox {

// Where a message was found: a buyer-message folder or a reply folder.
enum class folder_role { buyer, reply };

struct buyer_message {
    std::string message_id;      // Message-ID without <>, else SHA-256 hex of the raw message
    std::string marketplace_id;  // from the alias's domain
    std::string order_id;        // empty: none found
    instant received_at;         // Date, else when the mailbox received it
    std::string alias_key;       // alias_key(From)
};

struct buyer_reply {
    std::string reply_id;                 // as message_id
    std::vector<std::string> alias_keys;  // every alias in To and Cc, distinct
    instant replied_at;
};

// Not ours: another sender, a reply folder's mail to nobody on Amazon.
struct unrelated {};

using classification = std::variant<unrelated, buyer_message, buyer_reply>;

// The marketplace ID of an alias address (LOCAL@marketplace.amazon.TLD, any
// case), nullopt for any other address.
std::optional<std::string> alias_marketplace(std::string_view address);

// SHA-256 hex of the lower-cased address.
std::string alias_key(std::string_view address);

// The first NNN-NNNNNNN-NNNNNNN in `text` not touching other digits.
std::optional<std::string> find_order_id(std::string_view text);

// Parses and classifies. `received_by_mailbox` is IMAP's INTERNALDATE or the
// Maildir file's delivery time: the fallback for a missing or unreadable
// Date. `raw` may be the header and only the start of the body (IMAP fetches
// a bounded part); the order ID is then looked for in that part.
// `whole_sha256`, when given, is the SHA-256 hex of the whole raw message
// (the ID of a message without Message-ID when `raw` is only its start).
// Errors: GMime finds no message in the bytes, or a buyer message or reply
// has no usable time at all.
result<classification, error_message> classify_message(std::string_view raw, folder_role role,
                                                       std::optional<instant> received_by_mailbox,
                                                       std::string_view whole_sha256 = {});

}  // namespace shd::mailbox
