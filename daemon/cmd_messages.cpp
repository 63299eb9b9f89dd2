// `messages list` and `messages no-response-needed`: buyer messages as
// stored (the messages CSV, the mailbox), each with its reply state as of a
// time, and the seller's "no response needed" mark. Thin: the states come
// from metrics/service_metrics, the mark is written by the store writer.
#include <SQLiteCpp/Database.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "core/time.hpp"
#include "ingest/store_writer.hpp"
#include "metrics/queries.hpp"
#include "metrics/service_metrics.hpp"
#include "report/messages.hpp"
#include "store/database.hpp"

namespace shd::cli {
namespace {

std::string joined(const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids)
        out += (out.empty() ? "" : ", ") + id;
    return out;
}

}  // namespace

// Read-only, like `status`: safe beside a running daemon.
int messages_list(const global_options& g, const messages_list_options& o) {
    instant as_of = SystemClock{}.now();
    if (o.at) {
        auto parsed = parse_iso8601(*o.at);
        if (!parsed) {
            std::cerr << "seller-healthd: --at: not an ISO-8601 time with an offset or a date: "
                      << *o.at << "\n";
            return kExitUsage;
        }
        as_of = *parsed;
    }
    auto cfg = load_config_or_report(g.config_path);
    if (!cfg)
        return kExitUsage;
    auto db = store::database::open(cfg->database, store::open_options{.read_only = true});
    if (!db) {
        std::cerr << "seller-healthd: " << db.error().text << "\n";
        return kExitFailure;
    }
    std::vector<metrics::message_fact> messages;
    try {
        messages = metrics::load_message_facts(db->handle(), as_of, std::nullopt,
                                               cfg->default_marketplace);
    } catch (const SQLite::Exception& e) {
        std::cerr << "seller-healthd: reading the messages failed: " << e.what() << "\n";
        return kExitFailure;
    }
    if (o.pending) {
        std::erase_if(messages, [&](const metrics::message_fact& m) {
            return !metrics::is_waiting(metrics::classify_reply(m, as_of));
        });
    }
    if (o.json)
        std::cout << report::messages_list_json(messages, as_of) << "\n";
    else
        std::cout << report::messages_list_table(messages, as_of, o.pending);
    std::cout.flush();
    return std::cout ? kExitOk : kExitFailure;
}

int messages_no_response_needed(const global_options& g, const std::vector<std::string>& ids,
                                bool undo) {
    auto cfg = load_config_or_report(g.config_path);
    if (!cfg)
        return kExitUsage;
    // Marking needs stored messages: never create an empty database for it.
    std::error_code ec;
    if (!std::filesystem::exists(cfg->database, ec)) {
        std::cerr << "seller-healthd: database " << cfg->database.string()
                  << " does not exist yet (import something first)\n";
        return kExitFailure;
    }
    auto db = store::database::open(cfg->database);
    if (!db) {
        std::cerr << "seller-healthd: " << db.error().text << "\n";
        return kExitFailure;
    }
    ingest::message_mark_outcome outcome;
    try {
        outcome = ingest::mark_no_response_needed(db->handle(), ids, undo, SystemClock{}.now());
    } catch (const SQLite::Exception& e) {
        std::cerr << "seller-healthd: marking the messages failed: " << e.what() << "\n";
        return kExitFailure;
    }
    if (!outcome.unknown.empty()) {
        std::cerr << "seller-healthd: no such message" << (outcome.unknown.size() == 1 ? "" : "s")
                  << ": " << joined(outcome.unknown) << "; nothing was changed\n";
        return kExitFailure;
    }
    const char* done = undo ? "unmarked" : "marked no response needed";
    const char* already = undo ? "not marked" : "already marked";
    if (!outcome.changed.empty())
        std::cout << done << ": " << joined(outcome.changed) << "\n";
    if (!outcome.unchanged.empty())
        std::cout << already << ": " << joined(outcome.unchanged) << "\n";
    if (!outcome.still_by_row.empty()) {
        std::cerr << "seller-healthd: still no response needed by the imported row "
                     "(no_response_needed = true in the messages CSV): "
                  << joined(outcome.still_by_row) << "\n";
    }
    std::cout.flush();
    return std::cout ? kExitOk : kExitFailure;
}

}  // namespace shd::cli
