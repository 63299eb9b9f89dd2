#include "service/delivery.hpp"

namespace shd::service {

result<delivery::dispatch_summary, error_message> deliver_all_due(delivery::dispatcher& d,
                                                                  store::database& db,
                                                                  const config::config& cfg,
                                                                  const Clock& clock) {
    delivery::dispatch_summary total;
    // Each pass is bounded (max_sends); a pass that made no progress ends it.
    for (int pass = 0; pass < 100; ++pass) {
        auto r = d.deliver_due(db, cfg, clock);
        if (!r)
            return r.error();
        total.delivered += r->delivered;
        total.retried += r->retried;
        total.dead += r->dead;
        total.orphaned = r->orphaned;
        total.superseded += r->superseded;
        total.recovered += r->recovered;
        total.kept = r->kept;
        total.attempts.insert(total.attempts.end(), r->attempts.begin(), r->attempts.end());
        total.next_due = r->next_due;
        const bool progressed =
            r->delivered + r->retried + r->dead + r->superseded + r->recovered > 0;
        if (!progressed || !r->next_due || *r->next_due > clock.now())
            break;
    }
    return total;
}

}  // namespace shd::service
