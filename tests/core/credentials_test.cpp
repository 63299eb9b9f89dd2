#include "core/credentials.hpp"

#include <gtest/gtest.h>

#include "support/test_support.hpp"

namespace shd {
namespace {

TEST(Credentials, ReferenceAndPath) {
    EXPECT_TRUE(is_credential_reference("credential:slack-url"));
    EXPECT_FALSE(is_credential_reference("https://hooks.slack.com/x"));
    auto path = credential_path("credential:slack-url", "/run/credentials/seller-healthd.service");
    ASSERT_TRUE(path);
    EXPECT_EQ(*path, "/run/credentials/seller-healthd.service/slack-url");
}

TEST(Credentials, NamesThatCannotEscapeTheDirectory) {
    EXPECT_EQ(credential_name_problem("smtp-password.v2_1"), std::nullopt);
    EXPECT_TRUE(credential_name_problem(""));
    EXPECT_TRUE(credential_name_problem("../etc/shadow"));
    EXPECT_TRUE(credential_name_problem("a/b"));
    EXPECT_TRUE(credential_name_problem(".hidden"));
    EXPECT_TRUE(credential_name_problem(std::string(256, 'a')));
    EXPECT_FALSE(credential_path("credential:../x", "/run/credentials/x"));
}

TEST(Credentials, WithoutTheDirectoryTheErrorSaysWhatIsMissing) {
    auto path = credential_path("credential:hook", nullptr);
    ASSERT_FALSE(path);
    EXPECT_EQ(path.error().text,
              "credential hook: $CREDENTIALS_DIRECTORY is not set (the unit needs "
              "LoadCredential=hook:/path/to/file)");
}

TEST(Credentials, ReadsTheFileWithoutItsLastNewline) {
    test::temp_dir dir;
    test::write_file(dir / "lf", "s3cret\n");
    test::write_file(dir / "crlf", "s3cret\r\n");
    test::write_file(dir / "bare", "two\nlines");
    test::write_file(dir / "empty", "\n");
    const std::string d = dir.path().string();
    EXPECT_EQ(read_credential("credential:lf", d.c_str()).value(), "s3cret");
    EXPECT_EQ(read_credential("credential:crlf", d.c_str()).value(), "s3cret");
    EXPECT_EQ(read_credential("credential:bare", d.c_str()).value(), "two\nlines");
    auto empty = read_credential("credential:empty", d.c_str());
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().text, "credential empty is empty");
    auto missing = read_credential("credential:missing", d.c_str());
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().text.find("credential missing cannot be read"), std::string::npos);
}

}  // namespace
}  // namespace shd
