// `test-alert [--channel NAME]`: sends one test notification straight to each
// configured channel (or the one named) and prints one line per channel,
// "NAME: delivered" or "NAME: failed: reason". Exit 0 when all were
// delivered, 1 when any failed or no channel is configured, 2 for a bad
// config or an unknown channel name. The outbox is not touched: a test
// neither waits behind real alerts nor is retried. With --json the result
// is one document instead (docs/cli.md): channels[] with name, type, result
// (delivered, retry, rejected) and detail; delivered and failed counts.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "alerts/words.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "core/marketplaces.hpp"
#include "delivery/retry_policy.hpp"
#include "delivery/sender.hpp"

namespace shd::cli {
namespace {

// A sample alert shaped like a real one (an at-risk late dispatch rate), so
// every channel shows what a real notification will look like.
alerts::notification test_notification(const config::config& cfg, instant now) {
    const metric_key key = metric_key::late_dispatch_rate;
    const auto& metric = definition(key);
    const auto& thresholds = cfg.thresholds(key, cfg.default_marketplace);
    const int window = thresholds.windows.empty() ? 10 : thresholds.windows.front();

    alerts::alert_change a;
    a.kind = "metric";
    a.fingerprint = fmt::format("test|{}|{}|MFN|{}", metric.name, cfg.default_marketplace, window);
    a.metric = std::string(metric.name);
    a.marketplace = cfg.default_marketplace;
    a.channel = "MFN";
    a.window_days = window;
    a.state = "firing";
    a.severity = "at_risk";
    a.warn = thresholds.warn;
    a.target = thresholds.target;
    a.denominator = 200;
    // A count between warn and target, so the sample reads "at risk".
    a.numerator = static_cast<long long>((thresholds.warn + thresholds.target) / 2 * 200);
    a.rate = static_cast<double>(a.numerator) / 200;
    a.headroom =
        std::max<long long>(0, static_cast<long long>(thresholds.target * 200) - a.numerator - 1);
    a.since = now;
    a.title = fmt::format("[TEST] {} {} (sample, {}, {} days)", metric.title,
                          alerts::format_percent(*a.rate),
                          marketplace_code(cfg.default_marketplace), window);
    a.headroom_text = "This is a sample alert: your numbers are not affected.";
    a.advice = "No action needed: seller-healthd test-alert checks that notifications arrive.";

    alerts::notification n;
    std::random_device random;
    n.idempotency_key = fmt::format("test-{}-{:08x}", to_unix(now), random());
    n.account = cfg.account;
    n.created_at = now;
    n.is_test = true;
    n.alerts.push_back(std::move(a));
    return n;
}

}  // namespace

int test_alert(const global_options& g, const std::optional<std::string>& channel_name,
               bool as_json) {
    auto cfg = load_config_or_report(g.config_path);
    if (!cfg)
        return kExitUsage;
    setup_logging(cfg->log_level);

    std::vector<const config::alert_channel*> targets;
    for (const auto& c : cfg->alerts.channels) {
        if (!channel_name || c.name == *channel_name)
            targets.push_back(&c);
    }
    if (channel_name && targets.empty()) {
        std::cerr << "seller-healthd: no channel named '" << *channel_name
                  << "' in the configuration\n";
        return kExitUsage;
    }
    if (targets.empty()) {
        std::cerr << "seller-healthd: no alert channels are configured (alerts.channels)\n";
        return kExitFailure;
    }

    SystemClock clock;
    const auto notification = test_notification(*cfg, clock.now());
    bool all_delivered = true;
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    int delivered = 0;
    for (const auto* channel : targets) {
        auto sender = delivery::make_sender(channel->type);
        std::string result;
        std::string detail;
        if (!sender) {
            result = "rejected";
            detail = "no sender for type " + channel->type;
        } else {
            const auto outcome = sender->send(*channel, notification, clock.now());
            detail = outcome.detail;
            switch (outcome.result) {
                case delivery::send_outcome::kind::delivered:
                    result = "delivered";
                    break;
                case delivery::send_outcome::kind::retry:
                    result = "retry";
                    break;
                case delivery::send_outcome::kind::rejected:
                    result = "rejected";
                    break;
            }
        }
        if (result == "delivered")
            ++delivered;
        else
            all_delivered = false;
        if (as_json) {
            results.push_back({{"name", channel->name},
                               {"type", channel->type},
                               {"result", result},
                               {"detail", detail},
                               {"explanation", delivery::explain_failure(detail)}});
        } else {
            // Words a seller can act on first, the technical detail after.
            const std::string explained = delivery::explain_failure(detail);
            const std::string failure =
                explained.empty() ? detail : fmt::format("{} ({})", explained, detail);
            std::cout << channel->name << ": "
                      << (result == "delivered" ? std::string("delivered") : "failed: " + failure)
                      << std::endl;
        }
    }
    if (as_json) {
        const nlohmann::ordered_json doc{{"channels", std::move(results)},
                                         {"delivered", delivered},
                                         {"failed", static_cast<int>(targets.size()) - delivered}};
        std::cout << doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                  << std::endl;
    }
    return all_delivered ? kExitOk : kExitFailure;
}

}  // namespace shd::cli
