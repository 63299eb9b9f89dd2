#include "cli_app.hpp"

namespace shd::cli {

cli_commands define_cli(CLI::App& app, cli_args& a) {
    app.set_version_flag("--version", std::string("seller-healthd ") + SHD_VERSION);
    app.require_subcommand(1);
    cli_commands c;

    auto add_config = [&](CLI::App* sub) {
        return sub->add_option("--config", a.g.config_path, "Configuration file")
            ->capture_default_str();
    };

    c.run = app.add_subcommand("run", "Run the daemon: watch the inbox, evaluate, alert");
    add_config(c.run);
    c.run->add_flag("--once", a.once,
                    "One full cycle (scan, import, evaluate, deliver), then exit");
    c.run->add_option("--at", a.run_at,
                      "With --once: evaluate and alert as of this ISO-8601 time instead of now");

    c.import = app.add_subcommand("import", "Import export files into the database");
    add_config(c.import);
    c.import->add_option("files", a.files, "Files to import")->required();
    c.import->add_flag("--json", a.import_json,
                       "One JSON document: per file its result, rows, orders and error");

    c.status = app.add_subcommand("status", "Print account health as of now or --at");
    auto* status_config = add_config(c.status);
    c.status->add_option("--at", a.status.at, "Evaluation time, ISO-8601 (default: now)");
    auto* json = c.status->add_flag("--json", a.status.json, "Machine-readable output");
    auto* all = c.status->add_flag(
        "--all", a.status.all,
        "Every account: one row per *.yaml in --config-dir and its database, worst first");
    c.status
        ->add_option("--config-dir", a.status.config_dir,
                     "With --all: the folder of the accounts' configuration files")
        ->capture_default_str()
        ->needs(all);
    c.status
        ->add_flag("--check", a.status.check,
                   "Monitoring-plugin output: one line with perfdata; exit 0 OK, 1 WARNING "
                   "(at risk), 2 CRITICAL (breached), 3 UNKNOWN")
        ->excludes(json);
    all->excludes(status_config);

    c.check_config = app.add_subcommand("check-config", "Validate and print the configuration");
    add_config(c.check_config);
    c.check_config->add_flag("--json", a.check_config_json,
                             "One JSON document: valid, the effective configuration or the "
                             "problems with file, line, column and key");

    c.test_alert = app.add_subcommand("test-alert", "Send a test notification");
    add_config(c.test_alert);
    c.test_alert->add_option("--channel", a.channel, "Only this channel (by name)");
    c.test_alert->add_flag("--json", a.test_alert_json,
                           "One JSON document: per channel its type and delivery result");

    c.check_db = app.add_subcommand(
        "check-db", "Recount the kept metric counts from the records and report any drift");
    add_config(c.check_db);
    c.check_db->add_option("--at", a.check_db.at,
                           "Also compare the metrics as of this ISO-8601 time, from the counts and "
                           "from the records alone (repeatable; default: now)");
    c.check_db->add_flag("--repair", a.check_db.repair,
                         "Rewrite the counts from the records, in one transaction");
    c.check_db->add_flag("--json", a.check_db.json,
                         "One JSON document: buckets recounted, each drifting bucket and metric "
                         "row, repaired");

    c.backfill = app.add_subcommand(
        "backfill", "Compute the past hours' metric history from stored data; sends nothing");
    add_config(c.backfill);
    c.backfill->add_option("--days", a.backfill.days, "Days of hourly points to compute (1-400)")
        ->capture_default_str();
    c.backfill->add_option("--at", a.backfill.at,
                           "End of the range, ISO-8601 (default: now); its hour is the last");
    c.backfill->add_flag("--replace", a.backfill.replace,
                         "Evaluate again hours that already hold a point, leaving one point an "
                         "hour (default: keep them)");
    c.backfill->add_flag("--json", a.backfill.json,
                         "One JSON document: the range and what was evaluated, kept and written");
    c.fetch = app.add_subcommand("fetch", "Read a source the daemon fetches by itself, now");
    add_config(c.fetch);
    c.fetch->add_option("--source", a.fetch_source, "The source: mailbox")
        ->required()
        ->check(CLI::IsMember({"mailbox"}));
    c.fetch->add_flag("--json", a.fetch_json, "One JSON document: what was read");
    c.messages = app.add_subcommand(
        "messages",
        "Buyer messages: list them with their reply state, mark those needing no reply");
    c.messages->require_subcommand(1);
    c.messages_list = c.messages->add_subcommand(
        "list", "Each buyer message: order, marketplace, received and due times, reply state");
    add_config(c.messages_list);
    c.messages_list->add_option("--at", a.messages_list.at,
                                "Reply states as of this ISO-8601 time (default: now)");
    c.messages_list->add_flag("--pending", a.messages_list.pending,
                              "Only messages still waiting for a reply (pending or missed), "
                              "oldest first");
    c.messages_list->add_flag("--json", a.messages_list.json, "Machine-readable output");
    c.messages_no_response_needed = c.messages->add_subcommand(
        "no-response-needed",
        "Mark buyer messages as needing no reply (left out of the response rate)");
    add_config(c.messages_no_response_needed);
    c.messages_no_response_needed
        ->add_option("message_ids", a.message_ids, "Message IDs (as messages list shows them)")
        ->required();
    c.messages_no_response_needed->add_flag("--undo", a.messages_undo,
                                            "Clear the mark instead of setting it");
    return c;
}

}  // namespace shd::cli
