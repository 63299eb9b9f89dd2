#include "spapi/settings.hpp"

#include <fmt/format.h>

#include "core/credentials.hpp"

namespace shd::spapi {

result<client_settings, error_message> make_client_settings(const config::sp_api_config& c,
                                                            const char* credentials_directory) {
    client_settings s;
    s.endpoint = c.endpoint.empty() ? std::string(region_endpoint(c.region)) : c.endpoint;
    if (s.endpoint.empty())
        return error_message{fmt::format("sp_api.region: unknown region '{}'", c.region)};
    while (!s.endpoint.empty() && s.endpoint.back() == '/')
        s.endpoint.pop_back();
    s.token_url = c.token_url.empty() ? std::string(kLoginWithAmazonTokenUrl) : c.token_url;
    s.client_id = c.client_id;
    const auto secret = [&](std::string_view key,
                            const std::string& value) -> result<std::string, error_message> {
        if (!is_credential_reference(value))
            return result<std::string, error_message>(boost::system::in_place_value, value);
        auto read = read_credential(value, credentials_directory);
        if (!read)
            return error_message{fmt::format("sp_api.{}: {}", key, read.error().text)};
        if (read->empty())
            return error_message{fmt::format("sp_api.{}: the credential is empty", key)};
        return result<std::string, error_message>(boost::system::in_place_value, *read);
    };
    auto client_secret = secret("client_secret", c.client_secret);
    if (!client_secret)
        return client_secret.error();
    s.client_secret = std::move(*client_secret);
    auto refresh_token = secret("refresh_token", c.refresh_token);
    if (!refresh_token)
        return refresh_token.error();
    s.refresh_token = std::move(*refresh_token);
    s.ca_file = c.ca_file;
    s.proxy = c.proxy;
    return s;
}

}  // namespace shd::spapi
