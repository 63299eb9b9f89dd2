#include "delivery/dispatcher.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <vector>

namespace shd::delivery {
namespace {

struct pending_row {
    std::int64_t id = 0;
    std::string channel_name;
    std::string idempotency_key;
    instant created_at;
    instant not_before;
    int attempts = 0;
    std::string last_error;
};

const config::alert_channel* find_channel(const config::config& cfg, const std::string& name) {
    for (const auto& c : cfg.alerts.channels)
        if (c.name == name)
            return &c;
    return nullptr;
}

pending_row read_row(SQLite::Statement& q) {
    pending_row r;
    r.id = q.getColumn(0).getInt64();
    r.channel_name = q.getColumn(1).getString();
    r.idempotency_key = q.getColumn(2).getString();
    r.created_at = from_unix(q.getColumn(3).getInt64());
    r.not_before = from_unix(q.getColumn(4).getInt64());
    r.attempts = q.getColumn(5).getInt();
    r.last_error = q.getColumn(6).isNull() ? std::string{} : q.getColumn(6).getString();
    return r;
}

// The outbox's SQL, prepared once per call.
class outbox_table {
  public:
    explicit outbox_table(SQLite::Database& db) : db_(db) {}

    // Every pending row, oldest first, without payloads (they are read one
    // at a time, when sent).
    std::vector<pending_row> pending() {
        SQLite::Statement q(db_,
                            "SELECT id, channel_name, idempotency_key, created_at, not_before,"
                            " attempts, last_error FROM outbox"
                            " WHERE delivered_at IS NULL AND dead_at IS NULL ORDER BY id");
        std::vector<pending_row> rows;
        while (q.executeStep())
            rows.push_back(read_row(q));
        return rows;
    }

    std::optional<std::string> payload(std::int64_t id) {
        SQLite::Statement q(db_, "SELECT payload FROM outbox WHERE id = ?1");
        q.bind(1, id);
        if (!q.executeStep())
            return std::nullopt;
        return q.getColumn(0).getString();
    }

    std::optional<instant> last_delivered(const std::string& channel) {
        SQLite::Statement q(db_, "SELECT MAX(delivered_at) FROM outbox WHERE channel_name = ?1");
        q.bind(1, channel);
        if (!q.executeStep() || q.getColumn(0).isNull())
            return std::nullopt;
        return from_unix(q.getColumn(0).getInt64());
    }

    // True when this dispatcher now owns the attempt.
    bool claim(std::int64_t id, instant now, instant lease_until) {
        SQLite::Statement q(
            db_,
            "UPDATE outbox SET not_before = ?1 WHERE id = ?2 AND delivered_at IS NULL"
            " AND dead_at IS NULL AND not_before <= ?3");
        q.bind(1, static_cast<std::int64_t>(to_unix(lease_until)));
        q.bind(2, id);
        q.bind(3, static_cast<std::int64_t>(to_unix(now)));
        return q.exec() == 1;
    }

    void mark_delivered(std::int64_t id, instant now) {
        SQLite::Statement q(
            db_, "UPDATE outbox SET delivered_at = ?1, attempts = attempts + 1 WHERE id = ?2");
        q.bind(1, static_cast<std::int64_t>(to_unix(now)));
        q.bind(2, id);
        q.exec();
    }

    void mark_retry(std::int64_t id, const std::string& error, instant next) {
        SQLite::Statement q(db_,
                            "UPDATE outbox SET attempts = attempts + 1, last_error = ?1,"
                            " not_before = ?2 WHERE id = ?3");
        q.bind(1, error);
        q.bind(2, static_cast<std::int64_t>(to_unix(next)));
        q.bind(3, id);
        q.exec();
    }

    void mark_dead(std::int64_t id, instant now, const std::optional<std::string>& error,
                   bool count_attempt) {
        SQLite::Statement q(
            db_, count_attempt
                     ? "UPDATE outbox SET dead_at = ?1, last_error = COALESCE(?2, last_error),"
                       " attempts = attempts + 1 WHERE id = ?3"
                     : "UPDATE outbox SET dead_at = ?1, last_error = COALESCE(?2, last_error)"
                       " WHERE id = ?3");
        q.bind(1, static_cast<std::int64_t>(to_unix(now)));
        if (error)
            q.bind(2, *error);
        else
            q.bind(2);
        q.bind(3, id);
        q.exec();
    }

  private:
    SQLite::Database& db_;
};

// Per channel, the oldest row waiting out a failed attempt. Newer rows of the
// channel stay behind it, so a channel receives messages in the order they
// were written even across failures (a PagerDuty resolve never overtakes its
// trigger). Older rows held for another reason (quiet hours) do not wait.
struct blocker {
    std::int64_t id = 0;
    instant until;
};

std::map<std::string, blocker> backing_off(const std::vector<pending_row>& rows, instant now) {
    std::map<std::string, blocker> out;
    for (const auto& r : rows) {
        if (r.attempts > 0 && r.not_before > now)
            out.emplace(r.channel_name, blocker{r.id, r.not_before});
    }
    return out;
}

}  // namespace

dispatcher::dispatcher(dispatch_options options) : options_(std::move(options)) {
    random_.seed(options_.seed ? *options_.seed : std::random_device{}());
    if (!options_.sender_factory)
        options_.sender_factory = make_sender;
}

dispatcher::~dispatcher() = default;

sender* dispatcher::sender_for(const std::string& channel_type) {
    auto it = senders_.find(channel_type);
    if (it == senders_.end())
        it = senders_.emplace(channel_type, options_.sender_factory(channel_type)).first;
    return it->second.get();
}

double dispatcher::draw() {
    return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
}

result<dispatch_summary, error_message> dispatcher::deliver_due(store::database& db,
                                                                const config::config& cfg,
                                                                instant now) {
    dispatch_summary summary;
    try {
        outbox_table outbox(db.handle());
        const auto max_age = cfg.alerts.max_delivery_age;

        // 1. Too old to be worth sending.
        std::vector<pending_row> live;
        for (auto& row : outbox.pending()) {
            if (row.created_at + max_age > now || find_channel(cfg, row.channel_name) == nullptr) {
                live.push_back(std::move(row));
                continue;
            }
            outbox.mark_dead(row.id, now, std::nullopt, false);
            ++summary.dead;
            spdlog::error(
                "gave up delivering notification {} to channel {} after {} attempt(s) over {} "
                "(max_delivery_age): {}; kept as a dead letter",
                row.idempotency_key, row.channel_name, row.attempts,
                format_duration(now - row.created_at),
                row.last_error.empty() ? "never attempted" : row.last_error);
        }

        // 2. Due rows, oldest first.
        const auto blockers = backing_off(live, now);
        std::set<std::string> done_for_now;  // channels not to try again in this call
        std::size_t sends = 0;
        bool budget_exhausted = false;
        for (const auto& row : live) {
            if (row.not_before > now)
                continue;
            const auto* channel = find_channel(cfg, row.channel_name);
            if (channel == nullptr) {
                ++summary.orphaned;
                if (warned_channels_.insert(row.channel_name).second) {
                    spdlog::warn(
                        "the outbox holds notifications for channel {}, which is not in the "
                        "configuration; they stay until it is",
                        row.channel_name);
                }
                continue;
            }
            if (done_for_now.contains(channel->name))
                continue;
            if (const auto b = blockers.find(channel->name);
                b != blockers.end() && row.id > b->second.id)
                continue;
            if (const auto spacing = min_spacing(channel->type); spacing.count() > 0) {
                const auto last = outbox.last_delivered(channel->name);
                if (last && now < *last + spacing) {
                    done_for_now.insert(channel->name);
                    continue;
                }
            }
            sender* channel_sender = sender_for(channel->type);
            if (channel_sender == nullptr) {
                if (warned_channels_.insert(channel->name).second)
                    spdlog::error("channel {} has type {}, which has no sender", channel->name,
                                  channel->type);
                continue;
            }
            if (sends >= options_.max_sends || (options_.should_stop && options_.should_stop())) {
                budget_exhausted = true;
                break;
            }

            const auto payload = outbox.payload(row.id);
            if (!payload)
                continue;  // gone meanwhile
            auto notification = alerts::notification_from_json(*payload);
            if (!notification) {
                const std::string reason = "unreadable payload: " + notification.error().text;
                outbox.mark_dead(row.id, now, reason, false);
                ++summary.dead;
                spdlog::error("notification {} for channel {}: {}; kept as a dead letter",
                              row.idempotency_key, channel->name, reason);
                continue;
            }

            // Long enough for every request of this send to time out.
            const auto requests = static_cast<long long>(2 * notification->alerts.size() + 1);
            const instant lease = now + channel->timeout * requests + std::chrono::seconds{60};
            if (!outbox.claim(row.id, now, lease))
                continue;  // another dispatcher has it

            ++sends;
            const auto outcome = channel_sender->send(*channel, *notification, now);
            const int attempt = row.attempts + 1;
            switch (outcome.result) {
                case send_outcome::kind::delivered:
                    outbox.mark_delivered(row.id, now);
                    ++summary.delivered;
                    spdlog::info("delivered notification {} to channel {} ({})",
                                 row.idempotency_key, channel->name, outcome.detail);
                    if (min_spacing(channel->type).count() > 0)
                        done_for_now.insert(channel->name);
                    break;
                case send_outcome::kind::retry: {
                    const instant next =
                        next_attempt_at(options_.policy, attempt, now, outcome.retry_after, draw());
                    outbox.mark_retry(row.id, outcome.detail, next);
                    done_for_now.insert(channel->name);
                    ++summary.retried;
                    spdlog::warn(
                        "delivery of notification {} to channel {} failed (attempt {}): "
                        "{}; next attempt at {}",
                        row.idempotency_key, channel->name, attempt, outcome.detail,
                        format_iso8601(next));
                    break;
                }
                case send_outcome::kind::rejected:
                    outbox.mark_dead(row.id, now, outcome.detail, true);
                    ++summary.dead;
                    spdlog::error(
                        "channel {} rejected notification {}: {}; not retried, kept as a "
                        "dead letter",
                        channel->name, row.idempotency_key, outcome.detail);
                    break;
            }
        }

        // 3. When to come back: the same rules, applied to the table as it is now.
        if (budget_exhausted) {
            summary.next_due = now;
        } else {
            const auto after = outbox.pending();
            const auto after_blockers = backing_off(after, now);
            std::map<std::string, std::optional<instant>> last_delivered;
            for (const auto& row : after) {
                const auto* channel = find_channel(cfg, row.channel_name);
                if (channel == nullptr || sender_for(channel->type) == nullptr)
                    continue;
                instant due = row.not_before;
                if (const auto b = after_blockers.find(channel->name);
                    b != after_blockers.end() && row.id > b->second.id)
                    due = std::max(due, b->second.until);
                if (const auto spacing = min_spacing(channel->type); spacing.count() > 0) {
                    auto cached = last_delivered.find(channel->name);
                    if (cached == last_delivered.end())
                        cached = last_delivered
                                     .emplace(channel->name, outbox.last_delivered(channel->name))
                                     .first;
                    if (cached->second)
                        due = std::max(due, *cached->second + spacing);
                }
                due = std::min(due, row.created_at + max_age);
                if (!summary.next_due || due < *summary.next_due)
                    summary.next_due = due;
            }
        }
    } catch (const SQLite::Exception& e) {
        return error_message{fmt::format("outbox: {}", e.what())};
    }
    return summary;
}

}  // namespace shd::delivery
