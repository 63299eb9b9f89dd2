// `silence add|list|expire` and `ack`: silences and acknowledgements,
// written to the database beside a running daemon (WAL), which reads them at
// its next cycle. Thin: parsing and matching are in alerts/silences, the SQL
// in alerts/silence_store.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <variant>

#include "alerts/silence_store.hpp"
#include "alerts/silences.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "core/time.hpp"
#include "store/database.hpp"

namespace shd::cli {
namespace {

// --at, or now; nullopt (after a message) when it is not a time.
std::optional<instant> time_option(const std::optional<std::string>& text, std::string_view name) {
    if (!text)
        return SystemClock{}.now();
    auto parsed = parse_iso8601(*text);
    if (!parsed) {
        std::cerr << "seller-healthd: " << name
                  << ": not an ISO-8601 time with an offset or a date: " << *text << "\n";
    }
    return parsed;
}

// The user behind the command: the one sudo was run by, else the effective
// user's name, else the uid.
std::string user_name() {
    if (::geteuid() == 0) {
        if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user && *sudo_user)
            return sudo_user;
    }
    if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_name != nullptr)
        return pw->pw_name;
    return "uid " + std::to_string(::geteuid());
}

// The configured database, never created here: a silence or an ack belongs
// beside the daemon's data, and a database created by another user would be
// one the daemon cannot write.
std::optional<store::database> open_existing(const config::config& cfg, bool read_only) {
    std::error_code ec;
    if (!std::filesystem::exists(cfg.database, ec)) {
        std::cerr << "seller-healthd: database " << cfg.database.string()
                  << " does not exist yet (run the daemon or import something first)\n";
        return std::nullopt;
    }
    auto db = store::database::open(cfg.database, store::open_options{.read_only = read_only});
    if (!db) {
        std::cerr << "seller-healthd: " << db.error().text << "\n";
        return std::nullopt;
    }
    return std::move(*db);
}

// What every one of these commands starts with: its time (--at or now), the
// configuration and the existing database, writable. On failure, the exit
// code (after a message).
struct command_base {
    instant now;
    config::config cfg;
    store::database db;
};

std::variant<command_base, int> open_command(const global_options& g,
                                             const std::optional<std::string>& at) {
    const auto now = time_option(at, "--at");
    if (!now)
        return kExitUsage;
    auto cfg = load_config_or_report(g.config_path);
    if (!cfg)
        return kExitUsage;
    auto db = open_existing(*cfg, false);
    if (!db)
        return kExitFailure;
    return command_base{*now, std::move(*cfg), std::move(*db)};
}

int finish_output() {
    std::cout.flush();
    return std::cout ? kExitOk : kExitFailure;
}

}  // namespace

int silence_add(const global_options& g, const silence_add_options& o) {
    auto matchers = alerts::parse_matchers(o.match);
    if (!matchers) {
        std::cerr << "seller-healthd: " << matchers.error().text << "\n";
        return kExitUsage;
    }
    auto duration = alerts::parse_silence_duration(o.duration);
    if (!duration) {
        std::cerr << "seller-healthd: " << duration.error().text << "\n";
        return kExitUsage;
    }
    auto opened = open_command(g, o.at);
    if (const int* exit_code = std::get_if<int>(&opened))
        return *exit_code;
    auto& [now, cfg, db] = std::get<command_base>(opened);
    const auto start = o.start ? time_option(o.start, "--start") : now;
    if (!start)
        return kExitUsage;
    alerts::silence s;
    s.matchers = std::move(*matchers);
    s.starts_at = *start;
    s.ends_at = *start + *duration;
    s.comment = o.comment;
    s.created_by = o.author.value_or(user_name());
    s.created_at = now;
    try {
        s.id = alerts::insert_silence(db.handle(), s);
    } catch (const SQLite::Exception& e) {
        std::cerr << "seller-healthd: storing the silence failed: " << e.what() << "\n";
        return kExitFailure;
    }
    if (o.json) {
        auto list = nlohmann::ordered_json::parse(alerts::silences_json({s}, now));
        std::cout << list.at(0).dump(2) << "\n";
    } else {
        std::cout << s.id << "\n";
    }
    return finish_output();
}

int silence_list(const global_options& g, const silence_list_options& o) {
    const auto now = time_option(o.at, "--at");
    if (!now)
        return kExitUsage;
    auto cfg = load_config_or_report(g.config_path);
    if (!cfg)
        return kExitUsage;
    std::vector<alerts::silence> silences;
    std::error_code ec;
    // No database yet: no silences either.
    if (std::filesystem::exists(cfg->database, ec)) {
        auto db = open_existing(*cfg, true);
        if (!db)
            return kExitFailure;
        try {
            silences = alerts::load_silences(db->handle());
        } catch (const SQLite::Exception& e) {
            std::cerr << "seller-healthd: reading the silences failed: " << e.what() << "\n";
            return kExitFailure;
        }
    }
    if (!o.all) {
        std::erase_if(silences, [&](const alerts::silence& s) {
            return alerts::state_at(s, *now) == alerts::silence_state::expired;
        });
    }
    if (o.json)
        std::cout << alerts::silences_json(silences, *now) << "\n";
    else
        std::cout << alerts::silences_table(silences, *now);
    return finish_output();
}

int silence_expire(const global_options& g, const silence_expire_options& o) {
    auto opened = open_command(g, o.at);
    if (const int* exit_code = std::get_if<int>(&opened))
        return *exit_code;
    auto& [now, cfg, db] = std::get<command_base>(opened);
    alerts::expire_outcome outcome{};
    try {
        outcome = alerts::expire_silence(db.handle(), o.id, now);
    } catch (const SQLite::Exception& e) {
        std::cerr << "seller-healthd: expiring the silence failed: " << e.what() << "\n";
        return kExitFailure;
    }
    switch (outcome) {
        case alerts::expire_outcome::not_found:
            std::cerr << "seller-healthd: no silence " << o.id
                      << " (silence list --all shows them)\n";
            return kExitFailure;
        case alerts::expire_outcome::already_ended:
            std::cout << "silence " << o.id << " had already ended\n";
            break;
        case alerts::expire_outcome::expired:
            std::cout << "silence " << o.id << " expired\n";
            break;
    }
    return finish_output();
}

int ack(const global_options& g, const ack_options& o) {
    auto opened = open_command(g, o.at);
    if (const int* exit_code = std::get_if<int>(&opened))
        return *exit_code;
    auto& [now, cfg, db] = std::get<command_base>(opened);
    alerts::alert_ack a;
    try {
        const auto named = alerts::alerts_named(alerts::load_open_alerts(db.handle()), o.alert);
        if (named.empty()) {
            std::cerr << "seller-healthd: no firing alert is " << o.alert
                      << " or starts with it (status --json lists them under \"alerts\")\n";
            return kExitFailure;
        }
        if (named.size() > 1) {
            std::cerr << "seller-healthd: " << named.size() << " firing alerts start with "
                      << o.alert << "; name one:\n";
            for (const auto& n : named)
                std::cerr << "  " << n.fingerprint << "\n";
            return kExitFailure;
        }
        const auto& alert = named.front();
        a.fingerprint = alert.fingerprint;
        a.episode_start = alert.episode_start;
        a.acked_severity =
            alerts::severity_from_name(alert.severity).value_or(alerts::severity::at_risk);
        a.acked_at = now;
        a.comment = o.comment;
        a.created_by = o.author.value_or(user_name());
        alerts::insert_ack(db.handle(), a);
    } catch (const SQLite::Exception& e) {
        std::cerr << "seller-healthd: storing the acknowledgement failed: " << e.what() << "\n";
        return kExitFailure;
    }
    const std::string severity(alerts::severity_name(a.acked_severity));
    if (o.json) {
        const nlohmann::ordered_json j{
            {"fingerprint", a.fingerprint}, {"since", format_iso8601(a.episode_start)},
            {"severity", severity},         {"acked_at", format_iso8601(a.acked_at)},
            {"comment", a.comment},         {"created_by", a.created_by}};
        std::cout << j.dump(2) << "\n";
    } else {
        std::cout << "acknowledged " << a.fingerprint << " (" << severity
                  << "): no repeats until its severity changes or it resolves\n";
    }
    return finish_output();
}

}  // namespace shd::cli
