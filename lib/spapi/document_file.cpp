#include "spapi/document_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace shd::spapi {
namespace {

// An unnamed file in `folder`, or -1 with errno set.
int open_unnamed(const std::filesystem::path& folder) {
    // Without O_EXCL, so the importer may open it again through
    // /proc/self/fd (ingest::descriptor_path).
    const int fd = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd;
    // A file system without O_TMPFILE: a named file, unlinked at once.
    std::string pattern = (folder / ".sp-api-document-XXXXXX").string();
    const int named = ::mkostemp(pattern.data(), O_CLOEXEC);  // mode 0600
    if (named < 0)
        return -1;
    ::unlink(pattern.c_str());
    return named;
}

}  // namespace

result<document_file, error_message> document_file::create(const std::filesystem::path& folder) {
    std::filesystem::path where = folder.empty() ? std::filesystem::path(".") : folder;
    int fd = open_unnamed(where);
    if (fd < 0) {
        const int first_errno = errno;
        const char* tmpdir = std::getenv("TMPDIR");
        const std::filesystem::path fallback =
            tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
        fd = open_unnamed(fallback);
        if (fd < 0)
            return error_message{fmt::format(
                "cannot make a file for the report document in {} ({}) or {} ({})", where.string(),
                std::strerror(first_errno), fallback.string(), std::strerror(errno))};
    }
    return document_file(fd);
}

document_file::document_file(document_file&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

document_file& document_file::operator=(document_file&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

document_file::~document_file() {
    if (fd_ >= 0)
        ::close(fd_);
}

}  // namespace shd::spapi
