#include "ingest/inbox.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace shd::ingest {
namespace {

namespace fs = std::filesystem;

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

instant to_instant(fs::file_time_type t) {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::file_clock::to_sys(t));
}

// "orders.txt.gz" -> "orders-3.txt.gz": the suffix goes before the first dot
// so the name still says what the file is.
std::string numbered_name(const std::string& name, int n) {
    if (n <= 1)
        return name;
    const auto dot = name.find('.', 1);
    if (dot == std::string::npos)
        return fmt::format("{}-{}", name, n);
    return fmt::format("{}-{}{}", name.substr(0, dot), n, name.substr(dot));
}

std::string error_file_name(const std::string& name) {
    return name + ".error.txt";
}

// rename(2) that fails with EEXIST instead of replacing the target. Falls back
// to a check-then-rename where the filesystem lacks RENAME_NOREPLACE; only
// this process moves files into these folders, so the gap is harmless.
int rename_no_replace(const fs::path& from, const fs::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return errno;
    std::error_code ec;
    if (fs::exists(to, ec))
        return EEXIST;
    return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

// Moves `file` into `folder` under its own name, or the first free numbered
// one; `also_free(name)` vetoes a name whose companion file exists.
template <class Predicate>
result<fs::path, error_message> move_into(const fs::path& file, const fs::path& folder,
                                          Predicate also_free) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) {
        return error_message{fmt::format("cannot create {}: {}", folder.string(), ec.message())};
    }
    const std::string name = file.filename().string();
    for (int n = 1; n < 10000; ++n) {
        const std::string candidate = numbered_name(name, n);
        if (!also_free(candidate))
            continue;
        const fs::path target = folder / candidate;
        const int err = rename_no_replace(file, target);
        if (err == 0)
            return {boost::system::in_place_value, target};
        if (err != EEXIST) {
            return error_message{fmt::format("cannot move {} to {}: {}", file.string(),
                                             target.string(), std::strerror(err))};
        }
    }
    return error_message{fmt::format("cannot move {}: {} holds too many files of that name",
                                     file.string(), folder.string())};
}

}  // namespace

bool is_ignored_inbox_name(std::string_view file_name) {
    return file_name.empty() || file_name.front() == '.' || ends_with(file_name, ".part") ||
           ends_with(file_name, ".tmp");
}

inbox::inbox(std::filesystem::path dir, const Clock& clock, std::chrono::seconds settle)
    : dir_(std::move(dir)), clock_(clock), settle_(settle) {}

result<inbox_scan, error_message> inbox::scan() {
    struct candidate {
        fs::path path;
        fs::file_time_type mtime;
    };
    const instant now = clock_.now();
    std::vector<candidate> ready;
    std::map<std::string, observation> seen_now;
    inbox_scan out;

    std::error_code ec;
    fs::directory_iterator it(dir_, ec);
    if (ec)
        return error_message{fmt::format("cannot list {}: {}", dir_.string(), ec.message())};
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        const fs::directory_entry& entry = *it;
        const std::string name = entry.path().filename().string();
        if (is_ignored_inbox_name(name))
            continue;
        // A file can vanish or change between listing and stat: skip it, the
        // next scan sees it as it is then.
        std::error_code stat_ec;
        if (!entry.is_regular_file(stat_ec) || stat_ec)
            continue;
        const auto size = entry.file_size(stat_ec);
        if (stat_ec)
            continue;
        const auto mtime = entry.last_write_time(stat_ec);
        if (stat_ec)
            continue;

        observation obs{size, mtime, now};
        if (auto prev = seen_.find(name);
            prev != seen_.end() && prev->second.size == size && prev->second.mtime == mtime) {
            obs.first_seen = prev->second.first_seen;
        }
        seen_now[name] = obs;

        const bool quiet_by_mtime = now - to_instant(mtime) >= settle_;
        const bool quiet_by_scans = now - obs.first_seen >= settle_;
        if (quiet_by_mtime || quiet_by_scans) {
            ready.push_back({entry.path(), mtime});
        } else {
            ++out.waiting;
        }
    }
    if (ec)
        return error_message{fmt::format("cannot list {}: {}", dir_.string(), ec.message())};
    // Files no longer there are forgotten, so the map is as big as the folder.
    seen_ = std::move(seen_now);

    std::sort(ready.begin(), ready.end(), [](const candidate& a, const candidate& b) {
        if (a.mtime != b.mtime)
            return a.mtime < b.mtime;
        return a.path.filename() < b.path.filename();
    });
    for (auto& c : ready)
        out.ready.push_back(std::move(c.path));
    return out;
}

result<std::filesystem::path, error_message> inbox::archive(const std::filesystem::path& file) {
    return move_into(file, archive_dir(), [](const std::string&) { return true; });
}

result<std::filesystem::path, error_message> inbox::reject(const std::filesystem::path& file,
                                                           const std::string& why) {
    const fs::path folder = rejected_dir();
    auto moved = move_into(file, folder, [&](const std::string& name) {
        std::error_code ec;
        return !fs::exists(folder / error_file_name(name), ec);
    });
    if (!moved)
        return moved;
    const fs::path error_path = folder / error_file_name(moved->filename().string());
    std::ofstream out(error_path, std::ios::binary | std::ios::trunc);
    out << why << '\n';
    out.close();
    if (!out) {
        return error_message{fmt::format("moved {} to {} but cannot write {}", file.string(),
                                         moved->string(), error_path.string())};
    }
    return moved;
}

std::vector<fs::path> import_order(std::vector<fs::path> ready) {
    // Orders first: a Feedback report's dates are read in the format of its
    // orders' marketplace, and a file dropped in together with its orders
    // must not be read before them. Otherwise the scan's order (oldest first)
    // stands. A file whose format cannot be told goes last; its import says why.
    auto rank = [](const fs::path& file) {
        auto format = detect_format(file);
        if (!format)
            return 2;
        return *format == file_format::all_orders || *format == file_format::unshipped ? 0 : 1;
    };
    std::vector<std::pair<int, fs::path>> ranked;
    ranked.reserve(ready.size());
    for (auto& file : ready)
        ranked.emplace_back(rank(file), std::move(file));
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<fs::path> out;
    out.reserve(ranked.size());
    for (auto& [r, file] : ranked)
        out.push_back(std::move(file));
    return out;
}

inbox_cycle_summary process_inbox(inbox& box, importer& imp,
                                  const std::function<bool()>& should_stop) {
    inbox_cycle_summary summary;
    auto scanned = box.scan();
    if (!scanned) {
        spdlog::error("inbox: {}", scanned.error().text);
        ++summary.failed;
        return summary;
    }
    summary.waiting = scanned->waiting;
    for (const auto& file : import_order(std::move(scanned->ready))) {
        if (should_stop && should_stop()) {
            ++summary.waiting;
            continue;
        }
        const std::string name = file.filename().string();
        // A large report takes seconds; the operator sees what is going on.
        spdlog::info("importing: {}", name);
        auto imported = imp.import_file(file);
        if (imported) {
            if (imported->result == import_report::outcome::imported) {
                ++summary.imported;
                spdlog::info("imported: {} ({}, {} rows, {} orders)", name,
                             format_name(imported->format), imported->rows, imported->orders);
            } else {
                ++summary.already_imported;
                spdlog::info("already imported: {}", name);
            }
            if (auto moved = box.archive(file); !moved) {
                ++summary.failed;
                spdlog::error("inbox: {}", moved.error().text);
            }
            continue;
        }
        const import_failure& failure = imported.error();
        if (failure.kind == import_failure_kind::failed) {
            ++summary.failed;
            spdlog::error("cannot import {} now, will retry: {}", name,
                          failure.error.where_and_why());
            continue;
        }
        std::error_code ec;
        if (!fs::exists(file, ec)) {
            // Taken away between the scan and the import: nothing to reject.
            spdlog::debug("inbox: {} disappeared before it was imported", name);
            continue;
        }
        ++summary.rejected;
        spdlog::warn("rejected: {}: {}", name, failure.error.where_and_why());
        if (auto moved = box.reject(file, failure.error.to_string()); !moved) {
            ++summary.failed;
            spdlog::error("inbox: {}", moved.error().text);
        }
    }
    return summary;
}

}  // namespace shd::ingest
