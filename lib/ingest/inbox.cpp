#include "ingest/inbox.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/printable_name.hpp"

namespace shd::ingest {
namespace {

namespace fs = std::filesystem;

constexpr const char* kArchive = "archive";
constexpr const char* kRejected = "rejected";

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string os_error(int err) {
    return std::strerror(err);
}

file_state state_of(const struct stat& st) {
    return {st.st_dev, st.st_ino, static_cast<std::int64_t>(st.st_size),
            static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

// Why an entry that is not a regular file is not read.
std::string kind_reason(mode_t mode) {
    if (S_ISLNK(mode))
        return "is a symbolic link (not followed)";
    if (S_ISFIFO(mode))
        return "is a named pipe (FIFO), not a file";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "is a device, not a file";
    if (S_ISSOCK(mode))
        return "is a socket, not a file";
    if (S_ISDIR(mode))
        return "is a folder (files in subfolders are not imported)";
    return "is not a regular file";
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

result<unique_fd, error_message> open_folder(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return error_message{fmt::format("cannot open the inbox {}: {}",
                                         printable_name(dir.string()), os_error(errno))};
    }
    return unique_fd(fd);
}

// archive/ or rejected/ inside the inbox `dir_fd`: made when missing, then
// opened without following a link and checked on the open descriptor.
result<unique_fd, error_message> open_subfolder(int dir_fd, const fs::path& dir, const char* name) {
    const std::string shown = printable_name((dir / name).string());
    if (::mkdirat(dir_fd, name, 0750) != 0 && errno != EEXIST) {
        return error_message{fmt::format("cannot create {}: {}", shown, os_error(errno))};
    }
    struct stat st {};
    if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return error_message{fmt::format("cannot look at {}: {}", shown, os_error(errno))};
    if (S_ISLNK(st.st_mode)) {
        return error_message{fmt::format(
            "{} is a symbolic link; refusing to move files through it (remove it: the daemon "
            "creates the folder itself)",
            shown)};
    }
    if (!S_ISDIR(st.st_mode))
        return error_message{fmt::format("{} is not a folder; refusing to use it", shown)};
    const int fd = ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return error_message{fmt::format("cannot open {}: {}", shown, os_error(errno))};
    unique_fd folder(fd);
    if (::fstat(folder.get(), &st) != 0)
        return error_message{fmt::format("cannot look at {}: {}", shown, os_error(errno))};
    const uid_t me = ::geteuid();
    if (st.st_uid != me) {
        return error_message{
            fmt::format("{} is owned by uid {}, not by the service's uid {}; refusing to use it "
                        "(chown it to the service's user, mode 0750)",
                        shown, st.st_uid, me)};
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        return error_message{
            fmt::format("{} is writable by group or others (mode {:04o}); refusing to use it "
                        "(chmod 0750: only the service writes there)",
                        shown, st.st_mode & 07777)};
    }
    return folder;
}

struct folders {
    unique_fd inbox;
    unique_fd archive;
    unique_fd rejected;
};

result<folders, error_message> open_folders(const fs::path& dir) {
    folders out;
    auto inbox_fd = open_folder(dir);
    if (!inbox_fd)
        return inbox_fd.error();
    out.inbox = std::move(*inbox_fd);
    auto archive_fd = open_subfolder(out.inbox.get(), dir, kArchive);
    if (!archive_fd)
        return archive_fd.error();
    out.archive = std::move(*archive_fd);
    auto rejected_fd = open_subfolder(out.inbox.get(), dir, kRejected);
    if (!rejected_fd)
        return rejected_fd.error();
    out.rejected = std::move(*rejected_fd);
    return out;
}

// What one directory entry turned out to be.
struct entry_look {
    enum class kind { gone, unreadable, file } what = kind::gone;
    std::string reason;  // unreadable
    unique_fd fd;        // file
    file_state state;    // file
};

// Opens `name` in `dir_fd` for reading, if it is a file the inbox may read.
// The lstat before opening only spares opening devices and FIFOs at all; the
// verdict comes from fstat on the descriptor, so a name swapped in between
// changes nothing.
entry_look look_at(int dir_fd, const std::string& name) {
    entry_look out;
    const auto unreadable = [&out](std::string reason) {
        out.what = entry_look::kind::unreadable;
        out.reason = std::move(reason);
        return std::move(out);
    };
    // The same verdict on the name and, after opening, on the descriptor.
    const auto not_a_file = [](int looked, const struct stat& st) -> std::optional<std::string> {
        if (looked != 0)
            return "cannot look at it: " + os_error(errno);
        if (!S_ISREG(st.st_mode))
            return kind_reason(st.st_mode);
        return std::nullopt;
    };
    struct stat st {};
    const int looked = ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW);
    if (looked != 0 && errno == ENOENT)
        return out;
    if (auto reason = not_a_file(looked, st))
        return unreadable(std::move(*reason));
    const int fd =
        ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT)
            return out;
        return unreadable(errno == ELOOP ? kind_reason(S_IFLNK)
                                         : "cannot open: " + os_error(errno));
    }
    unique_fd file(fd);
    if (auto reason = not_a_file(::fstat(file.get(), &st), st))
        return unreadable(std::move(*reason));
    if (st.st_nlink > 1) {
        // A hard link made to a file only the service may read would
        // otherwise be imported, and parts of it quoted in rejected/.
        return unreadable(fmt::format("has {} hard links (it may be a link to a file elsewhere)",
                                      static_cast<unsigned long>(st.st_nlink)));
    }
    // O_NONBLOCK was for opening (a FIFO must not wait for a writer); reads
    // of the file may block as usual.
    if (const int flags = ::fcntl(file.get(), F_GETFL); flags >= 0)
        ::fcntl(file.get(), F_SETFL, flags & ~O_NONBLOCK);
    out.what = entry_look::kind::file;
    out.fd = std::move(file);
    out.state = state_of(st);
    return out;
}

bool skipped_silently(const std::string& name) {
    return name == "." || name == ".." || name == kArchive || name == kRejected ||
           is_ignored_inbox_name(name);
}

// Calls `each(name)` for every entry of the folder `dir_fd`.
template <class Each>
result<void, error_message> list_folder(int dir_fd, const fs::path& dir, Each each) {
    const int copy = ::dup(dir_fd);
    DIR* d = copy < 0 ? nullptr : ::fdopendir(copy);
    if (d == nullptr) {
        const int err = errno;
        if (copy >= 0)
            ::close(copy);
        return error_message{
            fmt::format("cannot list {}: {}", printable_name(dir.string()), os_error(err))};
    }
    ::rewinddir(d);
    for (;;) {
        errno = 0;
        const dirent* e = ::readdir(d);
        if (e == nullptr) {
            const int err = errno;
            ::closedir(d);
            if (err != 0) {
                return error_message{
                    fmt::format("cannot list {}: {}", printable_name(dir.string()), os_error(err))};
            }
            return {};
        }
        each(std::string(e->d_name));
    }
}

// renameat(2) that fails with EEXIST instead of replacing the target. Where
// the filesystem lacks RENAME_NOREPLACE, link-then-unlink does the same:
// link(2) never replaces either.
int rename_no_replace(int from_fd, const std::string& from, int to_fd, const std::string& to) {
#ifdef SYS_renameat2
    if (::syscall(SYS_renameat2, from_fd, from.c_str(), to_fd, to.c_str(), RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return errno;
#endif
    if (::linkat(from_fd, from.c_str(), to_fd, to.c_str(), 0) != 0)
        return errno;
    if (::unlinkat(from_fd, from.c_str(), 0) != 0) {
        const int err = errno;
        ::unlinkat(to_fd, to.c_str(), 0);
        return err;
    }
    return 0;
}

bool name_free(int dir_fd, const std::string& name) {
    struct stat st {};
    return ::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
}

// Moves `file` from the inbox into `to_fd` under its own name, or the first
// free numbered one; `also_free(name)` vetoes a name whose companion exists.
template <class Predicate>
result<std::string, error_message> move_into(const folders& f, const inbox_file& file, int to_fd,
                                             const fs::path& to_dir, Predicate also_free) {
    // The name may have been given to another file since the scan opened
    // this one; that one was never imported, so it stays.
    struct stat st {};
    if (::fstatat(f.inbox.get(), file.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        st.st_dev != file.state.device || st.st_ino != file.state.inode) {
        return error_message{fmt::format(
            "{} was replaced or removed while it was imported; leaving it for the next scan",
            file.display_name)};
    }
    for (int n = 1; n < 10000; ++n) {
        const std::string candidate = numbered_name(file.name, n);
        if (!also_free(candidate))
            continue;
        const int err = rename_no_replace(f.inbox.get(), file.name, to_fd, candidate);
        if (err == 0)
            return {boost::system::in_place_value, candidate};
        if (err != EEXIST) {
            return error_message{fmt::format("cannot move {} to {}: {}", file.display_name,
                                             printable_name((to_dir / candidate).string()),
                                             os_error(err))};
        }
    }
    return error_message{fmt::format("cannot move {}: {} holds too many files of that name",
                                     file.display_name, printable_name(to_dir.string()))};
}

// Creates `name` in `dir_fd` holding `text`; never opens an existing file or
// follows a link.
result<void, error_message> create_exclusive(int dir_fd, const std::string& name,
                                             const std::string& text) {
    const int fd = ::openat(dir_fd, name.c_str(),
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0640);
    if (fd < 0)
        return error_message{os_error(errno)};
    unique_fd out(fd);
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(out.get(), text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return error_message{os_error(errno)};
        }
        done += static_cast<std::size_t>(n);
    }
    return {};
}

}  // namespace

void unique_fd::reset() {
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
}

bool is_ignored_inbox_name(std::string_view file_name) {
    return file_name.empty() || file_name.front() == '.' || ends_with(file_name, ".part") ||
           ends_with(file_name, ".tmp");
}

bool settle_ready(const std::optional<settle_observation>& earlier, const file_state& current,
                  bool writer_done, instant now, std::chrono::seconds gap) {
    if (writer_done)
        return true;
    return earlier && earlier->state == current && now - earlier->first_seen >= gap;
}

bool reminder_due(std::optional<instant> last_warned, instant now, std::chrono::seconds interval) {
    return !last_warned || now - *last_warned >= interval;
}

result<std::vector<unreadable_entry>, error_message> survey_inbox(const fs::path& dir) {
    auto inbox_fd = open_folder(dir);
    if (!inbox_fd)
        return inbox_fd.error();
    std::vector<unreadable_entry> out;
    auto listed = list_folder(inbox_fd->get(), dir, [&](const std::string& name) {
        if (skipped_silently(name))
            return;
        entry_look look = look_at(inbox_fd->get(), name);
        if (look.what == entry_look::kind::unreadable)
            out.push_back({printable_name(name), std::move(look.reason)});
    });
    if (!listed)
        return listed.error();
    std::sort(out.begin(), out.end(),
              [](const unreadable_entry& a, const unreadable_entry& b) { return a.name < b.name; });
    return out;
}

inbox::inbox(std::filesystem::path dir, const Clock& clock, std::chrono::seconds gap)
    : dir_(std::move(dir)), clock_(clock), gap_(gap) {}

result<void, error_message> inbox::check_folders() const {
    auto opened = open_folders(dir_);
    if (!opened)
        return opened.error();
    return {};
}

void inbox::note_complete(std::string name) {
    std::lock_guard lock(complete_mutex_);
    complete_.insert(std::move(name));
}

result<inbox_scan, error_message> inbox::scan() {
    const instant now = clock_.now();
    std::set<std::string> complete;
    {
        std::lock_guard lock(complete_mutex_);
        complete.swap(complete_);
    }
    auto opened = open_folders(dir_);
    if (!opened) {
        // Events are kept: the files they name are still complete.
        std::lock_guard lock(complete_mutex_);
        complete_.merge(complete);
        return opened.error();
    }
    const int dir_fd = opened->inbox.get();

    std::vector<inbox_file> ready;
    std::map<std::string, settle_observation> seen_now;
    std::map<std::string, unreadable_state> unreadable_now;
    inbox_scan out;
    auto listed = list_folder(dir_fd, dir_, [&](const std::string& name) {
        if (skipped_silently(name))
            return;
        entry_look look = look_at(dir_fd, name);
        if (look.what == entry_look::kind::gone)
            return;
        const std::string shown = printable_name(name);
        if (look.what == entry_look::kind::unreadable) {
            auto prev = unreadable_.find(name);
            std::optional<instant> last_warned;
            if (prev != unreadable_.end() && prev->second.reason == look.reason)
                last_warned = prev->second.last_warned;
            if (reminder_due(last_warned, now)) {
                spdlog::warn("inbox: not reading {}: {}{}", shown, look.reason,
                             prev != unreadable_.end() && last_warned ? " (still there)" : "");
                last_warned = now;
            }
            unreadable_now[name] = {look.reason, *last_warned};
            out.unreadable.push_back({shown, std::move(look.reason)});
            return;
        }
        std::optional<settle_observation> earlier;
        if (auto prev = seen_.find(name); prev != seen_.end())
            earlier = prev->second;
        const bool writer_done = complete.contains(name);
        settle_observation obs{look.state, now};
        if (earlier && earlier->state == look.state)
            obs.first_seen = earlier->first_seen;
        seen_now[name] = obs;
        if (settle_ready(earlier, look.state, writer_done, now, gap_)) {
            // Past the cap the descriptor is not kept; it is opened again
            // below if the file is among the first in import order.
            if (ready.size() >= kMaxReadyPerScan)
                look.fd.reset();
            ready.push_back({name, shown, std::move(look.fd), look.state});
        } else {
            ++out.waiting;
        }
    });
    if (!listed)
        return listed.error();
    // Entries no longer there are forgotten, so the maps are as big as the folder.
    seen_ = std::move(seen_now);
    unreadable_ = std::move(unreadable_now);

    std::sort(ready.begin(), ready.end(), [](const inbox_file& a, const inbox_file& b) {
        if (a.state.mtime_ns != b.state.mtime_ns)
            return a.state.mtime_ns < b.state.mtime_ns;
        return a.name < b.name;
    });
    // A large drop is taken kMaxReadyPerScan files at a time, oldest first,
    // so the open descriptors stay few; the rest count as waiting, and the
    // next scan takes them.
    if (ready.size() > kMaxReadyPerScan) {
        for (std::size_t i = 0; i < ready.size(); ++i) {
            inbox_file& f = ready[i];
            if (i >= kMaxReadyPerScan) {
                f.fd.reset();
                continue;
            }
            if (f.fd)
                continue;
            entry_look again = look_at(dir_fd, f.name);
            if (again.what == entry_look::kind::file && again.state == f.state)
                f.fd = std::move(again.fd);
        }
        const auto kept = std::stable_partition(ready.begin(), ready.end(),
                                                [](const inbox_file& f) { return bool(f.fd); });
        out.waiting += static_cast<long>(ready.end() - kept);
        ready.erase(kept, ready.end());
    }
    std::sort(out.unreadable.begin(), out.unreadable.end(),
              [](const unreadable_entry& a, const unreadable_entry& b) { return a.name < b.name; });
    out.ready = std::move(ready);
    return out;
}

result<std::filesystem::path, error_message> inbox::archive(const inbox_file& file) {
    auto f = open_folders(dir_);
    if (!f)
        return f.error();
    auto moved = move_into(*f, file, f->archive.get(), archive_dir(),
                           [](const std::string&) { return true; });
    if (!moved)
        return moved.error();
    return {boost::system::in_place_value, archive_dir() / *moved};
}

result<std::filesystem::path, error_message> inbox::reject(const inbox_file& file,
                                                           const std::string& why) {
    auto f = open_folders(dir_);
    if (!f)
        return f.error();
    const int rejected_fd = f->rejected.get();
    auto moved = move_into(*f, file, rejected_fd, rejected_dir(), [&](const std::string& name) {
        return name_free(rejected_fd, error_file_name(name));
    });
    if (!moved)
        return moved.error();
    const fs::path where = rejected_dir() / *moved;
    const std::string error_name = error_file_name(*moved);
    if (auto written = create_exclusive(rejected_fd, error_name, why + "\n"); !written) {
        return error_message{fmt::format("moved {} to {} but cannot create {}: {}",
                                         file.display_name, printable_name(where.string()),
                                         printable_name(error_name), written.error().text)};
    }
    return {boost::system::in_place_value, where};
}

namespace {

// Orders first: a Feedback report's dates are read in the format of its
// orders' marketplace, and a file dropped in together with its orders must
// not be read before them. Otherwise the given order stands. A file whose
// format cannot be told goes last; its import says why.
template <class T, class Rank>
std::vector<T> ordered_by(std::vector<T> items, Rank rank) {
    std::vector<std::pair<int, T>> ranked;
    ranked.reserve(items.size());
    for (auto& item : items) {
        const int r = rank(item);
        ranked.emplace_back(r, std::move(item));
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<T> out;
    out.reserve(ranked.size());
    for (auto& [r, item] : ranked)
        out.push_back(std::move(item));
    return out;
}

int format_rank(const result<file_format, import_error>& format) {
    if (!format)
        return 2;
    return *format == file_format::all_orders || *format == file_format::unshipped ? 0 : 1;
}

}  // namespace

std::vector<fs::path> import_order(std::vector<fs::path> ready) {
    return ordered_by(std::move(ready),
                      [](const fs::path& file) { return format_rank(detect_format(file)); });
}

std::vector<inbox_file> import_order(std::vector<inbox_file> ready) {
    return ordered_by(std::move(ready), [](const inbox_file& file) {
        // Binary data is not even looked into for its format.
        if (!sniff_binary(file.fd.get()))
            return 2;
        return format_rank(detect_format(descriptor_path(file.fd.get())));
    });
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
    summary.scanned = true;
    summary.waiting = scanned->waiting;
    summary.unreadable = std::move(scanned->unreadable);
    for (const auto& file : import_order(std::move(scanned->ready))) {
        if (should_stop && should_stop()) {
            ++summary.waiting;
            continue;
        }
        const std::string& name = file.display_name;
        // A large report takes seconds; the operator sees what is going on.
        spdlog::info("importing: {}", name);
        auto imported = imp.import_open_file(file.fd.get(), name);
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
