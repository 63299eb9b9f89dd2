// The `mailbox:` section: the issue's own example, and the strictness every
// section has.
#include <gtest/gtest.h>

#include "config/config.hpp"

namespace shd::config {
namespace {

result<config, config_error> parse(const std::string& yaml) {
    return parse_config(yaml, "/etc/seller-healthd/shop.yaml");
}

std::string error_of(const std::string& yaml) {
    auto c = parse(yaml);
    EXPECT_FALSE(c) << yaml;
    return c ? "" : c.error().to_string();
}

TEST(MailboxConfig, AbsentMeansNoMailbox) {
    auto c = parse("account: shop\n");
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->mailbox.enabled());
    EXPECT_EQ(format_effective(*c).find("\nmailbox:"), std::string::npos);
}

TEST(MailboxConfig, TheIssuesImapExample) {
    auto c = parse(
        "mailbox:\n"
        "  imap: {url: imaps://mail.example.com, username: orders@example.com, password: "
        "credential:imap-password,\n"
        "         buyer_folders: [INBOX], reply_folders: [Sent]}\n"
        "  poll_interval: 2m\n");
    ASSERT_TRUE(c) << c.error().to_string();
    ASSERT_TRUE(c->mailbox.imap);
    EXPECT_FALSE(c->mailbox.maildir);
    const auto& imap = *c->mailbox.imap;
    EXPECT_EQ(imap.url, "imaps://mail.example.com");
    EXPECT_EQ(imap.username, "orders@example.com");
    EXPECT_EQ(imap.password, "credential:imap-password");
    EXPECT_EQ(imap.buyer_folders, std::vector<std::string>{"INBOX"});
    EXPECT_EQ(imap.reply_folders, std::vector<std::string>{"Sent"});
    EXPECT_EQ(imap.tls, "implicit");
    EXPECT_EQ(c->mailbox.poll_interval, std::chrono::minutes(2));
}

TEST(MailboxConfig, TheIssuesMaildirExampleWithRelativePaths) {
    auto c = parse(
        "mailbox:\n"
        "  maildir: {buyer_folders: [/home/shop/Maildir], reply_folders: "
        "[/home/shop/Maildir/.Sent, "
        "copies]}\n");
    ASSERT_TRUE(c) << c.error().to_string();
    ASSERT_TRUE(c->mailbox.maildir);
    EXPECT_EQ(c->mailbox.maildir->buyer_folders,
              std::vector<std::filesystem::path>{"/home/shop/Maildir"});
    EXPECT_EQ(c->mailbox.maildir->reply_folders,
              (std::vector<std::filesystem::path>{"/home/shop/Maildir/.Sent",
                                                  "/etc/seller-healthd/copies"}));
    EXPECT_EQ(c->mailbox.poll_interval, std::chrono::minutes(2));  // the default
}

TEST(MailboxConfig, StartTlsIsRequiredUnlessTlsNoneIsSaid) {
    auto c =
        parse("mailbox:\n  imap: {url: 'imap://mail.example.com:143', username: u, password: p}\n");
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->mailbox.imap->tls, "starttls");
    auto plain = parse(
        "mailbox:\n  imap: {url: 'imap://127.0.0.1:143', username: u, password: p, tls: none}\n");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->mailbox.imap->tls, "none");
    EXPECT_NE(
        error_of("mailbox:\n  imap: {url: 'imaps://h', username: u, password: p, tls: none}\n")
            .find("imaps:// always uses TLS"),
        std::string::npos);
}

TEST(MailboxConfig, MistakesAreNamedWithTheirKeyAndLine) {
    EXPECT_NE(error_of("mailbox:\n  imap: {url: 'https://h', username: u, password: p}\n")
                  .find("shop.yaml:2:"),
              std::string::npos);
    EXPECT_NE(error_of("mailbox:\n  imap: {url: 'imaps://u:p@h', username: u, password: p}\n")
                  .find("mailbox.imap.url"),
              std::string::npos);
    EXPECT_NE(error_of("mailbox:\n  imap: {url: 'imaps://h/INBOX', username: u, password: p}\n")
                  .find("buyer_folders"),
              std::string::npos);
    EXPECT_NE(error_of("mailbox:\n  imap: {url: 'imaps://h', username: u}\n").find("password"),
              std::string::npos);
    EXPECT_NE(error_of("mailbox:\n  imap: {url: 'imaps://h', username: u, password: p, "
                       "buyer_folder: [INBOX]}\n")
                  .find("did you mean 'buyer_folders'"),
              std::string::npos);
    EXPECT_NE(error_of("mailbox:\n  imap: {url: 'imaps://h', username: u, password: p, "
                       "buyer_folders: []}\n")
                  .find("empty"),
              std::string::npos);
    EXPECT_NE(error_of("mailbox:\n  imap: {url: 'imaps://h', username: u, password: p, "
                       "buyer_folders: INBOX}\n")
                  .find("write [INBOX]"),
              std::string::npos);
    EXPECT_NE(error_of("mailbox:\n  imap: {url: 'imaps://h', username: u, password: p}\n"
                       "  maildir: {buyer_folders: [/a], reply_folders: [/b]}\n")
                  .find("not both"),
              std::string::npos);
    EXPECT_NE(error_of("mailbox:\n  poll_interval: 2m\n").find("imap' or 'maildir"),
              std::string::npos);
    EXPECT_NE(error_of("mailbox:\n  maildir: {buyer_folders: [/a], reply_folders: [/b]}\n"
                       "  poll_interval: 1s\n")
                  .find("poll_interval"),
              std::string::npos);
    EXPECT_NE(
        error_of("mailbox:\n  imap: {url: 'imaps://h', username: u, password: 'credential:../x'}\n")
            .find("mailbox.imap.password"),
        std::string::npos);
}

TEST(MailboxConfig, EffectiveConfigHidesThePasswordAndReadsBack) {
    auto c = parse(
        "mailbox:\n  imap: {url: 'imap://mail.example.com', username: u, password: hunter2, "
        "buyer_folders: [INBOX, \"Amazon Buyers\"], reply_folders: [Sent], ca_file: ca.pem}\n"
        "  poll_interval: 5m\n");
    ASSERT_TRUE(c) << c.error().to_string();
    const std::string text = format_effective(*c);
    EXPECT_EQ(text.find("hunter2"), std::string::npos);
    EXPECT_NE(text.find("Amazon Buyers"), std::string::npos);
    auto again = parse_config(text, "/etc/seller-healthd/shop.yaml");
    ASSERT_TRUE(again) << again.error().to_string() << "\n" << text;
    EXPECT_EQ(again->mailbox.imap->buyer_folders, c->mailbox.imap->buyer_folders);
    EXPECT_EQ(again->mailbox.imap->ca_file, "/etc/seller-healthd/ca.pem");
    EXPECT_EQ(again->mailbox.poll_interval, std::chrono::minutes(5));
}

}  // namespace
}  // namespace shd::config
