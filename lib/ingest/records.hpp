// What the parsers produce and the store writer consumes: one struct per kind
// of row, already validated and normalised (instants in UTC, marketplace IDs,
// MFN/AFN, booleans). The parsers never touch the database; the writer never
// looks at text.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/time.hpp"

namespace shd::ingest {

enum class file_format {
    all_orders,      // GET_FLAT_FILE_ALL_ORDERS_DATA_* and the archived variant
    unshipped,       // GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING
    feedback,        // GET_SELLER_FEEDBACK_DATA
    account_health,  // GET_V2_SELLER_PERFORMANCE_REPORT (JSON)
    shipments,       // ours (CSV)
    defects,         // ours (CSV)
    messages,        // ours (CSV)
    mailbox,         // the seller's mailbox (not a file): imports.format of a poll that wrote
};

// "all_orders", "unshipped", ...: the value stored in imports.format.
std::string_view format_name(file_format f);

// One row of the All Orders report: one item of one order.
struct order_item_row {
    std::string order_id;
    std::optional<std::string> marketplace_id;  // nullopt: Non-Amazon (stored, never counted)
    std::string sales_channel;
    std::string fulfillment_channel;  // "MFN" or "AFN"
    instant purchased_at;
    std::string order_status;  // as in the file, but "Canceled" is spelt "Cancelled"
    bool is_cancelled = false;
    std::optional<instant> last_updated_at;
    bool buyer_requested_cancel = false;
    // The item.
    std::string item_key;  // order-item-id when present, else "sku|asin"
    std::string sku;
    std::string asin;
    std::optional<int> quantity;
    std::string item_status;
    bool item_cancelled = false;
};

// One row of the Unshipped orders report: an MFN order not yet confirmed.
struct unshipped_row {
    std::string order_id;
    std::optional<std::string> marketplace_id;
    std::string sales_channel;
    instant purchased_at;
    instant promise_at;  // taken as the latest ship date
    bool buyer_requested_cancel = false;
};

struct shipment_row {
    std::string order_id;
    instant latest_ship_at;
    std::optional<instant> confirmed_at;
    std::string tracking_id;
    std::string carrier;
    std::optional<bool> tracking_valid;
};

// From our defects CSV, and from the Feedback report (kind negative_feedback).
struct defect_row {
    std::string order_id;
    std::string kind;  // negative_feedback, a_to_z_claim, chargeback
    instant occurred_at;
    std::string status;  // normalised: empty became "open" / "active"
    std::optional<int> rating;
    bool counts = false;  // a counting defect by spec/metrics.md
};

struct message_row {
    std::string message_id;
    std::string order_id;        // may be empty
    std::string marketplace_id;  // may be empty
    instant received_at;
    std::optional<instant> responded_at;
    bool no_response_needed = false;
};

struct account_health_metric_row {
    std::string marketplace_id;
    std::string metric;   // our key where one matches (order_defect_rate, ...), else Amazon's name
    std::string channel;  // MFN, AFN or all
    std::optional<double> rate;
    std::string status;
    std::optional<double> target;
    std::optional<long long> numerator;
    std::optional<long long> denominator;
    std::optional<instant> window_from;
    std::optional<instant> window_to;
};

struct account_status_row {
    std::string marketplace_id;
    std::string status;
};

// A whole account-health document: one record per file.
struct account_health_snapshot {
    std::optional<instant> taken_at;  // newest reportingDateTo, when any
    std::string document;             // the JSON text as received
    std::vector<account_health_metric_row> metrics;
    std::vector<account_status_row> statuses;
};

// A buyer message read from the mailbox (spec/sources.md "The mailbox"). It
// becomes a `messages` row as a messages-CSV row would; alias_key (SHA-256 of
// the buyer's alias, never the alias) threads the seller's replies to it.
struct mailbox_message_row {
    std::string message_id;
    std::string order_id;  // may be empty
    std::string marketplace_id;
    instant received_at;
    std::string alias_key;
};

// A reply the seller sent to one alias at replied_at: it answers every
// message from that alias received at or before replied_at without an
// earlier reply, whichever of the two is read first.
struct mailbox_reply_row {
    std::string reply_id;
    std::string alias_key;
    instant replied_at;
};

// How far an IMAP folder has been read.
struct mailbox_imap_cursor_row {
    std::string account;
    std::string folder;
    long long uidvalidity = 0;
    long long last_uid = 0;
};

// A Maildir file read (its name before ':').
struct mailbox_maildir_seen_row {
    std::string folder;
    std::string file_key;
};

using record = std::variant<order_item_row, unshipped_row, shipment_row, defect_row, message_row,
                            account_health_snapshot, mailbox_message_row, mailbox_reply_row,
                            mailbox_imap_cursor_row, mailbox_maildir_seen_row>;

// Mailbox records that carry data (and so need an imports row): the others
// are bookkeeping of how far the mailbox was read.
inline bool is_mailbox_bookkeeping(const record& r) {
    return std::holds_alternative<mailbox_imap_cursor_row>(r) ||
           std::holds_alternative<mailbox_maildir_seen_row>(r);
}

}  // namespace shd::ingest
