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
    r.attempts = q.getColumn(4).getInt();
    r.last_error = q.getColumn(5).isNull() ? std::string{} : q.getColumn(5).getString();
    return r;
}

constexpr const char* kPendingColumns =
    "SELECT id, channel_name, idempotency_key, created_at, attempts, last_error FROM outbox"
    " WHERE delivered_at IS NULL AND dead_at IS NULL";

// The outbox's SQL, prepared once per call.
class outbox_table {
  public:
    explicit outbox_table(SQLite::Database& db) : db_(db) {}

    std::vector<pending_row> older_than(instant cutoff) {
        SQLite::Statement q(db_,
                            std::string(kPendingColumns) + " AND created_at <= ?1 ORDER BY id");
        q.bind(1, static_cast<std::int64_t>(to_unix(cutoff)));
        std::vector<pending_row> rows;
        while (q.executeStep())
            rows.push_back(read_row(q));
        return rows;
    }

    std::vector<pending_row> due(instant now) {
        SQLite::Statement q(db_,
                            std::string(kPendingColumns) + " AND not_before <= ?1 ORDER BY id");
        q.bind(1, static_cast<std::int64_t>(to_unix(now)));
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

    // The channel's other pending rows wait at least until `until`.
    void hold_channel(const std::string& channel, std::int64_t except_id, instant until) {
        SQLite::Statement q(
            db_,
            "UPDATE outbox SET not_before = MAX(not_before, ?1) WHERE channel_name = ?2"
            " AND delivered_at IS NULL AND dead_at IS NULL AND id <> ?3");
        q.bind(1, static_cast<std::int64_t>(to_unix(until)));
        q.bind(2, channel);
        q.bind(3, except_id);
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

    struct channel_pending {
        instant earliest_not_before;
        instant oldest_created;
    };
    std::map<std::string, channel_pending> pending_by_channel() {
        SQLite::Statement q(
            db_,
            "SELECT channel_name, MIN(not_before), MIN(created_at) FROM outbox"
            " WHERE delivered_at IS NULL AND dead_at IS NULL GROUP BY channel_name");
        std::map<std::string, channel_pending> out;
        while (q.executeStep()) {
            out[q.getColumn(0).getString()] = {from_unix(q.getColumn(1).getInt64()),
                                               from_unix(q.getColumn(2).getInt64())};
        }
        return out;
    }

  private:
    SQLite::Database& db_;
};

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
        for (const auto& row : outbox.older_than(now - max_age)) {
            if (find_channel(cfg, row.channel_name) == nullptr)
                continue;
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
        std::set<std::string> done_for_now;  // channels not to try again in this call
        std::size_t sends = 0;
        bool budget_exhausted = false;
        for (const auto& row : outbox.due(now)) {
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
            if (sends >= options_.max_sends) {
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
                    outbox.hold_channel(channel->name, row.id, next);
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

        // 3. When to come back.
        for (const auto& [name, pending] : outbox.pending_by_channel()) {
            const auto* channel = find_channel(cfg, name);
            if (channel == nullptr || sender_for(channel->type) == nullptr)
                continue;
            instant due = pending.earliest_not_before;
            if (const auto spacing = min_spacing(channel->type); spacing.count() > 0) {
                if (const auto last = outbox.last_delivered(name))
                    due = std::max(due, *last + spacing);
            }
            due = std::min(due, pending.oldest_created + max_age);
            if (!summary.next_due || due < *summary.next_due)
                summary.next_due = due;
        }
        if (budget_exhausted)
            summary.next_due = now;
    } catch (const SQLite::Exception& e) {
        return error_message{fmt::format("outbox: {}", e.what())};
    }
    return summary;
}

}  // namespace shd::delivery
