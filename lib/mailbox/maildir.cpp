#include "mailbox/maildir.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <fstream>
#include <system_error>

#include "ingest/mailbox_cursors.hpp"
#include "ingest/sha256.hpp"

namespace shd::mailbox::detail {
namespace {

// The delivery time a Maildir file name starts with ("1733580000.M1P2.host"),
// else the file's modification time.
std::optional<instant> delivery_time(const std::filesystem::directory_entry& entry) {
    const std::string name = entry.path().filename().string();
    long long seconds = 0;
    const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), seconds);
    if (ec == std::errc{} && end != name.data() && end < name.data() + name.size() && *end == '.')
        return from_unix(seconds);
    std::error_code time_ec;
    const auto mtime = entry.last_write_time(time_ec);
    if (time_ec)
        return std::nullopt;
    return std::chrono::time_point_cast<std::chrono::seconds>(
        std::chrono::file_clock::to_sys(mtime));
}

}  // namespace

result<void, error_message> read_maildir_folder(const std::filesystem::path& folder,
                                                folder_role role, ingest::mailbox_cursors& seen,
                                                record_sink& sink) {
    const std::string folder_key = folder.string();
    bool any = false;
    for (const char* sub : {"new", "cur"}) {
        const auto dir = folder / sub;
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec))
            continue;
        any = true;
        std::filesystem::directory_iterator it(dir, ec);
        if (ec)
            return error_message{fmt::format("cannot list {}: {}", dir.string(), ec.message())};
        for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
            if (ec)
                return error_message{fmt::format("cannot list {}: {}", dir.string(), ec.message())};
            const auto& entry = *it;
            const std::string name = entry.path().filename().string();
            std::error_code type_ec;
            if (name.empty() || name.front() == '.' || !entry.is_regular_file(type_ec))
                continue;
            const std::string file_key = name.substr(0, name.find(':'));
            if (seen.maildir_file_seen(folder_key, file_key))
                continue;
            const std::string where = entry.path().string();
            std::ifstream in(entry.path(), std::ios::binary);
            std::string raw(kMaildirReadBytes, '\0');
            in.read(raw.data(), static_cast<std::streamsize>(raw.size()));
            if (!in.is_open() || in.bad()) {
                // Gone between listing and reading (a client expunged it), or
                // unreadable: not ours to retry forever.
                spdlog::warn("mailbox: skipped {}: cannot be read", where);
            } else {
                raw.resize(static_cast<std::size_t>(in.gcount()));
                std::string whole;
                if (raw.size() == kMaildirReadBytes) {
                    auto digest = ingest::sha256_file(entry.path());
                    if (digest)
                        whole = *digest;
                }
                sink.add_mail(raw, role, delivery_time(entry), where, whole);
            }
            sink.add(ingest::mailbox_maildir_seen_row{folder_key, file_key});
            if (sink.queued() >= kBatchSize)
                sink.commit();
        }
    }
    if (!any)
        return error_message{
            fmt::format("{} is not a Maildir folder (it has neither new/ nor cur/)", folder_key)};
    sink.commit();
    return {};
}

}  // namespace shd::mailbox::detail
