// The classifier on real messages (tests/data/mail): encoded words, folded
// headers, multipart quoted-printable bodies, broken and missing dates,
// 8-bit junk, senders that are not aliases.
#include "mailbox/classify.hpp"

#include <gtest/gtest.h>

#include "core/digest.hpp"
#include "support/test_support.hpp"

namespace shd::mailbox {
namespace {

std::string mail(const std::string& name) {
    return test::read_file(test::data_file("mail/" + name));
}

const instant kDelivered = from_unix(1'800'000'000);

buyer_message buyer(const std::string& name, std::optional<instant> delivered = kDelivered) {
    auto c = classify_message(mail(name), folder_role::buyer, delivered);
    EXPECT_TRUE(c) << (c ? "" : c.error().text);
    EXPECT_TRUE(std::holds_alternative<buyer_message>(*c)) << name;
    return std::get<buyer_message>(*c);
}

TEST(MailboxClassify, AliasDomainsGiveTheirMarketplace) {
    EXPECT_EQ(alias_marketplace("a@marketplace.amazon.com"), "ATVPDKIKX0DER");
    EXPECT_EQ(alias_marketplace("a@marketplace.amazon.co.uk"), "A1F83G8C2ARO7P");
    EXPECT_EQ(alias_marketplace("A@Marketplace.Amazon.DE"), "A1PA6795UKMFR9");
    EXPECT_EQ(alias_marketplace("a@marketplace.amazon.com.mx"), "A1AM78C64UM0Y8");
    EXPECT_EQ(alias_marketplace("a@marketplace.amazon.co.jp"), "A1VC38T7YXB528");
    EXPECT_EQ(alias_marketplace("a@marketplace.amazon.ie"), "A28R8C7NBKEWEA");
    EXPECT_EQ(alias_marketplace("a@marketplace.amazon.eg"), "ARBP9OOSHTCHU");
    EXPECT_EQ(alias_marketplace("a@marketplace.amazon.com.be"), "AMEN7PMS3EDWL");
    EXPECT_FALSE(alias_marketplace("donotreply@amazon.com"));
    EXPECT_FALSE(alias_marketplace("a@marketplace.amazon.co.za"));  // not in the contract's table
    EXPECT_FALSE(alias_marketplace("a@evilmarketplace.amazon.com"));
    EXPECT_FALSE(alias_marketplace("a@marketplace.amazon.com.evil.example"));
    EXPECT_FALSE(alias_marketplace("@marketplace.amazon.com"));
    EXPECT_FALSE(alias_marketplace("no-at-sign"));
}

TEST(MailboxClassify, OrderIdIsTheFirstOfItsShapeNotTouchingDigits) {
    EXPECT_EQ(find_order_id("re: 111-2222222-3333333 and 444-5555555-6666666"),
              "111-2222222-3333333");
    EXPECT_FALSE(find_order_id("1111-2222222-3333333"));
    EXPECT_FALSE(find_order_id("111-2222222-33333334"));
    EXPECT_EQ(find_order_id("x1111-2222222-3333333 y 999-8888888-7777777."), "999-8888888-7777777");
    EXPECT_FALSE(find_order_id("111-222222-3333333"));
    EXPECT_FALSE(find_order_id(""));
}

TEST(MailboxClassify, EncodedFoldedSubjectGivesTheOrder) {
    const auto m = buyer("buyer_uk_encoded_subject.eml");
    EXPECT_EQ(m.message_id, "0102018abc.uk-1@email.amazonses.com");
    EXPECT_EQ(m.marketplace_id, "A1F83G8C2ARO7P");
    EXPECT_EQ(m.order_id, "206-1234567-1234567");
    EXPECT_EQ(m.received_at, *parse_iso8601("2026-12-07T08:15:00Z"));  // +0100 taken into account
    EXPECT_EQ(m.alias_key, sha256_hex("abc123xyz@marketplace.amazon.co.uk"));
}

TEST(MailboxClassify, OrderFromTheQuotedPrintableTextPartWhenTheSubjectHasNone) {
    const auto m = buyer("buyer_de_multipart_qp.eml");
    EXPECT_EQ(m.marketplace_id, "A1PA6795UKMFR9");
    // The soft line break joins the number; the text part wins over the HTML one.
    EXPECT_EQ(m.order_id, "302-7654321-1111111");
    EXPECT_EQ(m.received_at, *parse_iso8601("2026-12-08T14:00:00Z"));
    // The alias key does not depend on how the domain was capitalised.
    EXPECT_EQ(m.alias_key, alias_key("q9w8e7r6@marketplace.amazon.de"));
}

TEST(MailboxClassify, NoDateTakesTheDeliveryTimeAndNoMessageIdTheHash) {
    const std::string raw = mail("buyer_us_no_date_no_id.eml");
    const auto m = buyer("buyer_us_no_date_no_id.eml");
    EXPECT_EQ(m.received_at, kDelivered);
    EXPECT_EQ(m.message_id, sha256_hex(raw));
    EXPECT_EQ(m.message_id.size(), 64u);
    EXPECT_EQ(m.order_id, "");
    EXPECT_EQ(m.marketplace_id, "ATVPDKIKX0DER");
}

TEST(MailboxClassify, BrokenDateTakesTheDeliveryTime) {
    const auto m = buyer("buyer_jp_broken_date.eml");
    EXPECT_EQ(m.received_at, kDelivered);
    EXPECT_EQ(m.order_id, "503-0000000-0000001");
    EXPECT_EQ(m.marketplace_id, "A1VC38T7YXB528");
}

TEST(MailboxClassify, NoTimeAtAllIsAnError) {
    auto c = classify_message(mail("buyer_us_no_date_no_id.eml"), folder_role::buyer, std::nullopt);
    ASSERT_FALSE(c);
    EXPECT_NE(c.error().text.find("Date"), std::string::npos);
}

TEST(MailboxClassify, EightBitJunkIsReadAndHasNoOrder) {
    const auto m = buyer("buyer_fr_8bit_no_order.eml");
    EXPECT_EQ(m.message_id, "fr-8bit@amazon.fr");
    EXPECT_EQ(m.marketplace_id, "A13V1IB3VIYZZH");
    EXPECT_EQ(m.order_id, "");
}

TEST(MailboxClassify, AmazonNoticesAreNotBuyerMessages) {
    auto c = classify_message(mail("notice_not_alias.eml"), folder_role::buyer, kDelivered);
    ASSERT_TRUE(c);
    EXPECT_TRUE(std::holds_alternative<unrelated>(*c));
}

TEST(MailboxClassify, ABuyerMessageInAReplyFolderIsNotAReply) {
    auto c = classify_message(mail("buyer_uk_encoded_subject.eml"), folder_role::reply, kDelivered);
    ASSERT_TRUE(c);
    EXPECT_TRUE(std::holds_alternative<unrelated>(*c));
}

TEST(MailboxClassify, ReplyNamesEveryAliasInToAndCc) {
    auto c = classify_message(mail("reply_two_aliases.eml"), folder_role::reply, kDelivered);
    ASSERT_TRUE(c);
    ASSERT_TRUE(std::holds_alternative<buyer_reply>(*c));
    const auto& r = std::get<buyer_reply>(*c);
    EXPECT_EQ(r.reply_id, "reply-1@example.com");
    EXPECT_EQ(r.replied_at, *parse_iso8601("2026-12-07T12:00:00Z"));
    ASSERT_EQ(r.alias_keys.size(), 2u);
    EXPECT_EQ(r.alias_keys[0], alias_key("abc123xyz@marketplace.amazon.co.uk"));
    EXPECT_EQ(r.alias_keys[1], alias_key("q9w8e7r6@marketplace.amazon.de"));
}

TEST(MailboxClassify, MailToOthersInAReplyFolderIsUnrelated) {
    auto c = classify_message(mail("reply_not_to_alias.eml"), folder_role::reply, kDelivered);
    ASSERT_TRUE(c);
    EXPECT_TRUE(std::holds_alternative<unrelated>(*c));
}

TEST(MailboxClassify, BinaryJunkIsNotAMessage) {
    auto c = classify_message(mail("not_a_message.eml"), folder_role::buyer, kDelivered);
    if (c) {
        // GMime may read the junk as a header-less body: it is then nobody's message.
        EXPECT_TRUE(std::holds_alternative<unrelated>(*c));
    }
    EXPECT_FALSE(classify_message("", folder_role::buyer, kDelivered));
}

}  // namespace
}  // namespace shd::mailbox
