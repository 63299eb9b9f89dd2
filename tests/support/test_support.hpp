// Test helpers: a temporary folder removed at the end of the test, reading and
// writing files, and running the real seller-healthd binary as a child.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace shd::test {

class temp_dir {
  public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

void write_file(const std::filesystem::path& p, const std::string& content);
std::string read_file(const std::filesystem::path& p);
// The names in a folder, sorted; none when it does not exist.
std::vector<std::string> folder(const std::filesystem::path& dir);

// The file in tests/data.
std::filesystem::path data_file(const std::string& name);

struct process_result {
    int exit_code = -1;  // -1: killed by a signal
    std::string out;
    std::string err;
};

// Runs the built seller-healthd with `args`, waits for it, captures output.
process_result run_binary(const std::vector<std::string>& args,
                          const std::filesystem::path& cwd = {});

}  // namespace shd::test
