// The mailbox source against a real Dovecot (dovecot_server.hpp): messages
// placed with IMAP APPEND, read over imaps:// and imap:// with STARTTLS,
// incrementally by UID, with UIDVALIDITY respected and a server that goes
// away in the middle of a read.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/digest.hpp"
#include "dovecot_server.hpp"
#include "mailbox/poll.hpp"
#include "mailbox_test_support.hpp"
#include "store/database.hpp"

namespace shd::mailbox {
namespace {

using namespace shd::mailbox::test;

constexpr const char* kUk = "buyer1@marketplace.amazon.co.uk";
constexpr const char* kDe = "buyer2@marketplace.amazon.de";
constexpr const char* kJp = "buyer3@marketplace.amazon.co.jp";

// Relays one TCP connection at a time to `target_port`; the first one is cut
// after `cut_after` bytes from the server (the server going away mid-read).
class cutting_proxy {
  public:
    cutting_proxy(int target_port, std::size_t cut_after)
        : target_(target_port), cut_after_(cut_after) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int yes = 1;
        ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        socklen_t len = sizeof addr;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        ::listen(listener_, 8);
        thread_ = std::thread([this] { serve(); });
    }
    ~cutting_proxy() {
        stop_ = true;
        ::shutdown(listener_, SHUT_RDWR);
        ::close(listener_);
        thread_.join();
    }
    int port() const { return port_; }

  private:
    void serve() {
        bool first = true;
        while (!stop_) {
            const int client = ::accept(listener_, nullptr, nullptr);
            if (client < 0)
                return;
            const int server = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_port = htons(static_cast<uint16_t>(target_));
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
                ::close(client);
                ::close(server);
                continue;
            }
            relay(client, server, first ? cut_after_ : SIZE_MAX);
            first = false;
            ::close(client);
            ::close(server);
        }
    }
    static void relay(int client, int server, std::size_t budget) {
        std::size_t from_server = 0;
        char buffer[16384];
        while (true) {
            fd_set fds;
            FD_ZERO(&fds);
            FD_SET(client, &fds);
            FD_SET(server, &fds);
            if (::select(std::max(client, server) + 1, &fds, nullptr, nullptr, nullptr) <= 0)
                return;
            if (FD_ISSET(client, &fds)) {
                const auto n = ::read(client, buffer, sizeof buffer);
                if (n <= 0 || ::write(server, buffer, static_cast<std::size_t>(n)) != n)
                    return;
            }
            if (FD_ISSET(server, &fds)) {
                auto n = ::read(server, buffer, sizeof buffer);
                if (n <= 0)
                    return;
                const std::size_t allowed = std::min<std::size_t>(n, budget - from_server);
                if (allowed > 0 &&
                    ::write(client, buffer, allowed) != static_cast<ssize_t>(allowed))
                    return;
                from_server += allowed;
                if (from_server >= budget)
                    return;  // the server "goes away"
            }
        }
    }
    int listener_ = -1;
    int port_ = 0;
    int target_;
    std::size_t cut_after_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

class ImapPoll : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!std::filesystem::exists(kDovecot))
            GTEST_SKIP() << kDovecot << " is not installed (dovecot-imapd)";
        init_mailbox_transport();
        server.emplace();
        server->command("CREATE Sent");
        server->command("CREATE \"Amazon Buyers\"");
        config::mailbox_imap_config imap;
        imap.url = server->imaps_url();
        imap.username = dovecot_server::kUser;
        imap.password = dovecot_server::kPassword;
        imap.buyer_folders = {"INBOX", "Amazon Buyers"};
        imap.reply_folders = {"Sent"};
        imap.tls = "implicit";
        imap.ca_file = server->ca_file();
        imap.timeout = std::chrono::seconds(10);
        cfg.imap = imap;
        auto opened = store::database::open(tmp / "db.sqlite");
        ASSERT_TRUE(opened);
        db.emplace(std::move(*opened));
    }

    poll_summary poll(const config::mailbox_config& c) {
        auto s = poll_mailbox(db->handle(), c, *parse_iso8601("2026-12-20T00:00:00Z"), nullptr);
        EXPECT_TRUE(s) << (s ? "" : s.error().text);
        return s ? *s : poll_summary{};
    }
    poll_summary poll() { return poll(cfg); }

    shd::test::temp_dir tmp;
    std::optional<dovecot_server> server;
    config::mailbox_config cfg;
    std::optional<store::database> db;
};

TEST_F(ImapPoll, MarketplacesRepliesAndAProactiveReply) {
    server->append("INBOX",
                   make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z",
                                   "=?UTF-8?B?QmVzdGVsbHVuZyAyMDYtMTExMTExMS0xMTExMTEx?=")));
    server->append("INBOX", make_mail(buyer(kUk, "uk-2@a", "2026-12-07T11:00:00Z")));
    server->append("INBOX", make_mail(buyer(kDe, "de-1@a", "2026-12-07T12:00:00Z")));
    auto no_order = buyer(kJp, "jp-1@a", "2026-12-07T09:00:00Z");
    no_order.body = "No number here.";
    server->append("INBOX", make_mail(no_order));
    auto notice = buyer("donotreply@amazon.com", "n-1@amazon", "2026-12-07T10:00:00Z");
    server->append("INBOX", make_mail(notice));
    // One reply answers both UK messages; the proactive one to the JP buyer
    // was sent before the buyer wrote and answers nothing.
    server->append("Sent", make_mail(reply({kUk}, "r-1@shop", "2026-12-07T12:30:00Z")));
    server->append("Sent", make_mail(reply({kJp}, "r-2@shop", "2026-12-07T08:00:00Z")));

    const auto s = poll();
    EXPECT_FALSE(s.failed()) << (s.failed() ? s.folder_errors[0] : "");
    EXPECT_EQ(s.buyer_messages, 4);
    EXPECT_EQ(s.unrelated, 1);
    EXPECT_EQ(s.replies, 2);
    EXPECT_EQ(s.folders_read, 3);

    const auto rows = messages(db->handle());
    ASSERT_EQ(rows.size(), 4u);
    const long long r1 = unix_of("2026-12-07T12:30:00Z");
    EXPECT_EQ(rows.at("uk-1@a"), (message_state{"206-1111111-1111111", "A1F83G8C2ARO7P",
                                                unix_of("2026-12-07T10:00:00Z"), r1}));
    EXPECT_EQ(rows.at("uk-2@a").responded_at, r1);
    EXPECT_EQ(rows.at("de-1@a").responded_at, std::nullopt);
    EXPECT_EQ(rows.at("de-1@a").marketplace_id, "A1PA6795UKMFR9");
    EXPECT_EQ(rows.at("jp-1@a").responded_at, std::nullopt);
    EXPECT_EQ(rows.at("jp-1@a").order_id, "");
    EXPECT_EQ(rows.at("jp-1@a").marketplace_id, "A1VC38T7YXB528");

    // Nothing new: one EXAMINE per folder and no FETCH.
    const auto again = poll();
    EXPECT_EQ(again.buyer_messages + again.replies + again.unrelated, 0);
    EXPECT_EQ(again.imap_commands, 3);

    // New mail is read, and only it.
    server->append("INBOX", make_mail(buyer(kDe, "de-2@a", "2026-12-08T12:00:00Z")));
    server->append("Sent", make_mail(reply({kDe}, "r-3@shop", "2026-12-08T13:00:00Z")));
    const auto third = poll();
    EXPECT_EQ(third.buyer_messages, 1);
    EXPECT_EQ(third.replies, 1);
    const auto after = messages(db->handle());
    EXPECT_EQ(after.at("de-1@a").responded_at, unix_of("2026-12-08T13:00:00Z"));
    EXPECT_EQ(after.at("de-2@a").responded_at, unix_of("2026-12-08T13:00:00Z"));
}

TEST_F(ImapPoll, TheSameMessageInTwoFoldersIsOneAndNothingIsMarkedSeen) {
    const std::string mail = make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z"));
    server->append("INBOX", mail);
    server->append("Amazon Buyers", mail);
    // libcurl's APPEND stores messages as seen; make them unread, as new mail
    // is (Dovecot keeps \Seen in the Maildir file name, ":2,S").
    const auto home = server->ca_file().parent_path() / "home";
    auto seen_files = [&] {
        std::vector<std::filesystem::path> out;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(home)) {
            const auto name = entry.path().filename().string();
            if (entry.is_regular_file() && entry.path().parent_path().filename() == "cur" &&
                name.find(":2,") != std::string::npos &&
                name.substr(name.find(":2,")).find('S') != std::string::npos)
                out.push_back(entry.path());
        }
        return out;
    };
    for (const auto& p : seen_files()) {
        std::string name = p.filename().string();
        name.erase(name.find('S', name.find(":2,")), 1);
        std::filesystem::rename(p, p.parent_path() / name);
    }
    ASSERT_TRUE(seen_files().empty());

    const auto s = poll();
    EXPECT_EQ(s.buyer_messages, 2);
    EXPECT_EQ(messages(db->handle()).size(), 1u);
    EXPECT_TRUE(seen_files().empty()) << "a message was marked seen";
}

TEST_F(ImapPoll, NoDateNoMessageIdTakesInternalDateAndTheWholeMessagesHash) {
    auto m = buyer(kUk, "", "2026-12-07T10:00:00Z");
    m.message_id.reset();
    m.date_iso.reset();
    m.subject = "Order 206-2222222-2222222";
    const std::string mail = make_mail(m);
    server->append("INBOX", mail);
    const auto s = poll();
    EXPECT_EQ(s.buyer_messages, 1);
    const auto rows = messages(db->handle());
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows.begin()->first, sha256_hex(mail));
    EXPECT_EQ(rows.begin()->second.order_id, "206-2222222-2222222");
    // APPEND without a date: INTERNALDATE is when the server got it (now-ish).
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    EXPECT_NEAR(static_cast<double>(rows.begin()->second.received_at),
                static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(now).count()),
                600.0);
}

TEST_F(ImapPoll, StartTlsOnThePlainPort) {
    server->append("INBOX", make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z")));
    auto c = cfg;
    c.imap->url = fmt::format("imap://127.0.0.1:{}", server->imap_port());
    c.imap->tls = "starttls";
    const auto s = poll(c);
    EXPECT_FALSE(s.failed()) << (s.failed() ? s.folder_errors[0] : "");
    EXPECT_EQ(s.buyer_messages, 1);
}

TEST_F(ImapPoll, AnUntrustedCertificateIsRefused) {
    server->append("INBOX", make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z")));
    auto c = cfg;
    c.imap->ca_file.clear();  // the system's CAs do not know the test CA
    const auto s = poll(c);
    EXPECT_TRUE(s.failed());
    EXPECT_EQ(messages(db->handle()).size(), 0u);
}

TEST_F(ImapPoll, AWrongPasswordFailsThePollAndNeverReachesTheLog) {
    auto c = cfg;
    c.imap->password = "wrong-password-xyz";
    const auto s = poll(c);
    ASSERT_TRUE(s.failed());
    for (const auto& e : s.folder_errors)
        EXPECT_EQ(e.find("wrong-password-xyz"), std::string::npos);
}

TEST_F(ImapPoll, AChangedUidValidityReadsTheFolderAgainWithoutDoubles) {
    server->append("INBOX", make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z")));
    EXPECT_EQ(poll().buyer_messages, 1);
    // The folder is recreated (a server migration): new UIDVALIDITY, UIDs from 1.
    server->command("DELETE \"Amazon Buyers\"");
    server->command("CREATE \"Amazon Buyers\"");
    server->append("Amazon Buyers", make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z")));
    server->append("Amazon Buyers", make_mail(buyer(kDe, "de-1@a", "2026-12-07T11:00:00Z")));
    const auto s = poll();
    EXPECT_EQ(s.buyer_messages, 2);
    EXPECT_EQ(messages(db->handle()).size(), 2u);
    EXPECT_EQ(poll().buyer_messages, 0);
}

TEST_F(ImapPoll, TheServerGoingAwayMidReadLosesNothingAndReadsNothingTwice) {
    for (int i = 0; i < 40; ++i) {
        auto m = buyer(i % 2 ? kUk : kDe, fmt::format("m-{}@a", i), "2026-12-07T10:00:00Z");
        m.body = std::string(1500, 'x');  // long enough that the cut falls inside FETCH
        server->append("INBOX", make_mail(m));
    }
    cutting_proxy proxy(server->imaps_port(), 20000);
    auto c = cfg;
    c.imap->url = fmt::format("imaps://127.0.0.1:{}", proxy.port());
    const auto cut = poll(c);
    EXPECT_TRUE(cut.failed());
    EXPECT_LT(messages(db->handle()).size(), 40u);
    {
        SQLite::Statement q(db->handle(), "SELECT COUNT(*) FROM feeds WHERE feed = 'mailbox'");
        q.executeStep();
        EXPECT_EQ(q.getColumn(0).getInt(), 0);  // an incomplete read is not an arrival
    }
    // The next read (the proxy now relays everything) finishes the job.
    const auto next = poll(c);
    EXPECT_FALSE(next.failed()) << (next.failed() ? next.folder_errors[0] : "");
    EXPECT_EQ(messages(db->handle()).size(), 40u);
    EXPECT_EQ(poll(c).buyer_messages, 0);
}

TEST_F(ImapPoll, AStoppedServerFailsThePollAndTheNextOneGoesOn) {
    server->append("INBOX", make_mail(buyer(kUk, "uk-1@a", "2026-12-07T10:00:00Z")));
    server->stop();
    const auto down = poll();
    EXPECT_TRUE(down.failed());
    EXPECT_EQ(down.folders_read, 0);
    server->start();
    const auto up = poll();
    EXPECT_FALSE(up.failed());
    EXPECT_EQ(messages(db->handle()).size(), 1u);
}

// libcurl ends a response at any line that starts with its command tag
// ("A004 OK"), even inside a message. A buyer can write such lines; the mail
// around that message must still be read, and that message too.
TEST_F(ImapPoll, ALineThatLooksLikeTheEndOfTheAnswerHidesNoMail) {
    server->append("INBOX", make_mail(buyer(kUk, "before@a", "2026-12-07T09:00:00Z",
                                            "Order 206-1111111-1111111")));
    auto tricky = buyer(kUk, "tricky@a", "2026-12-07T10:00:00Z", "Order 206-2222222-2222222");
    tricky.body = "Hello,\r\n";
    for (int tag = 1; tag <= 80; ++tag)
        tricky.body += fmt::format("A{:03} OK done\r\n", tag);
    tricky.body += "* 1 FETCH (UID 999 BODY[HEADER] {10}\r\nFrom: x\r\n)\r\n";
    server->append("INBOX", make_mail(tricky));
    server->append("INBOX", make_mail(buyer(kDe, "after@a", "2026-12-07T11:00:00Z",
                                            "Order 206-3333333-3333333")));

    const auto s = poll();
    EXPECT_FALSE(s.failed()) << (s.failed() ? s.folder_errors[0] : "");
    EXPECT_EQ(s.buyer_messages, 3);
    auto rows = messages(db->handle());
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows.at("tricky@a").order_id, "206-2222222-2222222");
    EXPECT_EQ(rows.at("tricky@a").received_at, unix_of("2026-12-07T10:00:00Z"));
    EXPECT_EQ(rows.at("after@a").order_id, "206-3333333-3333333");

    // The position moved past it: the next poll reads only new mail.
    server->append("INBOX", make_mail(buyer(kDe, "later@a", "2026-12-08T11:00:00Z")));
    const auto next = poll();
    EXPECT_FALSE(next.failed()) << (next.failed() ? next.folder_errors[0] : "");
    EXPECT_EQ(next.buyer_messages, 1);
    EXPECT_EQ(messages(db->handle()).size(), 4u);
}

// Large messages make a FETCH of many UIDs too large for libcurl: it is
// asked again in smaller pieces, and nothing is skipped.
TEST_F(ImapPoll, LargeMessagesAreFetchedInSmallerPieces) {
    constexpr int kCount = 60;
    for (int i = 0; i < kCount; ++i) {
        auto m = buyer(kUk, fmt::format("big-{}@a", i), "2026-12-07T10:00:00Z",
                       fmt::format("Order 206-{:07}-1111111 {}", i, std::string(7000, 'x')));
        m.body = std::string(4000, 'y');
        server->append("INBOX", make_mail(m));
    }
    const auto s = poll();
    EXPECT_FALSE(s.failed()) << (s.failed() ? s.folder_errors[0] : "");
    EXPECT_EQ(s.buyer_messages, kCount);
    const auto rows = messages(db->handle());
    ASSERT_EQ(rows.size(), static_cast<std::size_t>(kCount));
    EXPECT_EQ(rows.at("big-59@a").order_id, "206-0000059-1111111");
    // More than one FETCH for the folder: the first was too large.
    EXPECT_GT(s.imap_commands, 5);
}

// Folder names are written in the configuration as the seller sees them;
// the server knows them in modified UTF-7.
TEST_F(ImapPoll, AFolderWithANonAsciiNameIsRead) {
    server->command("CREATE \"Amazon K&AOQ-ufer\"");
    server->append("Amazon K&AOQ-ufer", make_mail(buyer(kDe, "de-1@a", "2026-12-07T10:00:00Z",
                                                        "Bestellung 302-1111111-1111111")));
    auto c = cfg;
    c.imap->buyer_folders = {"Amazon K\xC3\xA4ufer"};
    const auto s = poll(c);
    EXPECT_FALSE(s.failed()) << (s.failed() ? s.folder_errors[0] : "");
    EXPECT_EQ(s.buyer_messages, 1);
    EXPECT_EQ(messages(db->handle()).at("de-1@a").order_id, "302-1111111-1111111");
}

}  // namespace
}  // namespace shd::mailbox
