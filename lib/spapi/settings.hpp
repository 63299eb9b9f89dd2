// The configuration's `sp_api` section as the transport's settings: the
// region's endpoint unless overridden, Login with Amazon's token URL unless
// overridden, and the secrets read (credential:NAME from
// $CREDENTIALS_DIRECTORY). Errors name the key and never hold a secret.
#pragma once

#include "config/config.hpp"
#include "core/result.hpp"
#include "spapi/client.hpp"

namespace shd::spapi {

inline constexpr std::string_view kDefaultTokenUrl = "https://api.amazon.com/auth/o2/token";

// "na" -> https://sellingpartnerapi-na.amazon.com; empty for an unknown region.
std::string region_endpoint(std::string_view region);

// `credentials_directory` is $CREDENTIALS_DIRECTORY (nullptr when unset).
// The proxy is the config's, else the environment's HTTPS_PROXY/https_proxy
// given in `environment_proxy`, with `environment_no_proxy`.
result<client_settings, error_message> make_client_settings(const config::sp_api_config& c,
                                                            const char* credentials_directory,
                                                            std::string environment_proxy = {},
                                                            std::string environment_no_proxy = {});

}  // namespace shd::spapi
