// Internal to lib/config (and its tests): the machinery behind the key tables
// in config.cpp. A table lists the keys a YAML map may hold; each row reads its
// value into a member and writes it back for format_effective. Strictness
// lives here once: unknown and duplicate keys, wrong node kinds, quoted
// numbers, YAML 1.1 booleans and octal-looking integers are errors that name
// the file, line, column and dotted key. Adding a section is adding rows.
#pragma once

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"

namespace shd::config::detail {

using status = result<void, config_error>;

// 1-based; {0, 0} when yaml-cpp has no position.
struct position {
    int line = 0;
    int column = 0;
};
position position_of(const YAML::Mark& mark);

struct parse_context {
    std::string file;                // as the user named it, for errors
    std::filesystem::path base_dir;  // relative paths resolve against it
    // Dotted key -> where its value was written, for every value read from the
    // file. Cross-field checks use it to point at the value to change.
    std::map<std::string, position> origins;

    config_error error(position at, std::string key, std::string message) const;
};

// "metrics" + "target" -> "metrics.target"; "" + "account" -> "account".
std::string join_key(std::string_view parent, std::string_view name);

// ---- Scalar validators: pure functions of the scalar's text. ----

// Decimal notation only: optional sign, digits with an optional fraction, or a
// fraction alone (".5"), optional exponent. Rejects hex, octal-looking leading
// zeros ("010", YAML 1.1 reads it as 8), "inf"/"nan", "1_000", "1e".
result<double, error_message> parse_decimal(std::string_view text);
// A whole number in decimal: optional sign, no leading zeros.
result<long long, error_message> parse_integer(std::string_view text);
// Only "true" and "false": YAML 1.1's yes/no/on/off/y/n are rejected.
result<bool, error_message> parse_boolean(std::string_view text);
// Amazon marketplace IDs: 8 to 20 upper-case letters and digits. Unknown but
// well-formed IDs are fine (Amazon adds marketplaces). The message says what
// was probably meant ("UK" -> A1F83G8C2ARO7P).
std::optional<std::string> marketplace_id_problem(std::string_view text);

// What is wrong with `text` as a label value ("is longer than 64 bytes"),
// nullopt when nothing: valid UTF-8, no control characters, no leading or
// trailing space, 1 to 64 bytes.
std::optional<std::string> label_value_problem(std::string_view text);

// ---- Names ----

// The candidate closest to `word` (case-insensitive edit distance with
// transpositions), if it is close enough to be a likely typo.
std::optional<std::string_view> closest_name(std::string_view word,
                                             std::span<const std::string_view> candidates);
// "unknown key 'tagret'; did you mean 'target'?" or, with no close candidate,
// "unknown key 'x'; expected one of: a, b, c".
std::string unknown_name_message(std::string_view what, std::string_view word,
                                 std::span<const std::string_view> candidates);

// ---- Secrets ----

// A key whose name says it holds a secret: secret, password, passwd, token,
// api_key, or a name ending in _secret, _password, _token ...
bool is_secret_key(std::string_view key);
// A URL with user info ("https://user:pw@host") or a query parameter that
// looks like a credential (token, key, secret, sig, password, auth...).
bool url_has_credentials(std::string_view value);
// What format_effective prints for a text value: "***" when the key or the
// value says it is a secret (or the row is declared secret), else the value.
std::string displayed_value(std::string_view key, std::string_view value, bool declared_secret);

// ---- Value rules ----

struct numeric_range {
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    bool min_exclusive = false;
    bool max_exclusive = false;

    bool contains(double v) const;
    // "between 1 and 365", "above 0 and below 1", "at least 0"; values are
    // written with `format_bound` (durations print as "1s").
    std::string describe(const std::function<std::string(double)>& format_bound = nullptr) const;
};

constexpr numeric_range closed(double lo, double hi) {
    return {lo, hi, false, false};
}
constexpr numeric_range open(double lo, double hi) {
    return {lo, hi, true, true};
}
constexpr numeric_range closed_open(double lo, double hi) {
    return {lo, hi, false, true};
}
constexpr numeric_range at_least(double lo) {
    return {lo, std::numeric_limits<double>::infinity(), false, false};
}

enum class text_form { free, marketplace_id, choice, listen_address, label_value };

// What a value may be, beyond its C++ type (which picks the reader).
struct value_rule {
    text_form form = text_form::free;
    std::span<const std::string_view> choices;  // text_form::choice
    numeric_range range;                        // numbers, durations (seconds), list items
    std::string_view item_name = "item";        // lists: "window 0 is out of range"
    bool secret = false;                        // text printed as "***"
    bool allow_empty = false;                   // text may be "" (an unset secret)
};

inline value_rule any_text() {
    return {};
}
inline value_rule secret_text() {
    value_rule r;
    r.secret = true;
    return r;
}
inline value_rule one_of(std::span<const std::string_view> choices) {
    value_rule r;
    r.form = text_form::choice;
    r.choices = choices;
    return r;
}
inline value_rule marketplace_id() {
    value_rule r;
    r.form = text_form::marketplace_id;
    return r;
}
// "HOST:PORT" (core/listen_address.hpp); empty means "off".
inline value_rule listen_address_text() {
    value_rule r;
    r.form = text_form::listen_address;
    r.allow_empty = true;
    return r;
}
// A Prometheus label value that stays readable in PromQL, tables and file
// names' company: valid UTF-8, no surrounding spaces, at most 64 bytes.
inline value_rule label_text() {
    value_rule r;
    r.form = text_form::label_value;
    return r;
}
inline value_rule in_range(numeric_range range) {
    value_rule r;
    r.range = range;
    return r;
}
inline value_rule list_of(std::string_view item_name, numeric_range range) {
    value_rule r;
    r.item_name = item_name;
    r.range = range;
    return r;
}

// ---- Reading nodes ----

// One entry of a YAML map: the key's text and both nodes.
struct map_entry {
    std::string name;
    YAML::Node key;
    YAML::Node value;
};

// Where an entry's value is: the value's mark, or the key's when the value is
// empty (yaml-cpp marks an empty value at the next token, often a line later).
position value_position(const map_entry& e);

// The entries of a map in document order. A null node (an empty section) has
// none. Errors: not a map, a key that is not a plain name, a duplicate key.
// `expected` names what belongs there, for the "not a map" message.
result<std::vector<map_entry>, config_error> map_entries(const YAML::Node& node,
                                                         const std::string& key,
                                                         std::string_view expected,
                                                         const parse_context& ctx);

// One reader per C++ type. `key` is the dotted key of the value.
result<std::string, config_error> read_text(const value_rule& rule, const map_entry& e,
                                            const std::string& key, const parse_context& ctx);
result<std::filesystem::path, config_error> read_path(const value_rule& rule, const map_entry& e,
                                                      const std::string& key,
                                                      const parse_context& ctx);
result<std::chrono::seconds, config_error> read_duration(const value_rule& rule, const map_entry& e,
                                                         const std::string& key,
                                                         const parse_context& ctx);
result<double, config_error> read_decimal(const value_rule& rule, const map_entry& e,
                                          const std::string& key, const parse_context& ctx);
result<int, config_error> read_integer(const value_rule& rule, const map_entry& e,
                                       const std::string& key, const parse_context& ctx);
// A non-empty list of distinct whole numbers, returned sorted ascending.
result<std::vector<int>, config_error> read_integer_list(const value_rule& rule, const map_entry& e,
                                                         const std::string& key,
                                                         const parse_context& ctx);
// The shape every list of text items shares: a value, a sequence, not empty.
// `expected` names the list ("a list of email addresses such as [ops@...]");
// a lone scalar is answered with how to write it as a list.
status check_text_list_shape(const map_entry& e, const std::string& key, const parse_context& ctx,
                             std::string_view expected, std::string_view item_name);

result<bool, config_error> read_boolean(const value_rule& rule, const map_entry& e,
                                        const std::string& key, const parse_context& ctx);

template <class>
inline constexpr bool unsupported_type = false;

template <class M>
result<M, config_error> read_value(const value_rule& rule, const map_entry& e,
                                   const std::string& key, const parse_context& ctx) {
    if constexpr (std::is_same_v<M, std::string>) {
        return read_text(rule, e, key, ctx);
    } else if constexpr (std::is_same_v<M, std::filesystem::path>) {
        return read_path(rule, e, key, ctx);
    } else if constexpr (std::is_same_v<M, std::chrono::seconds>) {
        return read_duration(rule, e, key, ctx);
    } else if constexpr (std::is_same_v<M, double>) {
        return read_decimal(rule, e, key, ctx);
    } else if constexpr (std::is_same_v<M, int>) {
        return read_integer(rule, e, key, ctx);
    } else if constexpr (std::is_same_v<M, std::vector<int>>) {
        return read_integer_list(rule, e, key, ctx);
    } else if constexpr (std::is_same_v<M, bool>) {
        return read_boolean(rule, e, key, ctx);
    } else {
        static_assert(unsupported_type<M>, "no reader for this member type");
    }
}

// ---- Writing values (format_effective) ----

// Shortest text that reads back to the same double: 0.0075, 1e-05.
std::string format_decimal(double v);

void write_value(YAML::Emitter& out, std::string_view key, const value_rule& rule,
                 const std::string& v);
void write_value(YAML::Emitter& out, std::string_view key, const value_rule& rule,
                 const std::filesystem::path& v);
void write_value(YAML::Emitter& out, std::string_view key, const value_rule& rule,
                 std::chrono::seconds v);
void write_value(YAML::Emitter& out, std::string_view key, const value_rule& rule, double v);
void write_value(YAML::Emitter& out, std::string_view key, const value_rule& rule, int v);
void write_value(YAML::Emitter& out, std::string_view key, const value_rule& rule,
                 const std::vector<int>& v);
void write_value(YAML::Emitter& out, std::string_view key, const value_rule& rule, bool v);

// ---- Tables ----

// One key of a map. `parse` reads the entry into the target (the key is the
// entry's dotted key); `emit` writes "key: value" from the source.
template <class T>
struct row {
    std::string_view name;
    std::function<status(const map_entry& e, const std::string& key, T& target, parse_context&)>
        parse;
    std::function<void(YAML::Emitter& out, const T& source)> emit;
    bool required = false;    // a missing key is an error (else the member keeps its default)
    std::string_view help{};  // one or two sentences for the reference and the man page
    std::string type{};       // "number, above 0 and below 1"; see type_text
    bool show_default = true;
    // The keys under this one (sections, lists of maps); `defaults` is what
    // the member holds when the file says nothing, nullptr when that varies.
    std::function<void(const std::string& key, const T* defaults, std::vector<key_doc>& out)>
        children{};
};

template <class T>
using table = std::vector<row<T>>;

template <class T>
std::vector<std::string_view> names_of(const table<T>& rows) {
    std::vector<std::string_view> names;
    for (const auto& r : rows)
        names.push_back(r.name);
    return names;
}

// "target, warn, windows": what a map of these rows holds, for messages.
template <class T>
std::string describe_keys(const table<T>& rows) {
    std::string text;
    for (const auto& r : rows) {
        if (!text.empty())
            text += ", ";
        text += r.name;
    }
    return text;
}

// Reads a map against a table: every key must be a row, each at most once.
// Rows are applied in table order, not document order, so a row may rely on
// the rows above it (marketplace overrides start from the merged metrics).
template <class T>
status parse_map(const YAML::Node& node, const std::string& key, position key_position,
                 const table<T>& rows, T& target, parse_context& ctx) {
    auto entries = map_entries(node, key, describe_keys(rows), ctx);
    if (!entries)
        return entries.error();
    std::vector<const map_entry*> found(rows.size(), nullptr);
    const auto names = names_of(rows);
    for (const auto& e : *entries) {
        std::size_t i = 0;
        while (i < rows.size() && rows[i].name != e.name)
            ++i;
        if (i == rows.size()) {
            return ctx.error(position_of(e.key.Mark()), join_key(key, e.name),
                             unknown_name_message("key", e.name, names));
        }
        found[i] = &e;
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const std::string child = join_key(key, rows[i].name);
        if (found[i] == nullptr) {
            if (rows[i].required) {
                return ctx.error(key_position, child,
                                 "missing key '" + std::string(rows[i].name) + "'");
            }
            continue;
        }
        if (auto s = rows[i].parse(*found[i], child, target, ctx); !s)
            return s;
    }
    return {};
}

template <class T>
void emit_map(YAML::Emitter& out, const table<T>& rows, const T& source) {
    out << YAML::BeginMap;
    for (const auto& r : rows)
        r.emit(out, source);
    out << YAML::EndMap;
}

// "text", "number, above 0 and below 1", "one of: a, b", ...
std::string rule_text(std::string_view base, const value_rule& rule, bool numeric, bool duration);

template <class M>
std::string type_text(const value_rule& rule) {
    if constexpr (std::is_same_v<M, std::string>) {
        return rule_text("text", rule, false, false);
    } else if constexpr (std::is_same_v<M, std::filesystem::path>) {
        return rule_text("path", rule, false, false);
    } else if constexpr (std::is_same_v<M, std::chrono::seconds>) {
        return rule_text("duration", rule, true, true);
    } else if constexpr (std::is_same_v<M, double>) {
        return rule_text("number", rule, true, false);
    } else if constexpr (std::is_same_v<M, int>) {
        return rule_text("integer", rule, true, false);
    } else if constexpr (std::is_same_v<M, std::vector<int>>) {
        return rule_text("list of integers", rule, true, false);
    } else if constexpr (std::is_same_v<M, bool>) {
        return "boolean";
    } else {
        static_assert(unsupported_type<M>, "no type text for this member type");
    }
}

// The value a row writes for `source`, as YAML flow text ("1m", "[10, 30]").
template <class T>
std::string default_text(const row<T>& r, const T& source) {
    YAML::Emitter out;
    out << YAML::Flow << YAML::BeginMap;
    r.emit(out, source);
    out << YAML::EndMap;
    const YAML::Node node = YAML::Load(out.c_str());
    YAML::Emitter value;
    value << YAML::Flow << node[std::string(r.name)];
    return value.c_str();
}

// Appends the rows' keys under `prefix` (and the keys inside them).
template <class T>
void document_table(const table<T>& rows, const std::string& prefix, const T* defaults,
                    std::vector<key_doc>& out) {
    for (const auto& r : rows) {
        const std::string key = join_key(prefix, r.name);
        out.push_back(
            key_doc{key, r.type,
                    defaults && r.show_default && !r.required ? default_text(r, *defaults) : "",
                    std::string(r.help)});
        if (r.children)
            r.children(key, defaults, out);
    }
}

// A scalar or list member.
template <class T, class M>
row<T> field(std::string_view name, M T::*member, value_rule rule = {},
             std::string_view help = {}) {
    return row<T>{name,
                  [member, rule](const map_entry& e, const std::string& key, T& target,
                                 parse_context& ctx) -> status {
                      auto v = read_value<M>(rule, e, key, ctx);
                      if (!v)
                          return v.error();
                      target.*member = std::move(*v);
                      ctx.origins[key] = value_position(e);
                      return {};
                  },
                  [member, rule, name](YAML::Emitter& out, const T& source) {
                      write_value(out, name, rule, source.*member);
                  },
                  false,
                  help,
                  type_text<M>(rule)};
}

// A list of text items, each read against `item_rule`, none listed twice
// ("marketplaces: [ATVPDKIKX0DER, ...]"). `expected` shows the shape in an
// error ("a list of marketplace IDs such as [ATVPDKIKX0DER]"); `item_name`
// names one item. Left out of the output when empty.
template <class T>
row<T> text_list(std::string_view name, std::vector<std::string> T::*member, value_rule item_rule,
                 std::string_view expected, std::string_view item_name, std::string_view help,
                 std::string_view type_doc) {
    return row<T>{
        name,
        [member, item_rule, expected, item_name](const map_entry& e, const std::string& key,
                                                 T& target, parse_context& ctx) -> status {
            const position at = value_position(e);
            if (auto shape = check_text_list_shape(e, key, ctx, expected, item_name); !shape)
                return shape;
            std::vector<std::string> items;
            for (const YAML::Node& item : e.value) {
                const map_entry item_entry{e.name, e.key, item};
                auto text = read_text(item_rule, item_entry, key, ctx);
                if (!text)
                    return text.error();
                if (std::find(items.begin(), items.end(), *text) != items.end()) {
                    return ctx.error(value_position(item_entry), key,
                                     fmt::format("{} is listed twice", *text));
                }
                items.push_back(std::move(*text));
            }
            target.*member = std::move(items);
            ctx.origins[key] = at;
            return {};
        },
        [member, name](YAML::Emitter& out, const T& source) {
            if ((source.*member).empty())
                return;
            out << YAML::Key << std::string(name) << YAML::Value << YAML::Flow << YAML::BeginSeq;
            for (const auto& item : source.*member)
                out << item;
            out << YAML::EndSeq;
        },
        false,
        help,
        std::string(type_doc)};
}

// A nested map held in a struct member with its own table ("http: {...}").
template <class T, class U>
row<T> section(std::string_view name, U T::*member, table<U> rows, std::string_view help = {}) {
    return row<T>{
        name,
        [member, rows](const map_entry& e, const std::string& key, T& target,
                       parse_context& ctx) -> status {
            return parse_map(e.value, key, position_of(e.key.Mark()), rows, target.*member, ctx);
        },
        [member, rows, name](YAML::Emitter& out, const T& source) {
            out << YAML::Key << std::string(name) << YAML::Value;
            emit_map(out, rows, source.*member);
        },
        false,
        help,
        "map",
        false,
        [member, rows](const std::string& key, const T* defaults, std::vector<key_doc>& out) {
            document_table(rows, key, defaults ? &(defaults->*member) : nullptr, out);
        }};
}

// A list of maps, each read against the same table ("channels: [{...}, ...]").
// The file's list replaces the default list; items' keys are "name[i].key".
template <class T, class U>
row<T> records(std::string_view name, std::vector<U> T::*member, table<U> rows,
               std::string_view help = {}) {
    return row<T>{
        name,
        [member, rows](const map_entry& e, const std::string& key, T& target,
                       parse_context& ctx) -> status {
            std::vector<U> items;
            if (!e.value.IsNull()) {
                if (!e.value.IsSequence()) {
                    return ctx.error(
                        value_position(e), key,
                        "expected a list of maps (- key: value), each with " + describe_keys(rows));
                }
                std::size_t index = 0;
                for (const YAML::Node& item : e.value) {
                    const std::string item_key = key + "[" + std::to_string(index++) + "]";
                    const position at =
                        item.IsNull() ? value_position(e) : position_of(item.Mark());
                    if (item.IsNull())
                        return ctx.error(at, item_key, "empty list item");
                    U value{};
                    if (auto s = parse_map(item, item_key, at, rows, value, ctx); !s)
                        return s;
                    items.push_back(std::move(value));
                }
            }
            target.*member = std::move(items);
            return {};
        },
        [member, rows, name](YAML::Emitter& out, const T& source) {
            out << YAML::Key << std::string(name) << YAML::Value;
            const auto& items = source.*member;
            if (items.empty()) {
                out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
                return;
            }
            out << YAML::BeginSeq;
            for (const auto& item : items)
                emit_map(out, rows, item);
            out << YAML::EndSeq;
        },
        false,
        help,
        "list of maps",
        true,
        [rows](const std::string& key, const T*, std::vector<key_doc>& out) {
            const U item{};
            document_table(rows, key + "[]", &item, out);
        }};
}

template <class T>
row<T> required(row<T> r) {
    r.required = true;
    return r;
}

}  // namespace shd::config::detail
