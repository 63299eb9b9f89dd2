// `run`'s SP-API lane, inside the cycle: before each cycle the sources whose
// schedule says they are due are fetched (spapi/sync.hpp) and what happened
// is logged, a backlog and a failed authorisation loudly. The client is made
// from the configuration's sp_api section and made again when a reload
// changes it; without the section nothing is fetched. A report that is not
// final is not waited for: it is polled again at the next cycle.
#pragma once

#include <memory>
#include <optional>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "store/database.hpp"

namespace shd::spapi {
class client;
}

namespace shd::service {

class spapi_poller {
  public:
    spapi_poller(store::database& db, const Clock& clock);
    ~spapi_poller();
    spapi_poller(const spapi_poller&) = delete;
    spapi_poller& operator=(const spapi_poller&) = delete;

    struct poll_result {
        int fetched = 0;        // sources that ran
        int failed = 0;         // of those, failed (authorisation refused included)
        bool unusable = false;  // the client could not be made (a credential unreadable)
        bool ok() const { return failed == 0 && !unusable; }
    };
    // Runs on the cycle lane.
    poll_result poll(const config::config& cfg);

  private:
    store::database& db_;
    const Clock& clock_;
    std::optional<config::sp_api_config> current_;
    std::unique_ptr<spapi::client> client_;
};

}  // namespace shd::service
