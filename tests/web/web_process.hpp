// Running a tool (python3, chromium) from a web test: a shell command with
// its output captured in files of a temp dir, and the exit code.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/test_support.hpp"

namespace shd::web::test {

struct command_result {
    int exit_code = -1;  // -1: killed by a signal or not run
    std::string out;
    std::string err;
};

// Single-quoted for sh; the paths the tests pass are their own temp dirs and
// the source tree.
inline std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (const char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

inline command_result run_shell(const std::string& command, const std::filesystem::path& dir) {
    const auto out_path = dir / "command.out";
    const auto err_path = dir / "command.err";
    const std::string full = command + " >" + shell_quote(out_path.string()) + " 2>" +
                             shell_quote(err_path.string()) + " </dev/null";
    const int status = std::system(full.c_str());
    command_result r;
    if (status != -1 && WIFEXITED(status))
        r.exit_code = WEXITSTATUS(status);
    if (std::filesystem::exists(out_path))
        r.out = shd::test::read_file(out_path);
    if (std::filesystem::exists(err_path))
        r.err = shd::test::read_file(err_path);
    return r;
}

}  // namespace shd::web::test
