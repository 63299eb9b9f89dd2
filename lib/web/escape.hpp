// Escaping for the two text formats this module writes. Text from seller
// files (account name, marketplace and order IDs, fingerprints) reaches both,
// so every piece of data goes through one of these and nothing else decides
// what is safe. Invalid UTF-8 becomes U+FFFD first: Prometheus rejects a
// scrape with a bad label value, and a browser would guess.
#pragma once

#include <string>
#include <string_view>

#include "core/html_text.hpp"

namespace shd::web {

// HTML escaping is shared with the e-mails (core/html_text.hpp).
using shd::html_escape;
using shd::valid_utf8;

// A Prometheus label value (inside the double quotes): \ " and newline.
std::string prometheus_label_value(std::string_view text);

// A Prometheus # HELP text: \ and newline.
std::string prometheus_help_text(std::string_view text);

}  // namespace shd::web
