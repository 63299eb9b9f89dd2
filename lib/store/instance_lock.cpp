#include "store/instance_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace shd::store {
namespace {

result<int, error_message> open_lock_file(const std::filesystem::path& database) {
    const auto path = instance_lock::lock_path(database);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return error_message{
            fmt::format("cannot open lock file {}: {}", path.string(), std::strerror(errno))};
    return fd;
}

}  // namespace

std::filesystem::path instance_lock::lock_path(const std::filesystem::path& database) {
    auto p = database;
    p += ".lock";
    return p;
}

result<std::optional<instance_lock>, error_message> instance_lock::try_acquire(
    const std::filesystem::path& database) {
    auto fd = open_lock_file(database);
    if (!fd)
        return fd.error();
    if (::flock(*fd, LOCK_EX | LOCK_NB) == 0)
        return std::optional<instance_lock>(instance_lock(*fd));
    const int err = errno;
    ::close(*fd);
    if (err == EWOULDBLOCK)
        return std::optional<instance_lock>{};
    return error_message{
        fmt::format("cannot lock {}: {}", lock_path(database).string(), std::strerror(err))};
}

result<instance_lock, error_message> instance_lock::acquire(const std::filesystem::path& database) {
    auto fd = open_lock_file(database);
    if (!fd)
        return fd.error();
    while (::flock(*fd, LOCK_EX) != 0) {
        if (errno == EINTR)
            continue;
        const int err = errno;
        ::close(*fd);
        return error_message{
            fmt::format("cannot lock {}: {}", lock_path(database).string(), std::strerror(err))};
    }
    return instance_lock(*fd);
}

instance_lock::instance_lock(instance_lock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

instance_lock& instance_lock::operator=(instance_lock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

instance_lock::~instance_lock() {
    if (fd_ >= 0)
        ::close(fd_);
}

}  // namespace shd::store
