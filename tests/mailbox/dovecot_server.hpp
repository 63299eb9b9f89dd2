// A real Dovecot IMAP server for the mailbox tests: started on 127.0.0.1 on
// free ports with a generated configuration, TLS from a test CA
// (support/test_pki), one passwd-file user, Maildir storage in a temporary
// folder; stopped with the test. Messages are placed with IMAP APPEND
// through libcurl. Tests skip when dovecot is not installed.
#pragma once

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

#include "support/test_pki.hpp"
#include "support/test_support.hpp"

namespace shd::mailbox::test {

inline constexpr const char* kDovecot = "/usr/sbin/dovecot";

inline int free_port() {
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

inline bool port_open(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

class dovecot_server {
  public:
    static constexpr const char* kUser = "shop";
    static constexpr const char* kPassword = "s3cret-imap";

    dovecot_server() : ca_("seller-healthd test CA") {
        const auto dir = tmp_.path();
        const auto leaf = ca_.issue({{"localhost"}, {"127.0.0.1"}});
        shd::test::write_file(dir / "cert.pem", leaf.cert_pem);
        shd::test::write_file(dir / "key.pem", leaf.key_pem);
        std::filesystem::permissions(dir / "key.pem", std::filesystem::perms::owner_read |
                                                          std::filesystem::perms::owner_write);
        ca_file_ = ca_.write_cert(dir / "ca.pem");
        shd::test::write_file(dir / "passwd",
                              fmt::format("{}:{{PLAIN}}{}::::::\n", kUser, kPassword));
        std::filesystem::create_directories(dir / "run");
        std::filesystem::create_directories(dir / "home");
        // Dovecot refuses to give mail to root: as root, the mail belongs to nobody.
        const bool root = ::geteuid() == 0;
        const uid_t uid = root ? 65534 : ::geteuid();
        const gid_t gid = root ? 65534 : ::getegid();
        const passwd* me = ::getpwuid(::geteuid());
        const std::string self = me ? me->pw_name : "root";
        if (root) {
            // nobody must reach home/ through the private temporary folder.
            ::chown(dir.c_str(), uid, gid);
            ::chown((dir / "home").c_str(), uid, gid);
        }
        imaps_port_ = free_port();
        imap_port_ = free_port();
        shd::test::write_file(
            dir / "dovecot.conf",
            fmt::format(R"(protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/run/state
default_login_user = {login}
default_internal_user = {self}
default_internal_group = {group}
first_valid_uid = 0
ssl = required
ssl_cert = <{dir}/cert.pem
ssl_key = <{dir}/key.pem
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
log_path = {dir}/dovecot.log
)",
                        fmt::arg("dir", dir.string()), fmt::arg("login", root ? "nobody" : self),
                        fmt::arg("self", self), fmt::arg("group", root ? "root" : self),
                        fmt::arg("uid", uid), fmt::arg("gid", gid), fmt::arg("imap", imap_port_),
                        fmt::arg("imaps", imaps_port_)));
        start();
    }

    ~dovecot_server() { stop(); }

    void start() {
        pid_ = ::fork();
        if (pid_ == 0) {
            const std::string conf = (tmp_.path() / "dovecot.conf").string();
            ::execl(kDovecot, kDovecot, "-F", "-c", conf.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        for (int i = 0; i < 200 && !(port_open(imaps_port_) && port_open(imap_port_)); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        if (!port_open(imaps_port_))
            throw std::runtime_error("dovecot did not start: " + log());
    }

    void stop() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
        }
        for (int i = 0; i < 200 && port_open(imaps_port_); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }

    std::string log() const {
        std::error_code ec;
        if (!std::filesystem::exists(tmp_.path() / "dovecot.log", ec))
            return "(no log)";
        return shd::test::read_file(tmp_.path() / "dovecot.log");
    }

    int imaps_port() const { return imaps_port_; }
    int imap_port() const { return imap_port_; }
    const std::filesystem::path& ca_file() const { return ca_file_; }
    std::string imaps_url() const { return fmt::format("imaps://127.0.0.1:{}", imaps_port_); }

    // A command as the mail client would send it (CREATE, DELETE), or an
    // APPEND of `message` to `folder`.
    void command(const std::string& text) { curl_do(imaps_url() + "/", text, nullptr); }
    void append(const std::string& folder, const std::string& message) {
        std::string path;
        for (const char c : folder)
            path += c == ' ' ? std::string("%20") : std::string(1, c);
        curl_do(imaps_url() + "/" + path, "", &message);
    }

  private:
    struct upload {
        const std::string* text;
        std::size_t offset = 0;
    };
    static std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* p) {
        auto* u = static_cast<upload*>(p);
        const std::size_t n = std::min(size * count, u->text->size() - u->offset);
        std::copy_n(u->text->data() + u->offset, n, buffer);
        u->offset += n;
        return n;
    }
    static std::size_t ignore(char*, std::size_t size, std::size_t count, void*) {
        return size * count;
    }

    void curl_do(const std::string& url, const std::string& custom, const std::string* message) {
        CURL* c = curl_easy_init();
        upload u{message};
        curl_easy_setopt(c, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c, CURLOPT_USERNAME, kUser);
        curl_easy_setopt(c, CURLOPT_PASSWORD, kPassword);
        curl_easy_setopt(c, CURLOPT_CAINFO, ca_file_.c_str());
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &ignore);
        if (message) {
            curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(c, CURLOPT_READFUNCTION, &read_upload);
            curl_easy_setopt(c, CURLOPT_READDATA, &u);
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message->size()));
        } else {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, custom.c_str());
        }
        const CURLcode rc = curl_easy_perform(c);
        curl_easy_cleanup(c);
        if (rc != CURLE_OK)
            throw std::runtime_error(fmt::format("IMAP {} on {} failed: {}; the server's log:\n{}",
                                                 message ? "APPEND" : custom, url,
                                                 curl_easy_strerror(rc), log()));
    }

    shd::test::temp_dir tmp_;
    shd::test::test_ca ca_;
    std::filesystem::path ca_file_;
    int imaps_port_ = 0;
    int imap_port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace shd::mailbox::test
