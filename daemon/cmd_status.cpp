#include <SQLiteCpp/Exception.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <system_error>

#include "alerts/silence_store.hpp"
#include "alerts/silences.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "core/time.hpp"
#include "ingest/inbox.hpp"
#include "metrics/engine.hpp"
#include "report/accounts.hpp"
#include "report/inbox_status.hpp"
#include "report/messages.hpp"
#include "report/status_json.hpp"
#include "report/status_table.hpp"
#include "spapi/source_status.hpp"
#include "store/database.hpp"

namespace shd::cli {
namespace {

// Monitoring-plugin exit code for "cannot tell".
constexpr int kPluginUnknown = 3;

// One account's config and database, read-only; a failure is the row's
// error, never the end of the run.
report::account_input read_account(const std::filesystem::path& config_path, instant as_of) {
    report::account_input in;
    in.config_path = config_path.string();
    auto cfg = config::load_config(config_path);
    if (!cfg) {
        in.account = config::default_account_for(config_path);
        in.error = cfg.error().to_string();
        return in;
    }
    in.account = cfg->account;
    in.database = cfg->database.string();
    auto db = store::database::open(cfg->database, store::open_options{.read_only = true});
    if (!db) {
        in.error = db.error().text;
        return in;
    }
    auto evaluated = metrics::evaluate(*db, *cfg, as_of);
    if (!evaluated) {
        in.error = evaluated.error().text;
        return in;
    }
    in.evaluation = std::move(*evaluated);
    return in;
}

// Every *.yaml in the folder, by name; nullopt (and a message) when the
// folder cannot be listed.
std::optional<std::vector<std::filesystem::path>> config_files(const std::filesystem::path& dir) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".yaml" && !it->is_directory())
            files.push_back(it->path());
    }
    if (ec) {
        std::cerr << "seller-healthd: cannot list " << dir.string() << ": " << ec.message() << "\n";
        return std::nullopt;
    }
    std::sort(files.begin(), files.end());
    return files;
}

int print_accounts(const std::vector<report::account_summary>& rows, const status_options& o) {
    if (o.check) {
        const auto result = report::plugin_check(rows);
        std::cout << result.line << "\n";
        std::cout.flush();
        return std::cout ? result.exit_code : kPluginUnknown;
    }
    if (o.json)
        std::cout << report::accounts_json(rows) << "\n";
    else
        std::cout << report::accounts_table(rows, ::isatty(1) == 1);
    std::cout.flush();
    return std::cout ? kExitOk : kExitFailure;
}

}  // namespace

// Read-only: opens databases read-only and never stores results (the
// daemon's run cycle does that), so it is safe beside running daemons.
int status(const global_options& g, const status_options& o) {
    const int usage_exit = o.check ? kPluginUnknown : kExitUsage;
    instant as_of = SystemClock{}.now();
    if (o.at) {
        auto parsed = parse_iso8601(*o.at);
        if (!parsed) {
            std::cerr << "seller-healthd: --at: not an ISO-8601 time with an offset or a date: "
                      << *o.at << "\n";
            if (o.check)
                std::cout << "SELLER-HEALTH UNKNOWN - --at: not an ISO-8601 time: " << *o.at
                          << "\n";
            return usage_exit;
        }
        as_of = *parsed;
    }

    if (o.all) {
        auto files = config_files(o.config_dir);
        if (!files) {
            if (o.check)
                std::cout << "SELLER-HEALTH UNKNOWN - cannot list " << o.config_dir << "\n";
            return o.check ? kPluginUnknown : kExitFailure;
        }
        std::vector<report::account_input> inputs;
        for (const auto& f : *files)
            inputs.push_back(read_account(f, as_of));
        return print_accounts(report::summarize_accounts(std::move(inputs)), o);
    }

    if (o.check)
        return print_accounts(report::summarize_accounts({read_account(g.config_path, as_of)}), o);

    auto cfg = load_config_or_report(g.config_path);
    if (!cfg)
        return kExitUsage;
    auto db = store::database::open(cfg->database, store::open_options{.read_only = true});
    if (!db) {
        std::cerr << "seller-healthd: " << db.error().text << "\n";
        return kExitFailure;
    }
    auto evaluated = metrics::evaluate(*db, *cfg, as_of);
    if (!evaluated) {
        std::cerr << "seller-healthd: " << evaluated.error().text << "\n";
        return kExitFailure;
    }
    // The inbox as this process sees it (run `status` as the service's user
    // for the daemon's view): entries that would not be read. Nothing in it
    // is read or moved.
    std::vector<report::unreadable_inbox_file> unreadable;
    // No inbox yet (the daemon makes it): nothing in it to tell about.
    std::error_code ec;
    if (std::filesystem::exists(cfg->inbox, ec)) {
        if (auto surveyed = ingest::survey_inbox(cfg->inbox); surveyed) {
            for (auto& u : *surveyed)
                unreadable.push_back({std::move(u.name), std::move(u.reason)});
        } else {
            std::cerr << "seller-healthd: " << surveyed.error().text << "\n";
        }
    }
    // The SP-API sources: only with an sp_api section, so a files-only
    // status reads as before.
    const auto sources =
        cfg->sp_api ? spapi::load_source_states_or_none(*db) : std::vector<spapi::source_state>{};
    // Silences and the open alerts with their acks (docs/alerts.md,
    // "Silences and acknowledgements").
    std::vector<alerts::silence> silences;
    std::vector<alerts::quiet_alert> quiet;
    try {
        silences = alerts::load_silences(db->handle());
        quiet = alerts::quiet_alerts(alerts::load_open_alerts(db->handle()), silences,
                                     alerts::load_open_acks(db->handle()), as_of);
    } catch (const SQLite::Exception& e) {
        std::cerr << "seller-healthd: reading the alerts and silences failed: " << e.what() << "\n";
    }
    if (o.json) {
        std::string text = report::with_inbox_json(report::status_json(*evaluated), unreadable);
        if (cfg->sp_api)
            text = spapi::with_sources_json(text, sources);
        text = alerts::with_quiet_json(text, silences, quiet, as_of);
        std::cout << text << "\n";
    } else {
        std::cout << report::status_table(*evaluated,
                                          report::table_options{.color = ::isatty(1) == 1})
                  << report::message_service_table(evaluated->message_service)
                  << report::inbox_status_table(unreadable) << spapi::sources_table(sources, as_of)
                  << alerts::quiet_table(silences, quiet, as_of);
    }
    std::cout.flush();
    return std::cout ? kExitOk : kExitFailure;
}

}  // namespace shd::cli
