// File names as they may be shown: in logs, error files, `status` and the
// HTTP endpoint. A name comes from whoever may write the inbox, and a name
// holding ESC or a newline would otherwise move a terminal's cursor or forge
// a log line. Control characters (C0, DEL, C1), bytes that are not UTF-8 and
// the backslash itself are written as \xHH, so every shown name is one line
// of plain text and tells apart names that differ.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace shd {

namespace detail {
inline std::string printable(std::string_view raw, bool escape_backslash) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(raw.size());
    auto escape = [&out](unsigned char b) {
        out += "\\x";
        out += kHex[b >> 4];
        out += kHex[b & 0xf];
    };
    std::size_t i = 0;
    while (i < raw.size()) {
        const auto b = static_cast<unsigned char>(raw[i]);
        if (b < 0x20 || b == 0x7f || (escape_backslash && b == '\\')) {
            escape(b);
            ++i;
            continue;
        }
        if (b < 0x80) {
            out += static_cast<char>(b);
            ++i;
            continue;
        }
        // A UTF-8 sequence passes whole when it is well formed (no overlong
        // forms, no surrogates, nothing above U+10FFFF) and not a C1 control.
        std::size_t len = 0;
        unsigned min = 0;
        unsigned cp = 0;
        if (b >= 0xc2 && b <= 0xdf) {
            len = 2, min = 0x80, cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
            len = 3, min = 0x800, cp = b & 0x0f;
        } else if (b >= 0xf0 && b <= 0xf4) {
            len = 4, min = 0x10000, cp = b & 0x07;
        }
        bool valid = len > 0 && i + len <= raw.size();
        for (std::size_t k = 1; valid && k < len; ++k) {
            const auto c = static_cast<unsigned char>(raw[i + k]);
            valid = (c & 0xc0) == 0x80;
            cp = (cp << 6) | (c & 0x3f);
        }
        valid = valid && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
        if (!valid) {
            escape(b);
            ++i;
            continue;
        }
        if (cp >= 0x80 && cp <= 0x9f) {
            for (std::size_t k = 0; k < len; ++k)
                escape(static_cast<unsigned char>(raw[i + k]));
        } else {
            out.append(raw.substr(i, len));
        }
        i += len;
    }
    return out;
}
}  // namespace detail

inline std::string printable_name(std::string_view raw) {
    return detail::printable(raw, true);
}

// Text composed around untrusted parts (an error's reason, a field name from
// a file's header): the same, except that a backslash stays, since the text
// may hold escapes of its own ("a control character (\x1b) in an ID").
inline std::string printable_text(std::string_view raw) {
    return detail::printable(raw, false);
}

}  // namespace shd
