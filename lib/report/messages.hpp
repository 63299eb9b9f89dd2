// Buyer messages for people and scripts: `messages list` (table and --json)
// and the service-metrics section of `status` (table; the JSON is part of
// status_json). Pure layout of what metrics/service_metrics computes; every
// time is as of T.
//
// `messages list --json` is a contract (docs/cli.md "messages list"):
// {"as_of", "messages": [{"message_id", "order_id" (null: none),
// "marketplace", "received_at", "reply_due", "responded_at" (null: no reply
// as of T), "response_seconds" (null: no reply as of T), "state" (answered,
// answered_late, pending, missed, no_response_needed), "no_response_needed",
// "marked_no_response_needed"}]}, messages in the order given.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "metrics/evaluation.hpp"
#include "metrics/service_metrics.hpp"

namespace shd::report {

// Pretty-printed (2-space indent), no trailing newline. Every message must be
// received at or before `as_of`.
std::string messages_list_json(std::span<const metrics::message_fact> messages, instant as_of);

// One line per message: message, order, marketplace, received, due, reply
// ("answered 2026-02-27T01:00:00Z (1 h 0 min)", "pending (due in 5 h 0 min)",
// "missed (due 2 d 3 h ago)", "no response needed (marked)"). `waiting_only`
// words the empty case ("No buyer message waits for a reply").
std::string messages_list_table(std::span<const metrics::message_fact> messages, instant as_of,
                                bool waiting_only);

// `status`: "\nBuyer messages (service, informs only)\n" and per marketplace
// and window the messages, first response median and 90th percentile, and
// the waiting messages with the oldest; "" when there are no rows.
std::string message_service_table(std::span<const metrics::message_service_row> rows);

}  // namespace shd::report
