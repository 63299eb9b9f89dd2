// The escaping every renderer relies on.
#include "web/escape.hpp"

#include <gtest/gtest.h>

namespace shd::web {
namespace {

TEST(Escape, Html) {
    EXPECT_EQ(html_escape("<a href=\"x\">Tom & 'Jerry'</a>"),
              "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
    EXPECT_EQ(html_escape("plain"), "plain");
    EXPECT_EQ(html_escape("tab\tnew\nline"), "tab\tnew\nline");
    EXPECT_EQ(html_escape(std::string("nul\0bell\x07", 9)),
              "nul\xEF\xBF\xBD"
              "bell\xEF\xBF\xBD");
}

TEST(Escape, PrometheusLabelValue) {
    EXPECT_EQ(prometheus_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    EXPECT_EQ(prometheus_label_value("tab\t'ok'"), "tab\t'ok'");
}

TEST(Escape, PrometheusHelpText) {
    // Quotes stay as they are in # HELP; backslash and newline do not.
    EXPECT_EQ(prometheus_help_text("a \"b\" \\ c\nd"), "a \"b\" \\\\ c\\nd");
}

TEST(Escape, ValidUtf8) {
    EXPECT_EQ(valid_utf8("Bücher 日本 😀"), "Bücher 日本 😀");
    EXPECT_EQ(valid_utf8("a\xff"
                         "b"),
              "a\xEF\xBF\xBD"
              "b");
    EXPECT_EQ(valid_utf8("\xC3"), "\xEF\xBF\xBD");                                  // truncated
    EXPECT_EQ(valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
    EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
    EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80").size(), 12u);                          // past U+10FFFF
}

}  // namespace
}  // namespace shd::web
