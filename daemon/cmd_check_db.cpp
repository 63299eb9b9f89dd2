// check-db: recounts the kept metric counts from the records and compares the
// metrics evaluated from them with the metrics counted from the records alone
// (lib/metrics/count_check.hpp, engine.hpp). --repair rewrites the counts.
#include <SQLiteCpp/Exception.h>
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "core/time.hpp"
#include "metrics/count_check.hpp"
#include "metrics/engine.hpp"
#include "store/database.hpp"

namespace shd::cli {
namespace {

using json = nlohmann::ordered_json;

json counters_json(const metrics::counter_values& c) {
    json out = json::object();
    for (int i = 0; i < metrics::kCounters; ++i)
        out[metrics::counter_name(i)] = c.v[i];
    return out;
}

// A metric row whose counts differ between the two evaluations.
struct row_difference {
    std::string as_of;
    std::string row;  // metric marketplace channel window
    std::string from_counts;
    std::string from_records;
};

std::string counts_text(const metrics::metric_result& r) {
    std::string s = fmt::format("{}/{}", r.numerator, r.denominator);
    if (r.components) {
        s += fmt::format(" (feedback {}, claims {}, chargebacks {})",
                         r.components->negative_feedback, r.components->a_to_z_claim,
                         r.components->chargeback);
    }
    return s;
}

std::string row_name(const metrics::metric_result& r) {
    return fmt::format("{} {} {} {}d", definition(r.metric).name, r.marketplace_id, r.channel,
                       r.window_days);
}

// Both evaluations as of T; rows compared by name and counts.
std::vector<row_difference> compare_evaluations(store::database& db, const config::config& cfg,
                                                instant as_of) {
    std::vector<row_difference> out;
    const std::string when = format_iso8601(as_of);
    auto reference = metrics::evaluate_metrics_from_records(db, cfg, as_of);
    if (!reference)
        throw std::runtime_error(reference.error().text);
    std::map<std::string, std::string> expected;
    for (const auto& r : *reference)
        expected[row_name(r)] = counts_text(r);
    std::map<std::string, std::string> got;
    try {
        auto kept = metrics::evaluate_metrics_from_kept_counts(db, cfg, as_of);
        if (!kept)
            throw std::runtime_error(kept.error().text);
        for (const auto& r : *kept)
            got[row_name(r)] = counts_text(r);
    } catch (const std::logic_error& e) {
        // Counts so far off that a numerator exceeds its denominator.
        out.push_back(row_difference{when, "(evaluation)", e.what(), ""});
        return out;
    }
    for (const auto& [name, text] : expected) {
        auto it = got.find(name);
        const std::string mine = it == got.end() ? std::string("(no row)") : it->second;
        if (mine != text)
            out.push_back(row_difference{when, name, mine, text});
    }
    for (const auto& [name, text] : got) {
        if (!expected.contains(name))
            out.push_back(row_difference{when, name, text, "(no row)"});
    }
    return out;
}

}  // namespace

int check_db(const global_options& g, const check_db_options& o) {
    auto cfg = load_config_or_report(g.config_path);
    if (!cfg)
        return kExitUsage;
    std::vector<instant> times;
    for (const auto& text : o.at) {
        auto parsed = parse_iso8601(text);
        if (!parsed) {
            std::cerr << "seller-healthd: --at: not an ISO-8601 time with an offset or a date: "
                      << text << "\n";
            return kExitUsage;
        }
        times.push_back(*parsed);
    }
    if (times.empty())
        times.push_back(SystemClock{}.now());

    auto db = store::database::open(cfg->database);
    if (!db) {
        std::cerr << "seller-healthd: " << db.error().text << "\n";
        return kExitFailure;
    }
    try {
        auto report = metrics::check_kept_counts(db->handle());
        std::vector<row_difference> differences;
        for (instant t : times) {
            auto d = compare_evaluations(*db, *cfg, t);
            differences.insert(differences.end(), d.begin(), d.end());
        }
        const bool drift = !report.clean() || !differences.empty();
        bool repaired = false;
        std::optional<metrics::count_check_report> after;
        std::vector<row_difference> differences_after;
        if (o.repair && drift) {
            after = metrics::repair_kept_counts(db->handle());
            for (instant t : times) {
                auto d = compare_evaluations(*db, *cfg, t);
                differences_after.insert(differences_after.end(), d.begin(), d.end());
            }
            repaired = true;
        }
        const bool still_wrong = repaired && (!after->clean() || !differences_after.empty());

        if (o.json) {
            json doc;
            doc["database"] = cfg->database.string();
            doc["buckets"] = report.buckets;
            doc["drift"] = drift;
            json buckets = json::array();
            for (const auto& d : report.drift) {
                buckets.push_back({{"span", d.span == 86400 ? "day" : "hour"},
                                   {"marketplace_id", d.marketplace_id},
                                   {"channel", d.channel},
                                   {"bucket_start", format_iso8601(from_unix(d.bucket * d.span))},
                                   {"kept", counters_json(d.kept)},
                                   {"recounted", counters_json(d.recounted)}});
            }
            doc["bucket_drift"] = buckets;
            doc["unlinked_missing"] = report.unlinked_missing;
            doc["shipped_flag_wrong"] = report.shipped_flag_wrong;
            doc["deferral_left"] = report.deferral_left;
            json rows = json::array();
            for (const auto& d : differences) {
                rows.push_back({{"at", d.as_of},
                                {"row", d.row},
                                {"from_counts", d.from_counts},
                                {"from_records", d.from_records}});
            }
            doc["metric_differences"] = rows;
            doc["repaired"] = repaired;
            if (repaired)
                doc["clean_after_repair"] = !still_wrong;
            std::cout << doc.dump(2) << "\n";
        } else {
            std::cout << fmt::format(
                "{}: {} buckets recounted, {} with drift, {} waiting orders"
                " not listed, {} metric rows differ\n",
                cfg->database.string(), report.buckets, report.drift.size(),
                report.unlinked_missing, differences.size());
            if (report.shipped_flag_wrong != 0 || report.deferral_left != 0) {
                std::cout << fmt::format(
                    "  {} Unshipped rows with a wrong shipped flag, {} bulk-import markers left\n",
                    report.shipped_flag_wrong, report.deferral_left);
            }
            for (const auto& d : report.drift) {
                std::cout << fmt::format("  {} {} {} from {}:", d.span == 86400 ? "day" : "hour",
                                         d.marketplace_id.empty() ? "(default)" : d.marketplace_id,
                                         d.channel, format_iso8601(from_unix(d.bucket * d.span)));
                for (int i = 0; i < metrics::kCounters; ++i) {
                    if (d.kept.v[i] != d.recounted.v[i])
                        std::cout << fmt::format(" {} kept {} recounted {};",
                                                 metrics::counter_name(i), d.kept.v[i],
                                                 d.recounted.v[i]);
                }
                std::cout << "\n";
            }
            for (const auto& d : differences) {
                std::cout << fmt::format("  as of {}: {}: from counts {}, from records {}\n",
                                         d.as_of, d.row, d.from_counts, d.from_records);
            }
            if (repaired) {
                std::cout << (still_wrong
                                  ? "repaired, but the counts still differ\n"
                                  : "repaired: the counts are rewritten from the records\n");
            } else if (drift) {
                std::cout << "drift found; --repair rewrites the counts from the records\n";
            } else {
                std::cout << "no drift\n";
            }
        }
        std::cout.flush();
        if (still_wrong)
            return kExitFailure;
        return drift ? kExitFailure : kExitOk;
    } catch (const SQLite::Exception& e) {
        std::cerr << "seller-healthd: database error: " << e.what() << "\n";
        return kExitFailure;
    } catch (const std::runtime_error& e) {
        std::cerr << "seller-healthd: " << e.what() << "\n";
        return kExitFailure;
    }
}

}  // namespace shd::cli
