// End to end through the real binary: a Maildir read by `fetch --source
// mailbox` and by `run --once`, and the 24-hour response rate `status`
// counts from it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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

}  // namespace
}  // namespace shd::mailbox
