// The man pages and shell completions the build generates (seller-healthd
// --generate ...): every subcommand and option the binary's own --help lists,
// and every key check-config prints, appear in them; man renders the pages
// without a warning; bash completes "seller-healthd st" to status.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "support/test_support.hpp"

namespace shd {
namespace {

namespace fs = std::filesystem;

struct shell_result {
    int exit_code = -1;
    std::string out;  // stdout and stderr together
};

shell_result shell(const std::string& command) {
    shell_result r;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr)
        return r;
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
        r.out.append(buffer, n);
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string generate(const std::string& what) {
    const auto r = test::run_binary({"--generate", what});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

// Subcommands from `seller-healthd --help`.
std::vector<std::string> subcommands() {
    const auto help = test::run_binary({"--help"});
    std::vector<std::string> names;
    std::istringstream lines(help.out);
    bool in_list = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("Subcommands:", 0) == 0) {
            in_list = true;
            continue;
        }
        if (in_list && line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ')
            names.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
    return names;
}

// Long options from `seller-healthd SUBCOMMAND --help`.
std::vector<std::string> options_of(const std::string& subcommand) {
    const auto help = test::run_binary({subcommand, "--help"});
    std::vector<std::string> names;
    const std::regex option(R"(^  (?:-\w,)?(--[a-z][a-z-]*))");
    std::istringstream lines(help.out);
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_search(line, m, option))
            names.push_back(m[1]);
    }
    return names;
}

// "--config-dir" as troff writes it: "\-\-config\-dir".
std::string roff_dashes(const std::string& text) {
    std::string out;
    for (char c : text)
        out += c == '-' ? std::string("\\-") : std::string(1, c);
    return out;
}

TEST(GeneratedDocs, TheHelpListsWhatTheTestsExpect) {
    const auto names = subcommands();
    EXPECT_EQ(names, (std::vector<std::string>{"run", "import", "status", "check-config",
                                               "test-alert", "check-db", "backfill", "fetch",
                                               "messages", "silence", "ack", "sp-api"}));
    const auto status = options_of("status");
    EXPECT_EQ(status, (std::vector<std::string>{"--help", "--config", "--at", "--json", "--all",
                                                "--config-dir", "--check"}));
}

TEST(GeneratedDocs, ManPageEightHasEverySubcommandAndOption) {
    const std::string page = generate("man8");
    for (const auto& sub : subcommands()) {
        EXPECT_NE(page.find(".SS " + roff_dashes(sub) + "\n"), std::string::npos) << sub;
        for (const auto& option : options_of(sub))
            EXPECT_NE(page.find(roff_dashes(option)), std::string::npos) << sub << " " << option;
    }
    EXPECT_NE(page.find(roff_dashes("/etc/seller-healthd/seller-healthd.yaml")), std::string::npos);
}

// Every key path in check-config --json's effective configuration, with
// list items as [] and metric names and marketplace IDs as placeholders.
void key_paths(const nlohmann::json& node, const std::string& prefix, std::set<std::string>& out) {
    if (node.is_object()) {
        for (const auto& [name, value] : node.items()) {
            std::string part = name;
            if (prefix == "metrics" || prefix.rfind("marketplaces.", 0) == 0)
                part = "<metric>";
            if (prefix == "marketplaces")
                part = "<id>";
            const std::string key = prefix.empty() ? part : prefix + "." + part;
            out.insert(key);
            key_paths(value, key, out);
        }
    } else if (node.is_array()) {
        for (const auto& item : node) {
            if (item.is_object())
                key_paths(item, prefix + "[]", out);
        }
    }
}

TEST(GeneratedDocs, ManPageFiveHasEveryConfigurationKey) {
    test::temp_dir dir;
    test::write_file(dir / "full.yaml",
                     "marketplaces:\n"
                     "  A1F83G8C2ARO7P:\n"
                     "    late_dispatch_rate:\n"
                     "      warn: 0.02\n"
                     "alerts:\n"
                     "  quiet_hours: {start: \"22:00\", end: \"07:00\"}\n"
                     "  channels:\n"
                     "    - name: mail\n"
                     "      type: email\n"
                     "      url: smtp://mail.example.com\n"
                     "      from: a@example.com\n"
                     "      to: [b@example.com]\n"
                     "      username: ops\n"
                     "      password_file: smtp.password\n"
                     "      ca_file: ca.pem\n"
                     "    - name: hook\n"
                     "      type: webhook\n"
                     "      url: https://example.com/hook\n"
                     "      secret: s3cret\n"
                     "    - name: pager\n"
                     "      type: pagerduty\n"
                     "      url: https://events.pagerduty.com/v2/enqueue\n"
                     "      routing_key: R0UTING\n"
                     "sp_api:\n"
                     "  marketplaces: [ATVPDKIKX0DER]\n"
                     "  client_id: amzn1.application-oa2-client.x\n"
                     "  client_secret: credential:lwa-client-secret\n"
                     "  refresh_token: credential:lwa-refresh-token\n"
                     "  client_secret_expires: 2027-05-01\n"
                     "  endpoint: https://127.0.0.1:8443\n"
                     "  token_url: https://127.0.0.1:8443/auth/o2/token\n"
                     "  ca_file: ca.pem\n"
                     "  proxy: http://127.0.0.1:3128\n");
    const auto r =
        test::run_binary({"check-config", "--json", "--config", (dir / "full.yaml").string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    std::set<std::string> keys;
    key_paths(nlohmann::json::parse(r.out)["config"], "", keys);
    EXPECT_GT(keys.size(), 35u);
    EXPECT_TRUE(keys.count("alerts.channels[].password_file"));
    EXPECT_TRUE(keys.count("alerts.quiet_hours.timezone"));
    EXPECT_TRUE(keys.count("alerts.channels[].routing_key"));
    const std::string page = generate("man5");
    for (const auto& key : keys) {
        // marketplaces.<id>.<metric>.warn: documented once as the metric map.
        if (key.rfind("marketplaces.<id>.<metric>.", 0) == 0)
            continue;
        // feeds.shipments.max_age: documented once as feeds.<feed>.max_age,
        // with every feed's name in the section's text.
        if (key.rfind("feeds.", 0) == 0) {
            EXPECT_NE(page.find(".B feeds.<feed>.max_age\n"), std::string::npos);
            const std::string feed = key.substr(6, key.find('.', 6) - 6);
            EXPECT_NE(page.find(feed), std::string::npos) << feed;
            continue;
        }
        EXPECT_NE(page.find(".B " + roff_dashes(key) + "\n"), std::string::npos) << key;
    }
    for (const char* metric : {"order_defect_rate", "late_dispatch_rate", "cancellation_rate",
                               "valid_tracking_rate", "response_rate_24h"})
        EXPECT_NE(page.find(".B " + std::string(metric) + "\n"), std::string::npos) << metric;
}

TEST(GeneratedDocs, ManRendersBothPagesWithoutWarnings) {
    if (shell("command -v man").exit_code != 0)
        GTEST_SKIP() << "man is not installed";
    test::temp_dir dir;
    for (const auto& [what, file] :
         {std::pair{"man8", "seller-healthd.8"}, std::pair{"man5", "seller-healthd.yaml.5"}}) {
        test::write_file(dir / file, generate(what));
        const auto r =
            shell("MANWIDTH=80 man --warnings -l " + (dir / file).string() + " 2>&1 >/dev/null");
        EXPECT_EQ(r.exit_code, 0) << file;
        EXPECT_EQ(r.out, "") << file;
        const auto text = shell("MANWIDTH=80 man -l " + (dir / file).string());
        EXPECT_NE(text.out.find("SEE ALSO"), std::string::npos) << text.out;
    }
}

TEST(GeneratedDocs, BashCompletesSubcommandsAndOptions) {
    test::temp_dir dir;
    const std::string script = generate("bash");
    test::write_file(dir / "seller-healthd", script);
    const std::string source = "source " + (dir / "seller-healthd").string() + "; ";
    const auto registered = shell("bash -c '" + source + "complete -p seller-healthd'");
    EXPECT_EQ(registered.exit_code, 0) << registered.out;
    EXPECT_EQ(registered.out, "complete -F _seller_healthd seller-healthd\n");

    const auto complete = [&](const std::string& words, int cword) {
        return shell("bash -c '" + source + "COMP_WORDS=(" + words +
                     "); COMP_CWORD=" + std::to_string(cword) +
                     "; _seller_healthd; printf \"%s\\n\" \"${COMPREPLY[@]}\"'")
            .out;
    };
    EXPECT_EQ(complete("seller-healthd st", 1), "status\n");
    EXPECT_EQ(complete("seller-healthd status --c", 2), "--config\n--config-dir\n--check\n");
    EXPECT_EQ(complete("seller-healthd check-config --j", 2), "--json\n");

    const std::string zsh = generate("zsh");
    EXPECT_EQ(zsh.rfind("#compdef seller-healthd\n", 0), 0u);
    for (const auto& sub : subcommands()) {
        EXPECT_NE(script.find(" " + sub), std::string::npos) << sub;
        EXPECT_NE(zsh.find("'" + sub + ":"), std::string::npos) << sub;
        EXPECT_NE(zsh.find("        " + sub + ")\n"), std::string::npos) << sub;
        for (const auto& option : options_of(sub)) {
            EXPECT_NE(script.find(option), std::string::npos) << sub << " " << option;
            EXPECT_NE(zsh.find("'" + option + "["), std::string::npos) << sub << " " << option;
        }
    }
    if (shell("command -v zsh").exit_code == 0) {
        const std::string file = (dir / "_seller-healthd").string();
        test::write_file(file, zsh);
        const auto syntax = shell("zsh -n " + file);
        EXPECT_EQ(syntax.exit_code, 0) << syntax.out;
        // The completion system's functions replaced by ones that print what
        // they are given: what the script offers for the words so far.
        const auto offered = [&](const std::string& words, int current) {
            return shell(
                       "zsh -f -c '_describe() { local a=$4; print -l -- ${(P)a}; }; "
                       "compadd() { shift; print -l -- \"$@\"; }; "
                       "_arguments() { print -l -- \"$@\"; }; words=(" +
                       words + "); CURRENT=" + std::to_string(current) + "; source " + file + "'")
                .out;
        };
        const std::string first = offered("seller-healthd st", 2);
        EXPECT_NE(first.find("status:Print account health"), std::string::npos) << first;
        const std::string status = offered("seller-healthd status --c", 3);
        EXPECT_NE(status.find("--config-dir[With --all"), std::string::npos) << status;
        EXPECT_NE(status.find("--check["), std::string::npos) << status;
        EXPECT_EQ(status.find("--channel"), std::string::npos) << status;
    }
}

// A group's subcommands ("messages list") are documented and completed
// like the top-level ones.
TEST(GeneratedDocs, NestedSubcommandsAreDocumentedAndCompleted) {
    const std::string page = generate("man8");
    const std::string script = generate("bash");
    const std::string zsh = generate("zsh");
    const std::map<std::string, std::vector<std::string>> nested{
        {"messages list", {"--config", "--at", "--pending", "--json"}},
        {"messages no-response-needed", {"--config", "--undo"}}};
    for (const auto& [command, options] : nested) {
        EXPECT_NE(page.find(".SS " + roff_dashes(command) + "\n"), std::string::npos) << command;
        EXPECT_NE(page.find(".B seller\\-healthd " + roff_dashes(command) + "\n"),
                  std::string::npos)
            << command;
        const auto help = test::run_binary({"messages", command.substr(9), "--help"});
        EXPECT_EQ(help.exit_code, 0);
        for (const auto& option : options) {
            EXPECT_NE(help.out.find(option), std::string::npos) << command << " " << option;
            EXPECT_NE(zsh.find("'" + option + "["), std::string::npos) << command << " " << option;
        }
    }
    EXPECT_NE(page.find("MESSAGE_IDS..."), std::string::npos);

    test::temp_dir dir;
    test::write_file(dir / "seller-healthd", script);
    const auto complete = [&](const std::string& words, int cword) {
        return shell("bash -c 'source " + (dir / "seller-healthd").string() + "; COMP_WORDS=(" +
                     words + "); COMP_CWORD=" + std::to_string(cword) +
                     "; _seller_healthd; printf \"%s\\n\" \"${COMPREPLY[@]}\"'")
            .out;
    };
    EXPECT_EQ(complete("seller-healthd mes", 1), "messages\n");
    EXPECT_EQ(complete("seller-healthd messages l", 2), "list\n");
    EXPECT_EQ(complete("seller-healthd messages n", 2), "no-response-needed\n");
    EXPECT_EQ(complete("seller-healthd messages list --p", 3), "--pending\n");
    EXPECT_EQ(complete("seller-healthd messages no-response-needed --u", 3), "--undo\n");
    // Message IDs are not file names.
    EXPECT_EQ(complete("seller-healthd messages no-response-needed x", 3), "\n");

    if (shell("command -v zsh").exit_code == 0) {
        const std::string file = (dir / "_seller-healthd").string();
        test::write_file(file, zsh);
        EXPECT_EQ(shell("zsh -n " + file).exit_code, 0);
        const auto offered = [&](const std::string& words, int current) {
            return shell(
                       "zsh -f -c '_describe() { local a=$4; print -l -- ${(P)a}; }; "
                       "compadd() { shift; print -l -- \"$@\"; }; "
                       "_arguments() { print -l -- \"$@\"; }; words=(" +
                       words + "); CURRENT=" + std::to_string(current) + "; source " + file + "'")
                .out;
        };
        const std::string subs = offered("seller-healthd messages l", 3);
        EXPECT_NE(subs.find("list:Each buyer message"), std::string::npos) << subs;
        const std::string list = offered("seller-healthd messages list --p", 4);
        EXPECT_NE(list.find("--pending["), std::string::npos) << list;
        EXPECT_EQ(list.find("--undo"), std::string::npos) << list;
    }
}

TEST(GeneratedDocs, UnknownDocumentIsUsageError) {
    const auto r = test::run_binary({"--generate", "pdf"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace shd
