// End to end through the real binary: a Maildir, and a real Dovecot over
// imaps://, read by `fetch --source mailbox` and by `run --once`; the 24-hour
// response rate `status` counts from it and what `messages list` shows.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "dovecot_server.hpp"
#include "mailbox/poll.hpp"
#include "mailbox_test_support.hpp"

namespace shd::mailbox {
namespace {

using namespace shd::mailbox::test;
using nlohmann::json;

class MailboxCli : public ::testing::Test {
  protected:
    MailboxCli() {
        make_maildir(tmp / "Maildir");
        make_maildir(tmp / "Maildir/.Sent");
        shd::test::write_file(
            tmp / "shop.yaml",
            "database: db.sqlite\n"
            "inbox: inbox\n"
            "mailbox:\n"
            "  maildir: {buyer_folders: [Maildir], reply_folders: [Maildir/.Sent]}\n"
            "  poll_interval: 1m\n");
    }

    // response_rate_24h of `marketplace` over 7 days as of `at`.
    std::pair<long long, long long> rate(const std::string& marketplace, const std::string& at) {
        const auto r = shd::test::run_binary(
            {"status", "--json", "--at", at, "--config", (tmp / "shop.yaml").string()});
        const auto doc = json::parse(r.out);
        for (const auto& row : doc.at("metrics")) {
            if (row.at("metric") == "response_rate_24h" && row.at("marketplace") == marketplace &&
                row.at("window_days") == 7)
                return {row.at("numerator").get<long long>(),
                        row.at("denominator").get<long long>()};
        }
        ADD_FAILURE() << "no response_rate_24h row for " << marketplace << " in " << r.out;
        return {-1, -1};
    }

    shd::test::temp_dir tmp;
};

TEST_F(MailboxCli, FetchAndRunOnceFeedTheResponseRate) {
    const auto inbox = tmp / "Maildir";
    const auto sent = tmp / "Maildir/.Sent";
    deliver(inbox, make_mail(buyer("a1@marketplace.amazon.co.uk", "m1@a", "2026-12-07T10:00:00Z")),
            1);
    deliver(inbox, make_mail(buyer("a2@marketplace.amazon.co.uk", "m2@a", "2026-12-07T10:00:00Z")),
            2);
    deliver(inbox, make_mail(buyer("a3@marketplace.amazon.co.uk", "m3@a", "2026-12-07T10:00:00Z")),
            3);
    deliver(inbox, make_mail(buyer("a4@marketplace.amazon.de", "m4@a", "2026-12-09T23:00:00Z")), 4);
    deliver(sent, make_mail(reply({"a1@marketplace.amazon.co.uk"}, "r1@s", "2026-12-07T11:00:00Z")),
            5);
    deliver(sent, make_mail(reply({"a2@marketplace.amazon.co.uk"}, "r2@s", "2026-12-08T12:00:00Z")),
            6);

    const auto fetched = shd::test::run_binary(
        {"fetch", "--source", "mailbox", "--json", "--config", (tmp / "shop.yaml").string()});
    ASSERT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
    const auto doc = json::parse(fetched.out);
    EXPECT_EQ(doc.at("buyer_messages"), 4);
    EXPECT_EQ(doc.at("replies"), 2);
    EXPECT_EQ(doc.at("ok"), true);

    // On time (1 h), late (26 h), late (no reply after 24 h); DE's is pending.
    EXPECT_EQ(rate("A1F83G8C2ARO7P", "2026-12-10T00:00:00Z"),
              (std::pair<long long, long long>{1, 3}));
    EXPECT_EQ(rate("A1PA6795UKMFR9", "2026-12-10T00:00:00Z"),
              (std::pair<long long, long long>{0, 0}));

    // A reply that reaches the Sent folder later is read by run --once.
    deliver(sent, make_mail(reply({"a3@marketplace.amazon.co.uk"}, "r3@s", "2026-12-07T20:00:00Z")),
            7);
    const auto once = shd::test::run_binary({"run", "--once", "--at", "2026-12-10T00:00:00Z",
                                             "--config", (tmp / "shop.yaml").string()});
    EXPECT_EQ(once.exit_code, 0) << once.err;
    EXPECT_EQ(rate("A1F83G8C2ARO7P", "2026-12-10T00:00:00Z"),
              (std::pair<long long, long long>{2, 3}));
}

TEST_F(MailboxCli, FetchWithoutAMailboxSectionIsAUsageError) {
    shd::test::write_file(tmp / "plain.yaml", "database: db.sqlite\n");
    const auto r = shd::test::run_binary(
        {"fetch", "--source", "mailbox", "--config", (tmp / "plain.yaml").string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("no mailbox"), std::string::npos);
}

TEST_F(MailboxCli, AMissingMaildirFailsFetch) {
    std::filesystem::remove_all(tmp / "Maildir/.Sent");
    const auto r = shd::test::run_binary(
        {"fetch", "--source", "mailbox", "--config", (tmp / "shop.yaml").string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("not read"), std::string::npos) << r.out;
}

// The whole path a seller sets up: IMAP over TLS from a CA of their own, the
// password as a systemd credential, `fetch`, `messages list`, `run --once`.
TEST_F(MailboxCli, ImapThroughTheBinaryWithThePasswordAsACredential) {
    if (!std::filesystem::exists(kDovecot))
        GTEST_SKIP() << kDovecot << " is not installed (dovecot-imapd)";
    init_mailbox_transport();  // the appends go through libcurl
    dovecot_server server;
    server.command("CREATE Sent");
    std::filesystem::create_directories(tmp / "credentials");
    shd::test::write_file(tmp / "credentials/imap-password", dovecot_server::kPassword);
    ::setenv("CREDENTIALS_DIRECTORY", (tmp / "credentials").c_str(), 1);
    shd::test::write_file(
        tmp / "imap.yaml",
        fmt::format("database: imap.sqlite\n"
                    "inbox: inbox\n"
                    "mailbox:\n"
                    "  imap: {{url: \"{}\", username: {}, password: credential:imap-password,\n"
                    "         ca_file: {}, buyer_folders: [INBOX], reply_folders: [Sent]}}\n",
                    server.imaps_url(), dovecot_server::kUser, server.ca_file().string()));
    const std::string config = (tmp / "imap.yaml").string();

    server.append("INBOX", make_mail(buyer("a1@marketplace.amazon.co.uk", "m1@a",
                                           "2026-12-07T10:00:00Z", "Order 206-1111111-1111111")));
    server.append("INBOX",
                  make_mail(buyer("a2@marketplace.amazon.de", "m2@a", "2026-12-07T10:00:00Z",
                                  "Bestellung 302-2222222-2222222")));
    server.append("INBOX", make_mail(buyer("seller-notification@amazon.com", "n1@a",
                                           "2026-12-07T10:00:00Z")));
    server.append(
        "Sent", make_mail(reply({"a1@marketplace.amazon.co.uk"}, "r1@s", "2026-12-07T12:00:00Z")));

    const auto fetched =
        shd::test::run_binary({"fetch", "--source", "mailbox", "--json", "--config", config});
    ::unsetenv("CREDENTIALS_DIRECTORY");
    ASSERT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
    const auto doc = json::parse(fetched.out);
    EXPECT_EQ(doc.at("buyer_messages"), 2);
    EXPECT_EQ(doc.at("replies"), 1);
    EXPECT_EQ(doc.at("other"), 1);
    EXPECT_EQ(fetched.out.find(dovecot_server::kPassword), std::string::npos);
    EXPECT_EQ(fetched.err.find(dovecot_server::kPassword), std::string::npos);

    const auto listed = shd::test::run_binary(
        {"messages", "list", "--json", "--at", "2026-12-09T00:00:00Z", "--config", config});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    std::map<std::string, json> by_id;
    const auto listed_doc = json::parse(listed.out);
    for (const auto& m : listed_doc.at("messages"))
        by_id[m.at("message_id").get<std::string>()] = m;
    ASSERT_EQ(by_id.size(), 2u) << listed.out;
    EXPECT_EQ(by_id.at("m1@a").at("state"), "answered");
    EXPECT_EQ(by_id.at("m1@a").at("order_id"), "206-1111111-1111111");
    EXPECT_EQ(by_id.at("m1@a").at("marketplace"), "A1F83G8C2ARO7P");
    EXPECT_EQ(by_id.at("m1@a").at("response_seconds"), 7200);
    EXPECT_EQ(by_id.at("m2@a").at("state"), "missed");
    EXPECT_EQ(by_id.at("m2@a").at("marketplace"), "A1PA6795UKMFR9");
    EXPECT_EQ(by_id.at("m2@a").at("reply_due"), "2026-12-08T10:00:00Z");

    // A late reply arrives; run --once reads it in its cycle.
    server.append("Sent",
                  make_mail(reply({"a2@marketplace.amazon.de"}, "r2@s", "2026-12-08T15:00:00Z")));
    ::setenv("CREDENTIALS_DIRECTORY", (tmp / "credentials").c_str(), 1);
    const auto once = shd::test::run_binary(
        {"run", "--once", "--at", "2026-12-09T00:00:00Z", "--config", config});
    ::unsetenv("CREDENTIALS_DIRECTORY");
    EXPECT_EQ(once.exit_code, 0) << once.err;
    const auto again = shd::test::run_binary(
        {"messages", "list", "--json", "--at", "2026-12-09T00:00:00Z", "--config", config});
    const auto again_doc = json::parse(again.out);
    ASSERT_EQ(again_doc.at("messages").size(), 2u) << again.out;
    for (const auto& m : again_doc.at("messages")) {
        if (m.at("message_id") == "m2@a") {
            EXPECT_EQ(m.at("state"), "answered_late") << again.out;
        }
    }
}

}  // namespace
}  // namespace shd::mailbox
