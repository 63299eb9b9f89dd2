#include "service/routes.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "report/inbox_status.hpp"
#include "web/dashboard.hpp"
#include "web/prometheus.hpp"

namespace shd::service {
namespace {

http::response answer(int status, std::string content_type, std::string body) {
    http::response r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = std::move(body);
    r.headers = {{"Cache-Control", "no-store"},
                 {"X-Content-Type-Options", "nosniff"},
                 // The page's own policy, plus what only a header can say.
                 {"Content-Security-Policy",
                  std::string(web::kDashboardContentSecurityPolicy) + "; frame-ancestors 'none'"}};
    return r;
}

}  // namespace

std::chrono::seconds health_max_age(std::chrono::seconds poll_interval) {
    return std::max<std::chrono::seconds>(3 * poll_interval, std::chrono::minutes{5});
}

health check_health(const web::snapshot& s, instant now, std::chrono::seconds poll_interval) {
    if (!s.evaluation)
        return {false, "no evaluation yet"};
    const auto max_age = health_max_age(poll_interval);
    const auto age = now - s.evaluation->as_of;
    const std::string when = fmt::format("last evaluation {}, {} s ago",
                                         format_iso8601(s.evaluation->as_of), age.count());
    if (age > max_age)
        return {false, when + fmt::format(" (more than {} s)", max_age.count())};
    // Evaluating while the alert decisions cannot be written (a full disk, a
    // read-only database) would warn nobody: that is not healthy either.
    if (!s.alerts_decided_at || now - *s.alerts_decided_at > max_age) {
        return {false, when + "; alerts not decided " +
                           (s.alerts_decided_at
                                ? fmt::format("since {}", format_iso8601(*s.alerts_decided_at))
                                : std::string("yet")) +
                           " (see the log)"};
    }
    return {true, when};
}

http::response route(const http::request& req, const web::snapshot& s, instant now,
                     std::chrono::seconds poll_interval) {
    const std::string path = req.path();
    if (path == "/healthz") {
        const auto h = check_health(s, now, poll_interval);
        const int status = h.healthy ? 200 : 503;
        if (req.target.find("format=json") != std::string::npos) {
            return answer(status, "application/json",
                          report::health_json(h.healthy, h.reason, s.inbox_unreadable) + "\n");
        }
        // Inbox entries that are not read do not make the daemon unhealthy
        // (everything else is imported), but a monitor sees them.
        std::string body = (h.healthy ? "ok: " : "unhealthy: ") + h.reason + "\n";
        if (!s.inbox_unreadable.empty()) {
            body += fmt::format("inbox: {} not read:", s.inbox_unreadable.size());
            for (const auto& f : s.inbox_unreadable)
                body += " " + f.name;
            body += "\n";
        }
        return answer(status, "text/plain; charset=utf-8", std::move(body));
    }
    if (path == "/metrics") {
        return answer(200, std::string(web::kPrometheusContentType),
                      web::render_prometheus(s, now));
    }
    if (path == "/api/status") {
        if (!s.evaluation)
            return answer(503, "application/json", "{\"error\": \"no evaluation yet\"}\n");
        return answer(200, "application/json", s.status_json + "\n");
    }
    if (path == "/" || path == "/index.html") {
        return answer(200, std::string(web::kDashboardContentType), web::render_dashboard(s, now));
    }
    return answer(404, "text/plain; charset=utf-8", "not found\n");
}

}  // namespace shd::service
