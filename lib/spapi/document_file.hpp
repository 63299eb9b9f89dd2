// A file of its own for one report document on its way from the presigned
// URL to the importer, so a document of hundreds of MB costs disk, not
// memory. The file has no name (O_TMPFILE; where the file system cannot,
// a 0600 file unlinked at once): it is readable only through its
// descriptor, and it is gone when the descriptor closes, however the
// process ends, so an interrupted download leaves nothing behind.
#pragma once

#include <filesystem>
#include <string>

#include "core/result.hpp"

namespace shd::spapi {

class document_file {
  public:
    // In `folder` (the database's folder: writable by the daemon, on disk);
    // when that fails, in $TMPDIR or /tmp. Mode 0600.
    static result<document_file, error_message> create(const std::filesystem::path& folder);

    document_file(document_file&& other) noexcept;
    document_file& operator=(document_file&& other) noexcept;
    document_file(const document_file&) = delete;
    document_file& operator=(const document_file&) = delete;
    ~document_file();

    int fd() const { return fd_; }

  private:
    explicit document_file(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace shd::spapi
