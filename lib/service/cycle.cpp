#include "service/cycle.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <set>

#include "alerts/words.hpp"
#include "core/marketplaces.hpp"
#include "ingest/store_writer.hpp"
#include "metrics/engine.hpp"
#include "metrics/history.hpp"

namespace shd::service {
namespace {

constexpr std::chrono::seconds kHistoryEvery{3600};

int severity_rank(metrics::metric_status s) {
    switch (s) {
        case metrics::metric_status::breached:
            return 2;
        case metrics::metric_status::at_risk:
            return 1;
        default:
            return 0;
    }
}

std::string status_words(metrics::metric_status s) {
    return s == metrics::metric_status::breached ? "breached" : "at risk";
}

}  // namespace

bool should_store_history(std::optional<instant> last_stored, instant now, bool imported) {
    if (imported || !last_stored)
        return true;
    return now - *last_stored >= kHistoryEvery || now < *last_stored;
}

std::string summarize(const metrics::evaluation& e) {
    std::vector<const metrics::metric_result*> bad;
    for (const auto& r : e.metrics) {
        if (severity_rank(r.status) > 0)
            bad.push_back(&r);
    }
    if (bad.empty())
        return e.metrics.empty() ? "no data yet" : "all metrics ok";
    std::stable_sort(bad.begin(), bad.end(), [](auto* a, auto* b) {
        return severity_rank(a->status) > severity_rank(b->status);
    });
    std::string line;
    const std::size_t shown = std::min<std::size_t>(bad.size(), 3);
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& r = *bad[i];
        if (!line.empty())
            line += "; ";
        line += fmt::format("{}: {} {}d {} {:.1f}%{}", marketplace_code(r.marketplace_id),
                            definition(r.metric).short_title, r.window_days, status_words(r.status),
                            r.rate.value_or(0) * 100, r.stale ? " (stale)" : "");
    }
    if (bad.size() > shown)
        line += fmt::format(" (+{} more)", bad.size() - shown);
    return line;
}

result<prune_counts, error_message> prune_old_rows(store::database& db, instant now) {
    try {
        SQLite::Transaction tx(db.handle(), SQLite::TransactionBehavior::IMMEDIATE);
        prune_counts counts;
        auto run = [&](const char* sql, std::chrono::seconds keep) {
            SQLite::Statement s(db.handle(), sql);
            s.bind(1, static_cast<std::int64_t>(to_unix(now - keep)));
            return static_cast<long long>(s.exec());
        };
        counts.metric_results =
            run("DELETE FROM metric_results WHERE evaluated_at < ?1", kHistoryRetention);
        counts.alert_history =
            run("DELETE FROM alert_history WHERE resolved_at < ?1", kHistoryRetention);
        counts.outbox =
            run("DELETE FROM outbox WHERE (delivered_at IS NOT NULL AND delivered_at < ?1)"
                " OR (dead_at IS NOT NULL AND dead_at < ?1)",
                kOutboxRetention);
        tx.commit();
        return counts;
    } catch (const SQLite::Exception& e) {
        return error_message{std::string("pruning old rows failed: ") + e.what()};
    }
}

void log_cycle(const cycle_report& r) {
    if (r.stopped) {
        spdlog::info(
            "cycle stopped: {} imported; {} file(s) left in the inbox for the next start; "
            "nothing evaluated",
            r.inbox.imported, r.inbox.waiting);
        return;
    }
    // At info only when something happened: a poll every minute must not
    // fill the journal; at debug, every cycle.
    const bool alerts_changed =
        r.alerts && (!r.alerts->changes.empty() || r.alerts->outbox_rows > 0);
    const bool eventful =
        r.inbox.imported + r.inbox.rejected + r.inbox.already_imported > 0 || alerts_changed ||
        (r.mailbox && r.mailbox->buyer_messages + r.mailbox->replies + r.mailbox->skipped > 0);
    if (r.mailbox)
        spdlog::log(eventful ? spdlog::level::info : spdlog::level::debug, "{}",
                    mailbox::describe(*r.mailbox));
    spdlog::log(eventful ? spdlog::level::info : spdlog::level::debug,
                "cycle: {} imported, {} already imported, {} rejected; {}{}", r.inbox.imported,
                r.inbox.already_imported, r.inbox.rejected, r.status_line,
                r.alerts && r.alerts->outbox_rows > 0
                    ? fmt::format("; {} notification(s) queued", r.alerts->outbox_rows)
                    : std::string());
}

void log_delivery(const result<delivery::dispatch_summary, error_message>& delivered) {
    if (!delivered) {
        spdlog::error("delivery: {}", delivered.error().text);
    } else if (delivered->delivered + delivered->retried + delivered->dead > 0) {
        spdlog::info("delivery: {} delivered, {} to retry, {} given up", delivered->delivered,
                     delivered->retried, delivered->dead);
    }
}

cycle_runner::cycle_runner(store::database& db, ingest::inbox& box, ingest::importer& importer,
                           cycle_time time)
    : db_(db), inbox_(box), importer_(importer), time_(time) {}

void cycle_runner::repair_future_arrivals(instant now) {
    if (time_ != cycle_time::clock)
        return;
    try {
        for (const auto& feed : ingest::repair_future_feed_arrivals(db_.handle(), now)) {
            if (warned_future_.insert("feed " + feed).second)
                spdlog::error(
                    "feed {} was recorded as arriving in the future (the clock was ahead when it "
                    "was imported); treated as arriving now ({}), so it can go stale again",
                    feed, format_iso8601(now));
        }
    } catch (const SQLite::Exception& e) {
        // The next cycle tries again; the evaluation goes on with what is stored.
        spdlog::warn("could not repair feed arrival times: {}", e.what());
    }
}

void cycle_runner::log_held(const std::vector<alerts::held_alert>& held) {
    std::set<std::string> now_held;
    for (const auto& h : held) {
        now_held.insert(h.fingerprint);
        spdlog::log(held_.contains(h.fingerprint) ? spdlog::level::debug : spdlog::level::info,
                    "alert held (stale data): {}: {}", h.title, h.reason);
    }
    for (const auto& fingerprint : held_) {
        if (!now_held.contains(fingerprint))
            spdlog::info("alert no longer held: {}", fingerprint);
    }
    held_ = std::move(now_held);
}

cycle_report cycle_runner::run(const config::config& cfg, instant now,
                               const std::function<bool()>& should_stop) {
    cycle_report report;
    importer_.set_default_marketplace(cfg.default_marketplace);
    importer_.set_account_marketplace(cfg.marketplace);
    report.inbox = ingest::process_inbox(inbox_, importer_, should_stop);
    if (report.inbox.failed > 0)
        report.failed = true;
    if (cfg.mailbox.enabled() && !(should_stop && should_stop()) &&
        (!last_mailbox_poll_ || now - *last_mailbox_poll_ >= cfg.mailbox.poll_interval ||
         now < *last_mailbox_poll_)) {
        auto polled = mailbox::poll_mailbox(db_.handle(), cfg.mailbox, now,
                                            std::getenv("CREDENTIALS_DIRECTORY"));
        last_mailbox_poll_ = now;
        if (!polled) {
            spdlog::error("mailbox: {}", polled.error().text);
            report.failed = true;
        } else {
            report.mailbox = *polled;
            if (polled->failed())
                report.failed = true;
        }
    }
    // Stopping part-way through the files: evaluating now would see orders
    // without the shipments or defects that came with them, and could
    // resolve or fire an alert on half the data. The next start does it.
    if (should_stop && should_stop()) {
        report.stopped = true;
        return report;
    }

    repair_future_arrivals(now);
    auto evaluated = metrics::evaluate(db_, cfg, now);
    if (!evaluated) {
        spdlog::error("evaluation failed: {}", evaluated.error().text);
        report.failed = true;
        return report;
    }
    report.evaluated = true;
    report.status_line = summarize(*evaluated);

    if (should_store_history(last_history_, now, report.inbox.imported > 0)) {
        auto stored = metrics::store_results(db_, *evaluated);
        if (stored) {
            report.history_rows = *stored;
            last_history_ = now;
        } else {
            // History is for charts; alerting goes on without it.
            spdlog::warn("could not keep metric history: {}", stored.error().text);
        }
    }

    if (!last_prune_ || now - *last_prune_ >= std::chrono::hours(24) || now < *last_prune_) {
        auto pruned = prune_old_rows(db_, now);
        if (pruned) {
            last_prune_ = now;
            if (pruned->metric_results + pruned->outbox + pruned->alert_history > 0) {
                spdlog::info("pruned {} history rows, {} finished notifications, {} old episodes",
                             pruned->metric_results, pruned->outbox, pruned->alert_history);
            }
        } else {
            spdlog::warn("{}", pruned.error().text);
        }
    }

    auto decided = alerts::process_cycle(db_, cfg, *evaluated, now);
    report.evaluation = std::move(*evaluated);
    if (!decided) {
        spdlog::error("alert evaluation failed: {}", decided.error().text);
        report.failed = true;
        return report;
    }
    for (const auto& change : decided->changes) {
        // A breach or a missed deadline shows under `journalctl -p warning`.
        spdlog::log(
            alerts::journal_priority(change) <= 4 ? spdlog::level::warn : spdlog::level::info, "{}",
            alerts::journal_line(change));
    }
    // Each cycle decides a kept-back notice again (it stays owed): at
    // debug, so a long silence does not fill the journal.
    for (const auto& k : decided->kept_back) {
        if (k.silence_id)
            spdlog::debug("alert silenced by silence {}: {}", *k.silence_id, k.change.title);
        else
            spdlog::debug("alert acknowledged, repeat not sent: {}", k.change.title);
    }
    log_held(decided->held);
    for (const auto& fingerprint : decided->future_times) {
        if (warned_future_.insert(fingerprint).second)
            spdlog::error(
                "alert {} had times stored in the future (the clock was ahead when "
                "they were written); treated as now ({})",
                fingerprint, format_iso8601(now));
    }
    report.alerts = std::move(*decided);
    return report;
}

}  // namespace shd::service
