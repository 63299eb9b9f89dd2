// A test server run as a child process (a Python script under tests/): started
// in the constructor, which waits for the first line the child prints on
// stdout (its port); stopped with SIGTERM in the destructor. The child's
// stderr goes to a file the test can read.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace shd::test {

class child_server {
  public:
    child_server(const std::vector<std::string>& argv, const std::filesystem::path& stderr_file);
    ~child_server();
    child_server(const child_server&) = delete;
    child_server& operator=(const child_server&) = delete;

    // The first line the child printed, without the newline.
    const std::string& first_line() const { return first_line_; }
    int port() const { return std::stoi(first_line_); }

  private:
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    std::string first_line_;
};

// The python3 to run test servers with: the system one when present (Debian
// packages install there), else the first on PATH.
std::string python3();

}  // namespace shd::test
