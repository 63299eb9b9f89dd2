// Text for HTML, the dashboard's and the e-mails': one escaping for every
// piece of data from seller files, so nothing else decides what is safe.
// Invalid UTF-8 becomes U+FFFD first: a browser or mail client would guess.
#pragma once

#include <string>
#include <string_view>

namespace shd {

// Valid UTF-8 unchanged; each byte of an invalid, overlong or surrogate
// sequence replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

// For HTML text and double-quoted attribute values: & < > " ' escaped,
// control characters other than whitespace replaced by U+FFFD.
std::string html_escape(std::string_view text);

}  // namespace shd
