// The key tables of seller-healthd.yaml and the checks that span several
// values (warn on the right side of target). The machinery is in schema.hpp.
#include "config/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "config/schema.hpp"
#include "core/time.hpp"

namespace shd::config {
namespace {

using namespace detail;

constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};

// A config file is a few kilobytes; a bigger one is the wrong file (or /dev/zero).
constexpr std::size_t kMaxFileBytes = 1 << 20;

// metrics.<metric> and marketplaces.<id>.<metric>.
const table<metric_thresholds>& threshold_rows() {
    static const table<metric_thresholds> rows = {
        field("target", &metric_thresholds::target, in_range(open(0, 1))),
        field("warn", &metric_thresholds::warn, in_range(open(0, 1))),
        field("windows", &metric_thresholds::windows, list_of("window", closed(1, 365))),
        field("lag_days", &metric_thresholds::lag_days, in_range(closed(0, 365))),
        field("min_orders", &metric_thresholds::min_orders, in_range(at_least(0))),
    };
    return rows;
}

const std::vector<std::string_view>& metric_names() {
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> out;
        for (const auto& m : all_metrics())
            out.push_back(m.name);
        return out;
    }();
    return names;
}

// Reads "<metric>: {target: ..., ...}" entries into `resolved`, over what it
// already holds: that is the field-by-field merge.
status parse_metric_map(const YAML::Node& node, const std::string& key,
                        std::map<metric_key, metric_thresholds>& resolved, parse_context& ctx) {
    auto entries = map_entries(node, key, "order_defect_rate, late_dispatch_rate, ...", ctx);
    if (!entries)
        return entries.error();
    for (const auto& e : *entries) {
        const std::string metric_key_path = join_key(key, e.name);
        const auto metric = metric_from_name(e.name);
        if (!metric) {
            std::string message = unknown_name_message("metric", e.name, metric_names());
            const auto fields = names_of(threshold_rows());
            if (std::find(fields.begin(), fields.end(), e.name) != fields.end()) {
                message +=
                    fmt::format("; {} belongs under a metric: {}.<metric>.{}", e.name, key, e.name);
            }
            return ctx.error(position_of(e.key.Mark()), metric_key_path, message);
        }
        if (auto s = parse_map(e.value, metric_key_path, position_of(e.key.Mark()),
                               threshold_rows(), resolved.at(*metric), ctx);
            !s) {
            return s;
        }
    }
    return {};
}

void emit_metric_map(YAML::Emitter& out, const std::map<metric_key, metric_thresholds>& resolved) {
    out << YAML::BeginMap;
    for (const auto& m : all_metrics()) {
        out << YAML::Key << std::string(m.name) << YAML::Value;
        emit_map(out, threshold_rows(), resolved.at(m.key));
    }
    out << YAML::EndMap;
}

row<config> metrics_row() {
    return row<config>{
        "metrics",
        [](const map_entry& e, const std::string& key, config& c, parse_context& ctx) {
            return parse_metric_map(e.value, key, c.metrics, ctx);
        },
        [](YAML::Emitter& out, const config& c) {
            out << YAML::Key << "metrics" << YAML::Value;
            emit_metric_map(out, c.metrics);
        }};
}

// Must come after metrics_row in the table: an override starts from the
// merged global thresholds.
row<config> marketplaces_row() {
    return row<config>{
        "marketplaces",
        [](const map_entry& e, const std::string& key, config& c, parse_context& ctx) -> status {
            auto entries = map_entries(e.value, key, "marketplace IDs such as ATVPDKIKX0DER", ctx);
            if (!entries)
                return entries.error();
            for (const auto& m : *entries) {
                const std::string id_key = join_key(key, m.name);
                if (auto problem = marketplace_id_problem(m.name)) {
                    return ctx.error(position_of(m.key.Mark()), id_key, *problem);
                }
                auto resolved = c.metrics;
                if (auto s = parse_metric_map(m.value, id_key, resolved, ctx); !s)
                    return s;
                c.marketplace_metrics[m.name] = std::move(resolved);
            }
            return {};
        },
        [](YAML::Emitter& out, const config& c) {
            out << YAML::Key << "marketplaces" << YAML::Value;
            if (c.marketplace_metrics.empty()) {
                out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
                return;
            }
            out << YAML::BeginMap;
            for (const auto& [id, resolved] : c.marketplace_metrics) {
                out << YAML::Key << id << YAML::Value;
                emit_metric_map(out, resolved);
            }
            out << YAML::EndMap;
        }};
}

// The whole file. Defaults are the member initialisers of `config` and the
// metric catalog (default_config); a row only names, types and bounds a key.
const table<config>& top_rows() {
    static const table<config> rows = {
        field("account", &config::account, any_text()),
        field("database", &config::database),
        field("inbox", &config::inbox),
        field("default_marketplace", &config::default_marketplace, marketplace_id()),
        field("poll_interval", &config::poll_interval, in_range(at_least(1))),
        field("reconcile_tolerance", &config::reconcile_tolerance, in_range(closed_open(0, 1))),
        field("log_level", &config::log_level, one_of(kLogLevels)),
        metrics_row(),
        marketplaces_row(),
    };
    return rows;
}

// Where a resolved threshold field came from, for blaming the right value.
struct field_origin {
    int specificity = 0;  // 0 built-in default, 1 metrics.<m>, 2 marketplaces.<id>.<m>
    std::string key;      // dotted key when it came from the file
    position at;
};

field_origin origin_of(const parse_context& ctx, const std::string& scope, std::string_view metric,
                       std::string_view field_name) {
    const std::string own = join_key(join_key(scope, metric), field_name);
    if (auto it = ctx.origins.find(own); it != ctx.origins.end()) {
        return {scope == "metrics" ? 1 : 2, own, it->second};
    }
    const std::string global = join_key(join_key("metrics", metric), field_name);
    if (auto it = ctx.origins.find(global); it != ctx.origins.end()) {
        return {1, global, it->second};
    }
    return {};
}

// " (the default)", " (from metrics.x.warn, line 4)", or "" when both values
// sit in the same map.
std::string where(const field_origin& other, const field_origin& blamed) {
    if (other.specificity == 0)
        return " (the default)";
    const auto parent = [](const std::string& k) { return k.substr(0, k.rfind('.')); };
    if (parent(other.key) == parent(blamed.key))
        return "";
    return fmt::format(" (from {}, line {})", other.key, other.at.line);
}

// A warn level on the wrong side of its target is a config error
// (spec/metrics.md "Thresholds"). The value in the more specific place is
// blamed: when a marketplace overrides only target, the override is the
// mistake, not the global warn.
status check_warn_side(const metric_definition& m, const metric_thresholds& t,
                       const std::string& scope, const parse_context& ctx) {
    const bool lower = m.direction == metric_direction::lower_is_better;
    if (lower ? t.warn < t.target : t.warn > t.target)
        return {};
    const field_origin target = origin_of(ctx, scope, m.name, "target");
    const field_origin warn = origin_of(ctx, scope, m.name, "warn");
    const std::string rule =
        fmt::format("for {} warn must be {} target", m.name, lower ? "below" : "above");
    const std::string w = format_decimal(t.warn), tg = format_decimal(t.target);
    if (target.specificity > warn.specificity) {
        const char* relation = t.target == t.warn ? "equals" : (lower ? "is below" : "is above");
        return ctx.error(
            target.at, target.key,
            fmt::format("target {} {} warn {}{}; {}", tg, relation, w, where(warn, target), rule));
    }
    if (warn.specificity == 0) {
        // Both built in: the catalog is wrong, which no file can cause.
        throw std::logic_error("metric_catalog: default warn on the wrong side of target for " +
                               std::string(m.name));
    }
    const char* relation = t.target == t.warn ? "equals" : (lower ? "is above" : "is below");
    return ctx.error(
        warn.at, warn.key,
        fmt::format("warn {} {} target {}{}; {}", w, relation, tg, where(target, warn), rule));
}

status check_cross_fields(const config& c, const parse_context& ctx) {
    for (const auto& m : all_metrics()) {
        if (auto s = check_warn_side(m, c.metrics.at(m.key), "metrics", ctx); !s)
            return s;
    }
    for (const auto& [id, resolved] : c.marketplace_metrics) {
        for (const auto& m : all_metrics()) {
            if (auto s = check_warn_side(m, resolved.at(m.key), "marketplaces." + id, ctx); !s) {
                return s;
            }
        }
    }
    return {};
}

result<config, config_error> parse_document(std::string_view yaml_text,
                                            const std::string& display_name,
                                            const std::filesystem::path& base_dir) {
    parse_context ctx{display_name, base_dir, {}};
    try {
        const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml_text));
        config c = default_config();
        if (documents.size() > 1) {
            return ctx.error(position_of(documents[1].Mark()), "",
                             "a second YAML document starts here (after a '---' line); a "
                             "configuration file holds one");
        }
        if (!documents.empty()) {
            if (auto s = parse_map(documents[0], "", position{1, 1}, top_rows(), c, ctx); !s) {
                return s.error();
            }
        }
        if (auto s = check_cross_fields(c, ctx); !s)
            return s.error();
        return c;
    } catch (const YAML::Exception& e) {
        const position at = position_of(e.mark);
        return config_error{display_name, at.line, at.column, "", "YAML syntax error: " + e.msg};
    }
}

}  // namespace

std::string config_error::to_string() const {
    if (key.empty())
        return fmt::format("{}:{}:{}: {}", file, line, column, message);
    return fmt::format("{}:{}:{}: {}: {}", file, line, column, key, message);
}

void throw_exception_from_error(config_error const& e, boost::source_location const&) {
    throw std::logic_error("unchecked config result: " + e.to_string());
}

config default_config() {
    config c;
    for (const auto& m : all_metrics()) {
        c.metrics[m.key] = metric_thresholds{m.default_target,
                                             m.default_warn,
                                             {m.default_windows.begin(), m.default_windows.end()},
                                             m.default_lag_days,
                                             m.default_min_orders};
    }
    return c;
}

const metric_thresholds& config::thresholds(metric_key key,
                                            const std::string& marketplace_id) const {
    if (auto it = marketplace_metrics.find(marketplace_id); it != marketplace_metrics.end()) {
        if (auto jt = it->second.find(key); jt != it->second.end())
            return jt->second;
    }
    return metrics.at(key);
}

result<config, config_error> parse_config(std::string_view yaml_text,
                                          const std::filesystem::path& file_name) {
    auto c = parse_document(yaml_text, file_name.string(), file_name.parent_path());
    if (c)
        c->source_path = file_name;
    return c;
}

result<config, config_error> load_config(const std::filesystem::path& path) {
    const auto file_error = [&](std::string message) {
        return config_error{path.string(), 0, 0, "", std::move(message)};
    };
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                         &std::fclose);
    if (!file) {
        return file_error(
            fmt::format("cannot open the configuration file: {}", std::strerror(errno)));
    }
    std::string text;
    char buffer[8192];
    while (true) {
        const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
        text.append(buffer, n);
        if (text.size() > kMaxFileBytes) {
            return file_error("the file is larger than 1 MiB; is it the configuration file?");
        }
        if (n < sizeof buffer) {
            if (std::ferror(file.get())) {
                return file_error(
                    fmt::format("cannot read the configuration file: {}", std::strerror(errno)));
            }
            break;
        }
    }
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    if (ec)
        absolute = path;
    absolute = absolute.lexically_normal();
    auto c = parse_document(text, path.string(), absolute.parent_path());
    if (c)
        c->source_path = absolute;
    return c;
}

std::string format_effective(const config& c) {
    YAML::Emitter out;
    emit_map(out, top_rows(), c);
    return std::string(out.c_str()) + "\n";
}

}  // namespace shd::config
