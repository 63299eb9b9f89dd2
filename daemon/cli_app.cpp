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
    c.fetch = app.add_subcommand(
        "fetch", "Read the sources the daemon fetches by itself, now, and print what came");
    add_config(c.fetch);
    c.fetch
        ->add_option("--source", a.fetch_source,
                     "The source: mailbox, or one SP-API source (orders, finances, feedback, "
                     "performance); default: every SP-API source")
        ->check(CLI::IsMember({"mailbox", "orders", "finances", "feedback", "performance"}));
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
    c.silence = app.add_subcommand(
        "silence", "Keep the notices of matching alerts back for a while (docs/alerts.md)");
    c.silence->require_subcommand(1);
    c.silence_add = c.silence->add_subcommand(
        "add", "Silence the alerts a matcher names, for a time; prints the new silence's ID");
    add_config(c.silence_add);
    c.silence_add
        ->add_option("--match", a.silence_add.match,
                     "key=value,... with keys marketplace, metric, severity, kind (as a "
                     "channel's match) and alert (a fingerprint as status shows it)")
        ->required();
    c.silence_add
        ->add_option("--for", a.silence_add.duration, "How long: 30m, 4h, 2d (at most 366d)")
        ->required();
    c.silence_add->add_option("--comment", a.silence_add.comment, "Why, for the others");
    c.silence_add->add_option("--start", a.silence_add.start,
                              "Start at this ISO-8601 time instead of now (or --at)");
    c.silence_add->add_option("--author", a.silence_add.author,
                              "Who set it (default: the user running the command)");
    c.silence_add->add_option("--at", a.silence_add.at, "Act as of this ISO-8601 time");
    c.silence_add->add_flag("--json", a.silence_add.json, "Print the silence as JSON");
    c.silence_list = c.silence->add_subcommand(
        "list", "The silences that are active or pending: ID, state, matchers, end, comment");
    add_config(c.silence_list);
    c.silence_list->add_option("--at", a.silence_list.at,
                               "States as of this ISO-8601 time (default: now)");
    c.silence_list->add_flag("--all", a.silence_list.all, "Expired silences too");
    c.silence_list->add_flag("--json", a.silence_list.json, "Machine-readable output");
    c.silence_expire =
        c.silence->add_subcommand("expire", "End a silence now; what it kept back is sent");
    add_config(c.silence_expire);
    c.silence_expire->add_option("id", a.silence_expire.id, "The silence's ID")->required();
    c.silence_expire->add_option("--at", a.silence_expire.at,
                                 "End it at this ISO-8601 time instead of now");

    c.ack = app.add_subcommand(
        "ack", "Acknowledge a firing alert: no repeats of it until its severity changes");
    add_config(c.ack);
    c.ack
        ->add_option("alert", a.ack.alert,
                     "The alert's fingerprint as status shows it, or its unique start")
        ->required();
    c.ack->add_option("--comment", a.ack.comment, "A note, shown by status");
    c.ack->add_option("--author", a.ack.author,
                      "Who acknowledged (default: the user running the command)");
    c.ack->add_option("--at", a.ack.at, "Acknowledge as of this ISO-8601 time");
    c.ack->add_flag("--json", a.ack.json, "Print the acknowledgement as JSON");
    // One level of subcommands keeps the generated man page and completions
    // simple: "sp-api check" is the subcommand sp-api with its action.
    c.sp_api = app.add_subcommand("sp-api",
                                  "Amazon's Selling Partner API: `sp-api check` proves "
                                  "the credentials and names what is wrong");
    add_config(c.sp_api);
    c.sp_api->add_option("action", a.sp_api_action, "check: a token and one cheap call")
        ->required()
        ->check(CLI::IsMember({"check"}));
    c.sp_api->add_flag("--json", a.sp_api_json,
                       "One JSON document: ok, each step's result, problem and advice");
    return c;
}

}  // namespace shd::cli
