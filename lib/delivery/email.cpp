#include "delivery/email.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "delivery/mime.hpp"

namespace shd::delivery {
namespace {

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

send_outcome outcome(send_outcome::kind kind, std::string detail) {
    return {kind, std::move(detail), std::nullopt};
}

// The password lives only as long as one send; its bytes are wiped after.
class secret_string {
  public:
    secret_string() = default;
    secret_string(const secret_string&) = delete;
    secret_string& operator=(const secret_string&) = delete;
    ~secret_string() {
        if (!value.empty())
            OPENSSL_cleanse(value.data(), value.size());
    }
    std::string value;
};

// Reads password_file; the error text names the file, never its content.
std::optional<std::string> read_password(const std::filesystem::path& file, secret_string& out) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        return fmt::format("password_file {} does not exist", file.string());
    }
    std::ifstream in(file, std::ios::binary);
    if (!in || std::filesystem::is_directory(file, ec)) {
        return fmt::format("password_file {} cannot be read", file.string());
    }
    out.value.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad())
        return fmt::format("password_file {} cannot be read", file.string());
    // Editors and `echo` end the file with a newline that is not part of the password.
    if (out.value.ends_with('\n')) {
        out.value.pop_back();
        if (out.value.ends_with('\r'))
            out.value.pop_back();
    }
    if (out.value.empty())
        return fmt::format("password_file {} is empty", file.string());
    return std::nullopt;
}

struct upload_state {
    std::string_view data;
    std::size_t position = 0;
};

std::size_t read_message(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* state = static_cast<upload_state*>(user);
    const std::size_t n = std::min(size * count, state->data.size() - state->position);
    std::memcpy(buffer, state->data.data() + state->position, n);
    state->position += n;
    return n;
}

struct curl_easy_deleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct curl_slist_deleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

class email_sender final : public sender {
  public:
    send_outcome send(const config::alert_channel& channel, const alerts::notification& n,
                      instant now) override;
};

send_outcome email_sender::send(const config::alert_channel& channel, const alerts::notification& n,
                                instant now) {
    init_email_transport();
    const auto plan = plan_smtp_transport(channel);
    if (!plan)
        return outcome(send_outcome::kind::rejected, plan.error().text);

    secret_string password;
    if (!channel.password_file.empty()) {
        if (auto error = read_password(channel.password_file, password)) {
            return outcome(send_outcome::kind::retry, *error);
        }
    }
    if (!channel.ca_file.empty()) {
        // libcurl would say only "error setting certificate file"; name the file.
        std::ifstream ca(channel.ca_file);
        if (!ca) {
            return outcome(send_outcome::kind::retry,
                           fmt::format("ca_file {} cannot be read", channel.ca_file.string()));
        }
    }

    const email_message message = render_email(channel, n, now);

    std::unique_ptr<CURL, curl_easy_deleter> curl(curl_easy_init());
    if (!curl)
        return outcome(send_outcome::kind::retry, "curl_easy_init failed");
    std::unique_ptr<curl_slist, curl_slist_deleter> recipients;
    for (const auto& to : message.envelope_to) {
        curl_slist* grown = curl_slist_append(recipients.get(), ("<" + to + ">").c_str());
        if (grown == nullptr)
            return outcome(send_outcome::kind::retry, "out of memory");
        recipients.release();
        recipients.reset(grown);
    }
    upload_state upload{message.data, 0};
    char error_buffer[CURL_ERROR_SIZE] = {};
    const std::string mail_from = "<" + message.envelope_from + ">";
    const long timeout_seconds = std::max<long>(1, static_cast<long>(channel.timeout.count()));

    CURLcode setup = CURLE_OK;
    auto set = [&](CURLoption option, auto value) {
        if (setup == CURLE_OK)
            setup = curl_easy_setopt(curl.get(), option, value);
    };
    set(CURLOPT_ERRORBUFFER, error_buffer);
    set(CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: sends run on worker threads
    set(CURLOPT_URL, plan->url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    set(CURLOPT_USE_SSL,
        plan->require_tls ? static_cast<long>(CURLUSESSL_ALL) : static_cast<long>(CURLUSESSL_NONE));
    set(CURLOPT_SSL_VERIFYPEER, 1L);
    set(CURLOPT_SSL_VERIFYHOST, 2L);
    set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!channel.ca_file.empty())
        set(CURLOPT_CAINFO, channel.ca_file.c_str());
    if (!channel.username.empty()) {
        set(CURLOPT_USERNAME, channel.username.c_str());
        set(CURLOPT_PASSWORD, password.value.c_str());
    }
    set(CURLOPT_MAIL_FROM, mail_from.c_str());
    set(CURLOPT_MAIL_RCPT, recipients.get());
    set(CURLOPT_UPLOAD, 1L);
    set(CURLOPT_READFUNCTION, &read_message);
    set(CURLOPT_READDATA, &upload);
    set(CURLOPT_TIMEOUT, timeout_seconds);
    if (setup != CURLE_OK) {
        // An option this libcurl lacks: sending with weaker settings is not an option.
        return outcome(
            send_outcome::kind::rejected,
            fmt::format("libcurl refused an SMTP option: {}", curl_easy_strerror(setup)));
    }

    const CURLcode performed = curl_easy_perform(curl.get());
    long smtp_code = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &smtp_code);
    const std::string_view error_text = error_buffer[0] != '\0'
                                            ? std::string_view(error_buffer)
                                            : std::string_view(curl_easy_strerror(performed));
    return classify_smtp_result(static_cast<int>(performed), smtp_code, error_text,
                                channel.timeout);
}

}  // namespace

void init_email_transport() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw std::runtime_error("curl_global_init failed");
        }
    });
}

std::unique_ptr<sender> make_email_sender() {
    return std::make_unique<email_sender>();
}

result<smtp_transport_plan, error_message> plan_smtp_transport(
    const config::alert_channel& channel) {
    smtp_transport_plan plan;
    plan.url = channel.url;
    if (starts_with_nocase(channel.url, "smtps://")) {
        plan.implicit_tls = true;
        if (!channel.tls.empty() && channel.tls != "implicit") {
            return error_message{fmt::format(
                "channel {}: smtps:// is TLS from the start; tls: {} does not fit it (use "
                "smtp:// for starttls or none)",
                channel.name, channel.tls)};
        }
    } else if (starts_with_nocase(channel.url, "smtp://")) {
        if (channel.tls.empty() || channel.tls == "starttls") {
            plan.require_tls = true;
        } else if (channel.tls == "none") {
            plan.require_tls = false;
        } else if (channel.tls == "implicit") {
            return error_message{
                fmt::format("channel {}: tls: implicit needs an smtps:// url", channel.name)};
        } else {
            return error_message{fmt::format("channel {}: tls must be starttls or none, not {}",
                                             channel.name, channel.tls)};
        }
    } else {
        return error_message{
            fmt::format("channel {}: an email url starts with smtp:// or smtps://", channel.name)};
    }
    if (bare_address(channel.from).empty()) {
        return error_message{fmt::format("channel {}: no from address", channel.name)};
    }
    if (channel.to.empty() ||
        std::any_of(channel.to.begin(), channel.to.end(),
                    [](const std::string& to) { return bare_address(to).empty(); })) {
        return error_message{fmt::format("channel {}: no to address", channel.name)};
    }
    if (channel.username.empty() != channel.password_file.empty()) {
        return error_message{
            fmt::format("channel {}: username and password_file go together", channel.name)};
    }
    return plan;
}

send_outcome classify_smtp_result(int curl_code, long smtp_code, std::string_view error_text,
                                  std::chrono::seconds timeout) {
    using kind = send_outcome::kind;
    const auto code = static_cast<CURLcode>(curl_code);
    if (code == CURLE_OK)
        return send_outcome::delivered_ok(fmt::format("SMTP {}", smtp_code));
    switch (code) {
        case CURLE_USE_SSL_FAILED:
            // Covers a server that does not offer STARTTLS at all and one that
            // refuses it: either way nothing was sent in plaintext.
            return outcome(kind::retry, fmt::format("STARTTLS not available, message not sent "
                                                    "without TLS: {}",
                                                    error_text));
        case CURLE_OPERATION_TIMEDOUT:
            return outcome(kind::retry, fmt::format("timeout after {}s", timeout.count()));
        case CURLE_PEER_FAILED_VERIFICATION:
            return outcome(kind::retry,
                           fmt::format("TLS certificate not trusted (set ca_file or fix the "
                                       "server certificate): {}",
                                       error_text));
        case CURLE_SSL_CACERT_BADFILE:
            return outcome(kind::retry, fmt::format("ca_file cannot be used: {}", error_text));
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL:
            return outcome(kind::rejected, fmt::format("bad SMTP url: {}", error_text));
        default:
            break;
    }
    if (smtp_code >= 500 && smtp_code < 600) {
        return outcome(kind::rejected, fmt::format("SMTP {}: {}", smtp_code, error_text));
    }
    if (smtp_code >= 400 && smtp_code < 500) {
        return outcome(kind::retry, fmt::format("SMTP {}: {}", smtp_code, error_text));
    }
    switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
            return outcome(kind::retry, fmt::format("cannot connect: {}", error_text));
        case CURLE_SSL_CONNECT_ERROR:
            return outcome(kind::retry, fmt::format("TLS handshake failed: {}", error_text));
        default:
            return outcome(kind::retry, fmt::format("SMTP transfer failed: {}", error_text));
    }
}

}  // namespace shd::delivery
