// Reading IMAP responses as libcurl hands them over: complete FETCH data,
// and responses cut short (by the network, or by a line inside a message
// that libcurl took for the command's end).
#include "mailbox/imap_response.hpp"

#include <gtest/gtest.h>

namespace shd::mailbox::detail {
namespace {

std::string literal(const std::string& text) {
    return "{" + std::to_string(text.size()) + "}\r\n" + text;
}

TEST(ImapResponse, ACompleteFetchGivesEveryMessage) {
    const std::string header = "From: a@marketplace.amazon.de\r\nSubject: Hi\r\n\r\n";
    const std::string response =
        "* 1 FETCH (UID 7 INTERNALDATE \"07-Dec-2026 15:26:43 +0100\" "
        "BODY[HEADER.FIELDS (FROM SUBJECT)]<0> " +
        literal(header) + " BODY[TEXT]<0> " + literal("line one\r\nA004 OK looks like an end\r\n") +
        ")\r\n* 2 FETCH (UID 9 BODY[HEADER] " + literal(header) + " BODY[TEXT]<0> NIL)\r\n" +
        "A004 OK Fetch completed.\r\n";
    const auto r = parse_fetch(response);
    EXPECT_FALSE(r.cut);
    ASSERT_EQ(r.messages.size(), 2u);
    EXPECT_EQ(r.messages[0].uid, 7);
    EXPECT_EQ(r.messages[0].header, header);
    EXPECT_EQ(r.messages[0].text, "line one\r\nA004 OK looks like an end\r\n");
    EXPECT_EQ(r.messages[0].internal_date, parse_iso8601("2026-12-07T14:26:43Z"));
    EXPECT_EQ(r.messages[1].uid, 9);
    EXPECT_EQ(r.messages[1].text, "");
}

TEST(ImapResponse, AResponseCutInsideALiteralStopsThereAndNamesTheMessage) {
    // libcurl stopped at "A004 OK" inside UID 9's text: what follows in the
    // text looks like another message and must not be read as one.
    const std::string response =
        "* 1 FETCH (UID 7 BODY[HEADER] " + literal("From: a@b\r\n\r\n") +
        ")\r\n* 2 FETCH (UID 9 BODY[HEADER] " + literal("From: a@b\r\n\r\n") +
        " BODY[TEXT]<0> {200}\r\nhello\r\n* 3 FETCH (UID 99 BODY[HEADER] {3}\r\nx\r\n)\r\n"
        "A004 OK\r\n";
    const auto r = parse_fetch(response);
    EXPECT_TRUE(r.cut);
    EXPECT_EQ(r.cut_uid, 9);
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0].uid, 7);
}

TEST(ImapResponse, AResponseWithoutItsTaggedCompletionIsCut) {
    // The literal ended exactly at the false end line: the message's data
    // never closes.
    const std::string text = "hello\r\nA004 OK\r\n";
    const std::string response = "* 1 FETCH (UID 7 BODY[HEADER] " + literal("From: a@b\r\n\r\n") +
                                 " BODY[TEXT]<0> " + literal(text);
    const auto r = parse_fetch(response);
    EXPECT_TRUE(r.cut);
    EXPECT_EQ(r.cut_uid, 7);
    EXPECT_TRUE(r.messages.empty());

    const auto untagged_only = parse_fetch("* 1 FETCH (UID 7 BODY[TEXT]<0> NIL)\r\n");
    EXPECT_TRUE(untagged_only.cut);
    EXPECT_EQ(untagged_only.messages.size(), 1u);
    EXPECT_FALSE(untagged_only.cut_uid);
}

TEST(ImapResponse, ExamineGivesUidValidityUidNextAndExists) {
    const auto e = parse_examine(
        "* FLAGS (\\Answered)\r\n* 12 EXISTS\r\n* OK [UIDVALIDITY 1765000000] UIDs valid\r\n"
        "* OK [UIDNEXT 31] Predicted next UID\r\nA003 OK [READ-ONLY] Examine completed\r\n");
    EXPECT_EQ(e.uidvalidity, 1765000000);
    EXPECT_EQ(e.uidnext, 31);
    EXPECT_EQ(e.exists, 12);
    EXPECT_FALSE(parse_examine("A003 NO Mailbox doesn't exist\r\n").uidvalidity);
}

TEST(ImapResponse, MailboxNamesAreInModifiedUtf7) {
    // RFC 3501 5.1.3's own examples, and more.
    EXPECT_EQ(modified_utf7("INBOX"), "INBOX");
    EXPECT_EQ(modified_utf7("Entw\xC3\xBCrfe"), "Entw&APw-rfe");
    EXPECT_EQ(
        modified_utf7("~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"),
        "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    EXPECT_EQ(modified_utf7("Tom & Jerry"), "Tom &- Jerry");
    EXPECT_EQ(modified_utf7("Gesendete Elemente \xE2\x9C\x89\xF0\x9F\x93\xA6"),
              "Gesendete Elemente &JwnYPdzm-");
    EXPECT_EQ(modified_utf7("Envoy\xC3\xA9s"), "Envoy&AOk-s");
    // Not UTF-8: the byte is Latin-1.
    EXPECT_EQ(modified_utf7("Envoy\xE9s"), "Envoy&AOk-s");
    EXPECT_EQ(quote_mailbox("Entw\xC3\xBCrfe"), "\"Entw&APw-rfe\"");
}

TEST(ImapResponse, MailboxNamesAreQuoted) {
    EXPECT_EQ(quote_mailbox("Amazon \"Buyers\"\\x"), "\"Amazon \\\"Buyers\\\"\\\\x\"");
}

}  // namespace
}  // namespace shd::mailbox::detail
