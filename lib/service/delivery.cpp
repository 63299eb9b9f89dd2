#include "service/delivery.hpp"

namespace shd::service {

result<delivery::dispatch_summary, error_message> deliver_all_due(delivery::dispatcher& d,
                                                                  store::database& db,
                                                                  const config::config& cfg,
                                                                  instant now) {
    delivery::dispatch_summary total;
    // Each pass is bounded (max_sends); a pass that made no progress ends it.
    for (int pass = 0; pass < 100; ++pass) {
        auto r = d.deliver_due(db, cfg, now);
        if (!r)
            return r.error();
        total.delivered += r->delivered;
        total.retried += r->retried;
        total.dead += r->dead;
        total.orphaned = r->orphaned;
        total.next_due = r->next_due;
        const bool progressed = r->delivered + r->retried + r->dead > 0;
        if (!progressed || !r->next_due || *r->next_due > now)
            break;
    }
    return total;
}

}  // namespace shd::service
