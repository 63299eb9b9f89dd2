// Small text helpers shared by the parsers, the marketplace table and HTTP.
#pragma once

#include <string_view>

namespace shd {

// ASCII case-insensitive equality: header names, enum-like values, HTTP
// header names. Not for human text (no Unicode case folding).
constexpr bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

}  // namespace shd
