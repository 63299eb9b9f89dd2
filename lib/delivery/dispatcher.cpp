#include "delivery/dispatcher.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

namespace shd::delivery {
namespace {

using event_kind = outbox_event::kind;

const config::alert_channel* find_channel(const config::config& cfg, const std::string& name) {
    for (const auto& c : cfg.alerts.channels)
        if (c.name == name)
            return &c;
    return nullptr;
}

std::optional<instant> optional_time(const SQLite::Column& c) {
    if (c.isNull())
        return std::nullopt;
    return from_unix(c.getInt64());
}

void bind_time(SQLite::Statement& q, int index, const std::optional<instant>& t) {
    if (t)
        q.bind(index, static_cast<std::int64_t>(to_unix(*t)));
    else
        q.bind(index);
}

// The fingerprints of the alerts a payload holds; none when it is unreadable
// (the row is then dead-lettered when its turn comes).
std::vector<std::string> payload_alerts(const std::string& payload) {
    std::vector<std::string> out;
    const auto json = nlohmann::json::parse(payload, nullptr, false);
    if (!json.is_object() || !json.contains("alerts") || !json["alerts"].is_array())
        return out;
    for (const auto& a : json["alerts"])
        if (a.is_object() && a.contains("fingerprint") && a["fingerprint"].is_string())
            out.push_back(a["fingerprint"].get<std::string>());
    return out;
}

constexpr const char* kRowColumns =
    "id, channel_name, state, created_at, not_before, attempts, claimed_at, lease_until,"
    " delivered_at, dead_at, superseded_by, superseded_at, last_error, payload";

struct loaded_row {
    outbox_row row;
    std::string idempotency_key;
};

// The outbox's SQL.
class outbox_table {
  public:
    explicit outbox_table(SQLite::Database& db) : db_(db) {}

    // Every open row, oldest first, with the alerts it holds.
    std::vector<loaded_row> open_rows() {
        SQLite::Statement q(db_, std::string("SELECT ") + kRowColumns +
                                     ", idempotency_key FROM outbox WHERE state IN"
                                     " ('pending', 'held', 'claimed', 'retry') ORDER BY id");
        std::vector<loaded_row> rows;
        while (q.executeStep()) {
            loaded_row l;
            auto& r = l.row;
            r.id = q.getColumn(0).getInt64();
            r.channel = q.getColumn(1).getString();
            const auto state = outbox_state_from(q.getColumn(2).getString());
            if (!state)
                throw std::logic_error("outbox: unknown state " + q.getColumn(2).getString());
            r.state = *state;
            r.created_at = from_unix(q.getColumn(3).getInt64());
            r.not_before = from_unix(q.getColumn(4).getInt64());
            r.attempts = q.getColumn(5).getInt();
            r.claimed_at = optional_time(q.getColumn(6));
            r.lease_until = optional_time(q.getColumn(7));
            r.delivered_at = optional_time(q.getColumn(8));
            r.dead_at = optional_time(q.getColumn(9));
            if (!q.getColumn(10).isNull())
                r.superseded_by = q.getColumn(10).getInt64();
            r.superseded_at = optional_time(q.getColumn(11));
            r.last_error = q.getColumn(12).isNull() ? std::string{} : q.getColumn(12).getString();
            r.alerts = payload_alerts(q.getColumn(13).getString());
            l.idempotency_key = q.getColumn(14).getString();
            rows.push_back(std::move(l));
        }
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

    // Writes `after` over `before`, only if the row still is `before` (its
    // state and attempts): false when another dispatcher moved it meanwhile.
    bool store(const outbox_row& before, const outbox_row& after) {
        SQLite::Statement q(
            db_,
            "UPDATE outbox SET state = ?1, not_before = ?2, attempts = ?3, claimed_at = ?4,"
            " lease_until = ?5, delivered_at = ?6, dead_at = ?7, superseded_by = ?8,"
            " superseded_at = ?9, last_error = ?10"
            " WHERE id = ?11 AND state = ?12 AND attempts = ?13");
        q.bind(1, std::string(to_string(after.state)));
        q.bind(2, static_cast<std::int64_t>(to_unix(after.not_before)));
        q.bind(3, after.attempts);
        bind_time(q, 4, after.claimed_at);
        bind_time(q, 5, after.lease_until);
        bind_time(q, 6, after.delivered_at);
        bind_time(q, 7, after.dead_at);
        if (after.superseded_by)
            q.bind(8, *after.superseded_by);
        else
            q.bind(8);
        bind_time(q, 9, after.superseded_at);
        if (after.last_error.empty())
            q.bind(10);
        else
            q.bind(10, after.last_error);
        q.bind(11, before.id);
        q.bind(12, std::string(to_string(before.state)));
        q.bind(13, before.attempts);
        return q.exec() == 1;
    }

  private:
    SQLite::Database& db_;
};

outbox_row must(const outbox_row& row, const outbox_event& e) {
    auto next = transition(row, e);
    if (!next)
        throw std::logic_error(next.error().text);
    return std::move(*next);
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
    const ManualClock still(now);
    return deliver_due(db, cfg, still);
}

result<dispatch_summary, error_message> dispatcher::deliver_due(store::database& db,
                                                                const config::config& cfg,
                                                                const Clock& clock) {
    dispatch_summary summary;
    outbox_table outbox(db.handle());

    // 0. Results the database could not take last time go first.
    while (!kept_.empty()) {
        try {
            const auto& [claimed, done] = kept_.front();
            if (!outbox.store(claimed, done))
                spdlog::warn(
                    "outbox row {}: its kept result ({}) no longer applies: the row "
                    "was moved meanwhile",
                    claimed.id, to_string(done.state));
            kept_.erase(kept_.begin());
        } catch (const SQLite::Exception& e) {
            summary.kept = kept_.size();
            return error_message{fmt::format(
                "outbox: {}; {} delivery result(s) kept, to be recorded before anything is sent",
                e.what(), kept_.size())};
        }
    }

    std::size_t sends = 0;
    const std::size_t max_rounds = options_.max_sends * 4 + 16;
    try {
        for (std::size_t round = 0; round < max_rounds; ++round) {
            instant now = clock.now();
            auto loaded = outbox.open_rows();
            std::vector<outbox_row> rows;
            std::map<std::int64_t, const loaded_row*> by_id;
            rows.reserve(loaded.size());
            for (auto& l : loaded) {
                const auto repaired = normalise_times(l.row, now, options_.clock_tolerance);
                if (!repaired.empty() && warned_clock_rows_.insert(l.row.id).second) {
                    spdlog::error(
                        "outbox row {} (channel {}) has {} in the future, beyond what its state "
                        "allows: the clock was ahead when it was written; treating it as now ({})",
                        l.row.id, l.row.channel, fmt::join(repaired, ", "), format_iso8601(now));
                }
                rows.push_back(l.row);
            }
            for (const auto& l : loaded)
                by_id[l.row.id] = &l;

            std::map<std::string, std::optional<instant>> last_delivered;
            auto facts = [&](const std::string& name) -> std::optional<channel_facts> {
                const auto* channel = find_channel(cfg, name);
                if (channel == nullptr || sender_for(channel->type) == nullptr)
                    return std::nullopt;
                channel_facts f;
                f.min_spacing = min_spacing(channel->type);
                if (f.min_spacing.count() > 0) {
                    auto it = last_delivered.find(name);
                    if (it == last_delivered.end())
                        it = last_delivered.emplace(name, outbox.last_delivered(name)).first;
                    f.last_delivered = it->second;
                    if (f.last_delivered && *f.last_delivered > now + options_.clock_tolerance)
                        f.last_delivered = now;
                }
                return f;
            };
            plan_options po;
            po.max_delivery_age = cfg.alerts.max_delivery_age;
            po.take_over_claims = first_call_ && options_.take_over_claims;
            const auto p = plan(rows, now, po, facts);
            first_call_ = false;

            // 1. Housekeeping.
            std::map<std::int64_t, outbox_row> current;
            for (const auto& r : rows)
                current.emplace(r.id, r);
            if (!p.steps.empty()) {
                SQLite::Transaction tx(db.handle());
                for (const auto& [id, e] : p.steps) {
                    auto& row = current.at(id);
                    const auto next = must(row, e);
                    if (!outbox.store(row, next))
                        continue;  // another dispatcher moved it
                    const auto& key = by_id.at(id)->idempotency_key;
                    switch (e.what) {
                        case event_kind::expired:
                            ++summary.dead;
                            spdlog::error(
                                "gave up delivering notification {} to channel {} after {} "
                                "attempt(s) over {} (max_delivery_age): {}; kept as a dead letter",
                                key, row.channel, row.attempts,
                                format_duration(now - row.created_at),
                                row.last_error.empty() ? "never attempted" : row.last_error);
                            break;
                        case event_kind::superseded:
                            ++summary.superseded;
                            spdlog::info(
                                "notification {} for channel {}, held for quiet hours, is "
                                "superseded by a newer notice of the same alerts; not sent",
                                key, row.channel);
                            break;
                        case event_kind::released:
                            spdlog::info(
                                "notification {} for channel {}, held for quiet hours, leaves "
                                "now: a newer notice of its alerts cannot wait",
                                key, row.channel);
                            break;
                        case event_kind::lease_lost:
                            ++summary.recovered;
                            spdlog::warn(
                                "notification {} for channel {}: attempt {} was cut off before "
                                "its result was recorded; it is sent again",
                                key, row.channel, row.attempts);
                            break;
                        default:
                            break;
                    }
                    row = next;
                }
                tx.commit();
            }
            summary.orphaned = p.orphaned.size();
            for (const auto id : p.orphaned) {
                const auto& name = current.at(id).channel;
                if (warned_channels_.insert(name).second) {
                    spdlog::warn(
                        "the outbox holds notifications for channel {}, which is not in the "
                        "configuration; they stay until it is",
                        name);
                }
            }

            if (p.sendable.empty()) {
                summary.next_due = p.next_due;
                break;
            }
            if (sends >= options_.max_sends || (options_.should_stop && options_.should_stop())) {
                summary.next_due = now;
                break;
            }

            // 2. The oldest sendable row: claim, send, record.
            const std::int64_t id = p.sendable.front();
            const outbox_row row = current.at(id);
            const std::string key = by_id.at(id)->idempotency_key;
            const auto* channel = find_channel(cfg, row.channel);
            sender* channel_sender = sender_for(channel->type);
            const auto payload = outbox.payload(id);
            if (!payload)
                continue;  // gone meanwhile
            auto notification = alerts::notification_from_json(*payload);
            if (!notification) {
                const std::string reason = "unreadable payload: " + notification.error().text;
                if (outbox.store(row, must(row, {event_kind::unreadable, now, std::nullopt, reason,
                                                 std::nullopt}))) {
                    ++summary.dead;
                    spdlog::error("notification {} for channel {}: {}; kept as a dead letter", key,
                                  channel->name, reason);
                }
                continue;
            }

            // Long enough for every request of this send to time out.
            const auto requests = static_cast<long long>(2 * notification->alerts.size() + 1);
            const instant claim_at = clock.now();
            const instant lease = claim_at + channel->timeout * requests + std::chrono::seconds{60};
            const auto claimed = must(
                row,
                {event_kind::claim, std::max(claim_at, row.not_before), lease, {}, std::nullopt});
            if (!outbox.store(row, claimed))
                continue;  // another dispatcher has it

            ++sends;
            const auto outcome = channel_sender->send(*channel, *notification, claim_at);
            const instant done_at = clock.now();
            summary.attempts.push_back({channel->name, outcome.result, done_at - claim_at});
            outbox_event result_event{event_kind::accepted, done_at, std::nullopt, outcome.detail,
                                      std::nullopt};
            switch (outcome.result) {
                case send_outcome::kind::delivered:
                    break;
                case send_outcome::kind::retry:
                    result_event.what = event_kind::failed;
                    result_event.until = next_attempt_at(options_.policy, claimed.attempts, done_at,
                                                         outcome.retry_after, draw());
                    break;
                case send_outcome::kind::rejected:
                    result_event.what = event_kind::rejected;
                    break;
            }
            const auto done = must(claimed, result_event);
            try {
                if (!outbox.store(claimed, done))
                    spdlog::warn(
                        "outbox row {}: its result ({}) no longer applies: the row was "
                        "moved meanwhile",
                        id, to_string(done.state));
            } catch (const SQLite::Exception& e) {
                // Never lost, never the cause of a second send: the row stays
                // claimed (blocking its channel) and the result goes in first
                // next time.
                kept_.emplace_back(claimed, done);
                summary.kept = kept_.size();
                spdlog::warn(
                    "recording the result of notification {} for channel {} failed ({}); "
                    "kept, to be recorded before anything else is sent",
                    key, channel->name, e.what());
                return error_message{
                    fmt::format("outbox: {}; {} delivery result(s) kept", e.what(), kept_.size())};
            }
            switch (outcome.result) {
                case send_outcome::kind::delivered:
                    ++summary.delivered;
                    spdlog::info("delivered notification {} to channel {} ({})", key, channel->name,
                                 outcome.detail);
                    break;
                case send_outcome::kind::retry:
                    ++summary.retried;
                    spdlog::warn(
                        "delivery of notification {} to channel {} failed (attempt {}): "
                        "{}; next attempt at {}",
                        key, channel->name, claimed.attempts, outcome.detail,
                        format_iso8601(done.not_before));
                    break;
                case send_outcome::kind::rejected:
                    ++summary.dead;
                    spdlog::error(
                        "channel {} rejected notification {}: {}; not retried, kept as a "
                        "dead letter",
                        channel->name, key, outcome.detail);
                    break;
            }
        }
    } catch (const SQLite::Exception& e) {
        return error_message{fmt::format("outbox: {}", e.what())};
    }
    return summary;
}

}  // namespace shd::delivery
