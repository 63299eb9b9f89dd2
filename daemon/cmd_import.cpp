#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "core/printable_name.hpp"
#include "ingest/importer.hpp"
#include "ingest/inbox.hpp"
#include "ingest/records.hpp"
#include "store/database.hpp"

namespace shd::cli {
namespace {

using json = nlohmann::ordered_json;

json error_json(const ingest::import_error& e) {
    return json{{"file", e.file},
                {"line", e.line == 0 ? json(nullptr) : json(e.line)},
                {"field", e.field.empty() ? json(nullptr) : json(e.field)},
                {"message", e.reason}};
}

}  // namespace

// One line per file on stdout, in the order given (or with --json one
// document, docs/cli.md). Exit 0 when every file was imported or already
// there, 1 when any was rejected or failed (the others still land: each file
// is its own transaction).
int import_files(const global_options& g, const std::vector<std::string>& files, bool as_json) {
    auto cfg = load_config_or_report(g.config_path);
    if (!cfg)
        return kExitUsage;
    auto db = store::database::open(cfg->database);
    if (!db) {
        std::cerr << "seller-healthd: " << db.error().text << "\n";
        return kExitFailure;
    }
    SystemClock clock;
    ingest::importer importer(*db, clock, cfg->default_marketplace);
    importer.set_account_marketplace(cfg->marketplace);

    // Orders go in first, whatever the order given: a Feedback report's dates
    // are read in the format of its orders' marketplace. Otherwise the given
    // order stands (a later export of the same orders wins).
    std::vector<std::filesystem::path> ordered(files.begin(), files.end());
    ordered = ingest::import_order(std::move(ordered));

    int exit_code = kExitOk;
    json results = json::array();
    long total_rows = 0;
    int counts[4] = {0, 0, 0, 0};  // imported, already imported, rejected, failed
    for (const auto& path : ordered) {
        const std::string file = printable_name(path.string());
        auto imported = importer.import_file(path);
        json entry{{"file", file}};
        if (imported) {
            if (imported->result == ingest::import_report::outcome::imported) {
                ++counts[0];
                total_rows += imported->rows;
                entry["result"] = "imported";
                entry["format"] = std::string(ingest::format_name(imported->format));
                entry["rows"] = imported->rows;
                entry["orders"] = imported->orders;
                if (!as_json) {
                    std::cout << fmt::format("imported: {} ({} rows, {} orders)\n", file,
                                             imported->rows, imported->orders);
                }
            } else {
                ++counts[1];
                entry["result"] = "already_imported";
                if (!as_json)
                    std::cout << fmt::format("already imported: {}\n", file);
            }
            entry["sha256"] = imported->sha256;
            entry["error"] = nullptr;
        } else if (imported.error().kind == ingest::import_failure_kind::rejected) {
            ++counts[2];
            entry["result"] = "rejected";
            entry["error"] = error_json(imported.error().error);
            if (!as_json) {
                std::cout << fmt::format("rejected: {}: {}\n", file,
                                         imported.error().error.where_and_why());
            }
            exit_code = kExitFailure;
        } else {
            ++counts[3];
            entry["result"] = "failed";
            entry["error"] = error_json(imported.error().error);
            if (!as_json) {
                // Not the file's fault (database busy, disk full): said on
                // stderr, since it is not one of the per-file verdicts.
                std::cout.flush();
                std::cerr << fmt::format("seller-healthd: cannot import {}: {}\n", file,
                                         imported.error().error.where_and_why());
            }
            exit_code = kExitFailure;
        }
        results.push_back(std::move(entry));
        std::cout.flush();
    }
    if (as_json) {
        json doc{{"files", std::move(results)},   {"imported", counts[0]},
                 {"already_imported", counts[1]}, {"rejected", counts[2]},
                 {"failed", counts[3]},           {"rows", total_rows}};
        std::cout << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
        std::cout.flush();
    }
    return std::cout ? exit_code : kExitFailure;
}

}  // namespace shd::cli
