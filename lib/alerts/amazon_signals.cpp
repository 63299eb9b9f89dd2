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

// A rate difference this small is rounding in Amazon's or our arithmetic
// (metrics/reconcile.cpp uses the same): 0.015 - 0.010 is not > 0.005.
constexpr double kRoundingSlack = 1e-12;

std::vector<signal> holding(std::vector<signal> all) {
    std::vector<signal> out;
    for (auto& s : all) {
        if (s.holds)
            out.push_back(std::move(s));
    }
    return out;
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

std::vector<signal> snapshot_observations(const ingest::account_health_snapshot* previous,
                                          const ingest::account_health_snapshot& current,
                                          const our_rate_lookup& ours, double tolerance) {
    std::vector<signal> out;
    const std::string taken =
        current.taken_at ? format_iso8601(*current.taken_at) : std::string("the latest snapshot");
    const auto values = [&] {
        signal_values v;
        v.taken_at = current.taken_at;
        return v;
    };
    for (const auto& s : current.statuses) {
        signal o;
        o.kind = "account_status";
        o.fingerprint = "account_status|" + s.marketplace_id;
        o.marketplace = s.marketplace_id;
        o.values = values();
        o.values.status = s.status;
        o.holds = s.status != "NORMAL";
        const bool gone = s.status == "DEACTIVATED" || s.status == "SUSPENDED";
        o.severity = gone ? "breached" : "at_risk";
        o.title = fmt::format("Amazon account status {} in {}", s.status, s.marketplace_id);
        o.notice = fmt::format(
            "Amazon's account-health report ({}) gives the account status {} for marketplace "
            "{}{}.",
            taken, s.status, s.marketplace_id, o.holds ? " (NORMAL expected)" : "");
        out.push_back(std::move(o));
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
        if (m.metric == "accountHealthRating" && ahr_rank(m.status)) {
            const auto now_rank = ahr_rank(m.status);
            const auto old_rank = old ? ahr_rank(old->status) : std::nullopt;
            signal o;
            o.kind = "ahr_status";
            o.fingerprint = "ahr_status|" + m.marketplace_id;
            o.marketplace = m.marketplace_id;
            o.values = values();
            o.values.subject = m.metric;
            o.values.status = m.status;
            o.values.count = m.numerator;
            if (old_rank) {
                o.values.previous_status = old->status;
                o.values.previous_count = old->numerator;
            }
            o.holds = old_rank && *now_rank > *old_rank;
            o.severity = *now_rank >= 3 ? "breached" : "at_risk";
            o.title = o.holds ? fmt::format("Account Health Rating fell to {} in {}", m.status,
                                            m.marketplace_id)
                              : fmt::format("Account Health Rating {} in {}", m.status,
                                            m.marketplace_id);
            o.notice = fmt::format("Account Health Rating status {}{}{}, report {}.", m.status,
                                   old_rank ? fmt::format(" (was {})", old->status) : "",
                                   m.numerator ? fmt::format(", score {}", *m.numerator) : "",
                                   taken);
            out.push_back(std::move(o));
        }
        if (is_policy_violation(m.metric) && m.numerator) {
            const bool known_before = old && old->numerator;
            signal o;
            o.kind = "policy_violations";
            o.fingerprint = fmt::format("policy_violations|{}|{}", m.marketplace_id, m.metric);
            o.marketplace = m.marketplace_id;
            o.values = values();
            o.values.subject = m.metric;
            o.values.status = m.status;
            o.values.count = m.numerator;
            if (known_before)
                o.values.previous_count = old->numerator;
            o.holds = known_before && *m.numerator > *old->numerator;
            o.severity = "at_risk";
            o.title = o.holds ? fmt::format("{} rose to {} in {}", m.metric, *m.numerator,
                                            m.marketplace_id)
                              : fmt::format("{} at {} in {}", m.metric, *m.numerator,
                                            m.marketplace_id);
            o.notice = fmt::format(
                "Amazon counts {} {}{} in {}, report {}.", *m.numerator, m.metric,
                known_before ? fmt::format(" (was {})", *old->numerator) : "", m.marketplace_id,
                taken);
            out.push_back(std::move(o));
        }
        if (m.rate && ours) {
            if (const auto our = ours(m.metric, m.marketplace_id, m.channel)) {
                signal o;
                o.kind = "amazon_divergence";
                o.fingerprint = fmt::format("amazon_divergence|{}|{}|{}", m.metric,
                                            m.marketplace_id, m.channel);
                o.marketplace = m.marketplace_id;
                o.channel = m.channel;
                o.values = values();
                o.values.subject = m.metric;
                o.values.status = m.status;
                o.values.our_rate = *our;
                o.values.amazon_rate = *m.rate;
                o.values.tolerance = tolerance;
                o.values.amazon_numerator = m.numerator;
                o.values.amazon_denominator = m.denominator;
                o.holds = std::abs(*our - *m.rate) > tolerance + kRoundingSlack;
                o.severity = "at_risk";
                o.title = fmt::format("{} {} {}: ours {} vs Amazon's {}", m.metric,
                                      m.marketplace_id, m.channel, percent(*our),
                                      percent(*m.rate));
                o.notice = fmt::format(
                    "Our {} for {} {} is {}; Amazon's report ({}) says {}{}: they differ by {} "
                    "the tolerance {}.",
                    m.metric, m.marketplace_id, m.channel, percent(*our), taken, percent(*m.rate),
                    m.numerator && m.denominator
                        ? fmt::format(" ({} of {})", *m.numerator, *m.denominator)
                        : "",
                    o.holds ? "more than" : "no more than", percent(tolerance));
                out.push_back(std::move(o));
            }
        }
    }
    return out;
}

std::vector<signal> snapshot_signals(const ingest::account_health_snapshot* previous,
                                     const ingest::account_health_snapshot& current,
                                     const our_rate_lookup& ours, double tolerance) {
    return holding(snapshot_observations(previous, current, ours, tolerance));
}

std::vector<signal> access_observations(const access_health& h, instant now) {
    std::vector<signal> out;
    {
        signal o;
        o.kind = "sp_api_auth";
        o.fingerprint = "sp_api_auth";
        o.severity = "breached";
        o.holds = h.auth_refused;
        o.values.status = h.auth_refused ? h.auth_error : std::string();
        if (h.auth_refused) {
            o.title = "Amazon refused the SP-API credentials";
            o.notice = fmt::format(
                "Login with Amazon answered {}: re-authorise the app (a new refresh token) or "
                "rotate the client secret; nothing is fetched until then.",
                h.auth_error.empty() ? "an authorisation error" : h.auth_error);
        } else {
            o.title = "Amazon accepts the SP-API credentials again";
            o.notice = "Login with Amazon granted an access token; fetching goes on.";
        }
        out.push_back(std::move(o));
    }
    if (h.client_secret_expires) {
        const bool expired = now >= *h.client_secret_expires;
        signal o;
        o.kind = "sp_api_secret_expiry";
        o.fingerprint = "sp_api_secret_expiry";
        o.holds = now >= *h.client_secret_expires - days(14);
        o.severity = expired ? "breached" : "at_risk";
        const std::string date = format_iso8601(*h.client_secret_expires).substr(0, 10);
        o.values.status = expired ? "expired" : "valid";
        o.title = expired    ? "The SP-API client secret has expired"
                  : o.holds ? "The SP-API client secret expires within 14 days"
                             : "The SP-API client secret is valid for more than 14 days";
        o.notice = o.holds
                       ? fmt::format(
                             "The LWA client secret expires {} ({}): rotate it in Seller "
                             "Central's developer console and update client_secret.",
                             date,
                             expired ? "already" : "in " + format_span(*h.client_secret_expires - now))
                       : fmt::format("The LWA client secret now expires {}.", date);
        out.push_back(std::move(o));
    }
    for (const auto& s : h.sources) {
        const auto since = s.last_success_at ? s.last_success_at : s.first_attempt_at;
        if (!since || s.interval.count() <= 0)
            continue;
        const std::string where =
            s.marketplace_id.empty() ? s.source : s.source + " " + s.marketplace_id;
        signal o;
        o.kind = "sp_api_source";
        o.fingerprint = fmt::format("sp_api_source|{}|{}", s.source, s.marketplace_id);
        o.marketplace = s.marketplace_id;
        o.severity = "at_risk";
        o.holds = now - *since > 3 * s.interval;
        o.values.subject = s.source;
        const std::string last =
            s.last_success_at ? format_iso8601(*s.last_success_at) : std::string("never");
        if (o.holds) {
            o.title = fmt::format("SP-API source {} has not succeeded for {}", where,
                                  format_span(now - *since));
            o.notice = fmt::format(
                "{} last succeeded {} (every {} expected); see `seller-healthd status` for its "
                "last error.",
                where, last, format_duration(s.interval));
        } else {
            o.title = fmt::format("SP-API source {} succeeds again", where);
            o.notice = fmt::format("{} last succeeded {} (every {} expected).", where, last,
                                   format_duration(s.interval));
        }
        out.push_back(std::move(o));
    }
    return out;
}

std::vector<signal> access_signals(const access_health& h, instant now) {
    return holding(access_observations(h, now));
}

std::string signal_advice(std::string_view kind) {
    if (kind == "account_status")
        return "Open Account Health in Seller Central now: read what Amazon asks for and answer "
               "with a plan of action before the deadline it names.";
    if (kind == "ahr_status")
        return "Open Account Health in Seller Central and resolve the policy issues it lists; "
               "each one lowers the rating.";
    if (kind == "policy_violations")
        return "Review the new violations in Seller Central's Account Health page and address or "
               "appeal each one.";
    if (kind == "amazon_divergence")
        return "Check that every feed is complete (shipments, defects, cancellations): Amazon "
               "judges by its number, not ours.";
    if (kind == "sp_api_auth")
        return "Authorise the app again in Seller Central (a new refresh token) or rotate the "
               "client secret, then update the credentials.";
    if (kind == "sp_api_secret_expiry")
        return "Rotate the LWA client secret in the developer console before it expires and "
               "update client_secret.";
    if (kind == "sp_api_source")
        return "Run `seller-healthd sp-api check` and `seller-healthd status` to see the error.";
    return {};
}

}  // namespace shd::alerts
