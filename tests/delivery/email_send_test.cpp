// The email sender against a real SMTP server on loopback
// (tests/delivery/smtp_server.py, aiosmtpd), with certificates made by the
// openssl CLI for each run. Received messages are read back with Python's
// email package, an RFC 5322/MIME reader independent of ours.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "delivery/email.hpp"
#include "delivery/mime.hpp"
#include "support/test_support.hpp"

namespace shd::delivery {
namespace {

namespace fs = std::filesystem;
using kind = send_outcome::kind;

const fs::path kServerScript = fs::path(SHD_SOURCE_DIR) / "tests/delivery/smtp_server.py";
constexpr const char* kUser = "alice";
constexpr const char* kPassword = "correct horse battery staple";

[[noreturn]] void exec_or_die(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    std::vector<std::string> copy = argv;
    for (auto& a : copy)
        args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
}

// Runs a command to completion, stdout to `out`, stderr to `err`; the exit code.
int run(const std::vector<std::string>& argv, const fs::path& out = "/dev/null",
        const fs::path& err = "/dev/null") {
    const pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        exec_or_die(argv);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Debian's python3-aiosmtpd installs into the system interpreter, which a
// python3 earlier on PATH (pyenv, a venv) may not see.
const std::optional<std::string>& python_with_aiosmtpd() {
    static const std::optional<std::string> found = []() -> std::optional<std::string> {
        for (const char* candidate : {"/usr/bin/python3", "python3"}) {
            if (run({candidate, "-c", "import aiosmtpd"}) == 0)
                return std::string(candidate);
        }
        return std::nullopt;
    }();
    return found;
}

// A test CA, a server certificate for localhost/127.0.0.1 signed by it, and
// one for another name, made once per test run.
struct test_certificates {
    test::temp_dir dir;
    fs::path ca = dir / "ca.pem";
    fs::path server_cert = dir / "server.pem";
    fs::path server_key = dir / "server.key";
    fs::path other_name_cert = dir / "other.pem";
    fs::path other_name_key = dir / "other.key";

    test_certificates() {
        const auto err = dir / "openssl.log";
        auto must = [&](std::vector<std::string> argv, const std::vector<std::string>& more) {
            argv.insert(argv.end(), more.begin(), more.end());
            if (run(argv, "/dev/null", err) != 0) {
                throw std::runtime_error("openssl failed: " + test::read_file(err));
            }
        };
        // P-256 keys: generated in milliseconds, unlike RSA.
        const std::vector<std::string> new_key = {"-newkey", "ec", "-pkeyopt",
                                                  "ec_paramgen_curve:prime256v1", "-nodes"};
        const auto ca_key = dir / "ca.key";
        must({"openssl", "req", "-x509", "-keyout", ca_key.string(), "-out", ca.string(), "-subj",
              "/CN=seller-healthd test CA", "-days", "2", "-addext",
              "basicConstraints=critical,CA:TRUE", "-addext",
              "keyUsage=critical,keyCertSign,cRLSign"},
             new_key);
        auto leaf = [&](const fs::path& cert, const fs::path& key, const std::string& san) {
            const auto csr = dir / (cert.stem().string() + ".csr");
            const auto ext = dir / (cert.stem().string() + ".ext");
            test::write_file(ext, "subjectAltName=" + san +
                                      "\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
            must({"openssl", "req", "-new", "-keyout", key.string(), "-out", csr.string(), "-subj",
                  "/CN=smtp test server"},
                 new_key);
            must({"openssl", "x509", "-req", "-in", csr.string(), "-CA", ca.string(), "-CAkey",
                  ca_key.string(), "-CAcreateserial", "-days", "2", "-extfile", ext.string(),
                  "-out", cert.string()},
                 {});
        };
        leaf(server_cert, server_key, "DNS:localhost,IP:127.0.0.1");
        leaf(other_name_cert, other_name_key, "DNS:mail.example.org");
    }
};

test_certificates& certificates() {
    static test_certificates certs;
    return certs;
}

struct server_options {
    enum class tls_mode { starttls, implicit, none } tls = tls_mode::starttls;
    bool authenticate = true;
    bool other_name_certificate = false;
};

// smtp_server.py as a child process: started in the constructor (which waits
// for the port it prints), killed in the destructor.
class smtp_server {
  public:
    smtp_server(const std::string& python, const server_options& options) {
        std::vector<std::string> argv = {python, kServerScript.string(), "--outdir",
                                         outdir().string()};
        auto& certs = certificates();
        if (options.tls != server_options::tls_mode::none) {
            const bool other = options.other_name_certificate;
            argv.insert(argv.end(),
                        {"--cert", (other ? certs.other_name_cert : certs.server_cert).string(),
                         "--key", (other ? certs.other_name_key : certs.server_key).string()});
        }
        if (options.tls == server_options::tls_mode::implicit)
            argv.push_back("--implicit-tls");
        if (options.authenticate)
            argv.insert(argv.end(), {"--user", kUser, "--password", kPassword});

        int pipe_fds[2];
        if (::pipe(pipe_fds) != 0)
            throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ < 0)
            throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            ::dup2(pipe_fds[1], 1);
            const int err_fd = ::open(log_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(err_fd, 2);
            ::close(pipe_fds[0]);
            exec_or_die(argv);
        }
        ::close(pipe_fds[1]);
        stdout_fd_ = pipe_fds[0];
        port_ = read_port();
    }

    ~smtp_server() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
        if (stdout_fd_ >= 0)
            ::close(stdout_fd_);
    }

    smtp_server(const smtp_server&) = delete;
    smtp_server& operator=(const smtp_server&) = delete;

    int port() const { return port_; }

    // The received messages (.eml files), in arrival order.
    std::vector<fs::path> messages() const {
        std::vector<fs::path> found;
        for (const auto& entry : fs::directory_iterator(dir_.path() / "out")) {
            if (entry.path().extension() == ".eml")
                found.push_back(entry.path());
        }
        std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
            return std::stoi(a.stem().string()) < std::stoi(b.stem().string());
        });
        return found;
    }

    nlohmann::json envelope(const fs::path& message) const {
        auto meta = message;
        meta.replace_extension(".json");
        return nlohmann::json::parse(test::read_file(meta));
    }

    std::string log() const { return test::read_file(log_path()); }

  private:
    fs::path outdir() const {
        fs::create_directories(dir_.path() / "out");
        return dir_.path() / "out";
    }
    fs::path log_path() const { return dir_.path() / "server.log"; }

    int read_port() {
        std::string line;
        while (line.find('\n') == std::string::npos) {
            pollfd p{stdout_fd_, POLLIN, 0};
            // A guard against a server that never starts, not a wait for time to pass.
            if (::poll(&p, 1, 30'000) <= 0)
                throw std::runtime_error("SMTP server did not start");
            char buffer[64];
            const auto n = ::read(stdout_fd_, buffer, sizeof buffer);
            if (n <= 0)
                throw std::runtime_error("SMTP server exited: " + log());
            line.append(buffer, static_cast<std::size_t>(n));
        }
        if (!line.starts_with("PORT "))
            throw std::runtime_error("SMTP server said: " + line);
        return std::stoi(line.substr(5));
    }

    test::temp_dir dir_;
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    int port_ = 0;
};

// A loopback port with a socket that never answers (listening, never
// accepting) or refuses (bound, not listening).
class silent_port {
  public:
    explicit silent_port(bool listening) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            throw std::runtime_error("bind failed");
        }
        if (listening && ::listen(fd_, 4) != 0)
            throw std::runtime_error("listen failed");
        socklen_t length = sizeof address;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
    }
    ~silent_port() { ::close(fd_); }
    silent_port(const silent_port&) = delete;
    silent_port& operator=(const silent_port&) = delete;
    int port() const { return port_; }

  private:
    int fd_ = -1;
    int port_ = 0;
};

instant at(const char* iso) {
    return parse_iso8601(iso).value();
}

alerts::notification breach_notification() {
    alerts::notification n;
    n.idempotency_key = "metric/late_dispatch_rate/ATVPDKIKX0DER/MFN/10@1761976800/firing";
    n.account = "Acme Outdoor";
    n.created_at = at("2025-11-04T09:00:00Z");
    alerts::alert_change a;
    a.kind = "metric";
    a.fingerprint = "metric/late_dispatch_rate/ATVPDKIKX0DER/MFN/10";
    a.metric = "late_dispatch_rate";
    a.marketplace = "ATVPDKIKX0DER";
    a.channel = "MFN";
    a.window_days = 10;
    a.state = "firing";
    a.severity = "breached";
    a.rate = 0.046;
    a.target = 0.04;
    a.warn = 0.03;
    a.numerator = 23;
    a.denominator = 500;
    a.since = at("2025-11-01T06:00:00Z");
    a.title = "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)";
    a.headroom_text = "already 3 late dispatches past the 4% line in this 10-day window";
    a.advice = "Confirm shipment of every order before its ship-by date & <check> carriers";
    n.alerts.push_back(a);
    n.upcoming.push_back("3 orders must ship within 24 h (US)");
    return n;
}

class EmailSend : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!python_with_aiosmtpd()) {
            GTEST_SKIP() << "python3 with aiosmtpd not found (Debian: apt-get install "
                            "python3-aiosmtpd; scripts/install-deps.sh does it)";
        }
        python_ = *python_with_aiosmtpd();
        test::write_file(password_file_, std::string(kPassword) + "\n");
    }

    config::alert_channel channel(const std::string& url) const {
        config::alert_channel c;
        c.name = "ops-mail";
        c.type = "email";
        c.url = url;
        c.tls = url.starts_with("smtps://") ? "" : "starttls";
        c.ca_file = certificates().ca;
        c.username = kUser;
        c.password_file = password_file_;
        c.from = "seller-healthd <alerts@example.com>";
        c.to = {"ops@example.com", "Owner <owner@example.org>"};
        c.timeout = std::chrono::seconds{20};
        return c;
    }

    nlohmann::json parse_with_python(const fs::path& eml) const {
        const auto out = scratch_ / "parsed.json";
        const auto err = scratch_ / "parse.log";
        const int code = run({python_, kServerScript.string(), "--parse", eml.string()}, out, err);
        EXPECT_EQ(code, 0) << test::read_file(err);
        return nlohmann::json::parse(test::read_file(out));
    }

    std::string python_;
    test::temp_dir scratch_;
    fs::path password_file_ = scratch_ / "smtp-password";
    std::unique_ptr<sender> email_ = make_email_sender();
    instant now_ = at("2025-11-04T09:05:07Z");
};

std::string url(const char* scheme, const char* host, int port) {
    return std::string(scheme) + "://" + host + ":" + std::to_string(port);
}

TEST_F(EmailSend, StarttlsWithAuthDeliversTheWholeMessage) {
    smtp_server server(python_, {});
    const auto c = channel(url("smtp", "localhost", server.port()));
    const auto outcome = email_->send(c, breach_notification(), now_);
    ASSERT_EQ(outcome.result, kind::delivered) << outcome.detail << "\n" << server.log();
    EXPECT_EQ(outcome.detail, "SMTP 250");

    const auto received = server.messages();
    ASSERT_EQ(received.size(), 1u);
    const auto envelope = server.envelope(received[0]);
    EXPECT_EQ(envelope["tls"], true);
    EXPECT_EQ(envelope["login"], kUser);
    EXPECT_EQ(envelope["mail_from"], "alerts@example.com");
    EXPECT_EQ(envelope["rcpt_tos"],
              (nlohmann::json::array({"ops@example.com", "owner@example.org"})));

    const auto parsed = parse_with_python(received[0]);
    EXPECT_EQ(parsed["defects"], nlohmann::json::array()) << parsed.dump();
    EXPECT_EQ(parsed["subject"], "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)");
    EXPECT_EQ(parsed["from"], "seller-healthd <alerts@example.com>");
    EXPECT_EQ(parsed["to"], (nlohmann::json::array({"ops@example.com", "owner@example.org"})));
    EXPECT_EQ(parsed["date_utc"], "2025-11-04T09:05:07+00:00");
    EXPECT_EQ(parsed["message_id"], render_email(c, breach_notification(), now_).message_id);
    EXPECT_EQ(parsed["idempotency_key"], breach_notification().idempotency_key);
    EXPECT_EQ(parsed["mime_version"], "1.0");
    EXPECT_EQ(parsed["content_type"], "multipart/alternative");
    ASSERT_EQ(parsed["parts"].size(), 2u);
    const auto& text = parsed["parts"][0];
    const auto& html = parsed["parts"][1];
    EXPECT_EQ(text["content_type"], "text/plain");
    EXPECT_EQ(text["charset"], "utf-8");
    EXPECT_EQ(html["content_type"], "text/html");
    const std::string text_body = text["text"];
    const std::string html_body = html["text"];
    EXPECT_NE(text_body.find("[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)"),
              std::string::npos)
        << text_body;
    EXPECT_NE(text_body.find("& <check> carriers"), std::string::npos);
    EXPECT_NE(html_body.find("&amp; &lt;check&gt; carriers"), std::string::npos) << html_body;
    EXPECT_NE(html_body.find("3 orders must ship within 24 h (US)"), std::string::npos);
}

TEST_F(EmailSend, ARetriedSendCarriesTheSameMessageId) {
    smtp_server server(python_, {});
    const auto c = channel(url("smtp", "localhost", server.port()));
    ASSERT_EQ(email_->send(c, breach_notification(), now_).result, kind::delivered);
    ASSERT_EQ(email_->send(c, breach_notification(), now_ + std::chrono::minutes{5}).result,
              kind::delivered);
    const auto received = server.messages();
    ASSERT_EQ(received.size(), 2u);
    const auto first = parse_with_python(received[0]);
    const auto second = parse_with_python(received[1]);
    EXPECT_EQ(first["message_id"], second["message_id"]);
    EXPECT_NE(first["date"], second["date"]);
}

TEST_F(EmailSend, NonAsciiSubjectArrivesIntact) {
    smtp_server server(python_, {});
    auto n = breach_notification();
    const std::string title = "[BREACHED] Tasa de envío tardío 4,6 % > 4 % (ES, 10 días) 🚚";
    n.alerts[0].title = title;
    const auto outcome = email_->send(channel(url("smtp", "localhost", server.port())), n, now_);
    ASSERT_EQ(outcome.result, kind::delivered) << outcome.detail;
    const auto received = server.messages();
    ASSERT_EQ(received.size(), 1u);
    const auto parsed = parse_with_python(received[0]);
    EXPECT_EQ(parsed["subject"], title);
    EXPECT_EQ(parsed["defects"], nlohmann::json::array());
    EXPECT_NE(std::string(parsed["parts"][0]["text"]).find(title), std::string::npos);
}

TEST_F(EmailSend, SmtpsDeliversOverImplicitTls) {
    server_options options;
    options.tls = server_options::tls_mode::implicit;
    smtp_server server(python_, options);
    const auto outcome = email_->send(channel(url("smtps", "localhost", server.port())),
                                      breach_notification(), now_);
    ASSERT_EQ(outcome.result, kind::delivered) << outcome.detail << "\n" << server.log();
    const auto received = server.messages();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(server.envelope(received[0])["tls"], true);
    EXPECT_EQ(server.envelope(received[0])["login"], kUser);
}

TEST_F(EmailSend, UntrustedCertificateIsRefused) {
    smtp_server server(python_, {});
    auto c = channel(url("smtp", "localhost", server.port()));
    c.ca_file.clear();  // the system store does not know the test CA
    const auto outcome = email_->send(c, breach_notification(), now_);
    EXPECT_EQ(outcome.result, kind::retry);
    EXPECT_NE(outcome.detail.find("certificate"), std::string::npos) << outcome.detail;
    EXPECT_TRUE(server.messages().empty());
}

TEST_F(EmailSend, CertificateForAnotherNameIsRefused) {
    server_options options;
    options.other_name_certificate = true;
    smtp_server server(python_, options);
    const auto outcome =
        email_->send(channel(url("smtp", "localhost", server.port())), breach_notification(), now_);
    EXPECT_EQ(outcome.result, kind::retry);
    EXPECT_NE(outcome.detail.find("not trusted"), std::string::npos) << outcome.detail;
    EXPECT_TRUE(server.messages().empty());
}

TEST_F(EmailSend, MissingPasswordFileFailsClearly) {
    smtp_server server(python_, {});
    auto c = channel(url("smtp", "localhost", server.port()));
    c.password_file = scratch_ / "no-such-password";
    const auto outcome = email_->send(c, breach_notification(), now_);
    EXPECT_EQ(outcome.result, kind::retry);
    EXPECT_EQ(outcome.detail, "password_file " + c.password_file.string() + " does not exist");
    EXPECT_TRUE(server.messages().empty());

    test::write_file(scratch_ / "empty-password", "\n");
    c.password_file = scratch_ / "empty-password";
    const auto empty = email_->send(c, breach_notification(), now_);
    EXPECT_EQ(empty.result, kind::retry);
    EXPECT_NE(empty.detail.find("is empty"), std::string::npos) << empty.detail;

    test::write_file(scratch_ / "zero-bytes", "");
    c.password_file = scratch_ / "zero-bytes";
    EXPECT_EQ(email_->send(c, breach_notification(), now_).detail,
              "password_file " + c.password_file.string() + " is empty");

    c.password_file = scratch_.path();  // a folder
    EXPECT_EQ(email_->send(c, breach_notification(), now_).detail,
              "password_file " + scratch_.path().string() + " cannot be read");
}

TEST_F(EmailSend, WrongPasswordIsRejectedWithoutShowingIt) {
    smtp_server server(python_, {});
    const std::string wrong = "not-the-password-42";
    test::write_file(scratch_ / "wrong", wrong + "\n");
    auto c = channel(url("smtp", "localhost", server.port()));
    c.password_file = scratch_ / "wrong";
    const auto outcome = email_->send(c, breach_notification(), now_);
    EXPECT_EQ(outcome.result, kind::rejected);
    EXPECT_NE(outcome.detail.find("535"), std::string::npos) << outcome.detail;
    EXPECT_EQ(outcome.detail.find(wrong), std::string::npos);
    EXPECT_TRUE(server.messages().empty());
}

TEST_F(EmailSend, StarttlsRequiredNeverFallsBackToPlaintext) {
    server_options options;
    options.tls = server_options::tls_mode::none;  // offers no STARTTLS
    options.authenticate = false;
    smtp_server server(python_, options);
    for (const char* tls : {"starttls", ""}) {
        auto c = channel(url("smtp", "127.0.0.1", server.port()));
        c.tls = tls;
        const auto outcome = email_->send(c, breach_notification(), now_);
        EXPECT_EQ(outcome.result, kind::retry) << tls;
        EXPECT_NE(outcome.detail.find("STARTTLS"), std::string::npos) << outcome.detail;
    }
    EXPECT_TRUE(server.messages().empty());
}

TEST_F(EmailSend, ExplicitTlsNoneDeliversInPlaintext) {
    server_options options;
    options.tls = server_options::tls_mode::none;
    options.authenticate = false;
    smtp_server server(python_, options);
    auto c = channel(url("smtp", "127.0.0.1", server.port()));
    c.tls = "none";
    c.username.clear();
    c.password_file.clear();
    const auto outcome = email_->send(c, breach_notification(), now_);
    ASSERT_EQ(outcome.result, kind::delivered) << outcome.detail << "\n" << server.log();
    const auto received = server.messages();
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(server.envelope(received[0])["tls"], false);
    EXPECT_EQ(parse_with_python(received[0])["subject"],
              "[BREACHED] Late dispatch rate 4.6% > 4% (US, 10 days)");
}

TEST_F(EmailSend, RecipientRefusalsMapToRejectedAndRetry) {
    smtp_server server(python_, {});
    auto c = channel(url("smtp", "localhost", server.port()));
    c.to = {"reject550@example.com"};
    const auto refused = email_->send(c, breach_notification(), now_);
    EXPECT_EQ(refused.result, kind::rejected);
    EXPECT_NE(refused.detail.find("SMTP 550"), std::string::npos) << refused.detail;

    // All or nothing: a deferred recipient holds the message back for everyone.
    c.to = {"ops@example.com", "defer451@example.com"};
    const auto deferred = email_->send(c, breach_notification(), now_);
    EXPECT_EQ(deferred.result, kind::retry);
    EXPECT_NE(deferred.detail.find("SMTP 451"), std::string::npos) << deferred.detail;
    EXPECT_TRUE(server.messages().empty());
}

TEST_F(EmailSend, ConnectionRefusedIsRetried) {
    const silent_port closed(false);
    auto c = channel(url("smtp", "127.0.0.1", closed.port()));
    const auto outcome = email_->send(c, breach_notification(), now_);
    EXPECT_EQ(outcome.result, kind::retry);
    EXPECT_NE(outcome.detail.find("cannot connect"), std::string::npos) << outcome.detail;
}

TEST_F(EmailSend, SilentServerTimesOut) {
    const silent_port silent(true);
    auto c = channel(url("smtp", "127.0.0.1", silent.port()));
    c.timeout = std::chrono::seconds{1};
    const auto outcome = email_->send(c, breach_notification(), now_);
    EXPECT_EQ(outcome.result, kind::retry);
    EXPECT_EQ(outcome.detail, "timeout after 1s");
}

TEST_F(EmailSend, UnreadableCaFileFailsClearly) {
    auto c = channel("smtp://127.0.0.1:1");
    c.ca_file = scratch_ / "missing-ca.pem";
    const auto outcome = email_->send(c, breach_notification(), now_);
    EXPECT_EQ(outcome.result, kind::retry);
    EXPECT_EQ(outcome.detail, "ca_file " + c.ca_file.string() + " cannot be read");
}

}  // namespace
}  // namespace shd::delivery
