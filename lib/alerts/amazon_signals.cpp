#include "alerts/amazon_signals.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

namespace shd::alerts {
namespace {

bool is_policy_violation(std::string_view metric) {
    return metric.find("Violation") != std::string_view::npos ||
           metric.find("violation") != std::string_view::npos;
}

std::string percent(double rate) {
    return fmt::format("{:.2f}%", rate * 100);
}

}  // namespace

std::optional<int> ahr_rank(std::string_view status) {
    static constexpr std::string_view kOrder[] = {"GREAT", "GOOD", "FAIR", "AT_RISK", "CRITICAL"};
    for (int i = 0; i < 5; ++i) {
        if (kOrder[i] == status)
            return i;
    }
    return std::nullopt;
}

std::vector<signal> snapshot_signals(const ingest::account_health_snapshot* previous,
                                     const ingest::account_health_snapshot& current,
                                     const our_rate_lookup& ours, double tolerance) {
    std::vector<signal> out;
    const std::string taken =
        current.taken_at ? format_iso8601(*current.taken_at) : std::string("the latest snapshot");
    for (const auto& s : current.statuses) {
        if (s.status == "NORMAL")
            continue;
        const bool gone = s.status == "DEACTIVATED" || s.status == "SUSPENDED";
        out.push_back({"account_status", "account_status|" + s.marketplace_id,
                       gone ? "breached" : "at_risk",
                       fmt::format("Amazon account status {} in {}", s.status, s.marketplace_id),
                       fmt::format("Amazon's account-health report ({}) gives the account status "
                                   "{} for marketplace {} (NORMAL expected).",
                                   taken, s.status, s.marketplace_id)});
    }

    // The previous snapshot's values, by marketplace and metric.
    std::map<std::pair<std::string, std::string>, const ingest::account_health_metric_row*> before;
    if (previous) {
        for (const auto& m : previous->metrics)
            before[{m.marketplace_id, m.metric}] = &m;
    }
    for (const auto& m : current.metrics) {
        const auto it = before.find({m.marketplace_id, m.metric});
        const ingest::account_health_metric_row* old = it == before.end() ? nullptr : it->second;
        if (m.metric == "accountHealthRating" && old) {
            const auto now_rank = ahr_rank(m.status);
            const auto old_rank = ahr_rank(old->status);
            if (now_rank && old_rank && *now_rank > *old_rank) {
                out.push_back(
                    {"ahr_status", "ahr_status|" + m.marketplace_id,
                     *now_rank >= 3 ? "breached" : "at_risk",
                     fmt::format("Account Health Rating fell to {} in {}", m.status,
                                 m.marketplace_id),
                     fmt::format("Account Health Rating status {} (was {}){}, report {}.", m.status,
                                 old->status,
                                 m.numerator ? fmt::format(", score {}", *m.numerator) : "",
                                 taken)});
            }
        }
        if (is_policy_violation(m.metric) && m.numerator && old && old->numerator &&
            *m.numerator > *old->numerator) {
            out.push_back(
                {"policy_violations",
                 fmt::format("policy_violations|{}|{}", m.marketplace_id, m.metric), "at_risk",
                 fmt::format("{} rose to {} in {}", m.metric, *m.numerator, m.marketplace_id),
                 fmt::format("Amazon counts {} {} (was {}) in {}, report {}.", *m.numerator,
                             m.metric, *old->numerator, m.marketplace_id, taken)});
        }
        if (m.rate && ours) {
            if (const auto our = ours(m.metric, m.marketplace_id, m.channel)) {
                if (std::abs(*our - *m.rate) > tolerance) {
                    out.push_back(
                        {"amazon_divergence",
                         fmt::format("amazon_divergence|{}|{}|{}", m.metric, m.marketplace_id,
                                     m.channel),
                         "at_risk",
                         fmt::format("{} {} {}: ours {} vs Amazon's {}", m.metric, m.marketplace_id,
                                     m.channel, percent(*our), percent(*m.rate)),
                         fmt::format("Our {} for {} {} is {}; Amazon's report ({}) says {}{}: "
                                     "they differ by more than the tolerance {}.",
                                     m.metric, m.marketplace_id, m.channel, percent(*our), taken,
                                     percent(*m.rate),
                                     m.numerator && m.denominator
                                         ? fmt::format(" ({} of {})", *m.numerator, *m.denominator)
                                         : "",
                                     percent(tolerance))});
                }
            }
        }
    }
    return out;
}

std::vector<signal> access_signals(const access_health& h, instant now) {
    std::vector<signal> out;
    if (h.auth_refused) {
        out.push_back(
            {"sp_api_auth", "sp_api_auth", "breached", "Amazon refused the SP-API credentials",
             fmt::format("Login with Amazon answered {}: re-authorise the app "
                         "(a new refresh token) or rotate the client secret; nothing "
                         "is fetched until then.",
                         h.auth_error.empty() ? "an authorisation error" : h.auth_error)});
    }
    if (h.client_secret_expires && now >= *h.client_secret_expires - days(14)) {
        const bool expired = now >= *h.client_secret_expires;
        out.push_back({"sp_api_secret_expiry", "sp_api_secret_expiry",
                       expired ? "breached" : "at_risk",
                       expired ? "The SP-API client secret has expired"
                               : "The SP-API client secret expires within 14 days",
                       fmt::format("The LWA client secret expires {} ({}): rotate it in Seller "
                                   "Central's developer console and update client_secret.",
                                   format_iso8601(*h.client_secret_expires).substr(0, 10),
                                   expired ? "already"
                                           : "in " + format_span(*h.client_secret_expires - now))});
    }
    for (const auto& s : h.sources) {
        const auto since = s.last_success_at ? s.last_success_at : s.first_attempt_at;
        if (!since || s.interval.count() <= 0)
            continue;
        if (now - *since <= 3 * s.interval)
            continue;
        const std::string where =
            s.marketplace_id.empty() ? s.source : s.source + " " + s.marketplace_id;
        out.push_back({"sp_api_source",
                       fmt::format("sp_api_source|{}|{}", s.source, s.marketplace_id), "at_risk",
                       fmt::format("SP-API source {} has not succeeded for {}", where,
                                   format_span(now - *since)),
                       fmt::format("{} last succeeded {} (every {} expected); see `seller-healthd "
                                   "status` for its last error.",
                                   where,
                                   s.last_success_at ? format_iso8601(*s.last_success_at)
                                                     : std::string("never"),
                                   format_duration(s.interval))});
    }
    return out;
}

}  // namespace shd::alerts
