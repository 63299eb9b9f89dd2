#include "service/spapi_poll.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <thread>

#include "spapi/client.hpp"
#include "spapi/settings.hpp"
#include "spapi/sync.hpp"

namespace shd::service {

spapi_poller::spapi_poller(store::database& db, const Clock& clock) : db_(db), clock_(clock) {}

spapi_poller::~spapi_poller() = default;

spapi_poller::poll_result spapi_poller::poll(const config::config& cfg) {
    if (!cfg.sp_api) {
        client_.reset();
        current_.reset();
        return {};
    }
    const spapi::client::sleeper sleep = [](std::chrono::milliseconds d) {
        std::this_thread::sleep_for(d);
    };
    if (!client_ || current_ != cfg.sp_api) {
        auto settings =
            spapi::make_client_settings(*cfg.sp_api, std::getenv("CREDENTIALS_DIRECTORY"));
        if (!settings) {
            spdlog::error("sp-api: {}", settings.error().text);
            return {.unusable = true};
        }
        client_ = std::make_unique<spapi::client>(std::move(*settings), clock_, sleep);
        current_ = cfg.sp_api;
    }
    spapi::sync_options options;
    options.report_give_up = std::chrono::seconds{0};  // never hold the cycle for a report
    spapi::syncer sync(db_, *client_, clock_, sleep, cfg, options);
    const auto results = sync.run_due();
    poll_result out{.fetched = static_cast<int>(results.size())};
    for (const auto& r : results) {
        if (r.auth_failed || !r.ok)
            ++out.failed;
        const std::string where =
            r.marketplace_id.empty() ? r.source : r.source + " " + r.marketplace_id;
        if (r.auth_failed) {
            spdlog::error(
                "sp-api {}: authorisation refused ({}): re-authorise the app or rotate "
                "the client secret",
                where, r.message);
        } else if (!r.ok) {
            spdlog::error("sp-api {}: {}", where, r.message);
        } else if (r.behind) {
            spdlog::warn("sp-api {}: {}", where, r.message);
        } else {
            spdlog::info("sp-api {}: {} requests, {} orders, {} records{}", where, r.requests,
                         r.orders, r.records, r.message.empty() ? "" : " (" + r.message + ")");
        }
    }
    return out;
}

}  // namespace shd::service
