// Internal to lib/mailbox: reading the few IMAP server responses the mailbox
// asks for, as libcurl hands them over (every response line, literals
// included, through its header callback). libcurl speaks the protocol
// (TLS, STARTTLS, login, tags); this reads the data of EXAMINE and FETCH.
// Pure functions of the text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace shd::mailbox::detail {

struct examine_result {
    std::optional<long long> uidvalidity;
    std::optional<long long> uidnext;
    long long exists = 0;
};

examine_result parse_examine(std::string_view response);

// One message of a FETCH response: what was asked for, as far as present.
struct fetched_message {
    long long uid = 0;
    std::optional<instant> internal_date;
    std::string header;  // BODY[HEADER]
    std::string text;    // BODY[TEXT]<0>, or BODY[] when the whole message was asked for
    bool whole = false;  // `text` is BODY[]: the whole raw message
};

// Every "* N FETCH (...)" in `response` that carries a UID, in order; other
// untagged responses and the tagged completion are passed over. A message
// whose data is cut off or malformed is left out (the caller logs the UIDs
// it asked for and did not get).
std::vector<fetched_message> parse_fetch(std::string_view response);

// "07-Dec-2026 15:26:43 +0000" (IMAP date-time) -> instant.
std::optional<instant> parse_internal_date(std::string_view text);

// A mailbox name as an IMAP quoted string.
std::string quote_mailbox(std::string_view name);

}  // namespace shd::mailbox::detail
