// Names from the inbox as they are shown: one line of plain text, distinct
// names stay distinct.
#include "core/printable_name.hpp"

#include <gtest/gtest.h>

namespace shd {
namespace {

TEST(PrintableName, PlainNamesAndUtf8StayAsTheyAre) {
    EXPECT_EQ(printable_name("orders 2025-11.txt"), "orders 2025-11.txt");
    EXPECT_EQ(printable_name("Bestellungen-\xC3\xBC\xE2\x82\xAC.csv"),
              "Bestellungen-\xC3\xBC\xE2\x82\xAC.csv");                         // ü€
    EXPECT_EQ(printable_name("\xF0\x9F\x93\xA6.txt"), "\xF0\x9F\x93\xA6.txt");  // 📦
}

TEST(PrintableName, ControlCharactersAreEscaped) {
    EXPECT_EQ(printable_name("a\x1b[31mb"), "a\\x1b[31mb");
    EXPECT_EQ(printable_name("line\nINFO forged"), "line\\x0aINFO forged");
    EXPECT_EQ(printable_name("cr\rtab\tdel\x7f"), "cr\\x0dtab\\x09del\\x7f");
    EXPECT_EQ(printable_name(std::string_view("nul\0x", 5)), "nul\\x00x");
    // C1 controls, as UTF-8 (U+009B, CSI) and as a lone byte.
    EXPECT_EQ(printable_name("c1\xC2\x9B"), "c1\\xc2\\x9b");
    EXPECT_EQ(printable_name("raw\x9B"), "raw\\x9b");
}

TEST(PrintableName, BytesThatAreNotUtf8AreEscaped) {
    EXPECT_EQ(printable_name("latin1-\xFC.txt"), "latin1-\\xfc.txt");
    EXPECT_EQ(printable_name("overlong\xC0\xAF"), "overlong\\xc0\\xaf");
    EXPECT_EQ(printable_name("surrogate\xED\xA0\x80"), "surrogate\\xed\\xa0\\x80");
    EXPECT_EQ(printable_name("cut\xE2\x82"), "cut\\xe2\\x82");
}

TEST(PrintableName, TheBackslashIsEscapedSoNamesStayDistinct) {
    EXPECT_EQ(printable_name("a\\x1b"), "a\\x5cx1b");
    EXPECT_NE(printable_name("a\\x1b"), printable_name("a\x1b"));
}

}  // namespace
}  // namespace shd
