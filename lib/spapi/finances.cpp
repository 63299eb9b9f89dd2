#include "spapi/finances.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace shd::spapi {
namespace {

using json = nlohmann::json;

// Sums every CurrencyAmount under the event (charges, fees, adjustments,
// item lists): their sign says which way the money went.
double sum_amounts(const json& node) {
    double total = 0;
    if (node.is_object()) {
        for (auto it = node.begin(); it != node.end(); ++it) {
            if (it.key() == "CurrencyAmount" && it->is_number()) {
                total += it->get<double>();
            } else if (it->is_structured()) {
                total += sum_amounts(*it);
            }
        }
    } else if (node.is_array()) {
        for (const auto& item : node)
            total += sum_amounts(item);
    }
    return total;
}

result<void, map_error> read_list(const json& events, std::string_view list_name,
                                  std::string_view kind, std::vector<financial_event>& out) {
    const auto it = events.find(list_name);
    if (it == events.end() || it->is_null())
        return {};
    if (!it->is_array())
        return map_error{std::string(list_name), "not a list"};
    for (std::size_t i = 0; i < it->size(); ++i) {
        const json& e = (*it)[i];
        const std::string where = fmt::format("{}[{}]", list_name, i);
        if (!e.is_object())
            return map_error{where, "not an object"};
        financial_event event;
        event.kind = std::string(kind);
        const auto id = e.find("AmazonOrderId");
        if (id == e.end() || !id->is_string() || id->get<std::string>().empty())
            return map_error{where + ".AmazonOrderId", "missing"};
        event.order_id = id->get<std::string>();
        const auto posted = e.find("PostedDate");
        if (posted == e.end() || !posted->is_string())
            return map_error{where + ".PostedDate", "missing"};
        auto t = parse_iso8601(posted->get<std::string>());
        if (!t) {
            return map_error{where + ".PostedDate",
                             fmt::format("'{}' is not a date-time", posted->get<std::string>())};
        }
        event.posted_at = *t;
        event.net_amount = sum_amounts(e);
        out.push_back(std::move(event));
    }
    return {};
}

}  // namespace

result<financial_events_page, map_error> parse_financial_events(std::string_view json_body) {
    const json body = json::parse(json_body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        return map_error{"", "the listFinancialEvents answer is not a JSON object"};
    const auto payload = body.find("payload");
    if (payload == body.end() || !payload->is_object())
        return map_error{"payload", "missing"};
    financial_events_page page;
    if (const auto next = payload->find("NextToken"); next != payload->end() && next->is_string())
        page.next_token = next->get<std::string>();
    const auto events = payload->find("FinancialEvents");
    if (events == payload->end() || events->is_null())
        return page;
    if (!events->is_object())
        return map_error{"payload.FinancialEvents", "not an object"};
    if (auto r = read_list(*events, "GuaranteeClaimEventList", "a_to_z_claim", page.events); !r)
        return r.error();
    if (auto r = read_list(*events, "ChargebackEventList", "chargeback", page.events); !r)
        return r.error();
    return page;
}

std::vector<ingest::defect_row> defects_from_events(std::vector<financial_event> events,
                                                    const stored_defect_lookup& stored) {
    std::stable_sort(events.begin(), events.end(),
                     [](const auto& a, const auto& b) { return a.posted_at < b.posted_at; });
    // The state as this batch leaves it, so two events of one order in one
    // batch see each other.
    std::map<std::pair<std::string, std::string>, ingest::defect_row> latest;
    std::vector<std::pair<std::string, std::string>> order_seen;
    for (const auto& e : events) {
        const auto key = std::make_pair(e.order_id, e.kind);
        std::optional<stored_defect> known;
        if (auto it = latest.find(key); it != latest.end()) {
            known = stored_defect{it->second.occurred_at, it->second.status};
        } else if (stored) {
            known = stored(e.order_id, e.kind);
        }
        const bool claim = e.kind == "a_to_z_claim";
        ingest::defect_row row;
        row.order_id = e.order_id;
        row.kind = e.kind;
        if (e.net_amount > 0) {
            row.status = claim ? "protected" : "reversed";
            row.occurred_at = known ? known->occurred_at : e.posted_at;
            row.counts = false;
        } else {
            if (known)
                continue;  // already granted/lost, or decided for the seller since
            row.status = claim ? "granted" : "lost";
            row.occurred_at = e.posted_at;
            row.counts = true;
        }
        if (!latest.contains(key))
            order_seen.push_back(key);
        latest[key] = std::move(row);
    }
    std::vector<ingest::defect_row> out;
    out.reserve(order_seen.size());
    for (const auto& key : order_seen)
        out.push_back(std::move(latest[key]));
    return out;
}

}  // namespace shd::spapi
