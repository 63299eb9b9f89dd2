// The account-health report (GET_V2_SELLER_PERFORMANCE_REPORT, JSON): Amazon's
// own figures, one snapshot per document. Real documents stray from Amazon's
// schema (samples/README.md), so every field is optional and unknown ones are
// skipped; a document that is not JSON at all, JSON of another kind, or a
// field of the wrong type (a string where a count belongs) is rejected, the
// error naming the field by its JSON path. The document itself is kept as received.
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
    // null is how some documents say "no value": the same as absent.
    return it == obj.end() || it->is_null() ? nullptr : &*it;
}

std::string_view kind_of(const json& v) {
    if (v.is_string())
        return "a string";
    if (v.is_number())
        return "a number";
    if (v.is_boolean())
        return "a boolean";
    if (v.is_array())
        return "an array";
    if (v.is_object())
        return "an object";
    return "null";
}

// The first field of a wrong type, by its JSON path. Fields may be missing
// (real documents leave them out) but never of another type: a string where a
// count belongs would otherwise become "no data" without a word.
class type_check {
  public:
    void wrong(const std::string& path, const json& v, std::string_view expected) {
        if (!problem_) {
            problem_ = import_error{
                {}, 0, path, fmt::format("{} where {} is expected", kind_of(v), expected)};
        }
    }
    void bad(const std::string& path, std::string reason) {
        if (!problem_)
            problem_ = import_error{{}, 0, path, std::move(reason)};
    }
    const std::optional<import_error>& problem() const { return problem_; }

  private:
    std::optional<import_error> problem_;
};

std::string child(const std::string& path, std::string_view key) {
    std::string out = path;
    if (!out.empty())
        out += '.';
    out += key;
    return out;
}

std::string element(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

std::string text(const json& obj, std::string_view key, const std::string& path,
                 type_check& check) {
    const json* v = member(obj, key);
    if (v == nullptr)
        return {};
    if (!v->is_string()) {
        check.wrong(child(path, key), *v, "a string");
        return {};
    }
    return v->get<std::string>();
}

std::optional<double> number(const json& obj, std::string_view key, const std::string& path,
                             type_check& check) {
    const json* v = member(obj, key);
    if (v == nullptr)
        return std::nullopt;
    if (!v->is_number()) {
        check.wrong(child(path, key), *v, "a number");
        return std::nullopt;
    }
    return v->get<double>();
}

// A count: a number, or an object holding one under "count" ({"count": 3, "status": ...}).
std::optional<long long> count(const json& obj, std::string_view key, const std::string& path,
                               type_check& check) {
    const json* v = member(obj, key);
    std::string at = child(path, key);
    if (v != nullptr && v->is_object()) {
        v = member(*v, "count");
        at = child(at, "count");
    }
    if (v == nullptr)
        return std::nullopt;
    if (v->is_number_integer())
        return v->get<long long>();
    if (v->is_number_float()) {
        const double d = v->get<double>();
        if (d >= 0 && d < 9e15 && d == static_cast<double>(static_cast<long long>(d))) {
            return static_cast<long long>(d);
        }
        check.bad(at, "not a whole number (a count)");
        return std::nullopt;
    }
    check.wrong(at, *v, "a whole number");
    return std::nullopt;
}

std::optional<instant> range_end(const json& obj, std::string_view key, const std::string& path,
                                 type_check& check) {
    const json* range = member(obj, "reportingDateRange");
    if (range == nullptr)
        return std::nullopt;
    const std::string range_path = child(path, "reportingDateRange");
    if (!range->is_object()) {
        check.wrong(range_path, *range, "an object");
        return std::nullopt;
    }
    const json* v = member(*range, key);
    if (v == nullptr)
        return std::nullopt;
    if (!v->is_string()) {
        check.wrong(child(range_path, key), *v, "a string");
        return std::nullopt;
    }
    auto t = parse_iso8601(v->get<std::string>());
    if (!t)
        check.bad(child(range_path, key), "not an ISO-8601 timestamp with an offset or Z");
    return t;
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
    snapshot_builder(account_health_snapshot& out, type_check& check) : out_(out), check_(check) {}

    // False when the entry was no object or a repeat.
    bool add(const std::string& marketplace, std::string_view metric, std::string_view channel,
             const json& m, const std::string& path, std::string_view numerator_key,
             std::string_view denominator_key) {
        if (!m.is_object()) {
            check_.wrong(path, m, "an object");
            return false;
        }
        account_health_metric_row row;
        row.marketplace_id = marketplace;
        row.metric = metric;
        row.channel = channel;
        row.rate = number(m, "rate", path, check_);
        row.status = text(m, "status", path, check_);
        row.target = number(m, "targetValue", path, check_);
        if (!numerator_key.empty())
            row.numerator = count(m, numerator_key, path, check_);
        if (!denominator_key.empty())
            row.denominator = count(m, denominator_key, path, check_);
        row.window_from = range_end(m, "reportingDateFrom", path, check_);
        row.window_to = range_end(m, "reportingDateTo", path, check_);
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

    void add_order_defect_rate(const std::string& marketplace, const json& odr,
                               const std::string& path) {
        auto one = [&](const json& m, std::string_view channel, const std::string& at) {
            add(marketplace, "order_defect_rate", channel, m, at, "orderWithDefects", "orderCount");
        };
        auto by_type = [&](const json& m, const std::string& at) {
            if (!m.is_object()) {
                check_.wrong(at, m, "an object");
                return;
            }
            const std::string type = text(m, "fulfillmentType", at, check_);
            if (type == "mfn" || type == "MFN")
                one(m, "MFN", at);
            if (type == "afn" || type == "AFN")
                one(m, "AFN", at);
        };
        if (odr.is_array()) {
            for (std::size_t i = 0; i < odr.size(); ++i)
                by_type(odr[i], element(path, i));
        } else if (odr.is_object()) {
            // {mfn: ..., afn: ...}: the key decides (Amazon's example labels both "mfn").
            const json* mfn = member(odr, "mfn");
            const json* afn = member(odr, "afn");
            if (mfn != nullptr)
                one(*mfn, "MFN", child(path, "mfn"));
            if (afn != nullptr)
                one(*afn, "AFN", child(path, "afn"));
            if (mfn == nullptr && afn == nullptr)
                by_type(odr, path);
        } else {
            check_.wrong(path, odr, "an object or an array");
        }
    }

    // An entry Amazon may add any time: an object is read, anything else skipped.
    void add_generic(const std::string& marketplace, const std::string& name, const json& m,
                     const std::string& path) {
        if (!m.is_object())
            return;
        std::string_view numerator;
        for (std::string_view k : {"defectsCount", "warningsCount", "count"}) {
            if (member(m, k) != nullptr) {
                numerator = k;
                break;
            }
        }
        add(marketplace, name, "all", m, path, numerator,
            member(m, "orderCount") ? "orderCount" : "");
    }

    void add_rating(const std::string& marketplace, const json& m, const std::string& path) {
        if (!add(marketplace, "accountHealthRating", "all", m, path, "ahrScore", ""))
            return;
        // Real documents and Amazon's example say ahrStatus; the schema declares
        // accountHealthRatingStatus. The score (ahrScore) is kept as the numerator.
        auto& row = out_.metrics.back();
        if (row.status.empty())
            row.status = text(m, "ahrStatus", path, check_);
        if (row.status.empty())
            row.status = text(m, "accountHealthRatingStatus", path, check_);
    }

  private:
    account_health_snapshot& out_;
    type_check& check_;
    std::set<std::tuple<std::string, std::string, std::string, long long>> seen_;
};

std::string json_error_reason(const std::string& what) {
    // "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error while
    // parsing value - invalid literal; last read: 'tru x'": keep the part after the
    // position (reported as our own line) and drop what it quotes of the document.
    std::string reason = what;
    const auto col = reason.find("column ");
    if (col != std::string::npos) {
        const auto colon = reason.find(": ", col);
        if (colon != std::string::npos)
            reason = reason.substr(colon + 2);
    }
    if (const auto quoted = reason.find("; last read"); quoted != std::string::npos)
        reason.erase(quoted);
    if (const auto quoted = reason.find('\''); quoted != std::string::npos)
        reason.erase(quoted);
    while (!reason.empty() && (reason.back() == ' ' || reason.back() == ':'))
        reason.pop_back();
    return reason;
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
    } catch (const json::exception&) {
        return import_error{{}, 0, {}, "not valid JSON"};
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
    type_check check;
    snapshot_builder builder(out, check);

    if (const json* statuses = member(doc, "accountStatuses"); statuses) {
        if (!statuses->is_array())
            check.wrong("accountStatuses", *statuses, "an array");
        std::set<std::string> seen;
        for (std::size_t i = 0; statuses->is_array() && i < statuses->size(); ++i) {
            const json& s = (*statuses)[i];
            const std::string at = element("accountStatuses", i);
            if (!s.is_object()) {
                check.wrong(at, s, "an object");
                continue;
            }
            const std::string market = text(s, "marketplaceId", at, check);
            const std::string status = text(s, "status", at, check);
            if (market.empty() || !seen.insert(market).second)
                continue;
            out.statuses.push_back({market, status});
        }
    }

    // A metrics entry without its marketplaceId (the mock has none) belongs to
    // the document's only marketplace, else to the configured default.
    const std::string fallback_market =
        out.statuses.size() == 1 ? out.statuses.front().marketplace_id : ctx.default_marketplace;

    if (const json* entries = member(doc, "performanceMetrics"); entries) {
        if (!entries->is_array())
            check.wrong("performanceMetrics", *entries, "an array");
        for (std::size_t i = 0; entries->is_array() && i < entries->size(); ++i) {
            const json& entry = (*entries)[i];
            const std::string entry_path = element("performanceMetrics", i);
            if (!entry.is_object()) {
                check.wrong(entry_path, entry, "an object");
                continue;
            }
            std::string market = text(entry, "marketplaceId", entry_path, check);
            if (market.empty())
                market = fallback_market;
            for (const auto& item : entry.items()) {
                // Not a structured binding: lambdas below use the name, and
                // capturing a binding needs a newer clang than Debian 12's.
                const std::string& name = item.key();
                const json& value = item.value();
                if (name == "marketplaceId" || name == "warningStates" || name == "warningState" ||
                    value.is_null()) {
                    continue;
                }
                const auto* known =
                    std::find_if(std::begin(kKnown), std::end(kKnown),
                                 [&](const known_metric& k) { return k.amazon_name == name; });
                // A name we do not know is the document's content: an error
                // does not repeat it.
                const bool recognised = known != std::end(kKnown) || name == "orderDefectRate" ||
                                        name == "accountHealthRating";
                const std::string path =
                    child(entry_path, recognised ? std::string_view(name)
                                                 : std::string_view("(an unrecognised metric)"));
                if (name == "orderDefectRate") {
                    builder.add_order_defect_rate(market, value, path);
                    continue;
                }
                if (name == "accountHealthRating") {
                    builder.add_rating(market, value, path);
                    continue;
                }
                auto add_one = [&](const json& m, const std::string& at) {
                    if (known != std::end(kKnown)) {
                        builder.add(market, known->metric, known->channel, m, at, known->numerator,
                                    known->denominator);
                    } else {
                        builder.add_generic(market, name, m, at);
                    }
                };
                if (value.is_array()) {
                    for (std::size_t k = 0; k < value.size(); ++k)
                        add_one(value[k], element(path, k));
                } else {
                    add_one(value, path);
                }
            }
        }
    }
    if (check.problem())
        return *check.problem();

    out.document = std::move(document);
    sink(rec, 1);
    return 1;
}

}  // namespace shd::ingest::detail
