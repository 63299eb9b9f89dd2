// `check-config [--json]`: validates the file and prints the effective
// configuration (YAML), or with --json one document (docs/cli.md): valid,
// account, path, the effective configuration as JSON (secrets "***"), or the
// problem with file, line, column and key. Exit 0 valid, 2 not.
#include <yaml-cpp/yaml.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"

namespace shd::cli {
namespace {

using json = nlohmann::ordered_json;

// format_effective's YAML as JSON. Plain scalars that read as numbers or
// booleans become those; quoted ones (tag "!") stay text.
json to_json(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map: {
            json j = json::object();
            for (const auto& kv : node)
                j[kv.first.as<std::string>()] = to_json(kv.second);
            return j;
        }
        case YAML::NodeType::Sequence: {
            json j = json::array();
            for (const auto& item : node)
                j.push_back(to_json(item));
            return j;
        }
        case YAML::NodeType::Scalar: {
            const std::string text = node.Scalar();
            if (node.Tag() != "!") {
                if (text == "true" || text == "false")
                    return text == "true";
                long long whole = 0;
                double real = 0;
                if (YAML::convert<long long>::decode(node, whole) &&
                    text.find_first_of(".eE") == std::string::npos)
                    return whole;
                if (YAML::convert<double>::decode(node, real))
                    return real;
            }
            return text;
        }
        default:
            return nullptr;
    }
}

}  // namespace

int check_config(const global_options& g, bool as_json) {
    if (!as_json) {
        auto cfg = load_config_or_report(g.config_path);
        if (!cfg)
            return kExitUsage;
        std::cout << config::format_effective(*cfg);
        return kExitOk;
    }
    auto loaded = config::load_config(g.config_path);
    json doc;
    doc["path"] = g.config_path;
    if (loaded) {
        doc["valid"] = true;
        doc["account"] = loaded->account;
        doc["errors"] = json::array();
        doc["config"] = to_json(YAML::Load(config::format_effective(*loaded)));
    } else {
        const auto& e = loaded.error();
        doc["valid"] = false;
        doc["account"] = nullptr;
        doc["errors"] =
            json::array({json{{"file", e.file},
                              {"line", e.line == 0 ? json(nullptr) : json(e.line)},
                              {"column", e.column == 0 ? json(nullptr) : json(e.column)},
                              {"key", e.key.empty() ? json(nullptr) : json(e.key)},
                              {"message", e.message}}});
        doc["config"] = nullptr;
    }
    std::cout << doc.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    std::cout.flush();
    if (!std::cout)
        return kExitFailure;
    return loaded ? kExitOk : kExitUsage;
}

}  // namespace shd::cli
