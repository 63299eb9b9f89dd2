// Delivery on its own thread: a dispatcher with its own database connection
// drains the outbox, sleeping until the next row is due, a wake() from the
// cycle (new rows), or stop(). Sends block for at most a channel's timeout,
// so imports and evaluation never wait for a receiver.
//
// The configuration can be swapped while it runs (reload); the next pass uses
// the new one.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "delivery/dispatcher.hpp"
#include "store/database.hpp"

namespace shd::service {

// Delivers every row due as of `now`, pass after pass, until nothing more is
// due now (rows waiting for a backoff or quiet hours stay for later). Used by
// `run --once` and by the worker.
result<delivery::dispatch_summary, error_message> deliver_all_due(delivery::dispatcher& d,
                                                                  store::database& db,
                                                                  const config::config& cfg,
                                                                  instant now);

class delivery_worker {
public:
    delivery_worker(std::filesystem::path database, const Clock& clock,
                    std::shared_ptr<const config::config> cfg);
    ~delivery_worker();
    delivery_worker(const delivery_worker&) = delete;
    delivery_worker& operator=(const delivery_worker&) = delete;

    // Starts the thread. Block the signals the main loop handles before
    // calling it: the thread inherits the mask.
    void start();
    void wake();
    void set_config(std::shared_ptr<const config::config> cfg);
    // Finishes the send in flight (bounded by the channel timeout) and joins.
    void stop();

private:
    void loop();

    std::filesystem::path database_;
    const Clock& clock_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::shared_ptr<const config::config> cfg_;
    bool stopping_ = false;
    bool woken_ = false;
    std::thread thread_;
};

}  // namespace shd::service
