// The email channel: one SMTP submission per send, through libcurl.
//
// smtp://host:587 upgrades with STARTTLS and refuses to continue without it
// (CURLUSESSL_ALL, never "try"); smtps://host:465 is TLS from the first byte;
// plaintext happens only with `tls: none` written in the config. The server's
// certificate and host name are always verified, against ca_file when set and
// the system store otherwise, at TLS 1.2 or newer. The password is read from
// password_file at each send and never reaches a log line or a detail.
//
// Outcomes: SMTP 250 -> delivered. SMTP 5xx (a refused sender, recipient,
// message or login) -> rejected. SMTP 4xx, connection failures, timeouts,
// TLS handshake failures, a server without STARTTLS and an untrusted
// certificate -> retry: these are either transient or an operator fix
// (renewed certificate, CA file, password file) away, and a retry never
// weakens TLS, so the alert is kept rather than dropped; the detail says which.
// A channel that cannot describe an SMTP submission (wrong scheme, tls mode at
// odds with the scheme, no sender or recipient) -> rejected.
//
// Recipients are all-or-nothing: if the server refuses one RCPT the message
// goes to nobody and the outcome follows that reply, so a retry after a 4xx
// reaches everyone once and a 5xx names the bad address instead of hiding it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "delivery/sender.hpp"

namespace shd::delivery {

// The sender keeps no state between sends (one libcurl handle per send), so
// one instance may serve several worker threads at once.

// Initialises libcurl once per process. The daemon calls it before starting
// any thread; the email sender also calls it (it is idempotent) so tests and
// one-shot commands need not.
void init_email_transport();

std::unique_ptr<sender> make_email_sender();

// --- pure pieces, exposed for tests ------------------------------------------

struct smtp_transport_plan {
    std::string url;
    bool implicit_tls = false;  // smtps://
    bool require_tls = true;    // false only for smtp:// with tls: none
};

// How to reach the channel's server, or why the channel cannot be used.
result<smtp_transport_plan, error_message> plan_smtp_transport(
    const config::alert_channel& channel);

// Maps a finished libcurl transfer (its CURLcode as an int, the last SMTP
// reply code, libcurl's error text) to an outcome.
send_outcome classify_smtp_result(int curl_code, long smtp_code, std::string_view error_text,
                                  std::chrono::seconds timeout);

}  // namespace shd::delivery
