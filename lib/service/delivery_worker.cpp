#include "service/delivery_worker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

namespace shd::service {
namespace {

// Even with nothing due the worker looks again now and then, so a row written
// by another process (or a clock jump) is not stranded.
constexpr std::chrono::seconds kLongestSleep{60};

}  // namespace

result<delivery::dispatch_summary, error_message> deliver_all_due(delivery::dispatcher& d,
                                                                  store::database& db,
                                                                  const config::config& cfg,
                                                                  instant now) {
    delivery::dispatch_summary total;
    // Each pass is bounded (max_sends); a pass that made no progress ends it.
    for (int pass = 0; pass < 100; ++pass) {
        auto r = d.deliver_due(db, cfg, now);
        if (!r) return r.error();
        total.delivered += r->delivered;
        total.retried += r->retried;
        total.dead += r->dead;
        total.orphaned = r->orphaned;
        total.next_due = r->next_due;
        const bool progressed = r->delivered + r->retried + r->dead > 0;
        if (!progressed || !r->next_due || *r->next_due > now) break;
    }
    return total;
}

delivery_worker::delivery_worker(std::filesystem::path database, const Clock& clock,
                                 std::shared_ptr<const config::config> cfg)
    : database_(std::move(database)), clock_(clock), cfg_(std::move(cfg)) {}

delivery_worker::~delivery_worker() { stop(); }

void delivery_worker::start() { thread_ = std::thread([this] { loop(); }); }

void delivery_worker::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    cv_.notify_one();
}

void delivery_worker::set_config(std::shared_ptr<const config::config> cfg) {
    {
        std::lock_guard lock(mutex_);
        cfg_ = std::move(cfg);
        woken_ = true;
    }
    cv_.notify_one();
}

void delivery_worker::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void delivery_worker::loop() {
    std::optional<store::database> db;
    delivery::dispatcher dispatcher;
    for (;;) {
        std::shared_ptr<const config::config> cfg;
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            woken_ = false;
            cfg = cfg_;
        }
        const instant now = clock_.now();
        std::chrono::seconds sleep = kLongestSleep;
        if (!db) {
            // Busy (a long import holds the write lock) or briefly unavailable:
            // try again rather than leave the outbox unsent for good.
            auto opened = store::database::open(database_);
            if (opened) {
                db.emplace(std::move(*opened));
            } else {
                spdlog::error("delivery: cannot open the database, will retry: {}",
                              opened.error().text);
                sleep = std::chrono::seconds{10};
            }
        }
        result<delivery::dispatch_summary, error_message> summary =
            error_message{"database not open"};
        if (db) {
            try {
                summary = deliver_all_due(dispatcher, *db, *cfg, now);
            } catch (const std::exception& e) {
                // A sender that throws is a bug, but it must not end delivery.
                summary = error_message{std::string("unexpected error: ") + e.what()};
            }
        }
        if (!db) {
            // already logged
        } else if (!summary) {
            spdlog::error("delivery: {}", summary.error().text);
        } else if (summary->next_due) {
            sleep = std::clamp<std::chrono::seconds>(*summary->next_due - now,
                                                     std::chrono::seconds{1}, kLongestSleep);
        }
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, sleep, [this] { return stopping_ || woken_; });
    }
}

}  // namespace shd::service
