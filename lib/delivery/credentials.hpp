// systemd credentials in a channel: `url`, `secret`, `routing_key` and
// `password_file` may be written "credential:NAME" (core/credentials.hpp).
// They are resolved here, for each send, so every sender sees plain values
// and a rotated credential file applies at once. A credential that cannot be
// read is a transient failure (retried, then dead-lettered after
// max_delivery_age): fixing the unit must not lose the alert.
#pragma once

#include <memory>

#include "config/config.hpp"
#include "core/result.hpp"
#include "delivery/sender.hpp"

namespace shd::delivery {

// A copy of `channel` with every credential reference replaced: the value
// read for url, secret and routing_key; the credential's path for
// password_file. `credentials_directory` is $CREDENTIALS_DIRECTORY (nullptr
// when unset).
result<config::alert_channel, error_message> resolve_credentials(
    const config::alert_channel& channel, const char* credentials_directory);

// Wraps `inner`: resolves the channel's credentials from the environment,
// then sends. A missing credential is a retry whose detail says which.
std::unique_ptr<sender> with_credentials(std::unique_ptr<sender> inner);

}  // namespace shd::delivery
