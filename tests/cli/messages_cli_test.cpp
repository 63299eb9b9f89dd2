// `seller-healthd messages list` and `messages no-response-needed`, run as a
// child process on a database filled by importing a messages CSV: the JSON
// contract, --pending, --at, exit codes, and that the seller's mark changes
// response_rate_24h and survives a re-import of the CSV.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"

namespace shd {
namespace {

// T = 2026-03-01T00:00:00Z.
constexpr const char* kAt = "2026-03-01T00:00:00Z";

class messages_cli : public ::testing::Test {
  protected:
    void SetUp() override {
        test::write_file(dir / "shd.yaml",
                         "database: \"db.sqlite\"\n"
                         "inbox: \"inbox\"\n"
                         "default_marketplace: \"ATVPDKIKX0DER\"\n");
        test::write_file(
            dir / "messages.csv",
            "message_id,order_id,marketplace_id,received_at,responded_at,no_response_needed\n"
            // Answered within 24 h (exactly 24 h is on time).
            "m-on-time,111-0000000-0000001,,2026-02-27T00:00:00Z,2026-02-28T00:00:00Z,\n"
            // Answered 24 h + 1 s after.
            "m-late,,A1F83G8C2ARO7P,2026-02-26T00:00:00Z,2026-02-27T00:00:01Z,\n"
            // No reply and more than 24 h: missed.
            "m-missed,,,2026-02-27T12:00:00Z,,false\n"
            // No reply, 2 h old: pending.
            "m-pending,,,2026-02-28T22:00:00Z,,\n"
            // Replied after T: as of T still pending.
            "m-reply-later,,,2026-02-28T20:00:00Z,2026-03-01T01:00:00Z,\n"
            // The CSV's own flag.
            "m-thanks,,,2026-02-27T06:00:00Z,,true\n"
            // Received after T: does not exist yet as of T.
            "m-future,,,2026-03-01T00:00:01Z,,\n");
        ASSERT_EQ(import().exit_code, 0);
    }

    test::process_result import() {
        return test::run_binary(
            {"import", "--config", (dir / "shd.yaml").string(), (dir / "messages.csv").string()});
    }

    test::process_result run(std::vector<std::string> args) {
        std::vector<std::string> all{"messages"};
        all.insert(all.end(), args.begin(), args.end());
        all.push_back("--config");
        all.push_back((dir / "shd.yaml").string());
        return test::run_binary(all);
    }

    nlohmann::json list_json(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"list", "--json", "--at", kAt};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto r = run(args);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(r.err, "");
        return nlohmann::json::parse(r.out);
    }

    // response_rate_24h of the US 7-day window as (numerator, denominator).
    std::pair<int, int> us_response_rate() {
        const auto r = test::run_binary(
            {"status", "--json", "--at", kAt, "--config", (dir / "shd.yaml").string()});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        const auto doc = nlohmann::json::parse(r.out);
        for (const auto& row : doc["metrics"]) {
            if (row["metric"] == "response_rate_24h" && row["marketplace"] == "ATVPDKIKX0DER" &&
                row["window_days"] == 7)
                return {row["numerator"].get<int>(), row["denominator"].get<int>()};
        }
        ADD_FAILURE() << "no response_rate_24h row";
        return {-1, -1};
    }

    test::temp_dir dir;
};

const nlohmann::json& by_id(const nlohmann::json& doc, const std::string& id) {
    for (const auto& m : doc["messages"]) {
        if (m["message_id"] == id)
            return m;
    }
    throw std::runtime_error("no message " + id);
}

std::vector<std::string> ids(const nlohmann::json& doc) {
    std::vector<std::string> out;
    for (const auto& m : doc["messages"])
        out.push_back(m["message_id"]);
    return out;
}

TEST_F(messages_cli, ListJsonStatesAndFields) {
    const auto doc = list_json();
    EXPECT_EQ(doc["as_of"], kAt);
    // Oldest first; the message received after T is not there.
    EXPECT_EQ(ids(doc), (std::vector<std::string>{"m-late", "m-on-time", "m-thanks", "m-missed",
                                                  "m-reply-later", "m-pending"}));
    const auto& on_time = by_id(doc, "m-on-time");
    // The fields in their documented order.
    const auto r = run({"list", "--json", "--at", kAt});
    std::vector<std::string> keys;
    const auto ordered = nlohmann::ordered_json::parse(r.out);
    for (const auto& [k, v] : ordered["messages"][0].items())
        keys.push_back(k);
    EXPECT_EQ(keys,
              (std::vector<std::string>{"message_id", "order_id", "marketplace", "received_at",
                                        "reply_due", "responded_at", "response_seconds", "state",
                                        "no_response_needed", "marked_no_response_needed"}));
    EXPECT_EQ(on_time["order_id"], "111-0000000-0000001");
    EXPECT_EQ(on_time["marketplace"], "ATVPDKIKX0DER");  // no order imported: the default
    EXPECT_EQ(on_time["received_at"], "2026-02-27T00:00:00Z");
    EXPECT_EQ(on_time["reply_due"], "2026-02-28T00:00:00Z");
    EXPECT_EQ(on_time["responded_at"], "2026-02-28T00:00:00Z");
    EXPECT_EQ(on_time["response_seconds"], 86400);
    EXPECT_EQ(on_time["state"], "answered");

    const auto& late = by_id(doc, "m-late");
    EXPECT_EQ(late["state"], "answered_late");
    EXPECT_EQ(late["marketplace"], "A1F83G8C2ARO7P");
    EXPECT_EQ(late["response_seconds"], 86401);
    EXPECT_TRUE(late["order_id"].is_null());

    EXPECT_EQ(by_id(doc, "m-missed")["state"], "missed");
    EXPECT_TRUE(by_id(doc, "m-missed")["responded_at"].is_null());
    EXPECT_EQ(by_id(doc, "m-pending")["state"], "pending");
    EXPECT_EQ(by_id(doc, "m-pending")["reply_due"], "2026-03-01T22:00:00Z");
    // The reply after T has not happened yet.
    EXPECT_EQ(by_id(doc, "m-reply-later")["state"], "pending");
    EXPECT_TRUE(by_id(doc, "m-reply-later")["responded_at"].is_null());
    EXPECT_TRUE(by_id(doc, "m-reply-later")["response_seconds"].is_null());
    const auto& thanks = by_id(doc, "m-thanks");
    EXPECT_EQ(thanks["state"], "no_response_needed");
    EXPECT_EQ(thanks["no_response_needed"], true);
    EXPECT_EQ(thanks["marked_no_response_needed"], false);
}

TEST_F(messages_cli, PendingListsOnlyThoseWaitingOldestFirst) {
    EXPECT_EQ(ids(list_json({"--pending"})),
              (std::vector<std::string>{"m-missed", "m-reply-later", "m-pending"}));
    // An hour later the late reply has come, and m-future was received.
    const auto r = run({"list", "--json", "--pending", "--at", "2026-03-01T01:00:00Z"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ids(nlohmann::json::parse(r.out)),
              (std::vector<std::string>{"m-missed", "m-pending", "m-future"}));
}

TEST_F(messages_cli, ListTable) {
    const auto r = run({"list", "--at", kAt});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Buyer messages as of 2026-03-01T00:00:00Z"), std::string::npos);
    EXPECT_NE(r.out.find("missed (due 12 h ago)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("pending (due in 22 h)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("answered 2026-02-28T00:00:00Z (1 d)"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("m-future"), std::string::npos);
    const auto none = run({"list", "--pending", "--at", "2026-02-20T00:00:00Z"});
    ASSERT_EQ(none.exit_code, 0);
    EXPECT_NE(none.out.find("No buyer message waits for a reply."), std::string::npos);
}

TEST_F(messages_cli, BadAtIsUsageError) {
    const auto r = run({"list", "--at", "yesterday"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--at"), std::string::npos);
    EXPECT_EQ(run({"list", "--bogus"}).exit_code, 2);
    EXPECT_EQ(test::run_binary({"messages"}).exit_code, 2);  // a subcommand is required
}

TEST_F(messages_cli, MarkChangesTheRateSurvivesReimportAndUndo) {
    // US 7 days: on time m-on-time; late m-missed. m-thanks is left out.
    EXPECT_EQ(us_response_rate(), std::make_pair(1, 2));

    const auto marked = run({"no-response-needed", "m-missed"});
    ASSERT_EQ(marked.exit_code, 0) << marked.err;
    EXPECT_EQ(marked.out, "marked no response needed: m-missed\n");
    EXPECT_EQ(us_response_rate(), std::make_pair(1, 1));
    const auto listed = list_json();
    const auto& m = by_id(listed, "m-missed");
    EXPECT_EQ(m["state"], "no_response_needed");
    EXPECT_EQ(m["marked_no_response_needed"], true);
    EXPECT_EQ(ids(list_json({"--pending"})),
              (std::vector<std::string>{"m-reply-later", "m-pending"}));

    // A changed CSV re-imported (its row says false): the mark stands.
    test::write_file(dir / "messages.csv",
                     test::read_file(dir / "messages.csv") + "m-extra,,,2026-02-28T23:00:00Z,,\n");
    ASSERT_EQ(import().exit_code, 0);
    EXPECT_EQ(by_id(list_json(), "m-missed")["state"], "no_response_needed");
    EXPECT_EQ(us_response_rate(), std::make_pair(1, 1));

    const auto again = run({"no-response-needed", "m-missed"});
    EXPECT_EQ(again.exit_code, 0);
    EXPECT_EQ(again.out, "already marked: m-missed\n");

    const auto undone = run({"no-response-needed", "--undo", "m-missed", "m-thanks"});
    ASSERT_EQ(undone.exit_code, 0) << undone.err;
    EXPECT_EQ(undone.out, "unmarked: m-missed\nnot marked: m-thanks\n");
    // The CSV's own flag is the CSV's: undo does not clear it, and says so.
    EXPECT_NE(undone.err.find("still no response needed by the imported row"), std::string::npos);
    EXPECT_NE(undone.err.find("m-thanks"), std::string::npos);
    EXPECT_EQ(by_id(list_json(), "m-missed")["state"], "missed");
    EXPECT_EQ(by_id(list_json(), "m-thanks")["state"], "no_response_needed");
    EXPECT_EQ(us_response_rate(), std::make_pair(1, 2));
}

TEST_F(messages_cli, UnknownIdsAreAnErrorAndChangeNothing) {
    const auto r = run({"no-response-needed", "m-missed", "nope-1", "nope-2"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("no such messages: nope-1, nope-2; nothing was changed"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(by_id(list_json(), "m-missed")["state"], "missed");
    EXPECT_EQ(run({"no-response-needed"}).exit_code, 2);  // an ID is required
}

TEST_F(messages_cli, NoDatabaseYet) {
    test::write_file(dir / "empty.yaml", "database: \"none.sqlite\"\n");
    const auto mark = test::run_binary(
        {"messages", "no-response-needed", "x", "--config", (dir / "empty.yaml").string()});
    EXPECT_EQ(mark.exit_code, 1);
    EXPECT_NE(mark.err.find("does not exist yet"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir / "none.sqlite"));
    const auto list =
        test::run_binary({"messages", "list", "--config", (dir / "empty.yaml").string()});
    EXPECT_EQ(list.exit_code, 1);
}

TEST_F(messages_cli, StatusShowsTheServiceMetrics) {
    const auto r = test::run_binary(
        {"status", "--json", "--at", kAt, "--config", (dir / "shd.yaml").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    // Two marketplaces (US by default, UK), three windows each.
    ASSERT_EQ(doc["message_service"].size(), 6u);
    const auto& us7 = doc["message_service"][3];
    EXPECT_EQ(us7["marketplace"], "ATVPDKIKX0DER");
    EXPECT_EQ(us7["window_days"], 7);
    EXPECT_EQ(us7["window_start"], "2026-02-22T00:00:00Z");
    EXPECT_EQ(us7["messages"], 4);  // on-time, missed, reply-later, pending
    EXPECT_EQ(us7["replied"], 1);
    EXPECT_EQ(us7["first_response_median_seconds"].get<double>(), 86400.0);
    EXPECT_EQ(us7["first_response_p90_seconds"].get<double>(), 86400.0);
    EXPECT_EQ(us7["waiting"], 3);
    EXPECT_EQ(us7["waiting_overdue"], 1);
    EXPECT_EQ(us7["oldest_waiting_message_id"], "m-missed");
    EXPECT_EQ(us7["oldest_waiting_received_at"], "2026-02-27T12:00:00Z");
    const auto& uk7 = doc["message_service"][0];
    EXPECT_EQ(uk7["marketplace"], "A1F83G8C2ARO7P");
    EXPECT_EQ(uk7["waiting"], 0);
    EXPECT_TRUE(uk7["oldest_waiting_message_id"].is_null());

    const auto table =
        test::run_binary({"status", "--at", kAt, "--config", (dir / "shd.yaml").string()});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_NE(table.out.find("Buyer messages (service, informs only)"), std::string::npos);
    EXPECT_NE(table.out.find("3 (1 overdue)  m-missed (2026-02-27T12:00:00Z)"), std::string::npos)
        << table.out;
}

}  // namespace
}  // namespace shd
