// The table machinery and the scalar validators, tested directly: the keys of
// later issues (booleans, secrets, nested sections, lists of channels) use
// them before any such key exists in seller-healthd.yaml.
#include "config/schema.hpp"

#include <gtest/gtest.h>

namespace shd::config::detail {
namespace {

TEST(ScalarValidators, Decimals) {
    EXPECT_EQ(parse_decimal("0.04").value(), 0.04);
    EXPECT_EQ(parse_decimal("4e-2").value(), 0.04);
    EXPECT_EQ(parse_decimal("-1.5E+3").value(), -1500.0);
    EXPECT_EQ(parse_decimal("+2").value(), 2.0);
    EXPECT_EQ(parse_decimal(".5").value(), 0.5);
    EXPECT_EQ(parse_decimal("5.").value(), 5.0);
    EXPECT_EQ(parse_decimal("0").value(), 0.0);
    for (const char* bad :
         {"",     "010",   "00.5", "0x10", "0o7", "0b1", "1e",  "1e+", "inf", "-inf", ".inf", "nan",
          ".NaN", "1_000", "1,5",  "4%",   " 1",  "1 ",  "--1", ".",   "e5",  "yes",  "1e999"}) {
        EXPECT_FALSE(parse_decimal(bad).has_value()) << bad;
    }
    EXPECT_EQ(parse_decimal("010").error().text,
              "'010' has a leading zero, which YAML 1.1 reads as octal; write 10");
    EXPECT_EQ(parse_decimal("-00.5").error().text,
              "'-00.5' has a leading zero, which YAML 1.1 reads as octal; write -0.5");
}

TEST(ScalarValidators, Integers) {
    EXPECT_EQ(parse_integer("0").value(), 0);
    EXPECT_EQ(parse_integer("365").value(), 365);
    EXPECT_EQ(parse_integer("-1").value(), -1);
    EXPECT_EQ(parse_integer("+7").value(), 7);
    for (const char* bad :
         {"", "010", "0x10", "7.0", "1e2", "seven", "7 ", "99999999999999999999", "-", "1_0"}) {
        EXPECT_FALSE(parse_integer(bad).has_value()) << bad;
    }
    EXPECT_EQ(parse_integer("7.5").error().text, "expected a whole number, got '7.5'");
    EXPECT_EQ(parse_integer("abc").error().text, "expected a whole number, got 'abc'");
}

TEST(ScalarValidators, BooleansAreOnlyTrueAndFalse) {
    EXPECT_TRUE(parse_boolean("true").value());
    EXPECT_FALSE(parse_boolean("false").value());
    for (const char* bad : {"yes", "no", "on", "off", "y", "n", "Yes", "TRUE", "True", "1", "0"}) {
        EXPECT_FALSE(parse_boolean(bad).has_value()) << bad;
    }
    EXPECT_EQ(parse_boolean("yes").error().text,
              "'yes' is not a boolean here; write true or false");
    EXPECT_EQ(parse_boolean("1").error().text, "expected true or false, got '1'");
}

TEST(ScalarValidators, MarketplaceIds) {
    EXPECT_FALSE(marketplace_id_problem("ATVPDKIKX0DER"));
    EXPECT_FALSE(marketplace_id_problem("A2EUQ1WTGCTBG2"));
    EXPECT_FALSE(marketplace_id_problem("AE08WJ6YKNBMC"));  // not in our table, well formed
    EXPECT_TRUE(marketplace_id_problem(""));
    EXPECT_TRUE(marketplace_id_problem("A1"));
    EXPECT_TRUE(marketplace_id_problem("ATVPDKIKX0DER!"));
    EXPECT_TRUE(marketplace_id_problem("ATVPDKIKX0DERATVPDKIKX0DER"));
    EXPECT_EQ(marketplace_id_problem("gb").value(),
              "'gb' is a country code, not a marketplace ID; the ID of Amazon.co.uk is "
              "A1F83G8C2ARO7P");
    EXPECT_EQ(marketplace_id_problem("amazon.co.jp").value(),
              "'amazon.co.jp' is a sales channel, not a marketplace ID; its ID is A1VC38T7YXB528");
}

TEST(Names, ClosestName) {
    constexpr std::string_view names[] = {"target", "warn", "windows", "lag_days", "min_orders"};
    EXPECT_EQ(closest_name("tagret", names), "target");
    EXPECT_EQ(closest_name("Target", names), "target");
    EXPECT_EQ(closest_name("window", names), "windows");
    EXPECT_EQ(closest_name("min_order", names), "min_orders");
    EXPECT_EQ(closest_name("lagdays", names), "lag_days");
    EXPECT_EQ(closest_name("warning", names), "warn");
    EXPECT_FALSE(closest_name("colour", names));
    EXPECT_FALSE(closest_name("x", names));
    EXPECT_EQ(unknown_name_message("key", "wran", names),
              "unknown key 'wran'; did you mean 'warn'?");
    EXPECT_EQ(unknown_name_message("key", "zzz", names),
              "unknown key 'zzz'; expected one of: target, warn, windows, lag_days, min_orders");
}

TEST(Secrets, KeyNames) {
    for (const char* key :
         {"secret", "password", "token", "webhook_secret", "smtp_password", "api_token", "api_key",
          "apikey", "Password", "client-secret", "credentials", "passwd"}) {
        EXPECT_TRUE(is_secret_key(key)) << key;
    }
    for (const char* key : {"account", "database", "url", "username", "tokens_per_second_x",
                            "keyboard", "secretary"}) {
        EXPECT_FALSE(is_secret_key(key)) << key;
    }
}

TEST(Secrets, Urls) {
    EXPECT_TRUE(url_has_credentials("https://user:pw@hooks.example.com/x"));
    EXPECT_TRUE(url_has_credentials("smtp://mailer@smtp.example.com:587"));
    EXPECT_TRUE(url_has_credentials("https://hooks.example.com/x?token=abc"));
    EXPECT_TRUE(url_has_credentials("https://hooks.example.com/x?a=1&API_KEY=abc#frag"));
    EXPECT_TRUE(url_has_credentials("https://h.example.com/x?sig=abc"));
    EXPECT_FALSE(url_has_credentials("https://hooks.example.com/x"));
    EXPECT_FALSE(url_has_credentials("https://example.com/x?page=2"));
    EXPECT_FALSE(url_has_credentials("https://example.com/a@b"));  // '@' in the path
    EXPECT_FALSE(url_has_credentials("user@example.com"));         // an address, not a URL
    EXPECT_FALSE(url_has_credentials("/var/lib/seller-healthd/inbox"));
}

TEST(Secrets, DisplayedValue) {
    EXPECT_EQ(displayed_value("smtp_password", "hunter2", false), "***");
    EXPECT_EQ(displayed_value("secret", "s3cr3t", false), "***");
    EXPECT_EQ(displayed_value("url", "https://u:p@h.example.com/", false), "***");
    EXPECT_EQ(displayed_value("url", "https://h.example.com/x?token=t", false), "***");
    EXPECT_EQ(displayed_value("url", "https://h.example.com/x", false), "https://h.example.com/x");
    EXPECT_EQ(displayed_value("signing", "abc", true), "***");  // declared secret in the table
    EXPECT_EQ(displayed_value("account", "Acme", false), "Acme");
    EXPECT_EQ(displayed_value("password", "", false), "");  // unset stays visibly unset
}

TEST(Ranges, Describe) {
    EXPECT_EQ(open(0, 1).describe(), "above 0 and below 1");
    EXPECT_EQ(closed(1, 365).describe(), "between 1 and 365");
    EXPECT_EQ(closed_open(0, 1).describe(), "at least 0 and below 1");
    EXPECT_EQ(at_least(0).describe(), "at least 0");
    EXPECT_TRUE(open(0, 1).contains(0.5));
    EXPECT_FALSE(open(0, 1).contains(0));
    EXPECT_FALSE(open(0, 1).contains(1));
    EXPECT_TRUE(closed_open(0, 1).contains(0));
    EXPECT_FALSE(closed_open(0, 1).contains(1));
}

// ---- A schema shaped like the ones later issues add ----

struct toy_channel {
    std::string url;
    std::string secret;
    bool enabled = true;
    bool operator==(const toy_channel&) const = default;
};

struct toy_http {
    std::string listen = "127.0.0.1:9464";
    bool enabled = false;
    bool operator==(const toy_http&) const = default;
};

struct toy {
    std::string name = "default";
    toy_http http;
    std::vector<toy_channel> channels;
    bool operator==(const toy&) const = default;
};

value_rule optional_secret() {
    value_rule rule = secret_text();
    rule.allow_empty = true;
    return rule;
}

const table<toy>& toy_rows() {
    static const table<toy> rows = {
        field("name", &toy::name),
        section("http", &toy::http,
                table<toy_http>{field("listen", &toy_http::listen),
                                field("enabled", &toy_http::enabled)}),
        records("channels", &toy::channels,
                table<toy_channel>{required(field("url", &toy_channel::url)),
                                   field("secret", &toy_channel::secret, optional_secret()),
                                   field("enabled", &toy_channel::enabled)}),
    };
    return rows;
}

result<toy, config_error> parse_toy(const std::string& yaml) {
    parse_context ctx{"toy.yaml", "/base", {}};
    toy t;
    try {
        if (auto s = parse_map(YAML::Load(yaml), "", position{1, 1}, toy_rows(), t, ctx); !s) {
            return s.error();
        }
    } catch (const YAML::Exception& e) {
        return config_error{"toy.yaml", 0, 0, "", e.msg};
    }
    return t;
}

std::string emit_toy(const toy& t) {
    YAML::Emitter out;
    emit_map(out, toy_rows(), t);
    return out.c_str();
}

std::string error_text(const std::string& yaml) {
    auto t = parse_toy(yaml);
    return t ? "no error" : t.error().to_string();
}

TEST(Schema, SectionsAndRecords) {
    auto t = parse_toy(
        "name: shop\n"
        "http:\n"
        "  enabled: true\n"
        "channels:\n"
        "  - url: https://hooks.example.com/a\n"
        "    secret: abc\n"
        "  - url: https://hooks.example.com/b\n"
        "    enabled: false\n");
    ASSERT_TRUE(t.has_value()) << t.error().to_string();
    EXPECT_EQ(t->name, "shop");
    EXPECT_TRUE(t->http.enabled);
    EXPECT_EQ(t->http.listen, "127.0.0.1:9464");  // default kept
    ASSERT_EQ(t->channels.size(), 2u);
    EXPECT_EQ(t->channels[0].secret, "abc");
    EXPECT_TRUE(t->channels[0].enabled);
    EXPECT_FALSE(t->channels[1].enabled);
}

TEST(Schema, BooleanFieldRejectsYaml11Words) {
    EXPECT_EQ(error_text("http:\n  enabled: yes\n"),
              "toy.yaml:2:12: http.enabled: 'yes' is not a boolean here; write true or false");
    EXPECT_EQ(error_text("http:\n  enabled: \"true\"\n"),
              "toy.yaml:2:12: http.enabled: expected true or false, got the quoted text "
              "\"true\"; write it without quotes");
}

TEST(Schema, ErrorsInsideSectionsAndRecords) {
    EXPECT_EQ(error_text("http:\n  listn: x\n"),
              "toy.yaml:2:3: http.listn: unknown key 'listn'; did you mean 'listen'?");
    EXPECT_EQ(error_text("channels:\n  - url: a\n  - secret: b\n"),
              "toy.yaml:3:5: channels[1].url: missing key 'url'");
    EXPECT_EQ(error_text("channels:\n  - url: a\n    url: b\n"),
              "toy.yaml:3:5: channels[0].url: duplicate key 'url' (first at line 2, column 5)");
    EXPECT_EQ(error_text("channels:\n  url: a\n"),
              "toy.yaml:2:3: channels: expected a list of maps (- key: value), each with url, "
              "secret, enabled");
    EXPECT_EQ(error_text("channels:\n  -\n  - url: a\n"),
              "toy.yaml:2:3: channels[0]: empty list item");
}

TEST(Schema, EmissionMasksSecretsAndRoundTrips) {
    toy t;
    t.name = "shop";
    t.channels = {{"https://hooks.example.com/a", "abc", true},
                  {"https://u:pw@hooks.example.com/b", "", false},
                  {"https://hooks.example.com/c?token=xyz", "", true}};
    const std::string text = emit_toy(t);
    EXPECT_EQ(text.find("abc"), std::string::npos) << text;
    EXPECT_EQ(text.find("pw@"), std::string::npos) << text;
    EXPECT_EQ(text.find("xyz"), std::string::npos) << text;
    EXPECT_NE(text.find("secret: \"***\""), std::string::npos) << text;
    EXPECT_NE(text.find("url: \"https://hooks.example.com/a\""), std::string::npos) << text;
    EXPECT_NE(text.find("enabled: false"), std::string::npos) << text;

    // Without secrets, what is printed reads back to the same value.
    toy plain;
    plain.channels = {{"https://hooks.example.com/a", "", false}};
    auto again = parse_toy(emit_toy(plain));
    ASSERT_TRUE(again.has_value()) << emit_toy(plain);
    EXPECT_EQ(*again, plain);
    EXPECT_NE(emit_toy(toy{}).find("channels: []"), std::string::npos) << emit_toy(toy{});
}

TEST(Schema, OriginsRecordWhereEachValueWasWritten) {
    parse_context ctx{"toy.yaml", "", {}};
    toy t;
    ASSERT_TRUE(parse_map(YAML::Load("name: a\nhttp:\n  listen: b\n"), "", position{1, 1},
                          toy_rows(), t, ctx));
    ASSERT_EQ(ctx.origins.count("http.listen"), 1u);
    EXPECT_EQ(ctx.origins.at("http.listen").line, 3);
    EXPECT_EQ(ctx.origins.at("http.listen").column, 11);
    EXPECT_EQ(ctx.origins.at("name").line, 1);
}

}  // namespace
}  // namespace shd::config::detail
