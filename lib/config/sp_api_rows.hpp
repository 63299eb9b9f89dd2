// Internal to lib/config: the `sp_api` section's key table and its checks
// (spec/sources.md "Selling Partner API"). The section is optional as a
// whole; when present, client_id, client_secret, refresh_token and
// marketplaces are required, and every URL override must be https://.
#pragma once

#include "config/schema.hpp"

namespace shd::config::detail {

row<config> sp_api_row();

}  // namespace shd::config::detail
