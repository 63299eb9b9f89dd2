// The account-health report (GET_V2_SELLER_PERFORMANCE_REPORT, JSON): Amazon's
// own figures, one snapshot per document. Real documents stray from Amazon's
// schema (samples/README.md), so every field is optional and unknown ones are
// skipped; only a document that is not JSON at all, or JSON of another kind,
// is rejected. The document itself is kept as received.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "ingest/formats/format_support.hpp"

namespace shd::ingest::detail {
namespace {

using nlohmann::json;

const json* member(const json& obj, std::string_view key) {
    if (!obj.is_object())
        return nullptr;
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

std::string text(const json& obj, std::string_view key) {
    const json* v = member(obj, key);
    return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

std::optional<double> number(const json& obj, std::string_view key) {
    const json* v = member(obj, key);
    if (v == nullptr || !v->is_number())
        return std::nullopt;
    return v->get<double>();
}

// A count: a number, or an object holding one under "count" ({"count": 3, "status": ...}).
std::optional<long long> count(const json& obj, std::string_view key) {
    const json* v = member(obj, key);
    if (v != nullptr && v->is_object())
        v = member(*v, "count");
    if (v == nullptr)
        return std::nullopt;
    if (v->is_number_integer())
        return v->get<long long>();
    if (v->is_number_float()) {
        const double d = v->get<double>();
        if (d >= 0 && d < 9e15 && d == static_cast<double>(static_cast<long long>(d))) {
            return static_cast<long long>(d);
        }
    }
    return std::nullopt;
}

std::optional<instant> range_end(const json& obj, std::string_view key) {
    const json* range = member(obj, "reportingDateRange");
    if (range == nullptr)
        return std::nullopt;
    const json* v = member(*range, key);
    if (v == nullptr || !v->is_string())
        return std::nullopt;
    return parse_iso8601(v->get<std::string>());
}

// Amazon's name, ours, the channel, and where its counts are.
struct known_metric {
    std::string_view amazon_name;
    std::string_view metric;
    std::string_view channel;
    std::string_view numerator;
    std::string_view denominator;
};

constexpr known_metric kKnown[] = {
    {"lateShipmentRate", "late_dispatch_rate", "MFN", "lateShipmentCount", "orderCount"},
    {"lateShipmentRateList", "late_dispatch_rate", "MFN", "lateShipmentCount", "orderCount"},
    {"preFulfillmentCancellationRate", "cancellation_rate", "MFN", "cancellationCount",
     "orderCount"},
    // The spelling of Amazon's own schema example and of real documents.
    {"prefulfillmentCancelRate", "cancellation_rate", "MFN", "cancellationCount", "orderCount"},
    {"validTrackingRate", "valid_tracking_rate", "MFN", "validTrackingCount", "shipmentCount"},
    {"onTimeDeliveryRate", "onTimeDeliveryRate", "all", "onTimeDeliveryCount",
     "shipmentCountWithValidTracking"},
    {"unitOnTimeDeliveryRate", "unitOnTimeDeliveryRate", "all", "unitOnTimeDeliveryCount",
     "totalUnitCount"},
    {"invoiceDefectRate", "invoiceDefectRate", "all", "invoiceDefect", "orderCount"},
};

class snapshot_builder {
  public:
    explicit snapshot_builder(account_health_snapshot& out) : out_(out) {}

    // False when the entry was no object or a repeat.
    bool add(const std::string& marketplace, std::string_view metric, std::string_view channel,
             const json& m, std::string_view numerator_key, std::string_view denominator_key) {
        if (!m.is_object())
            return false;
        account_health_metric_row row;
        row.marketplace_id = marketplace;
        row.metric = metric;
        row.channel = channel;
        row.rate = number(m, "rate");
        row.status = text(m, "status");
        row.target = number(m, "targetValue");
        if (!numerator_key.empty())
            row.numerator = count(m, numerator_key);
        if (!denominator_key.empty())
            row.denominator = count(m, denominator_key);
        row.window_from = range_end(m, "reportingDateFrom");
        row.window_to = range_end(m, "reportingDateTo");
        // The store keys rows by (marketplace, metric, channel, window end): a
        // list that repeats its headline entry must not give two rows.
        const auto key = std::make_tuple(row.marketplace_id, row.metric, row.channel,
                                         row.window_to ? to_unix(*row.window_to) : -1LL);
        if (!seen_.insert(key).second)
            return false;
        if (row.window_to && (!out_.taken_at || *row.window_to > *out_.taken_at)) {
            out_.taken_at = row.window_to;
        }
        out_.metrics.push_back(std::move(row));
        return true;
    }

    void add_order_defect_rate(const std::string& marketplace, const json& odr) {
        auto one = [&](const json& m, std::string_view channel) {
            add(marketplace, "order_defect_rate", channel, m, "orderWithDefects", "orderCount");
        };
        auto by_type = [&](const json& m) {
            const std::string type = text(m, "fulfillmentType");
            if (type == "mfn" || type == "MFN")
                one(m, "MFN");
            if (type == "afn" || type == "AFN")
                one(m, "AFN");
        };
        if (odr.is_array()) {
            for (const auto& m : odr)
                by_type(m);
        } else if (odr.is_object()) {
            // {mfn: ..., afn: ...}: the key decides (Amazon's example labels both "mfn").
            const json* mfn = member(odr, "mfn");
            const json* afn = member(odr, "afn");
            if (mfn != nullptr)
                one(*mfn, "MFN");
            if (afn != nullptr)
                one(*afn, "AFN");
            if (mfn == nullptr && afn == nullptr)
                by_type(odr);
        }
    }

    void add_generic(const std::string& marketplace, const std::string& name, const json& m) {
        if (!m.is_object())
            return;
        std::string_view numerator;
        for (std::string_view k : {"defectsCount", "warningsCount", "count"}) {
            if (member(m, k) != nullptr) {
                numerator = k;
                break;
            }
        }
        add(marketplace, name, "all", m, numerator, member(m, "orderCount") ? "orderCount" : "");
    }

    void add_rating(const std::string& marketplace, const json& m) {
        if (!add(marketplace, "accountHealthRating", "all", m, "ahrScore", ""))
            return;
        // Real documents and Amazon's example say ahrStatus; the schema declares
        // accountHealthRatingStatus. The score (ahrScore) is kept as the numerator.
        auto& row = out_.metrics.back();
        if (row.status.empty())
            row.status = text(m, "ahrStatus");
        if (row.status.empty())
            row.status = text(m, "accountHealthRatingStatus");
    }

  private:
    account_health_snapshot& out_;
    std::set<std::tuple<std::string, std::string, std::string, long long>> seen_;
};

std::string json_error_reason(const std::string& what) {
    // "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error ...":
    // keep the part after the position, which we report as our own line.
    const auto col = what.find("column ");
    if (col != std::string::npos) {
        const auto colon = what.find(": ", col);
        if (colon != std::string::npos)
            return what.substr(colon + 2);
    }
    return what;
}

}  // namespace

result<long, import_error> parse_account_health(std::string document, const parse_context& ctx,
                                                const record_sink& sink) {
    json doc;
    try {
        doc = json::parse(document);
    } catch (const json::parse_error& e) {
        const std::size_t upto =
            std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, document.size());
        const long line =
            1 + static_cast<long>(
                    std::count(document.begin(), document.begin() + static_cast<long>(upto), '\n'));
        return import_error{{}, line, {}, "not valid JSON: " + json_error_reason(e.what())};
    } catch (const json::exception& e) {
        return import_error{{}, 0, {}, std::string("not valid JSON: ") + e.what()};
    }
    if (!doc.is_object() || (member(doc, "performanceMetrics") == nullptr &&
                             member(doc, "accountStatuses") == nullptr)) {
        return import_error{{},
                            0,
                            {},
                            "not a recognised export: a JSON document without performanceMetrics "
                            "or accountStatuses (not an account-health report)"};
    }

    record rec{std::in_place_type<account_health_snapshot>};
    auto& out = std::get<account_health_snapshot>(rec);
    snapshot_builder builder(out);

    if (const json* statuses = member(doc, "accountStatuses"); statuses && statuses->is_array()) {
        std::set<std::string> seen;
        for (const auto& s : *statuses) {
            const std::string market = text(s, "marketplaceId");
            if (market.empty() || !seen.insert(market).second)
                continue;
            out.statuses.push_back({market, text(s, "status")});
        }
    }

    // A metrics entry without its marketplaceId (the mock has none) belongs to
    // the document's only marketplace, else to the configured default.
    const std::string fallback_market =
        out.statuses.size() == 1 ? out.statuses.front().marketplace_id : ctx.default_marketplace;

    if (const json* entries = member(doc, "performanceMetrics"); entries && entries->is_array()) {
        for (const auto& entry : *entries) {
            if (!entry.is_object())
                continue;
            std::string market = text(entry, "marketplaceId");
            if (market.empty())
                market = fallback_market;
            for (const auto& [name, value] : entry.items()) {
                if (name == "marketplaceId" || name == "warningStates" || name == "warningState") {
                    continue;
                }
                if (name == "orderDefectRate") {
                    builder.add_order_defect_rate(market, value);
                    continue;
                }
                if (name == "accountHealthRating") {
                    builder.add_rating(market, value);
                    continue;
                }
                const auto* known =
                    std::find_if(std::begin(kKnown), std::end(kKnown),
                                 [&](const known_metric& k) { return k.amazon_name == name; });
                auto add_one = [&](const json& m) {
                    if (known != std::end(kKnown)) {
                        builder.add(market, known->metric, known->channel, m, known->numerator,
                                    known->denominator);
                    } else {
                        builder.add_generic(market, name, m);
                    }
                };
                if (value.is_array()) {
                    for (const auto& m : value)
                        add_one(m);
                } else {
                    add_one(value);
                }
            }
        }
    }

    out.document = std::move(document);
    sink(rec, 1);
    return 1;
}

}  // namespace shd::ingest::detail
