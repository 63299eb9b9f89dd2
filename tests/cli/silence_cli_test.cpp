// Silences and acknowledgements through the real binary: `silence add`
// keeps a breach from a loopback webhook receiver across `run --once`
// processes (each one opens the database anew, as a restart does), `silence
// list` and `status --json` show it, `silence expire` lets the firing notice
// out at the next run; `ack` stops the repeat, not the resolve.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "orders_file.hpp"
#include "support/http_test_server.hpp"
#include "support/test_support.hpp"

namespace shd::test {
namespace {

class silence_cli : public ::testing::Test {
  protected:
    void SetUp() override {
        write_file(dir_ / "config.yaml",
                   "account: \"Test seller\"\n"
                   "database: \"state.sqlite\"\n"
                   "inbox: \"inbox\"\n"
                   "alerts:\n"
                   "  channels:\n"
                   "    - name: hook\n"
                   "      type: webhook\n"
                   "      url: \"" +
                       receiver_.url("/alerts") + "\"\n");
        // A first cycle with nothing to import makes the database.
        write_file(dir_ / "inbox" / ".keep", "");
        const auto first = run({"run", "--once", "--at", "2025-10-02T23:00:00Z"});
        ASSERT_EQ(first.exit_code, 0) << first.err;
    }

    process_result run(std::vector<std::string> args) {
        args.push_back("--config");
        args.push_back((dir_ / "config.yaml").string());
        return run_binary(args);
    }

    // The cancellation alert's "transition/severity" in each request.
    std::vector<std::string> notices() {
        std::vector<std::string> out;
        for (const auto& r : receiver_.requests()) {
            const auto body = nlohmann::json::parse(r.body);  // alive while iterated
            for (const auto& a : body.at("alerts")) {
                if (a.at("metric") == "cancellation_rate")
                    out.push_back(a.at("transition").get<std::string>() + "/" +
                                  a.at("severity").get<std::string>());
            }
        }
        return out;
    }

    http_test_server receiver_;
    temp_dir dir_;
};

using notices_list = std::vector<std::string>;

TEST_F(silence_cli, ASilenceKeepsTheNoticeBackUntilItIsExpired) {
    const auto added = run(
        {"silence", "add", "--match", "marketplace=ATVPDKIKX0DER,metric=cancellation_rate", "--for",
         "4h", "--comment", "carrier strike", "--author", "ops", "--at", "2025-10-02T23:30:00Z"});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    EXPECT_EQ(added.out, "1\n");

    write_file(dir_ / "inbox" / "orders.txt", orders_file(10, "2025-10-01T12:00:00Z"));
    const auto silenced = run({"run", "--once", "--at", "2025-10-03T00:00:00Z"});
    EXPECT_EQ(silenced.exit_code, 0) << silenced.err;
    EXPECT_EQ(receiver_.request_count(), 0u) << silenced.err;

    const auto listed = run({"silence", "list", "--json", "--at", "2025-10-03T00:00:00Z"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    const auto list = nlohmann::json::parse(listed.out);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].at("id"), 1);
    EXPECT_EQ(list[0].at("state"), "active");
    EXPECT_EQ(list[0].at("matchers"), "marketplace=ATVPDKIKX0DER,metric=cancellation_rate");
    EXPECT_EQ(list[0].at("ends_at"), "2025-10-03T03:30:00Z");
    EXPECT_EQ(list[0].at("comment"), "carrier strike");
    EXPECT_EQ(list[0].at("created_by"), "ops");

    // status: the breach is firing and silenced; the metric rows are as ever.
    const auto status = run({"status", "--json", "--at", "2025-10-03T00:00:00Z"});
    ASSERT_EQ(status.exit_code, 0) << status.err;
    const auto doc = nlohmann::json::parse(status.out);
    ASSERT_EQ(doc.at("silences").size(), 1u);
    EXPECT_EQ(doc.at("silences")[0].at("id"), 1);
    ASSERT_EQ(doc.at("alerts").size(), 1u);
    EXPECT_EQ(doc.at("alerts")[0].at("fingerprint"), "cancellation_rate|ATVPDKIKX0DER|MFN|7");
    EXPECT_EQ(doc.at("alerts")[0].at("state"), "firing");
    EXPECT_EQ(doc.at("alerts")[0].at("silenced_by"), 1);
    for (const auto& row : doc.at("metrics")) {
        EXPECT_FALSE(row.contains("silenced_by"));
        EXPECT_FALSE(row.contains("acknowledged"));
    }
    const auto table = run({"status", "--at", "2025-10-03T00:00:00Z"});
    EXPECT_NE(table.out.find("silenced by 1"), std::string::npos) << table.out;

    // Another process, the same silence: still nothing.
    EXPECT_EQ(run({"run", "--once", "--at", "2025-10-03T00:30:00Z"}).exit_code, 0);
    EXPECT_EQ(receiver_.request_count(), 0u);

    const auto expired = run({"silence", "expire", "1", "--at", "2025-10-03T01:00:00Z"});
    EXPECT_EQ(expired.exit_code, 0) << expired.err;
    EXPECT_EQ(expired.out, "silence 1 expired\n");
    const auto after = run({"run", "--once", "--at", "2025-10-03T01:00:00Z"});
    EXPECT_EQ(after.exit_code, 0) << after.err;
    EXPECT_EQ(notices(), notices_list{"firing/breached"});
    const auto body = nlohmann::json::parse(receiver_.requests().at(0).body);
    EXPECT_EQ(body.at("alerts")[0].at("since"), "2025-10-03T00:00:00Z");

    EXPECT_EQ(run({"silence", "list", "--json", "--at", "2025-10-03T01:00:00Z"}).out, "[]\n");
    const auto all = nlohmann::json::parse(
        run({"silence", "list", "--all", "--json", "--at", "2025-10-03T01:00:00Z"}).out);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].at("state"), "expired");
    EXPECT_EQ(all[0].at("expired_at"), "2025-10-03T01:00:00Z");
}

TEST_F(silence_cli, AnAcknowledgedAlertIsNotRepeatedButStillResolves) {
    write_file(dir_ / "inbox" / "orders.txt", orders_file(10, "2025-10-01T12:00:00Z"));
    const auto fired = run({"run", "--once", "--at", "2025-10-03T00:00:00Z"});
    ASSERT_EQ(fired.exit_code, 0) << fired.err;
    ASSERT_EQ(receiver_.request_count(), 1u) << fired.err;
    EXPECT_EQ(notices(), notices_list{"firing/breached"});

    const auto unknown = run({"ack", "late_dispatch_rate", "--at", "2025-10-03T01:00:00Z"});
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.err.find("no firing alert is late_dispatch_rate"), std::string::npos)
        << unknown.err;
    const auto acked = run({"ack", "cancellation_rate|ATVPDKIKX0DER", "--comment", "on it",
                            "--json", "--at", "2025-10-03T01:00:00Z"});
    ASSERT_EQ(acked.exit_code, 0) << acked.err;
    const auto ack = nlohmann::json::parse(acked.out);
    EXPECT_EQ(ack.at("fingerprint"), "cancellation_rate|ATVPDKIKX0DER|MFN|7");
    EXPECT_EQ(ack.at("severity"), "breached");

    // Past repeat_interval (12 h): no repeat.
    const auto later = run({"run", "--once", "--at", "2025-10-03T12:30:00Z"});
    EXPECT_EQ(later.exit_code, 0) << later.err;
    EXPECT_EQ(notices(), notices_list{"firing/breached"});
    const auto doc =
        nlohmann::json::parse(run({"status", "--json", "--at", "2025-10-03T12:30:00Z"}).out);
    ASSERT_EQ(doc.at("alerts").size(), 1u);
    EXPECT_EQ(doc.at("alerts")[0].at("acknowledged"), true);
    EXPECT_EQ(doc.at("alerts")[0].at("ack_comment"), "on it");

    // The orders were not cancelled after all: the resolve still goes out.
    write_file(dir_ / "inbox" / "orders-update.txt", orders_file(0, "2025-10-02T12:00:00Z"));
    const auto resolved = run({"run", "--once", "--at", "2025-10-03T13:00:00Z"});
    EXPECT_EQ(resolved.exit_code, 0) << resolved.err;
    EXPECT_EQ(notices(), (notices_list{"firing/breached", "resolved/breached"}));
}

TEST_F(silence_cli, BadInputIsNamedAndChangesNothing) {
    const auto key = run({"silence", "add", "--match", "market=ATVPDKIKX0DER", "--for", "4h"});
    EXPECT_EQ(key.exit_code, 2);
    EXPECT_NE(key.err.find("unknown key 'market'"), std::string::npos) << key.err;
    const auto duration =
        run({"silence", "add", "--match", "metric=late_dispatch_rate", "--for", "4x"});
    EXPECT_EQ(duration.exit_code, 2);
    EXPECT_NE(duration.err.find("--for: '4x'"), std::string::npos) << duration.err;
    const auto missing = run({"silence", "add", "--match", "metric=late_dispatch_rate"});
    EXPECT_EQ(missing.exit_code, 2);
    const auto expire = run({"silence", "expire", "7"});
    EXPECT_EQ(expire.exit_code, 1);
    EXPECT_NE(expire.err.find("no silence 7"), std::string::npos) << expire.err;
    EXPECT_EQ(run({"silence", "list"}).out, "No silences.\n");
}

}  // namespace
}  // namespace shd::test
