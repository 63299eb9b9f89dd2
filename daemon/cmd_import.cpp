#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "core/clock.hpp"
#include "ingest/importer.hpp"
#include "ingest/inbox.hpp"
#include "store/database.hpp"

namespace shd::cli {

// One line per file on stdout, in the order given. Exit 0 when every file was
// imported or already there, 1 when any was rejected or failed (the others
// still land: each file is its own transaction).
int import_files(const global_options& g, const std::vector<std::string>& files) {
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
    for (const auto& path : ordered) {
        auto imported = importer.import_file(path.string());
        const std::string file = ingest::printable(path.string());
        if (imported) {
            if (imported->result == ingest::import_report::outcome::imported) {
                std::cout << fmt::format("imported: {} ({} rows, {} orders)\n", file,
                                         imported->rows, imported->orders);
            } else {
                std::cout << fmt::format("already imported: {}\n", file);
            }
        } else if (imported.error().kind == ingest::import_failure_kind::rejected) {
            std::cout << fmt::format("rejected: {}: {}\n", file,
                                     imported.error().error.where_and_why());
            exit_code = kExitFailure;
        } else {
            // Not the file's fault (database busy, disk full): said on stderr,
            // since it is not one of the per-file verdicts.
            std::cout.flush();
            std::cerr << fmt::format("seller-healthd: cannot import {}: {}\n", file,
                                     imported.error().error.where_and_why());
            exit_code = kExitFailure;
        }
        std::cout.flush();
    }
    return exit_code;
}

}  // namespace shd::cli
