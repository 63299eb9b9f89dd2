#include "delivery/credentials.hpp"

#include <cstdlib>

#include "core/credentials.hpp"

namespace shd::delivery {
namespace {

class credential_sender final : public sender {
  public:
    explicit credential_sender(std::unique_ptr<sender> inner) : inner_(std::move(inner)) {}
    send_outcome send(const config::alert_channel& channel, const alerts::notification& n,
                      instant now) override {
        auto resolved = resolve_credentials(channel, std::getenv("CREDENTIALS_DIRECTORY"));
        if (!resolved)
            return {send_outcome::kind::retry, resolved.error().text, std::nullopt};
        // The config could not check a URL it had not seen: the same rule
        // here, so a secret never goes out over plain http.
        if (is_credential_reference(channel.url)) {
            const bool https = resolved->url.starts_with("https://");
            const bool http = resolved->url.starts_with("http://");
            if (!(https || (http && channel.type == "webhook"))) {
                return {send_outcome::kind::rejected,
                        "the URL in " + channel.url + " must start with https://" +
                            (channel.type == "webhook" ? " or http://" : ""),
                        std::nullopt};
            }
        }
        return inner_->send(*resolved, n, now);
    }

  private:
    std::unique_ptr<sender> inner_;
};

}  // namespace

result<config::alert_channel, error_message> resolve_credentials(
    const config::alert_channel& channel, const char* credentials_directory) {
    config::alert_channel out = channel;
    for (std::string* value : {&out.url, &out.secret, &out.routing_key}) {
        if (!is_credential_reference(*value))
            continue;
        auto read = read_credential(*value, credentials_directory);
        if (!read)
            return read.error();
        *value = std::move(*read);
    }
    const std::string password = out.password_file.string();
    if (is_credential_reference(password)) {
        auto path = credential_path(password, credentials_directory);
        if (!path)
            return path.error();
        out.password_file = *path;
    }
    return out;
}

std::unique_ptr<sender> with_credentials(std::unique_ptr<sender> inner) {
    if (!inner)
        return nullptr;
    return std::make_unique<credential_sender>(std::move(inner));
}

}  // namespace shd::delivery
