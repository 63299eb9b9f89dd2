// The reader of IMAP responses (FETCH and EXAMINE data as libcurl hands it
// over), and the mailbox-name encoder, on arbitrary bytes.
#include <cstdint>
#include <string_view>

#include "mailbox/imap_response.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace shd::mailbox::detail;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto fetched = parse_fetch(text);
    std::size_t bytes = 0;
    for (const auto& m : fetched.messages)
        bytes += m.header.size() + m.text.size();
    // Every message's data is a piece of the input.
    if (bytes > size)
        __builtin_trap();
    (void)parse_examine(text);
    const auto encoded = modified_utf7(text);
    for (const char c : encoded) {
        if (c < 0x20 || c > 0x7E)
            __builtin_trap();  // modified UTF-7 is printable ASCII
    }
    return 0;
}
