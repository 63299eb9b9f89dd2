#include "ingest/sha256.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "core/digest.hpp"

namespace shd::ingest {
namespace {

struct md_ctx_deleter {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_deleter>;

struct fd_closer {
    int fd;
    ~fd_closer() {
        if (fd >= 0)
            ::close(fd);
    }
};

// OpenSSL failing to set up SHA-256 is not about the input: it is a broken
// installation, so it is thrown rather than returned.
md_ctx_ptr new_sha256_context() {
    md_ctx_ptr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
    }
    return ctx;
}

std::string finish_hex(EVP_MD_CTX* ctx) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx, digest.data(), &length) != 1) {
        throw std::runtime_error("OpenSSL: SHA-256 failed");
    }
    return to_hex({digest.data(), length});
}

}  // namespace

result<std::string, error_message> sha256_file(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return error_message{
            fmt::format("cannot open {}: {}", path.string(), std::strerror(errno))};
    }
    fd_closer closer{fd};
    auto digest = sha256_descriptor(fd);
    if (!digest)
        return error_message{fmt::format("{}: {}", path.string(), digest.error().text)};
    return digest;
}

result<std::string, error_message> sha256_descriptor(int fd) {
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    auto ctx = new_sha256_context();
    // 1 MiB: large enough that syscalls are noise, small enough to stay off the RSS radar.
    constexpr std::size_t kChunk = std::size_t{1} << 20;
    auto buffer = std::make_unique<char[]>(kChunk);
    off_t offset = 0;
    for (;;) {
        const ssize_t n = ::pread(fd, buffer.get(), kChunk, offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return error_message{fmt::format("cannot read: {}", std::strerror(errno))};
        }
        if (n == 0)
            break;
        offset += n;
        if (EVP_DigestUpdate(ctx.get(), buffer.get(), static_cast<size_t>(n)) != 1) {
            throw std::runtime_error("OpenSSL: SHA-256 failed");
        }
    }
    // In place: a std::string would also construct an error_message.
    return {boost::system::in_place_value, finish_hex(ctx.get())};
}

}  // namespace shd::ingest
