#include "ingest/folder_watch.hpp"

#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "ingest/inbox.hpp"

namespace shd::ingest {

folder_watch::folder_watch(std::filesystem::path dir)
    : dir_(std::move(dir)), fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    if (fd_ < 0) {
        spdlog::warn("inotify unavailable ({}); relying on the periodic scan",
                     std::strerror(errno));
    }
    arm();
}

folder_watch::~folder_watch() {
    if (fd_ >= 0)
        ::close(fd_);
}

void folder_watch::arm() {
    if (fd_ < 0 || watching_)
        return;
    if (::inotify_add_watch(fd_, dir_.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO) >= 0) {
        watching_ = true;
        warned_ = false;
    } else if (!warned_) {
        spdlog::warn("cannot watch {} ({}); relying on the periodic scan", dir_.string(),
                     std::strerror(errno));
        warned_ = true;
    }
}

bool folder_watch::drain(std::vector<std::string>* complete) {
    if (fd_ < 0)
        return false;
    bool arrival = false;
    alignas(inotify_event) std::array<char, 16 * 1024> buffer;
    for (;;) {
        const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
        if (n <= 0)
            break;
        for (ssize_t offset = 0; offset < n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buffer.data() + offset);
            offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            if (event->mask & IN_IGNORED) {
                watching_ = false;  // the folder went away; re-armed on the next scan
            } else if (event->mask & IN_Q_OVERFLOW) {
                arrival = true;
            } else if (event->len > 0 && !is_ignored_inbox_name(event->name)) {
                arrival = true;
                if (complete != nullptr)
                    complete->emplace_back(event->name);
            }
        }
    }
    return arrival;
}

}  // namespace shd::ingest
