// seller-healthd: watches an Amazon seller's account health and warns before
// Amazon acts. This file only parses the command line and dispatches.
#include <cstring>
#include <iostream>

#include "cli_app.hpp"
#include "commands.hpp"
#include "man_page.hpp"

int main(int argc, char** argv) {
    using namespace shd::cli;
    CLI::App app{kProgramSummary, "seller-healthd"};
    cli_args a;
    const cli_commands c = define_cli(app, a);

    // Build-time generators, not in --help: the man pages and completions
    // are written from this very app (docs/cli.md, "Man pages").
    if (argc == 3 && std::strcmp(argv[1], "--generate") == 0) {
        auto text = generate_document(app, argv[2]);
        if (!text) {
            std::cerr << "seller-healthd: --generate: one of man8, man5, bash, zsh\n";
            return kExitUsage;
        }
        std::cout << *text;
        return std::cout.flush() ? kExitOk : kExitFailure;
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        // --help and --version are successes; everything else is bad usage
        // (for a monitoring plugin, "unknown").
        if (rc == 0)
            return kExitOk;
        return c.status->parsed() && a.status.check ? 3 : kExitUsage;
    }

    try {
        if (c.run->parsed())
            return run(a.g, a.once, a.run_at);
        if (c.import->parsed())
            return import_files(a.g, a.files, a.import_json);
        if (c.status->parsed())
            return status(a.g, a.status);
        if (c.check_config->parsed())
            return check_config(a.g, a.check_config_json);
        if (c.check_db->parsed())
            return check_db(a.g, a.check_db);
        if (c.test_alert->parsed())
            return test_alert(a.g, a.channel, a.test_alert_json);
        if (c.backfill->parsed())
            return backfill(a.g, a.backfill);
        if (c.sp_api->parsed())
            return sp_api_check(a.g, a.sp_api_json);
        if (c.fetch->parsed())
            return fetch(a.g, a.fetch_source, a.fetch_json);
        if (c.messages_list->parsed())
            return messages_list(a.g, a.messages_list);
        if (c.silence_add->parsed())
            return silence_add(a.g, a.silence_add);
        if (c.silence_list->parsed())
            return silence_list(a.g, a.silence_list);
        if (c.silence_expire->parsed())
            return silence_expire(a.g, a.silence_expire);
        if (c.ack->parsed())
            return ack(a.g, a.ack);
        if (c.messages_no_response_needed->parsed())
            return messages_no_response_needed(a.g, a.message_ids, a.messages_undo);
    } catch (const std::exception& e) {
        // A broken invariant: say so plainly and exit non-zero (systemd
        // restarts the service) rather than abort with a core dump.
        std::cerr << "seller-healthd: internal error: " << e.what() << "\n";
        return kExitFailure;
    }
    return kExitUsage;
}
