// The mailbox source on a real Maildir tree and a real SQLite file: what
// spec/sources.md "The mailbox" says becomes of buyer messages and replies,
// read incrementally and read only.
#include <SQLiteCpp/Transaction.h>
#include <gtest/gtest.h>

#include "core/digest.hpp"
#include "ingest/source_import.hpp"
#include "mailbox/classify.hpp"
#include "mailbox/poll.hpp"
#include "mailbox_test_support.hpp"
#include "store/database.hpp"

namespace shd::mailbox {
namespace {

using namespace shd::mailbox::test;

constexpr const char* kUk = "buyer1@marketplace.amazon.co.uk";
constexpr const char* kDe = "buyer2@marketplace.amazon.de";
constexpr const char* kUs = "buyer3@marketplace.amazon.com";

class MaildirPoll : public ::testing::Test {
  protected:
    MaildirPoll() {
        inbox = tmp / "Maildir";
        sent = tmp / "Maildir/.Sent";
        make_maildir(inbox);
        make_maildir(sent);
        cfg.maildir = config::mailbox_maildir_config{{inbox}, {sent}};
        auto opened = store::database::open(tmp / "db.sqlite");
        EXPECT_TRUE(opened);
        db.emplace(std::move(*opened));
    }

    poll_summary poll(const std::string& now_iso = "2026-12-20T00:00:00Z") {
        auto s = poll_mailbox(db->handle(), cfg, *parse_iso8601(now_iso), nullptr);
        EXPECT_TRUE(s) << (s ? "" : s.error().text);
        return *s;
    }

    long long count(const std::string& sql) {
        SQLite::Statement q(db->handle(), sql);
        q.executeStep();
        return q.getColumn(0).getInt64();
    }

    shd::test::temp_dir tmp;
    std::filesystem::path inbox, sent;
    config::mailbox_config cfg;
    std::optional<store::database> db;
};

TEST_F(MaildirPoll, RepliesAnswerEveryEarlierMessageOfTheirAliasOnly) {
    deliver(inbox,
            make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z", "Order 206-1111111-1111111")),
            1);
    deliver(inbox, make_mail(buyer(kUk, "uk-2@a", "2026-12-07T11:00:00Z")), 2);
    deliver(inbox, make_mail(buyer(kUk, "uk-3@a", "2026-12-08T09:00:00Z")), 3);  // after the reply
    deliver(inbox, make_mail(buyer(kDe, "de-1@a", "2026-12-07T12:00:00Z")), 4);
    // One reply to the UK alias (Cc'd to the DE one as well) at 12:30.
    auto r = reply({"Buyer <" + std::string(kUk) + ">"}, "r-1@shop", "2026-12-07T12:30:00Z");
    r.cc = {kDe};
    deliver(sent, make_mail(r), 5, /*in_cur=*/true);
    // A proactive message to a buyer who has not written yet answers nothing.
    deliver(sent, make_mail(reply({kUs}, "r-2@shop", "2026-12-07T08:00:00Z")), 6);
    deliver(inbox, make_mail(buyer(kUs, "us-1@a", "2026-12-07T09:00:00Z")), 7);

    const auto s = poll();
    EXPECT_EQ(s.buyer_messages, 5);
    EXPECT_EQ(s.replies, 2);
    EXPECT_EQ(s.folders_read, 2);
    EXPECT_FALSE(s.failed());

    const auto rows = messages(db->handle());
    ASSERT_EQ(rows.size(), 5u);
    const long long r1 = unix_of("2026-12-07T12:30:00Z");
    EXPECT_EQ(rows.at("uk-1@a"), (message_state{"206-1111111-1111111", "A1F83G8C2ARO7P",
                                                unix_of("2026-12-07T10:00:00Z"), r1}));
    EXPECT_EQ(rows.at("uk-2@a").responded_at, r1);
    EXPECT_EQ(rows.at("uk-3@a").responded_at, std::nullopt);
    EXPECT_EQ(rows.at("de-1@a").responded_at, r1);
    EXPECT_EQ(rows.at("de-1@a").marketplace_id, "A1PA6795UKMFR9");
    EXPECT_EQ(rows.at("us-1@a").responded_at, std::nullopt);
    EXPECT_EQ(rows.at("us-1@a").marketplace_id, "ATVPDKIKX0DER");
}

TEST_F(MaildirPoll, AReplyReadBeforeItsMessageStillAnswersIt) {
    deliver(sent, make_mail(reply({kUk}, "r-1@shop", "2026-12-07T12:00:00Z")), 1);
    poll();
    // The buyer's message arrives in the mailbox later, dated before the reply.
    deliver(inbox, make_mail(buyer(kUk, "uk-1@a", "2026-12-07T11:00:00Z")), 2);
    poll();
    EXPECT_EQ(messages(db->handle()).at("uk-1@a").responded_at, unix_of("2026-12-07T12:00:00Z"));
}

TEST_F(MaildirPoll, TheEarliestLaterReplyIsTheResponse) {
    deliver(inbox, make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z")), 1);
    deliver(sent, make_mail(reply({kUk}, "r-late@shop", "2026-12-09T10:00:00Z")), 2);
    poll();
    deliver(sent, make_mail(reply({kUk}, "r-early@shop", "2026-12-07T11:00:00Z")), 3);
    poll();
    EXPECT_EQ(messages(db->handle()).at("uk-1@a").responded_at, unix_of("2026-12-07T11:00:00Z"));
}

TEST_F(MaildirPoll, TheSameMessageInTwoFoldersIsOne) {
    const auto other = tmp / "Maildir/.Amazon";
    make_maildir(other);
    cfg.maildir->buyer_folders.push_back(other);
    const std::string mail = make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z"));
    deliver(inbox, mail, 1);
    deliver(other, mail, 2, true);
    const auto s = poll();
    EXPECT_EQ(s.buyer_messages, 2);                // read twice
    EXPECT_EQ(messages(db->handle()).size(), 1u);  // stored once
}

TEST_F(MaildirPoll, NothingIsReadTwiceAndFilesAreLeftAsTheyWere) {
    const auto file = deliver(inbox, make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z")), 1);
    const auto before = std::filesystem::last_write_time(file);
    poll("2026-12-10T00:00:00Z");
    EXPECT_TRUE(std::filesystem::exists(file));  // not moved to cur/
    EXPECT_EQ(std::filesystem::last_write_time(file), before);
    // A mail client moves it to cur/ and flags it: still the same file.
    std::filesystem::rename(file, inbox / "cur" / (file.filename().string() + ":2,RS"));
    const auto again = poll("2026-12-11T00:00:00Z");
    EXPECT_EQ(again.buyer_messages, 0);
    EXPECT_EQ(count("SELECT COUNT(*) FROM imports WHERE format = 'mailbox'"), 1);
    // A quiet poll still counts as the feed arriving.
    EXPECT_EQ(count("SELECT last_import_at FROM feeds WHERE feed = 'mailbox'"),
              unix_of("2026-12-11T00:00:00Z"));
}

TEST_F(MaildirPoll, NoDateTakesTheDeliveryTimeAndNoIdTheHash) {
    auto m = buyer(kUk, "", "2026-12-07T10:00:00Z");
    m.message_id.reset();
    m.date_iso.reset();
    const std::string mail = make_mail(m);
    deliver(inbox, mail, unix_of("2026-12-07T10:05:00Z"));
    poll();
    const auto rows = messages(db->handle());
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows.begin()->first, shd::sha256_hex(mail));
    EXPECT_EQ(rows.begin()->second.received_at, unix_of("2026-12-07T10:05:00Z"));
    EXPECT_EQ(rows.begin()->second.order_id, "");
}

TEST_F(MaildirPoll, OtherSendersAndUnreadableFilesAreSkippedNotFatal) {
    auto notice = buyer("donotreply@amazon.com", "n-1@amazon", "2026-12-07T10:00:00Z",
                        "Sold, ship now 111-1111111-1111111");
    deliver(inbox, make_mail(notice), 1);
    deliver(inbox, "", 2);  // an empty file
    shd::test::write_file(inbox / "new" / ".hidden", "x");
    deliver(inbox, make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z")), 3);
    const auto s = poll();
    EXPECT_EQ(s.buyer_messages, 1);
    EXPECT_EQ(s.unrelated, 1);
    EXPECT_EQ(s.skipped, 1);
    EXPECT_FALSE(s.failed());
    EXPECT_EQ(messages(db->handle()).size(), 1u);
}

TEST_F(MaildirPoll, AMissingFolderFailsThePollButNotTheOthers) {
    cfg.maildir->reply_folders.push_back(tmp / "nowhere");
    deliver(inbox, make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z")), 1);
    const auto s = poll();
    EXPECT_TRUE(s.failed());
    EXPECT_EQ(s.folders_read, 2);
    EXPECT_EQ(messages(db->handle()).size(), 1u);
    EXPECT_EQ(count("SELECT COUNT(*) FROM feeds WHERE feed = 'mailbox'"), 0);
}

TEST_F(MaildirPoll, AMessageKnownFromTheCsvStaysOneRowAndKeepsWhatTheCsvSaid) {
    {
        SQLite::Transaction tx(db->handle());
        ingest::source_import csv(db->handle(), "messages", "messages.csv",
                                  *parse_iso8601("2026-12-08T00:00:00Z"));
        ingest::message_row row;
        row.message_id = "uk-1@a";
        row.order_id = "999-9999999-9999999";
        row.received_at = *parse_iso8601("2026-12-07T10:00:00Z");
        csv.write_batch({row});
        tx.commit();
    }
    deliver(inbox,
            make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z", "about 206-1111111-1111111")),
            1);
    deliver(sent, make_mail(reply({kUk}, "r-1@shop", "2026-12-07T13:00:00Z")), 2);
    poll();
    const auto rows = messages(db->handle());
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows.at("uk-1@a").order_id, "999-9999999-9999999");
    EXPECT_EQ(rows.at("uk-1@a").marketplace_id, "A1F83G8C2ARO7P");  // the CSV had none
    EXPECT_EQ(rows.at("uk-1@a").responded_at, unix_of("2026-12-07T13:00:00Z"));
}

TEST_F(MaildirPoll, NeitherAliasesNorBodiesNorSubjectsAreStored) {
    deliver(inbox, make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z", "Secret subject words")),
            1);
    deliver(sent, make_mail(reply({kUk}, "r-1@shop", "2026-12-07T13:00:00Z")), 2);
    poll();
    db.reset();  // close, so the file holds everything
    const std::string bytes = shd::test::read_file(tmp / "db.sqlite");
    EXPECT_EQ(bytes.find("buyer1"), std::string::npos);
    EXPECT_EQ(bytes.find("Secret subject"), std::string::npos);
    EXPECT_EQ(bytes.find("where is my parcel"), std::string::npos);
    EXPECT_EQ(bytes.find("ships today"), std::string::npos);
}

}  // namespace
}  // namespace shd::mailbox
