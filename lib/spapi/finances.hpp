// listFinancialEvents (Finances API v0) answers as defects, per spec/sources.md
// "Claims and chargebacks": a GuaranteeClaimEvent is an a_to_z_claim of its
// AmazonOrderId, a ChargebackEvent a chargeback, occurring at its PostedDate,
// status granted / lost (counting). A later event for the same order and kind
// whose amounts sum to more than zero (money back to the seller) makes it
// protected (claim) or reversed (chargeback), which no longer counts.
// Pure: text and the stored state in, rows out.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "ingest/records.hpp"
#include "spapi/orders.hpp"

namespace shd::spapi {

struct financial_event {
    std::string order_id;
    std::string kind;  // a_to_z_claim or chargeback
    instant posted_at;
    double net_amount = 0;  // every charge and fee amount of the event, summed
};

struct financial_events_page {
    std::vector<financial_event> events;
    std::string next_token;  // empty: the last page
};

result<financial_events_page, map_error> parse_financial_events(std::string_view json_body);

// A defect as stored: what a later event is judged against.
struct stored_defect {
    instant occurred_at;
    std::string status;
};
using stored_defect_lookup =
    std::function<std::optional<stored_defect>(std::string_view order_id, std::string_view kind)>;

// The defect rows the events give, in posted order (the events need not be
// sorted). A re-fetched grant (the 1-hour overlap) changes nothing: an event
// without money back leaves a known defect as it is; a reversal keeps the
// date the defect occurred.
std::vector<ingest::defect_row> defects_from_events(std::vector<financial_event> events,
                                                    const stored_defect_lookup& stored);

}  // namespace shd::spapi
