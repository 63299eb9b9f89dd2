#include "report/inbox_status.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>

namespace shd::report {
namespace {

using json = nlohmann::ordered_json;

json unreadable_json(const std::vector<unreadable_inbox_file>& files) {
    json list = json::array();
    for (const auto& f : files)
        list.push_back(json{{"name", f.name}, {"reason", f.reason}});
    return json{{"count", files.size()}, {"files", std::move(list)}};
}

}  // namespace

std::string inbox_status_table(const std::vector<unreadable_inbox_file>& files) {
    if (files.empty())
        return "";
    std::size_t width = 0;
    for (const auto& f : files)
        width = std::max(width, f.name.size());
    std::string out = fmt::format("\nInbox: {} {} not read (see docs/troubleshooting.md)\n",
                                  files.size(), files.size() == 1 ? "entry" : "entries");
    for (const auto& f : files)
        out += fmt::format("  {:<{}}  {}\n", f.name, width, f.reason);
    return out;
}

std::string with_inbox_json(const std::string& status_json,
                            const std::vector<unreadable_inbox_file>& files) {
    // Spliced in before the closing brace, as doc["inbox_unreadable"] = ...;
    // doc.dump(2) would print it: parsing the document again cost a sixth of
    // `status --json` at 1M orders (megabytes of upcoming events).
    constexpr std::string_view kClose = "\n}";
    const bool pretty_object = status_json.size() > 2 && status_json.front() == '{' &&
                               status_json.ends_with(kClose) &&
                               status_json.find("\"inbox_unreadable\"") == std::string::npos;
    if (!pretty_object) {
        json doc = json::parse(status_json);
        doc["inbox_unreadable"] = unreadable_json(files);
        return doc.dump(2);
    }
    std::string member = unreadable_json(files).dump(2);
    std::string out = status_json.substr(0, status_json.size() - kClose.size());
    out.reserve(status_json.size() + member.size() * 2 + 32);
    out += ",\n  \"inbox_unreadable\": ";
    for (char c : member) {
        out += c;
        if (c == '\n')
            out += "  ";
    }
    out += kClose;
    return out;
}

std::string health_json(bool healthy, const std::string& reason,
                        const std::vector<unreadable_inbox_file>& files) {
    json doc{
        {"healthy", healthy}, {"reason", reason}, {"inbox_unreadable", unreadable_json(files)}};
    return doc.dump(2);
}

}  // namespace shd::report
