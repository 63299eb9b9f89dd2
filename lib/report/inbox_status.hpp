// The inbox entries the daemon will not read (symbolic links, FIFOs, files it
// cannot open, ...), for `status` (table and --json), /api/status and
// /healthz. Names arrive printable (core/printable_name.hpp); these
// functions only lay them out. Kept apart from the metric tables so each
// output gains one section and nothing else changes.
#pragma once

#include <string>
#include <vector>

namespace shd::report {

struct unreadable_inbox_file {
    std::string name;    // printable
    std::string reason;  // "is a symbolic link (not followed)"
    bool operator==(const unreadable_inbox_file&) const = default;
};

// "\nInbox: 2 entries not read (see docs/troubleshooting.md)\n  name  reason\n...";
// "" when there are none, so a clean inbox adds nothing to the table.
std::string inbox_status_table(const std::vector<unreadable_inbox_file>& files);

// `status_json` (a JSON object) with "inbox_unreadable": {"count": N,
// "files": [{"name", "reason"}]} added last, pretty-printed as before. The
// field is there (count 0) when nothing is unreadable.
std::string with_inbox_json(const std::string& status_json,
                            const std::vector<unreadable_inbox_file>& files);

// /healthz?format=json: {"healthy", "reason", "inbox_unreadable": {...}}.
std::string health_json(bool healthy, const std::string& reason,
                        const std::vector<unreadable_inbox_file>& files);

}  // namespace shd::report
