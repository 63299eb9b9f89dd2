#include "config/yaml_bounds.hpp"

#include <gtest/gtest.h>

#include <string>

#include "config/config.hpp"

namespace shd::config {
namespace {

const std::filesystem::path kFile = "/etc/seller-healthd/test.yaml";

std::string nested_aliases(int levels, int fan_out) {
    std::string text = "l0: &l0 [";
    for (int i = 0; i < fan_out; ++i)
        text += i ? ",1" : "1";
    text += "]\n";
    for (int level = 1; level <= levels; ++level) {
        text += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
        for (int i = 0; i < fan_out; ++i)
            text += (i ? ",*l" : "*l") + std::to_string(level - 1);
        text += "]\n";
    }
    return text;
}

TEST(YamlBounds, LoneCommaIsASyntaxErrorNotAnEndlessDocumentStream) {
    for (const char* text : {",", ",\n", "\n\n  ,\n"}) {
        const auto problem = check_yaml_bounds(text);
        ASSERT_TRUE(problem) << text;
        EXPECT_EQ(problem->message, "YAML syntax error: unexpected ','");
    }
    const auto problem = check_yaml_bounds("\n\n  ,\n");
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->line, 3);
    EXPECT_EQ(problem->column, 3);
}

TEST(YamlBounds, ParserStuckInASecondDocumentIsASyntaxError) {
    const auto problem = check_yaml_bounds("poll_interval: 1m\n---\n,\n");
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->message, "YAML syntax error: unexpected ','");
}

TEST(YamlBounds, SecondAndThirdDocumentsAreNamedAsSuch) {
    for (const char* text : {"a: 1\n---\nb: 2\n", "a: 1\n---\nb: 2\n---\nc: 3\n"}) {
        const auto problem = check_yaml_bounds(text);
        ASSERT_TRUE(problem) << text;
        EXPECT_EQ(problem->line, 3) << text;
        EXPECT_NE(problem->message.find("a second YAML document"), std::string::npos);
    }
}

TEST(YamlBounds, OneDocumentWithinLimitsPasses) {
    EXPECT_FALSE(check_yaml_bounds(""));
    EXPECT_FALSE(check_yaml_bounds("# only a comment\n"));
    EXPECT_FALSE(check_yaml_bounds("a: 1\nb: [1, 2, {c: d}]\n"));
    // Anchors are fine while the expanded tree stays small.
    EXPECT_FALSE(check_yaml_bounds(nested_aliases(2, 10)));
}

TEST(YamlBounds, AliasesAreCountedExpanded) {
    // 10^5 values from a file of a few hundred bytes.
    const std::string text = nested_aliases(5, 10);
    ASSERT_LT(text.size(), 400u);
    const auto problem = check_yaml_bounds(text);
    ASSERT_TRUE(problem);
    EXPECT_NE(problem->message.find("more than 20000 values"), std::string::npos)
        << problem->message;
    EXPECT_GE(problem->line, 4);

    yaml_limits small;
    // 1 map + 3 keys + 11 + 111 + 1111 values.
    small.max_nodes = 1236;
    EXPECT_TRUE(check_yaml_bounds(nested_aliases(2, 10), small));
    small.max_nodes = 1237;
    EXPECT_FALSE(check_yaml_bounds(nested_aliases(2, 10), small));
}

TEST(YamlBounds, NestingDepthIsBounded) {
    const std::string deep = std::string(40, '[') + std::string(40, ']');
    const auto problem = check_yaml_bounds(deep);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->message, "values are nested more than 32 deep");
    EXPECT_EQ(problem->column, 33);
    EXPECT_FALSE(check_yaml_bounds(std::string(30, '[') + std::string(30, ']')));
}

TEST(YamlBounds, ConfigLoaderReportsBoundsAsConfigErrors) {
    const auto c = parse_config(",\n", kFile);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().to_string(), kFile.string() + ":1:1: YAML syntax error: unexpected ','");

    const auto lol = parse_config(nested_aliases(5, 10), kFile);
    ASSERT_FALSE(lol);
    EXPECT_NE(lol.error().message.find("aliases are expanded"), std::string::npos);
}

}  // namespace
}  // namespace shd::config
