// Which process owns a database: an exclusive flock on "<database>.lock",
// held by `run` for its whole life and by `run --once` while it can get it.
// The kernel drops it when the process ends, however it ends (SIGKILL
// included), so a lock that is free means no daemon is running on the file:
// whoever then holds it knows every claim left in the outbox was cut off
// (delivery/dispatcher.hpp, take_over_claims), and a replay with a future
// --at cannot put times ahead of a running daemon's clock (cmd_run.cpp).
#pragma once

#include <filesystem>
#include <optional>

#include "core/result.hpp"

namespace shd::store {

class instance_lock {
  public:
    // The lock file of a database.
    static std::filesystem::path lock_path(const std::filesystem::path& database);
    // Without waiting: nullopt when another process holds it; an error when
    // the lock file cannot be opened.
    static result<std::optional<instance_lock>, error_message> try_acquire(
        const std::filesystem::path& database);
    // Waits for it.
    static result<instance_lock, error_message> acquire(const std::filesystem::path& database);

    instance_lock(instance_lock&& other) noexcept;
    instance_lock& operator=(instance_lock&& other) noexcept;
    instance_lock(const instance_lock&) = delete;
    instance_lock& operator=(const instance_lock&) = delete;
    ~instance_lock();

  private:
    explicit instance_lock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace shd::store
