// seller-healthd: watches an Amazon seller's account health and warns before
// Amazon acts. This file only parses the command line and dispatches.
#include "commands.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
    using namespace shd::cli;
    CLI::App app{"seller-healthd: Amazon seller account-health monitor"};
    app.set_version_flag("--version", std::string("seller-healthd ") + SHD_VERSION);
    app.require_subcommand(1);

    global_options g;
    auto add_config = [&](CLI::App* sub) {
        sub->add_option("--config", g.config_path, "Configuration file")
            ->capture_default_str();
    };

    auto* run_cmd = app.add_subcommand("run", "Run the daemon: watch the inbox, evaluate, alert");
    add_config(run_cmd);
    bool once = false;
    run_cmd->add_flag("--once", once, "One full cycle (scan, import, evaluate, deliver), then exit");
    std::optional<std::string> run_at;
    run_cmd->add_option("--at", run_at,
                        "With --once: evaluate and alert as of this ISO-8601 time instead of now");

    auto* import_cmd = app.add_subcommand("import", "Import export files into the database");
    add_config(import_cmd);
    std::vector<std::string> files;
    import_cmd->add_option("files", files, "Files to import")->required();

    auto* status_cmd = app.add_subcommand("status", "Print account health as of now or --at");
    add_config(status_cmd);
    std::optional<std::string> at;
    bool json = false;
    status_cmd->add_option("--at", at, "Evaluation time, ISO-8601 (default: now)");
    status_cmd->add_flag("--json", json, "Machine-readable output");

    auto* check_cmd = app.add_subcommand("check-config", "Validate and print the configuration");
    add_config(check_cmd);

    auto* test_alert_cmd = app.add_subcommand("test-alert", "Send a test notification");
    add_config(test_alert_cmd);
    std::optional<std::string> channel;
    test_alert_cmd->add_option("--channel", channel, "Only this channel (by name)");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        // --help and --version are successes; everything else is bad usage.
        return rc == 0 ? kExitOk : kExitUsage;
    }

    try {
        if (run_cmd->parsed()) return run(g, once, run_at);
        if (import_cmd->parsed()) return import_files(g, files);
        if (status_cmd->parsed()) return status(g, at, json);
        if (check_cmd->parsed()) return check_config(g);
        if (test_alert_cmd->parsed()) return test_alert(g, channel);
    } catch (const std::exception& e) {
        // A broken invariant: say so plainly and exit non-zero (systemd
        // restarts the service) rather than abort with a core dump.
        std::cerr << "seller-healthd: internal error: " << e.what() << "\n";
        return kExitFailure;
    }
    return kExitUsage;
}
