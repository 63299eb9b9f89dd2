#include "config/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "core/credentials.hpp"
#include "core/html_text.hpp"
#include "core/listen_address.hpp"
#include "core/marketplaces.hpp"
#include "core/time.hpp"

namespace shd::config::detail {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Scalars quoted in messages are cut short: a whole pasted paragraph helps nobody.
std::string shown(std::string_view text) {
    constexpr std::size_t kMax = 40;
    if (text.size() <= kMax)
        return "'" + std::string(text) + "'";
    return "'" + std::string(text.substr(0, kMax)) + "...'";
}

// "metrics.late_dispatch_rate.target" -> "target".
std::string_view leaf(std::string_view key) {
    const auto dot = key.rfind('.');
    return dot == std::string_view::npos ? key : key.substr(dot + 1);
}

std::string describe_node(const YAML::Node& n) {
    if (n.IsMap())
        return "a map";
    if (n.IsSequence())
        return "a list";
    if (n.IsScalar())
        return "the value " + shown(n.Scalar());
    return "no value";
}

// Optimal string alignment distance (edit distance counting a swap of two
// neighbours as one edit: "tagret" is one edit from "target").
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i)
        d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j)
        d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        for (std::size_t j = 1; j <= m; ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[n][m];
}

// The scalar under a node and whether it was written plain (unquoted).
struct scalar_text {
    std::string text;
    bool plain = true;
};

result<scalar_text, config_error> scalar_of(const YAML::Node& n, position at,
                                            const std::string& key, std::string_view expected,
                                            const parse_context& ctx) {
    if (!n.IsDefined() || n.IsNull()) {
        return ctx.error(
            at, key,
            fmt::format("no value; expected {} (remove the key to use the default)", expected));
    }
    if (!n.IsScalar()) {
        return ctx.error(at, key, fmt::format("expected {}, got {}", expected, describe_node(n)));
    }
    const std::string& tag = n.Tag();
    // yaml-cpp tags plain scalars "?" and quoted or block scalars "!".
    if (tag != "?" && tag != "!") {
        std::string shown_tag = tag;
        constexpr std::string_view kCore = "tag:yaml.org,2002:";
        if (shown_tag.starts_with(kCore))
            shown_tag = "!!" + shown_tag.substr(kCore.size());
        return ctx.error(at, key,
                         fmt::format("YAML tags such as '{}' are not supported; write the value "
                                     "alone",
                                     shown_tag));
    }
    return scalar_text{n.Scalar(), tag == "?"};
}

result<scalar_text, config_error> plain_scalar_of(const YAML::Node& n, position at,
                                                  const std::string& key, std::string_view expected,
                                                  const parse_context& ctx) {
    auto s = scalar_of(n, at, key, expected, ctx);
    if (!s)
        return s.error();
    if (!s->plain) {
        return ctx.error(at, key,
                         fmt::format("expected {}, got the quoted text \"{}\"; write it without "
                                     "quotes",
                                     expected, s->text));
    }
    return s;
}

std::string range_message(std::string_view what, std::string_view text, const numeric_range& range,
                          const std::function<std::string(double)>& format_bound = nullptr) {
    return fmt::format("{} {} is out of range; it must be {}", what, text,
                       range.describe(format_bound));
}

// Integer members are int: the rule's range never reaches past what int holds.
numeric_range int_range(numeric_range r) {
    r.min = std::max(r.min, static_cast<double>(std::numeric_limits<int>::min()));
    r.max = std::min(r.max, static_cast<double>(std::numeric_limits<int>::max()));
    return r;
}

result<int, config_error> integer_at(const YAML::Node& n, position at, const std::string& key,
                                     std::string_view what, const numeric_range& range,
                                     const parse_context& ctx) {
    auto s = plain_scalar_of(n, at, key, "a whole number", ctx);
    if (!s)
        return s.error();
    auto v = parse_integer(s->text);
    if (!v)
        return ctx.error(at, key, v.error().text);
    const numeric_range r = int_range(range);
    if (!r.contains(static_cast<double>(*v))) {
        return ctx.error(at, key, range_message(what, s->text, r));
    }
    return static_cast<int>(*v);
}

}  // namespace

position position_of(const YAML::Mark& mark) {
    if (mark.is_null() || mark.line < 0 || mark.column < 0)
        return {};
    return {mark.line + 1, mark.column + 1};
}

config_error parse_context::error(position at, std::string key, std::string message) const {
    return config_error{file, at.line, at.column, std::move(key), std::move(message)};
}

std::string join_key(std::string_view parent, std::string_view name) {
    if (parent.empty())
        return std::string(name);
    return std::string(parent) + "." + std::string(name);
}

// ---- Scalar validators ----

result<double, error_message> parse_decimal(std::string_view text) {
    const auto not_a_number = [&] {
        return error_message{"expected a number, got " + shown(text)};
    };
    if (text.empty())
        return error_message{"expected a number, got an empty value"};
    std::size_t i = 0;
    if (text[0] == '+' || text[0] == '-')
        ++i;
    const std::size_t int_begin = i;
    while (i < text.size() && is_digit(text[i]))
        ++i;
    const std::size_t int_digits = i - int_begin;
    if (int_digits == 1 && text[int_begin] == '0' && i < text.size() &&
        (text[i] == 'x' || text[i] == 'X' || text[i] == 'o' || text[i] == 'b')) {
        return error_message{"expected a decimal number, got " + shown(text) +
                             " (hexadecimal, octal and binary forms are not accepted)"};
    }
    std::size_t frac_digits = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        const std::size_t frac_begin = i;
        while (i < text.size() && is_digit(text[i]))
            ++i;
        frac_digits = i - frac_begin;
    }
    if (int_digits == 0 && frac_digits == 0)
        return not_a_number();
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-'))
            ++i;
        const std::size_t exp_begin = i;
        while (i < text.size() && is_digit(text[i]))
            ++i;
        if (i == exp_begin) {
            return error_message{"expected a number, got " + shown(text) +
                                 " (the exponent has no digits)"};
        }
    }
    if (i != text.size())
        return not_a_number();
    if (int_digits > 1 && text[int_begin] == '0') {
        std::string_view digits = text.substr(int_begin, int_digits);
        const auto first_non_zero = digits.find_first_not_of('0');
        std::string fixed = first_non_zero == std::string_view::npos
                                ? std::string("0")
                                : std::string(digits.substr(first_non_zero));
        fixed = std::string(text.substr(0, int_begin)) + fixed +
                std::string(text.substr(int_begin + int_digits));
        return error_message{shown(text) +
                             " has a leading zero, which YAML 1.1 reads as octal; write " + fixed};
    }
    // std::from_chars takes no '+'.
    std::string_view digits = text[0] == '+' ? text.substr(1) : text;
    double value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc::result_out_of_range) {
        return error_message{shown(text) + " is out of the range of numbers"};
    }
    if (ec != std::errc{} || end != digits.data() + digits.size() || !std::isfinite(value)) {
        return not_a_number();
    }
    return value;
}

result<long long, error_message> parse_integer(std::string_view text) {
    if (text.empty())
        return error_message{"expected a whole number, got an empty value"};
    std::size_t i = 0;
    if (text[0] == '+' || text[0] == '-')
        ++i;
    const std::size_t begin = i;
    while (i < text.size() && is_digit(text[i]))
        ++i;
    if (i != text.size() || i == begin) {
        // Name the likely intent: 7.5 and 1e2 are numbers, just not whole ones.
        auto decimal = parse_decimal(text);
        if (decimal)
            return error_message{"expected a whole number, got " + shown(text)};
        std::string message = decimal.error().text;
        constexpr std::string_view kPrefix = "expected a number";
        if (message.starts_with(kPrefix)) {
            message = "expected a whole number" + message.substr(kPrefix.size());
        }
        return error_message{message};
    }
    if (i - begin > 1 && text[begin] == '0') {
        auto problem = parse_decimal(text);  // reports the leading zero
        return problem.error();
    }
    std::string_view digits = text[0] == '+' ? text.substr(1) : text;
    long long value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc::result_out_of_range) {
        return error_message{shown(text) + " is too large"};
    }
    if (ec != std::errc{} || end != digits.data() + digits.size()) {
        return error_message{"expected a whole number, got " + shown(text)};
    }
    return value;
}

result<bool, error_message> parse_boolean(std::string_view text) {
    if (text == "true")
        return true;
    if (text == "false")
        return false;
    static const std::set<std::string> kYaml11 = {"yes", "no", "on",   "off",
                                                  "y",   "n",  "true", "false"};
    if (kYaml11.contains(lower(text))) {
        return error_message{shown(text) + " is not a boolean here; write true or false"};
    }
    return error_message{"expected true or false, got " + shown(text)};
}

std::string rule_text(std::string_view base, const value_rule& rule, bool numeric, bool duration) {
    std::string text(base);
    switch (rule.form) {
        case text_form::free:
            break;
        case text_form::marketplace_id:
            return "marketplace ID";
        case text_form::choice: {
            text = "one of:";
            for (std::size_t i = 0; i < rule.choices.size(); ++i)
                text += fmt::format("{} {}", i == 0 ? "" : ",", rule.choices[i]);
            return text;
        }
        case text_form::listen_address:
            return "HOST:PORT, or empty for none";
        case text_form::label_value:
            return "text, 1 to 64 bytes";
    }
    if (rule.secret)
        text += " (secret)";
    if (numeric && (std::isfinite(rule.range.min) || std::isfinite(rule.range.max))) {
        std::function<std::string(double)> bound;
        if (duration) {
            bound = [](double v) {
                return format_duration(std::chrono::seconds(static_cast<long long>(v)));
            };
        }
        text += ", " + rule.range.describe(bound);
    }
    return text;
}

std::optional<std::string> label_value_problem(std::string_view text) {
    constexpr std::size_t kMaxBytes = 64;
    if (text.empty())
        return "must not be empty";
    if (text.size() > kMaxBytes)
        return fmt::format("is {} bytes long; at most {} fit a label", text.size(), kMaxBytes);
    if (valid_utf8(text) != text)
        return std::string("is not valid UTF-8");
    if (std::any_of(text.begin(), text.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
        return std::string("must be one line without control characters");
    if (text.front() == ' ' || text.back() == ' ')
        return std::string("must not start or end with a space");
    return std::nullopt;
}

std::optional<std::string> marketplace_id_problem(std::string_view text) {
    if (text.empty())
        return "a marketplace ID must not be empty";
    for (const auto& m : known_marketplaces()) {
        if (lower(m.code) == lower(text) || (lower(text) == "gb" && m.code == "UK")) {
            return fmt::format("{} is a country code, not a marketplace ID; the ID of {} is {}",
                               shown(text), m.sales_channel, m.id);
        }
    }
    if (auto id = marketplace_for_sales_channel(text)) {
        return fmt::format("{} is a sales channel, not a marketplace ID; its ID is {}", shown(text),
                           *id);
    }
    const bool well_formed =
        text.size() >= 8 && text.size() <= 20 && std::all_of(text.begin(), text.end(), [](char c) {
            return (c >= 'A' && c <= 'Z') || is_digit(c);
        });
    if (well_formed)
        return std::nullopt;
    std::string upper(text);
    for (auto& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper != text && !marketplace_id_problem(upper)) {
        return fmt::format("marketplace IDs are upper case; write {}", upper);
    }
    return fmt::format(
        "{} is not a marketplace ID (8 to 20 upper-case letters and digits, e.g. ATVPDKIKX0DER)",
        shown(text));
}

// ---- Names ----

std::optional<std::string_view> closest_name(std::string_view word,
                                             std::span<const std::string_view> candidates) {
    const std::string w = lower(word);
    std::optional<std::string_view> best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (auto candidate : candidates) {
        const std::string c = lower(candidate);
        std::size_t d = edit_distance(w, c);
        // "warning" for "warn", "min_order" for "min_orders": one is the other's start.
        const bool prefix =
            std::min(w.size(), c.size()) >= 3 && (w.starts_with(c) || c.starts_with(w));
        const std::size_t allowed =
            std::max<std::size_t>(1, std::min<std::size_t>(3, w.size() / 3));
        if (d > allowed && !prefix)
            continue;
        if (prefix)
            d = std::min(d, allowed);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    return best;
}

std::string unknown_name_message(std::string_view what, std::string_view word,
                                 std::span<const std::string_view> candidates) {
    if (auto near = closest_name(word, candidates)) {
        return fmt::format("unknown {} '{}'; did you mean '{}'?", what, word, *near);
    }
    return fmt::format("unknown {} '{}'; expected one of: {}", what, word,
                       fmt::join(candidates, ", "));
}

// ---- Secrets ----

bool is_secret_key(std::string_view key) {
    static const std::set<std::string> kSecretWords = {
        "secret", "password", "passwd", "token", "apikey", "credential", "credentials"};
    const std::string k = lower(key);
    if (k.find("api_key") != std::string::npos || k.find("private_key") != std::string::npos ||
        k.find("access_key") != std::string::npos) {
        return true;
    }
    std::size_t start = 0;
    while (start <= k.size()) {
        std::size_t end = k.find_first_of("_-.", start);
        if (end == std::string::npos)
            end = k.size();
        if (kSecretWords.contains(k.substr(start, end - start)))
            return true;
        start = end + 1;
    }
    return false;
}

bool url_has_credentials(std::string_view value) {
    const auto scheme_end = value.find("://");
    if (scheme_end == std::string_view::npos || scheme_end == 0)
        return false;
    if (!std::all_of(value.begin(), value.begin() + static_cast<std::ptrdiff_t>(scheme_end),
                     [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '+' ||
                                c == '-' || c == '.';
                     })) {
        return false;
    }
    const std::string_view rest = value.substr(scheme_end + 3);
    const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos)
        return true;
    const auto query_begin = rest.find('?');
    if (query_begin == std::string_view::npos)
        return false;
    std::string_view query = rest.substr(query_begin + 1);
    query = query.substr(0, query.find('#'));
    static const std::set<std::string> kCredentialParams = {
        "key",  "sig",  "signature", "auth",    "authorization",
        "code", "pass", "pwd",       "session", "sid"};
    std::size_t start = 0;
    while (start <= query.size()) {
        std::size_t end = query.find_first_of("&;", start);
        if (end == std::string_view::npos)
            end = query.size();
        const std::string_view param = query.substr(start, end - start);
        const std::string name = lower(param.substr(0, param.find('=')));
        if (!name.empty() && (is_secret_key(name) || kCredentialParams.contains(name)))
            return true;
        start = end + 1;
    }
    return false;
}

std::string displayed_value(std::string_view key, std::string_view value, bool declared_secret) {
    const bool secret = declared_secret || is_secret_key(key) || url_has_credentials(value);
    // An empty secret is printed empty, and a credential reference as it is:
    // "not set" and a credential's name give nothing away and help.
    if (secret && !value.empty() && !is_credential_reference(value))
        return "***";
    return std::string(value);
}

// ---- Value rules ----

bool numeric_range::contains(double v) const {
    if (min_exclusive ? !(v > min) : !(v >= min))
        return false;
    if (max_exclusive ? !(v < max) : !(v <= max))
        return false;
    return true;
}

std::string numeric_range::describe(const std::function<std::string(double)>& format_bound) const {
    const auto f = [&](double v) { return format_bound ? format_bound(v) : format_decimal(v); };
    const bool has_min = std::isfinite(min), has_max = std::isfinite(max);
    if (has_min && has_max && !min_exclusive && !max_exclusive) {
        return fmt::format("between {} and {}", f(min), f(max));
    }
    std::string lo =
        has_min ? fmt::format("{} {}", min_exclusive ? "above" : "at least", f(min)) : "";
    std::string hi =
        has_max ? fmt::format("{} {}", max_exclusive ? "below" : "at most", f(max)) : "";
    if (has_min && has_max)
        return lo + " and " + hi;
    if (has_min)
        return lo;
    if (has_max)
        return hi;
    return "any number";
}

// ---- Reading nodes ----

position value_position(const map_entry& e) {
    if (!e.value.IsDefined() || e.value.IsNull())
        return position_of(e.key.Mark());
    return position_of(e.value.Mark());
}

result<std::vector<map_entry>, config_error> map_entries(const YAML::Node& node,
                                                         const std::string& key,
                                                         std::string_view expected,
                                                         const parse_context& ctx) {
    std::vector<map_entry> entries;
    if (!node.IsDefined() || node.IsNull())
        return entries;
    if (!node.IsMap()) {
        if (key.empty()) {
            return ctx.error(position_of(node.Mark()), key,
                             "the top level of the file must be a map of keys (key: value "
                             "lines), got " +
                                 describe_node(node));
        }
        return ctx.error(
            position_of(node.Mark()), key,
            fmt::format("expected a map with the keys {}, got {}", expected, describe_node(node)));
    }
    std::map<std::string, position> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
        // Copies: `it->first` lives in a proxy that dies with the expression.
        const YAML::Node k = it->first;
        const YAML::Node v = it->second;
        const position at =
            position_of(k.Mark()).line > 0 ? position_of(k.Mark()) : position_of(node.Mark());
        if (!k.IsScalar() || k.Scalar().empty()) {
            return ctx.error(at, key, "keys must be plain names, got " + describe_node(k));
        }
        const std::string& name = k.Scalar();
        if (auto first = seen.find(name); first != seen.end()) {
            return ctx.error(at, join_key(key, name),
                             fmt::format("duplicate key '{}' (first at line {}, column {})", name,
                                         first->second.line, first->second.column));
        }
        seen.emplace(name, at);
        entries.push_back(map_entry{name, k, v});
    }
    return entries;
}

result<std::string, config_error> read_text(const value_rule& rule, const map_entry& e,
                                            const std::string& key, const parse_context& ctx) {
    const position at = value_position(e);
    auto s = scalar_of(e.value, at, key, "text", ctx);
    if (!s)
        return s.error();
    const std::string& text = s->text;
    if (text.empty()) {
        if (rule.allow_empty)
            return {boost::system::in_place_value, text};
        return ctx.error(at, key, fmt::format("{} must not be empty", leaf(key)));
    }
    if (std::any_of(text.begin(), text.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
        return ctx.error(at, key,
                         fmt::format("{} must be one line without control characters", leaf(key)));
    }
    switch (rule.form) {
        case text_form::free:
            break;
        case text_form::marketplace_id:
            if (auto problem = marketplace_id_problem(text))
                return ctx.error(at, key, *problem);
            break;
        case text_form::choice:
            if (std::find(rule.choices.begin(), rule.choices.end(), text) == rule.choices.end()) {
                return ctx.error(at, key, unknown_name_message(leaf(key), text, rule.choices));
            }
            break;
        case text_form::listen_address:
            if (auto parsed = parse_listen_address(text); !parsed)
                return ctx.error(at, key, parsed.error().text);
            break;
        case text_form::label_value:
            if (auto problem = label_value_problem(text))
                return ctx.error(at, key, fmt::format("{} {}", leaf(key), *problem));
            break;
    }
    // config_error is an aggregate, so C++20 lets a string construct it too:
    // name which side of the result is meant.
    return {boost::system::in_place_value, text};
}

result<std::filesystem::path, config_error> read_path(const value_rule& rule, const map_entry& e,
                                                      const std::string& key,
                                                      const parse_context& ctx) {
    auto text = read_text(rule, e, key, ctx);
    if (!text)
        return text.error();
    if (text->starts_with("~")) {
        return ctx.error(value_position(e), key,
                         "'~' is not expanded in paths; write the full path");
    }
    // "credential:NAME" is a file systemd provides at run time, not a path
    // here; only a secret's file may be one.
    if (is_credential_reference(*text) && leaf(key) == "password_file")
        return {boost::system::in_place_value, std::filesystem::path(*text)};
    std::filesystem::path p(*text);
    if (p.is_relative() && !ctx.base_dir.empty())
        p = ctx.base_dir / p;
    return {boost::system::in_place_value, p.lexically_normal()};
}

result<std::chrono::seconds, config_error> read_duration(const value_rule& rule, const map_entry& e,
                                                         const std::string& key,
                                                         const parse_context& ctx) {
    const position at = value_position(e);
    auto s = scalar_of(e.value, at, key, "a duration such as 60s or 5m", ctx);
    if (!s)
        return s.error();
    auto d = parse_duration(s->text);
    if (!d) {
        return ctx.error(at, key,
                         fmt::format("{} is not a duration; write a whole number and a unit: 90s, "
                                     "15m, 12h or 2d",
                                     shown(s->text)));
    }
    if (!rule.range.contains(static_cast<double>(d->count()))) {
        return ctx.error(
            at, key, range_message(leaf(key), s->text, rule.range, [](double v) {
                return format_duration(std::chrono::seconds{static_cast<long long>(v)});
            }));
    }
    return *d;
}

result<double, config_error> read_decimal(const value_rule& rule, const map_entry& e,
                                          const std::string& key, const parse_context& ctx) {
    const position at = value_position(e);
    auto s = plain_scalar_of(e.value, at, key, "a number", ctx);
    if (!s)
        return s.error();
    auto v = parse_decimal(s->text);
    if (!v)
        return ctx.error(at, key, v.error().text);
    if (!rule.range.contains(*v)) {
        return ctx.error(at, key, range_message(leaf(key), s->text, rule.range));
    }
    return *v;
}

result<int, config_error> read_integer(const value_rule& rule, const map_entry& e,
                                       const std::string& key, const parse_context& ctx) {
    return integer_at(e.value, value_position(e), key, leaf(key), rule.range, ctx);
}

result<std::vector<int>, config_error> read_integer_list(const value_rule& rule, const map_entry& e,
                                                         const std::string& key,
                                                         const parse_context& ctx) {
    const position at = value_position(e);
    const std::string expected = "a list of whole numbers such as [7, 30]";
    if (!e.value.IsDefined() || e.value.IsNull()) {
        return ctx.error(
            at, key,
            fmt::format("no value; expected {} (remove the key to use the default)", expected));
    }
    if (!e.value.IsSequence()) {
        std::string message = fmt::format("expected {}, got {}", expected, describe_node(e.value));
        if (e.value.IsScalar() && parse_integer(e.value.Scalar())) {
            message += fmt::format("; write [{}]", e.value.Scalar());
        }
        return ctx.error(at, key, message);
    }
    if (e.value.size() == 0) {
        return ctx.error(at, key,
                         fmt::format("the list is empty; give at least one {}", rule.item_name));
    }
    std::vector<int> values;
    std::map<int, position> seen;
    for (const YAML::Node& item : e.value) {
        const position item_at = item.IsDefined() && !item.IsNull() ? position_of(item.Mark()) : at;
        auto v = integer_at(item, item_at, key, rule.item_name, rule.range, ctx);
        if (!v)
            return v.error();
        if (auto first = seen.find(*v); first != seen.end()) {
            return ctx.error(
                item_at, key,
                fmt::format("{} {} is listed twice (first at line {}, column {})", rule.item_name,
                            *v, first->second.line, first->second.column));
        }
        seen.emplace(*v, item_at);
        values.push_back(*v);
    }
    std::sort(values.begin(), values.end());
    return values;
}

status check_text_list_shape(const map_entry& e, const std::string& key, const parse_context& ctx,
                             std::string_view expected, std::string_view item_name) {
    const position at = value_position(e);
    if (!e.value.IsDefined() || e.value.IsNull())
        return ctx.error(at, key, fmt::format("no value; expected {}", expected));
    if (!e.value.IsSequence()) {
        std::string message = fmt::format("expected {}", expected);
        if (e.value.IsScalar())
            message += fmt::format("; write [{}]", e.value.Scalar());
        return ctx.error(at, key, message);
    }
    if (e.value.size() == 0)
        return ctx.error(at, key,
                         fmt::format("the list is empty; give at least one {}", item_name));
    return {};
}

result<bool, config_error> read_boolean(const value_rule&, const map_entry& e,
                                        const std::string& key, const parse_context& ctx) {
    const position at = value_position(e);
    auto s = plain_scalar_of(e.value, at, key, "true or false", ctx);
    if (!s)
        return s.error();
    auto v = parse_boolean(s->text);
    if (!v)
        return ctx.error(at, key, v.error().text);
    return *v;
}

// ---- Writing values ----

std::string format_decimal(double v) {
    return fmt::format("{}", v);
}

void write_value(YAML::Emitter& out, std::string_view key, const value_rule& rule,
                 const std::string& v) {
    out << YAML::Key << std::string(key) << YAML::Value;
    // Free text is always quoted, so a name like "yes" or "~" reads back as
    // text; an address may start with '[' ("[::1]:9110").
    if (rule.form == text_form::free || rule.form == text_form::listen_address)
        out << YAML::DoubleQuoted;
    out << displayed_value(key, v, rule.secret);
}

void write_value(YAML::Emitter& out, std::string_view key, const value_rule&,
                 const std::filesystem::path& v) {
    out << YAML::Key << std::string(key) << YAML::Value << YAML::DoubleQuoted << v.string();
}

void write_value(YAML::Emitter& out, std::string_view key, const value_rule&,
                 std::chrono::seconds v) {
    out << YAML::Key << std::string(key) << YAML::Value << format_duration(v);
}

void write_value(YAML::Emitter& out, std::string_view key, const value_rule&, double v) {
    out << YAML::Key << std::string(key) << YAML::Value << format_decimal(v);
}

void write_value(YAML::Emitter& out, std::string_view key, const value_rule&, int v) {
    out << YAML::Key << std::string(key) << YAML::Value << std::to_string(v);
}

void write_value(YAML::Emitter& out, std::string_view key, const value_rule&,
                 const std::vector<int>& v) {
    out << YAML::Key << std::string(key) << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (int item : v)
        out << std::to_string(item);
    out << YAML::EndSeq;
}

void write_value(YAML::Emitter& out, std::string_view key, const value_rule&, bool v) {
    out << YAML::Key << std::string(key) << YAML::Value << (v ? "true" : "false");
}

}  // namespace shd::config::detail
