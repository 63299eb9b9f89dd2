// The daemon as systemd runs it, as a child process: the sd_notify protocol
// on a real notify socket (READY=1, STATUS=, WATCHDOG=1, RELOADING=1,
// STOPPING=1), the HTTP endpoint (/healthz, /metrics, /api/status, /), a
// reload that changes a threshold without a restart, and SIGTERM in the
// middle of an import.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/time.hpp"
#include "ingest/import_test_support.hpp"
#include "net/http_client.hpp"
#include "support/http_test_server.hpp"
#include "support/test_support.hpp"

namespace shd::test {
namespace {

namespace fs = std::filesystem;

// The service manager's end of NOTIFY_SOCKET: a datagram socket read on a
// thread of its own, as systemd reads it at once (a full socket queue would
// block the daemon's sd_notify).
class notify_socket {
  public:
    explicit notify_socket(const fs::path& path) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        const std::string p = path.string();
        if (fd_ < 0 || p.size() >= sizeof addr.sun_path)
            throw std::runtime_error("notify socket");
        p.copy(addr.sun_path, p.size());
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            throw std::runtime_error("bind notify socket");
        timeval tick{0, 50000};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
        reader_ = std::thread([this] {
            char buffer[4096];
            while (!done_) {
                const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
                if (n <= 0)
                    continue;
                std::lock_guard lock(mutex_);
                messages_.emplace_back(buffer, static_cast<std::size_t>(n));
            }
        });
    }
    ~notify_socket() {
        done_ = true;
        reader_.join();
        ::close(fd_);
    }

    std::vector<std::string> messages() {
        std::lock_guard lock(mutex_);
        return messages_;
    }
    // A line equal to `line`, or starting with it when it ends in '*'.
    bool received(const std::string& line) {
        for (const auto& m : messages()) {
            std::istringstream lines(m);
            for (std::string l; std::getline(lines, l);) {
                if (l == line ||
                    (line.back() == '*' && l.starts_with(line.substr(0, line.size() - 1))))
                    return true;
            }
        }
        return false;
    }
    std::string all() {
        std::string out;
        for (const auto& m : messages())
            out += m + " | ";
        return out.substr(0, 3000);
    }

  private:
    int fd_ = -1;
    std::atomic<bool> done_{false};
    std::mutex mutex_;
    std::vector<std::string> messages_;
    std::thread reader_;
};

unsigned short free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

struct reply {
    int status = 0;
    std::string body;
    std::string content_type;
};

reply get(unsigned short port, const std::string& path) {
    net::http_request_options o;
    o.method = "GET";
    o.url = "http://127.0.0.1:" + std::to_string(port) + path;
    o.timeout = std::chrono::seconds(10);
    auto r = net::http_request(o);
    if (!r)
        return {0, r.error().message, ""};
    return {r->status, r->body, r->header("Content-Type").value_or("")};
}

bool log_has(const fs::path& err, const std::string& text) {
    return fs::exists(err) && read_file(err).find(text) != std::string::npos;
}

// `count` US MFN orders bought an hour before the real now (the daemon runs
// on the wall clock), the first `cancelled` of them cancelled by the seller.
std::string orders(int first_id, int count, int cancelled) {
    const auto bought =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) -
        std::chrono::hours(1);
    const std::string when = format_iso8601(bought);
    std::string text =
        "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\n";
    text.reserve(static_cast<std::size_t>(count) * 80);
    for (int i = 0; i < count; ++i) {
        text += "111-" + std::to_string(1000000 + first_id / 10000000) + "-" +
                std::to_string(10000000 + first_id + i) + "\t" + when + "\t" +
                (i < cancelled ? "Cancelled" : "Shipped") + "\tMerchant\tAmazon.com\n";
    }
    return text;
}

// Written beside the inbox and moved in whole, settled already.
void drop(const fs::path& dir, const std::string& name, const std::string& content,
          std::chrono::minutes age) {
    const auto outside = dir / (name + ".outside");
    write_file(outside, content);
    fs::last_write_time(outside, fs::file_time_type::clock::now() - age);
    fs::rename(outside, dir / "inbox" / name);
}

std::string config_text(unsigned short port, const std::string& metrics = {}) {
    return "database: \"state.sqlite\"\n"
           "inbox: \"inbox\"\n"
           "poll_interval: \"1h\"\n"
           "http:\n"
           "  listen: \"127.0.0.1:" +
           std::to_string(port) + "\"\n" + metrics;
}

// Starts `run` with the endpoint on a free port. Tests run in parallel, so
// the port may be taken between the probe and the daemon's bind: then the
// daemon exits at once, and another port is tried.
std::unique_ptr<child_process> start_with_endpoint(const fs::path& config, const fs::path& out,
                                                   const fs::path& err, unsigned short& port) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        port = free_port();
        write_file(config, config_text(port));
        auto daemon = std::make_unique<child_process>(
            std::vector<std::string>{"run", "--config", config.string()}, out, err);
        eventually([&] { return log_has(err, "watching") || daemon->exited(); });
        if (!daemon->exited())
            return daemon;
    }
    return nullptr;
}

// SIGTERM, then exit 0. A shutdown that hangs fails here, with the log, not
// at ctest's timeout.
::testing::AssertionResult stops_cleanly(child_process& daemon, const fs::path& err) {
    daemon.signal(SIGTERM);
    if (!eventually([&] { return daemon.exited(); }, std::chrono::seconds(120)))
        return ::testing::AssertionFailure() << "still running 120 s after SIGTERM:\n"
                                             << read_file(err);
    const int status = daemon.wait();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return ::testing::AssertionFailure() << "wait status " << status << ":\n" << read_file(err);
    return ::testing::AssertionSuccess();
}

// The cancellation_rate row of /api/status, or null.
nlohmann::json cancellation_row(unsigned short port) {
    const auto r = get(port, "/api/status");
    if (r.status != 200)
        return nullptr;
    const auto document = nlohmann::json::parse(r.body);
    for (const auto& m : document.at("metrics")) {
        if (m.at("metric") == "cancellation_rate" && m.at("marketplace") == "ATVPDKIKX0DER")
            return m;
    }
    return nullptr;
}

class scoped_env {
  public:
    scoped_env(const char* name, const std::string& value) : name_(name) {
        ::setenv(name, value.c_str(), 1);
    }
    ~scoped_env() { ::unsetenv(name_); }

  private:
    const char* name_;
};

TEST(DaemonService, NotifiesSystemdServesTheEndpointAndReloadsAThreshold) {
    temp_dir dir;
    fs::create_directories(dir / "inbox");
    const auto config = dir / "config.yaml";
    notify_socket systemd(dir / "notify.sock");
    scoped_env notify_env("NOTIFY_SOCKET", (dir / "notify.sock").string());
    scoped_env watchdog_env("WATCHDOG_USEC", "400000");  // a ping every 0.2 s
    const auto err = dir / "run.err";
    unsigned short port = 0;
    auto started = start_with_endpoint(config, dir / "run.out", err, port);
    ASSERT_TRUE(started) << read_file(err);
    child_process& daemon = *started;

    ASSERT_TRUE(eventually([&] { return systemd.received("READY=1"); }))
        << systemd.all() << read_file(err);
    EXPECT_TRUE(eventually([&] { return systemd.received("WATCHDOG=1"); })) << systemd.all();

    // 50 orders, 5 cancelled: 10%, past the 2.5% target.
    drop(dir.path(), "orders.txt", orders(0, 50, 5), std::chrono::minutes(5));
    ASSERT_TRUE(eventually([&] {
        const auto row = cancellation_row(port);
        return !row.is_null() && row.at("status") == "breached";
    })) << read_file(err)
        << get(port, "/api/status").body.substr(0, 2000);
    EXPECT_TRUE(eventually([&] { return systemd.received("STATUS=US: *"); })) << systemd.all();
    bool status_names_it = false;
    for (const auto& m : systemd.messages())
        status_names_it |=
            m.starts_with("STATUS=US: ") && m.find("breached 10.0%") != std::string::npos;
    EXPECT_TRUE(status_names_it) << systemd.all();

    const auto health = get(port, "/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_TRUE(health.body.starts_with("ok: last evaluation ")) << health.body;

    const auto metrics = get(port, "/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_TRUE(metrics.content_type.starts_with("text/plain; version=0.0.4"))
        << metrics.content_type;
    bool breached_gauge = false;
    std::istringstream lines(metrics.body);
    for (std::string line; std::getline(lines, line);) {
        if (line.starts_with("seller_healthd_metric_status{") &&
            line.find("metric=\"cancellation_rate\"") != std::string::npos &&
            line.find("marketplace=\"ATVPDKIKX0DER\"") != std::string::npos &&
            line.find("status=\"breached\"") != std::string::npos)
            breached_gauge = line.ends_with(" 1");
    }
    EXPECT_TRUE(breached_gauge) << metrics.body.substr(0, 2000);
    // No `account` in the file: the label is the file's stem.
    EXPECT_NE(
        metrics.body.find("seller_healthd_imports_total{account=\"config\",result=\"imported\"} 1"),
        std::string::npos);

    // /api/status is what `status --json` says at the same instant.
    const auto api = get(port, "/api/status");
    ASSERT_EQ(api.status, 200);
    const auto served = nlohmann::json::parse(api.body);
    const auto cli = run_binary({"status", "--config", config.string(), "--json", "--at",
                                 served.at("as_of").get<std::string>()});
    ASSERT_EQ(cli.exit_code, 0) << cli.err;
    EXPECT_EQ(served, nlohmann::json::parse(cli.out));

    const auto page = get(port, "/");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("<svg"), std::string::npos);
    EXPECT_EQ(page.body.find("<script"), std::string::npos);
    EXPECT_EQ(get(port, "/nothing-here").status, 404);

    // A new threshold by reload: applied without a restart.
    write_file(config, config_text(port,
                                   "metrics:\n"
                                   "  cancellation_rate:\n"
                                   "    target: 0.2\n"
                                   "    warn: 0.15\n"));
    daemon.signal(SIGHUP);
    ASSERT_TRUE(eventually([&] {
        const auto row = cancellation_row(port);
        return !row.is_null() && row.at("target") == 0.2 && row.at("status") == "ok";
    })) << read_file(err);
    EXPECT_TRUE(systemd.received("RELOADING=1")) << systemd.all();
    EXPECT_TRUE(log_has(err, "reload: configuration applied"));
    EXPECT_FALSE(daemon.exited());

    ASSERT_TRUE(stops_cleanly(daemon, err));
    EXPECT_TRUE(systemd.received("STOPPING=1")) << systemd.all();
}

// Silences and acknowledgements written by the commands while the daemon
// runs: its next cycle reads them, and /metrics, /api/status and the
// dashboard show them.
TEST(DaemonService, SilencesAndAcksSetBesideTheRunningDaemonShowOnTheEndpoint) {
    temp_dir dir;
    fs::create_directories(dir / "inbox");
    const auto config = dir / "config.yaml";
    const auto err = dir / "run.err";
    unsigned short port = 0;
    auto started = start_with_endpoint(config, dir / "run.out", err, port);
    ASSERT_TRUE(started) << read_file(err);
    child_process& daemon = *started;
    drop(dir.path(), "orders.txt", orders(0, 50, 5), std::chrono::minutes(5));
    const auto firing = [&] {
        const auto r = get(port, "/api/status");
        if (r.status != 200)
            return nlohmann::json();
        const auto doc = nlohmann::json::parse(r.body);
        return doc.contains("alerts") && !doc.at("alerts").empty() ? doc.at("alerts").at(0)
                                                                   : nlohmann::json();
    };
    ASSERT_TRUE(eventually([&] {
        const auto a = firing();
        return !a.is_null() && a.at("state") == "firing";
    })) << read_file(err);

    const auto added = run_binary({"silence", "add", "--config", config.string(), "--match",
                                   "kind=metric", "--for", "4h", "--comment", "strike"});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    const auto acked = run_binary({"ack", "--config", config.string(), "cancellation_rate"});
    ASSERT_EQ(acked.exit_code, 0) << acked.err;
    // A new file: a cycle (5 more orders, none cancelled: still breached).
    drop(dir.path(), "more-orders.txt", orders(100, 5, 0), std::chrono::minutes(5));
    const std::string account = "{account=\"config\"";
    ASSERT_TRUE(eventually([&] {
        const auto body = get(port, "/metrics").body;
        return body.find("seller_healthd_silences" + account + ",state=\"active\"} 1\n") !=
                   std::string::npos &&
               body.find("seller_healthd_alerts_acknowledged" + account + "} 1\n") !=
                   std::string::npos &&
               body.find("seller_healthd_alerts_silenced" + account + "} 1\n") != std::string::npos;
    })) << get(port, "/metrics").body
        << read_file(err);
    const auto a = firing();
    EXPECT_EQ(a.at("acknowledged"), true);
    EXPECT_EQ(a.at("silenced_by"), 1);
    const auto page = get(port, "/").body;
    EXPECT_NE(page.find("<h2 id=\"silences-title\">Silences</h2>"), std::string::npos);
    EXPECT_NE(page.find("<span class=\"quiet\">acknowledged</span>"), std::string::npos);
    ASSERT_TRUE(stops_cleanly(daemon, err));
}

TEST(DaemonService, AnAddressInUseStopsTheStartWithTheAddressNamed) {
    temp_dir dir;
    fs::create_directories(dir / "inbox");
    const auto config = dir / "config.yaml";
    const auto first_err = dir / "first.err";
    unsigned short port = 0;
    auto started = start_with_endpoint(config, dir / "first.out", first_err, port);
    ASSERT_TRUE(started) << read_file(first_err);
    child_process& first = *started;
    ASSERT_TRUE(eventually([&] { return get(port, "/healthz").status == 200; }))
        << read_file(first_err);

    write_file(dir / "second.yaml",
               "database: \"second.sqlite\"\ninbox: \"inbox2\"\n"
               "http:\n  listen: \"127.0.0.1:" +
                   std::to_string(port) + "\"\n");
    const auto second = run_binary({"run", "--config", (dir / "second.yaml").string()});
    EXPECT_EQ(second.exit_code, 1);
    EXPECT_NE(second.err.find("cannot listen on 127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << second.err;
    first.signal(SIGTERM);
    EXPECT_EQ(WEXITSTATUS(first.wait()), 0);
}

TEST(DaemonService, SigtermDuringAnImportLeavesAConsistentDatabase) {
    temp_dir dir;
    fs::create_directories(dir / "inbox");
    const auto config = dir / "config.yaml";
    write_file(config, "database: \"state.sqlite\"\ninbox: \"inbox\"\npoll_interval: \"1h\"\n");
    // A big report first (older), a small one after it.
    constexpr int kBig = 150000;
    drop(dir.path(), "big.txt", orders(0, kBig, 0), std::chrono::minutes(10));
    drop(dir.path(), "later.txt", orders(50000000, 20, 0), std::chrono::minutes(5));
    const auto err = dir / "run.err";
    child_process daemon({"run", "--config", config.string()}, dir / "run.out", err);
    ASSERT_TRUE(eventually([&] { return log_has(err, "importing: big.txt"); })) << read_file(err);
    ASSERT_TRUE(stops_cleanly(daemon, err));
    // Stopped between files: the cycle ended without evaluating half the data.
    EXPECT_FALSE(log_has(err, "cycle: ")) << read_file(err);
    EXPECT_TRUE(log_has(err, "cycle stopped: 1 imported; 1 file(s) left in the inbox") ||
                log_has(err, "cycle stopped: 2 imported; 0 file(s) left"))
        << read_file(err);

    SQLite::Database db((dir / "state.sqlite").string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
    // The file in progress when the signal came finished whole.
    EXPECT_TRUE(fs::exists(dir / "inbox" / "archive" / "big.txt")) << read_file(err);
    SQLite::Statement big(db, "SELECT order_count FROM imports WHERE file_name LIKE '%big.txt'");
    ASSERT_TRUE(big.executeStep()) << read_file(err);
    EXPECT_EQ(big.getColumn(0).getInt(), kBig);
    // The next one is either imported whole and archived, or untouched in the
    // inbox for the next start; never half of it.
    SQLite::Statement later(db, "SELECT COUNT(*) FROM orders WHERE order_id LIKE '111-1000005-%'");
    ASSERT_TRUE(later.executeStep());
    const int later_orders = later.getColumn(0).getInt();
    if (fs::exists(dir / "inbox" / "later.txt")) {
        EXPECT_EQ(later_orders, 0);
    } else {
        EXPECT_TRUE(fs::exists(dir / "inbox" / "archive" / "later.txt"));
        EXPECT_EQ(later_orders, 20);
    }
    EXPECT_EQ(count_rows(db, "orders"), kBig + later_orders);
    EXPECT_TRUE(log_has(err, "stopping on signal 15"));
}

// A receiver that never answers while the daemon stops: the send in flight
// gets its grace period, then the daemon exits 0 anyway and the notification
// stays owed in the outbox (claimed, not delivered, not given up).
TEST(DaemonService, SigtermWithADeliveryInFlightExitsAfterTheGraceAndKeepsItOwed) {
    http_test_server receiver;
    receiver.set_default(scripted_response::hang_forever());
    temp_dir dir;
    fs::create_directories(dir / "inbox");
    const auto config = dir / "config.yaml";
    write_file(config,
               "database: \"state.sqlite\"\ninbox: \"inbox\"\npoll_interval: \"1h\"\n"
               "alerts:\n  channels:\n    - name: hook\n      type: webhook\n"
               "      url: \"" +
                   receiver.url("/alerts") + "\"\n      timeout: 5m\n");
    const auto err = dir / "run.err";
    child_process daemon({"run", "--config", config.string()}, dir / "run.out", err);
    ASSERT_TRUE(eventually([&] { return log_has(err, "watching"); })) << read_file(err);
    drop(dir.path(), "orders.txt", orders(0, 50, 5), std::chrono::minutes(5));
    ASSERT_TRUE(eventually([&] { return receiver.request_count() >= 1; })) << read_file(err);

    ASSERT_TRUE(stops_cleanly(daemon, err));
    EXPECT_TRUE(log_has(err, "a delivery was still in flight after 10 s")) << read_file(err);

    SQLite::Database db((dir / "state.sqlite").string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND dead_at "
                            "IS NULL")
                  .getInt(),
              1);
}

// A reload moves the endpoint: to another port, to another spelling of the
// same port, and off.
TEST(DaemonService, AReloadMovesTheEndpoint) {
    temp_dir dir;
    fs::create_directories(dir / "inbox");
    const auto config = dir / "config.yaml";
    const auto err = dir / "run.err";
    unsigned short first_port = 0;
    auto started = start_with_endpoint(config, dir / "run.out", err, first_port);
    ASSERT_TRUE(started) << read_file(err);
    child_process& daemon = *started;
    ASSERT_TRUE(eventually([&] { return get(first_port, "/healthz").status == 200; }));

    const unsigned short second_port = free_port();
    write_file(config, config_text(second_port));
    daemon.signal(SIGHUP);
    ASSERT_TRUE(eventually([&] { return get(second_port, "/healthz").status == 200; }))
        << read_file(err);
    EXPECT_EQ(get(first_port, "/healthz").status, 0) << "the old address is closed";

    // The same port written another way: the old socket closes first.
    write_file(config,
               "database: \"state.sqlite\"\ninbox: \"inbox\"\npoll_interval: \"1h\"\n"
               "http:\n  listen: \"localhost:" +
                   std::to_string(second_port) + "\"\n");
    daemon.signal(SIGHUP);
    ASSERT_TRUE(eventually([&] {
        return log_has(err, "reload: http endpoint on localhost:" + std::to_string(second_port));
    })) << read_file(err);
    EXPECT_EQ(get(second_port, "/healthz").status, 200);

    write_file(config, "database: \"state.sqlite\"\ninbox: \"inbox\"\npoll_interval: \"1h\"\n");
    daemon.signal(SIGHUP);
    ASSERT_TRUE(eventually([&] { return log_has(err, "reload: http endpoint closed"); }))
        << read_file(err);
    EXPECT_EQ(get(second_port, "/healthz").status, 0);
    ASSERT_TRUE(stops_cleanly(daemon, err));
}

// The inbox as a trust boundary, end to end: a file there at start and one
// renamed in are imported without a settle wait of seconds per file (the
// timeout is only a generous bound on a shared machine, not the measure), a
// symbolic link is listed by /healthz and warned about once, and a daemon
// whose archive/ is a link refuses to start.
TEST(DaemonService, TheInboxTakesSettledFilesAndListsWhatItWillNotRead) {
    temp_dir dir;
    fs::create_directories(dir / "inbox");
    write_file(dir / "secret.txt", "only the service may read this\n");
    fs::create_symlink(dir / "secret.txt", dir / "inbox" / "link\x1b.txt");
    // Present before the start: no inotify event will ever name it.
    write_file(dir / "inbox" / "early.txt", orders(0, 10, 0));
    const auto config = dir / "config.yaml";
    const auto err = dir / "run.err";
    unsigned short port = 0;
    auto started = start_with_endpoint(config, dir / "run.out", err, port);
    ASSERT_TRUE(started) << read_file(err);
    child_process& daemon = *started;

    ASSERT_TRUE(eventually([&] { return fs::exists(dir / "inbox" / "archive" / "early.txt"); }))
        << read_file(err);
    drop(dir.path(), "later.txt", orders(100, 10, 0), std::chrono::minutes(0));
    ASSERT_TRUE(eventually([&] { return fs::exists(dir / "inbox" / "archive" / "later.txt"); }))
        << read_file(err);

    nlohmann::json health;
    ASSERT_TRUE(eventually([&] {
        const auto r = get(port, "/healthz?format=json");
        if (r.status != 200)
            return false;
        health = nlohmann::json::parse(r.body);
        return health.at("inbox_unreadable").at("count") == 1;
    })) << read_file(err);
    EXPECT_EQ(health.at("inbox_unreadable").at("files").at(0).at("name"), "link\\x1b.txt");
    EXPECT_TRUE(fs::is_symlink(dir / "inbox" / "link\x1b.txt"));
    const std::string log = read_file(err);
    EXPECT_EQ(log.find('\x1b'), std::string::npos);
    const auto first = log.find("not reading link\\x1b.txt");
    ASSERT_NE(first, std::string::npos) << log;
    EXPECT_EQ(log.find("not reading link", first + 1), std::string::npos) << log;
    EXPECT_EQ(log.find("only the service"), std::string::npos);
    ASSERT_TRUE(stops_cleanly(daemon, err));
}

TEST(DaemonService, RefusesToStartWhenArchiveIsALink) {
    temp_dir dir;
    fs::create_directories(dir / "inbox");
    fs::create_directories(dir / "elsewhere");
    fs::create_symlink(dir / "elsewhere", dir / "inbox" / "archive");
    write_file(dir / "config.yaml", config_text(free_port()));
    const auto daemon = run_binary({"run", "--config", (dir / "config.yaml").string()});
    EXPECT_EQ(daemon.exit_code, 1) << daemon.err;
    EXPECT_NE(daemon.err.find("archive is a symbolic link"), std::string::npos) << daemon.err;
    const auto once = run_binary({"run", "--once", "--config", (dir / "config.yaml").string()});
    EXPECT_EQ(once.exit_code, 1) << once.err;
    EXPECT_NE(once.err.find("archive is a symbolic link"), std::string::npos) << once.err;
}

}  // namespace
}  // namespace shd::test
