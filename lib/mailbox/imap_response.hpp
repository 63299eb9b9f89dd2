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
    std::string header;  // BODY[HEADER] or BODY[HEADER.FIELDS (...)]
    std::string text;    // BODY[TEXT]<0>, or BODY[] when the whole message was asked for
    bool whole = false;  // `text` is BODY[]: the whole raw message
};

// What one FETCH command returned.
struct fetch_response {
    std::vector<fetched_message> messages;  // complete ones, in order
    // The response stops inside a message's data, or ends without the
    // command's tagged completion. libcurl ends a response at any line that
    // starts with its command tag, and a message's text can hold such a line:
    // then nothing after the cut can be trusted, on this connection either.
    bool cut = false;
    std::optional<long long> cut_uid;  // the message being read at the cut, when known
};

// Every "* N FETCH (...)" in `response` that carries a UID, in order; other
// untagged responses and the tagged completion are passed over. Reading
// stops at the first FETCH whose data is cut off or malformed: what follows
// it may be the inside of a literal, never to be read as responses.
fetch_response parse_fetch(std::string_view response);

// "07-Dec-2026 15:26:43 +0000" (IMAP date-time) -> instant.
std::optional<instant> parse_internal_date(std::string_view text);

// A mailbox name as the user writes it (UTF-8) in IMAP's modified UTF-7
// (RFC 3501 5.1.3: "Entwürfe" is "Entw&APw-rfe", "&" is "&-"). Bytes that
// are not UTF-8 are taken as Latin-1.
std::string modified_utf7(std::string_view name);

// A mailbox name (UTF-8) as an IMAP quoted string in modified UTF-7.
std::string quote_mailbox(std::string_view name);

}  // namespace shd::mailbox::detail
