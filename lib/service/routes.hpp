// What the HTTP endpoint answers, as a pure function of the request, the
// loop's current snapshot and the time:
//   /healthz      200 while the last evaluation is recent, else 503; a second
//                 line names the inbox entries not read, if any;
//                 /healthz?format=json says the same as JSON
//   /metrics      Prometheus text (web/prometheus.hpp)
//   /api/status   the JSON of `status --json` (503 before the first evaluation)
//   /             the dashboard page (web/dashboard.hpp)
// Anything else is 404. Every answer is no-store, and the page may load
// nothing from anywhere (Content-Security-Policy), matching what it is.
#pragma once

#include <chrono>
#include <string>

#include "core/time.hpp"
#include "http/server.hpp"
#include "web/snapshot.hpp"

namespace shd::service {

// The last evaluation counts as recent for three poll intervals, and never
// less than five minutes: one slow cycle (a large import) is not an outage.
std::chrono::seconds health_max_age(std::chrono::seconds poll_interval);

struct health {
    bool healthy = false;
    std::string reason;  // "last evaluation 2026-12-06T10:00:00Z, 12 s ago"
};

health check_health(const web::snapshot& s, instant now, std::chrono::seconds poll_interval);

http::response route(const http::request& req, const web::snapshot& s, instant now,
                     std::chrono::seconds poll_interval);

}  // namespace shd::service
