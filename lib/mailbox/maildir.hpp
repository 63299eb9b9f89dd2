// Internal to lib/mailbox: reading Maildir folders (their new/ and cur/),
// read only: files are never moved, renamed or flagged. A file is known by
// its unique name (before ':'), so a mail client moving it from new/ to cur/
// or flagging it does not make it new again.
#pragma once

#include <filesystem>
#include <string>

#include "mailbox/classify.hpp"
#include "mailbox/sink.hpp"

namespace shd::ingest {
class mailbox_cursors;
}

namespace shd::mailbox::detail {

// How much of a file is parsed: the header and the start of the body, where
// an order ID would be. The whole file is still hashed when its ID is needed.
inline constexpr std::size_t kMaildirReadBytes = 256 * 1024;

// Reads the files of `folder` not seen before. Errors: the folder has
// neither new/ nor cur/, or listing it fails.
result<void, error_message> read_maildir_folder(const std::filesystem::path& folder,
                                                folder_role role, ingest::mailbox_cursors& seen,
                                                record_sink& sink);

}  // namespace shd::mailbox::detail
