// Every channel type through `run --once --at`: webhook, Slack, Teams,
// Discord and PagerDuty to loopback receivers (HTTPS with a test CA where the
// type requires it), e-mail to tests/delivery/smtp_server.py. Real alert
// cycles decide three notices of one alert while every receiver is down: the
// shipments feed goes stale (firing), stays away (repeat) and arrives again
// (resolved). The receivers
// first refuse connections, then fail with 500, then throttle with 429 and
// Retry-After, then recover: each notice is accepted exactly once, in the
// order decided. Time is the --at of each run; nothing waits for a window.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "support/http_test_server.hpp"
#include "support/refusing_port.hpp"
#include "support/test_pki.hpp"
#include "support/test_support.hpp"

namespace shd::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// The shipments feed last arrived two days before t0: stale at t0.
const instant t0 = *parse_iso8601("2026-03-02T03:00:00Z");
const instant arrived = t0 - std::chrono::hours(48);
// Words of each notice's title ("... last arrived 2 d ago", twelve hours
// later "... 2 d 12 h ago", then "Feed arriving again"), to find it in any
// channel's rendering.
const std::vector<std::string> kTokens = {"arrived 2 d ago", "arrived 2 d 12 h ago",
                                          "arriving again"};

bool have_aiosmtpd() {
    return std::system("/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1") == 0;
}

// tests/delivery/smtp_server.py, plaintext and without AUTH.
class smtp_receiver {
  public:
    explicit smtp_receiver(const fs::path& outdir) : outdir_(outdir) {
        fs::create_directories(outdir);
        int fds[2];
        if (::pipe(fds) != 0)
            throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(fds[1], 1);
            ::close(fds[0]);
            const std::string script =
                (fs::path(SHD_SOURCE_DIR) / "tests/delivery/smtp_server.py").string();
            ::execl("/usr/bin/python3", "python3", script.c_str(), "--outdir", outdir.c_str(),
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(fds[1]);
        std::string line;
        while (line.find('\n') == std::string::npos) {
            pollfd p{fds[0], POLLIN, 0};
            // A guard against a server that never starts, not a wait for time.
            if (::poll(&p, 1, 30'000) <= 0)
                throw std::runtime_error("SMTP server did not start");
            char buffer[64];
            const auto n = ::read(fds[0], buffer, sizeof buffer);
            if (n <= 0)
                throw std::runtime_error("SMTP server exited");
            line.append(buffer, static_cast<std::size_t>(n));
        }
        ::close(fds[0]);
        port_ = std::stoi(line.substr(5));
    }
    ~smtp_receiver() {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
    }
    int port() const { return port_; }
    // The raw messages, in arrival order.
    std::vector<std::string> messages() const {
        std::vector<std::string> out;
        for (int i = 1; fs::exists(outdir_ / (std::to_string(i) + ".eml")); ++i)
            out.push_back(read_file(outdir_ / (std::to_string(i) + ".eml")));
        return out;
    }

  private:
    fs::path outdir_;
    pid_t pid_ = -1;
    int port_ = 0;
};

// Which notice a body is, by its token; -1 when none. A mail's folded
// header lines and quoted-printable soft breaks are joined first.
int which(std::string body) {
    for (const std::string fold : {"=\r\n", "=\n", "\r\n ", "\n "}) {
        const std::string join = fold.front() == '=' ? "" : " ";
        for (auto at = body.find(fold); at != std::string::npos; at = body.find(fold, at))
            body.replace(at, fold.size(), join);
    }
    for (std::size_t i = kTokens.size(); i-- > 0;)
        if (body.find(kTokens[i]) != std::string::npos)
            return static_cast<int>(i);
    return -1;
}

std::string shipments_file(const std::string& order_id, instant confirmed) {
    return "order_id,latest_ship_date,confirmed_at,tracking_id,carrier,tracking_valid,notes\n" +
           order_id + "," + format_iso8601(confirmed + std::chrono::hours(4)) + "," +
           format_iso8601(confirmed) + ",1Z999,UPS,,\n";
}

struct channel_spec {
    std::string name;
    std::string type;
};

const std::vector<channel_spec> kHttpChannels = {{"hook", "webhook"},
                                                 {"slack", "slack"},
                                                 {"teams", "teams"},
                                                 {"discord", "discord"},
                                                 {"pager", "pagerduty"}};

TEST(ChannelsRun, EveryChannelTypeGetsEachNoticeOnceInOrderThroughFailures) {
    // A test dependency (scripts/install-deps.sh): without it the test fails.
    ASSERT_TRUE(have_aiosmtpd()) << "/usr/bin/python3 with aiosmtpd not found (python3-aiosmtpd)";
    temp_dir dir;
    test_ca ca("channels CA");
    const auto leaf = ca.issue({{"localhost"}, {"127.0.0.1"}});
    const auto ca_file = ca.write_cert(dir / "ca.pem");
    std::map<std::string, std::unique_ptr<http_test_server>> receivers;
    for (const auto& c : kHttpChannels) {
        receivers[c.name] = c.type == "webhook"
                                ? std::make_unique<http_test_server>()
                                : std::make_unique<http_test_server>(
                                      tls_server_options{leaf.cert_pem, leaf.key_pem});
        receivers[c.name]->script({scripted_response::with_status(500, "internal trouble"),
                                   {429, {{"Retry-After", "120"}}, "slow down", false}});
    }
    refusing_port refused;

    // `live`: false points every channel at a port that refuses connections.
    auto write_config = [&](bool live, std::optional<int> smtp_port) {
        std::string text =
            "database: \"state.sqlite\"\n"
            "inbox: \"inbox\"\n"
            "alerts:\n"
            "  channels:\n";
        for (const auto& c : kHttpChannels) {
            const std::string path = "/" + c.name;
            const std::string url =
                live ? receivers[c.name]->url(path, c.type == "webhook" ? "127.0.0.1" : "localhost")
                     : (c.type == "webhook" ? "http" : "https") + std::string("://localhost:") +
                           std::to_string(refused.port()) + path;
            text += "    - name: " + c.name + "\n      type: " + c.type + "\n      url: \"" + url +
                    "\"\n      timeout: 5s\n";
            if (c.type != "webhook")
                text += "      ca_file: \"" + ca_file.string() + "\"\n";
            if (c.type == "pagerduty")
                text += "      routing_key: \"R0UTINGKEY\"\n";
        }
        text += "    - name: mail\n      type: email\n      url: \"smtp://127.0.0.1:" +
                std::to_string(smtp_port.value_or(refused.port())) +
                "\"\n      tls: none\n      from: \"shd@example.com\"\n"
                "      to: [\"ops@example.com\"]\n      timeout: 5s\n";
        text += "  deadline_alerts: false\n";
        write_file(dir / "config.yaml", text);
    };

    auto run_at = [&](instant when) {
        return run_binary({"run", "--once", "--at", format_iso8601(when), "--config",
                           (dir / "config.yaml").string()});
    };
    std::string logs;
    // The three notices, decided while everything refuses connections.
    write_config(false, std::nullopt);
    write_file(dir / "inbox" / "shipments-1.csv", shipments_file("111-0000000-0000001", arrived));
    auto first_arrival = run_at(arrived);
    logs += first_arrival.err;
    ASSERT_EQ(first_arrival.exit_code, 0) << logs;
    for (const auto when : {t0, t0 + 12h}) {
        auto deciding = run_at(when);  // stale (firing), then its repeat
        logs += deciding.err;
        EXPECT_EQ(deciding.exit_code, 1) << logs;
    }
    write_file(dir / "inbox" / "shipments-2.csv", shipments_file("111-0000000-0000002", t0 + 11h));
    const instant t1 = t0 + 12h + 10min;
    auto resolving = run_at(t1);  // the feed arrives again: resolved
    logs += resolving.err;
    EXPECT_EQ(resolving.exit_code, 1) << logs;
    {
        SQLite::Database db((dir / "state.sqlite").string(), SQLite::OPEN_READONLY);
        EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM outbox").getInt(), 18) << logs;
    }
    // 1. Everything still refuses connections.
    auto refusing = run_at(t1 + 1min);
    logs += refusing.err;
    EXPECT_EQ(refusing.exit_code, 1) << logs;
    // 2., 3. The HTTP receivers answer 500, then 429 with Retry-After; the
    // mail server is up from now on.
    smtp_receiver smtp(dir / "mail");
    write_config(true, smtp.port());
    for (int step = 2; step <= 3; ++step) {
        auto failing = run_at(t1 + std::chrono::minutes(10 * step));
        logs += failing.err;
        EXPECT_EQ(failing.exit_code, 1) << logs;
    }
    // Before Retry-After has passed, nothing is tried.
    const auto before_retry_after = receivers["hook"]->request_count();
    logs += run_at(t1 + 30min + 30s).err;
    EXPECT_EQ(receivers["hook"]->request_count(), before_retry_after);
    // 4. They recover. Slack is paced a second apart: a few more runs, each
    // a minute later.
    int last_exit = -1;
    for (int step = 0; step < 5; ++step) {
        auto r = run_at(t1 + 40min + std::chrono::minutes(step));
        logs += r.err;
        last_exit = r.exit_code;
    }
    EXPECT_EQ(last_exit, 0) << logs;

    for (const auto& c : kHttpChannels) {
        SCOPED_TRACE(c.name);
        const auto requests = receivers[c.name]->requests();
        ASSERT_EQ(requests.size(), 5u) << logs;
        // The 500 and the 429 were the first notice, tried again.
        EXPECT_EQ(which(requests[0].body), 0) << requests[0].body;
        EXPECT_EQ(which(requests[1].body), 0) << requests[1].body;
        if (c.type == "pagerduty") {
            // Trigger, trigger, resolve with one dedup_key; the resolve has no summary.
            const auto first = nlohmann::json::parse(requests[2].body);
            const auto second = nlohmann::json::parse(requests[3].body);
            const auto third = nlohmann::json::parse(requests[4].body);
            EXPECT_EQ(which(requests[2].body), 0);
            EXPECT_EQ(which(requests[3].body), 1);
            EXPECT_EQ(first.at("event_action"), "trigger");
            EXPECT_EQ(second.at("event_action"), "trigger");
            EXPECT_EQ(third.at("event_action"), "resolve");
            EXPECT_EQ(first.at("dedup_key"), third.at("dedup_key"));
        } else {
            for (int i = 0; i < 3; ++i)
                EXPECT_EQ(which(requests[2 + i].body), i) << requests[2 + i].body;
        }
    }
    const auto mails = smtp.messages();
    ASSERT_EQ(mails.size(), 3u) << logs;
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(which(mails[i]), i) << mails[i];

    // Nothing more to send.
    auto quiet = run_at(t1 + 2h);
    EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
    EXPECT_EQ(receivers["hook"]->request_count(), 5u);
    EXPECT_EQ(smtp.messages().size(), 3u);
    SQLite::Database db((dir / "state.sqlite").string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM outbox WHERE state = 'delivered'").getInt(), 18);
}

}  // namespace
}  // namespace shd::test
