#include "support/child_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace shd::test {

child_server::child_server(const std::vector<std::string>& argv,
                           const std::filesystem::path& stderr_file) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0)
        throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0)
        throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::dup2(pipe_fds[1], 1);
        const int err_fd = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (err_fd >= 0)
            ::dup2(err_fd, 2);
        ::close(pipe_fds[0]);
        std::vector<std::string> copy = argv;
        std::vector<char*> args;
        for (auto& a : copy)
            args.push_back(a.data());
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    stdout_fd_ = pipe_fds[0];
    std::string line;
    while (line.find('\n') == std::string::npos) {
        pollfd p{stdout_fd_, POLLIN, 0};
        // A guard against a server that never starts, not a wait for time to pass.
        if (::poll(&p, 1, 30'000) <= 0)
            throw std::runtime_error("test server did not start: " + argv.at(1));
        char buffer[256];
        const auto n = ::read(stdout_fd_, buffer, sizeof buffer);
        if (n <= 0)
            throw std::runtime_error("test server exited before it started: " + argv.at(1));
        line.append(buffer, static_cast<std::size_t>(n));
    }
    first_line_ = line.substr(0, line.find('\n'));
}

child_server::~child_server() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    if (stdout_fd_ >= 0)
        ::close(stdout_fd_);
}

std::string python3() {
    return ::access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

}  // namespace shd::test
