#include "ingest/run_loop.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "ingest/inbox.hpp"

namespace shd::ingest {
namespace {

using steady = std::chrono::steady_clock;

// Files closed within this long of each other share a cycle.
constexpr std::chrono::milliseconds kArrivalDebounce{1000};

class unique_fd {
  public:
    explicit unique_fd(int fd = -1) : fd_(fd) {}
    ~unique_fd() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

// Watches the inbox; re-arms when the folder was removed and comes back.
class folder_watch {
  public:
    explicit folder_watch(std::filesystem::path dir)
        : dir_(std::move(dir)), fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
        if (fd_.get() < 0) {
            spdlog::warn("inotify unavailable ({}); relying on the periodic scan",
                         std::strerror(errno));
        }
        arm();
    }

    int fd() const { return fd_.get(); }

    void arm() {
        if (fd_.get() < 0 || watching_)
            return;
        if (::inotify_add_watch(fd_.get(), dir_.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO) >= 0) {
            watching_ = true;
            warned_ = false;
        } else if (!warned_) {
            spdlog::warn("cannot watch {} ({}); relying on the periodic scan", dir_.string(),
                         std::strerror(errno));
            warned_ = true;
        }
    }

    // Drains pending events; true when one may be a new file.
    bool drain() {
        bool arrival = false;
        alignas(inotify_event) std::array<char, 16 * 1024> buffer;
        for (;;) {
            const ssize_t n = ::read(fd_.get(), buffer.data(), buffer.size());
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
                }
            }
        }
        return arrival;
    }

  private:
    std::filesystem::path dir_;
    unique_fd fd_;
    bool watching_ = false;
    bool warned_ = false;
};

}  // namespace

run_loop::run_loop(run_loop_options options, cycle_function cycle)
    : options_(std::move(options)), cycle_(std::move(cycle)) {}

result<int, error_message> run_loop::run() {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGHUP);
    if (::pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr) != 0) {
        return error_message{"cannot block SIGTERM/SIGINT/SIGHUP"};
    }
    unique_fd signal_fd(::signalfd(-1, &stop_signals, SFD_NONBLOCK | SFD_CLOEXEC));
    if (signal_fd.get() < 0) {
        return error_message{fmt::format("signalfd: {}", std::strerror(errno))};
    }
    folder_watch watch(options_.watch_dir);

    constexpr auto kNever = steady::time_point::max();
    auto next_full_scan = steady::now();
    auto next_early_cycle = kNever;
    for (;;) {
        const auto now = steady::now();
        if (now >= next_full_scan || now >= next_early_cycle) {
            next_early_cycle = kNever;
            watch.arm();
            const cycle_outcome outcome = cycle_();
            next_full_scan = steady::now() + options_.poll_interval;
            if (outcome.files_waiting) {
                // One second past `settle`, so the files' mtimes are surely old enough.
                next_early_cycle = steady::now() + options_.settle + std::chrono::seconds(1);
            }
            continue;
        }

        const auto deadline = std::min(next_full_scan, next_early_cycle);
        const auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
        std::array<pollfd, 2> fds{{{signal_fd.get(), POLLIN, 0}, {watch.fd(), POLLIN, 0}}};
        const int ready = ::poll(fds.data(), watch.fd() >= 0 ? 2 : 1,
                                 static_cast<int>(std::min<long long>(wait.count(), 60'000)));
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            return error_message{fmt::format("poll: {}", std::strerror(errno))};
        }
        if (fds[0].revents & POLLIN) {
            signalfd_siginfo info{};
            if (::read(signal_fd.get(), &info, sizeof info) == sizeof info) {
                if (info.ssi_signo != SIGHUP)
                    return static_cast<int>(info.ssi_signo);
                if (options_.on_reload) {
                    options_.on_reload();
                    next_early_cycle = steady::now();
                }
                continue;
            }
        }
        if (watch.fd() >= 0 && (fds[1].revents & POLLIN) && watch.drain()) {
            next_early_cycle = std::min(next_early_cycle, steady::now() + kArrivalDebounce);
        }
    }
}

}  // namespace shd::ingest
