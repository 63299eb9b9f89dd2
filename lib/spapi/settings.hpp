// The configuration's `sp_api` section as the transport's settings: the
// region's endpoint unless overridden, Login with Amazon's token URL unless
// overridden, and the secrets read (credential:NAME from
// $CREDENTIALS_DIRECTORY). Errors name the key and never hold a secret.
#pragma once

#include "config/config.hpp"
#include "core/result.hpp"
#include "spapi/client.hpp"

namespace shd::spapi {

// `credentials_directory` is $CREDENTIALS_DIRECTORY (nullptr when unset).
// The proxy is the config's; empty leaves HTTPS_PROXY/NO_PROXY to the client.
result<client_settings, error_message> make_client_settings(const config::sp_api_config& c,
                                                            const char* credentials_directory);

}  // namespace shd::spapi
