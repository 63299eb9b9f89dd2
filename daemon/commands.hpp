// The subcommands of the seller-healthd binary. Each returns the process exit
// code (docs/cli.md): 0 ok, 1 runtime failure or rejected input, 2 bad usage
// or bad configuration. They are thin: all logic lives in lib/.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace shd::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

inline constexpr const char* kDefaultConfigPath = "/etc/seller-healthd/seller-healthd.yaml";

inline constexpr const char* kDefaultConfigDir = "/etc/seller-healthd";

struct global_options {
    std::string config_path = kDefaultConfigPath;
};

struct status_options {
    std::optional<std::string> at;
    bool json = false;
    bool all = false;    // every *.yaml in config_dir
    bool check = false;  // monitoring-plugin line and exit code
    std::string config_dir = kDefaultConfigDir;
};

struct check_db_options {
    std::vector<std::string> at;  // evaluation times to compare; none: now
    bool json = false;
    bool repair = false;
};

struct backfill_options {
    int days = 90;
    std::optional<std::string> at;  // end of the range (default: now)
    bool replace = false;           // re-evaluate hours that already hold a point
    bool json = false;
};

struct messages_list_options {
    std::optional<std::string> at;
    bool pending = false;  // only messages waiting for a reply (pending or missed)
    bool json = false;
};

// `silence add|list|expire` and `ack` (cmd_silence.cpp). `at` is the time
// they act at (default: now); `author` defaults to the user running them.
struct silence_add_options {
    std::string match;                 // "marketplace=A1F83G8C2ARO7P,metric=late_dispatch_rate"
    std::string duration;              // --for: "4h"
    std::optional<std::string> start;  // ISO-8601; default: at
    std::string comment;
    std::optional<std::string> author;
    std::optional<std::string> at;
    bool json = false;
};

struct silence_list_options {
    std::optional<std::string> at;
    bool all = false;  // expired ones too
    bool json = false;
};

struct silence_expire_options {
    long long id = 0;
    std::optional<std::string> at;
};

struct ack_options {
    std::string alert;  // a fingerprint, or the start of one
    std::string comment;
    std::optional<std::string> author;
    std::optional<std::string> at;
    bool json = false;
};

int silence_add(const global_options& g, const silence_add_options& o);
int silence_list(const global_options& g, const silence_list_options& o);
// Exit 1 for an unknown ID; 0 when it had already ended.
int silence_expire(const global_options& g, const silence_expire_options& o);
// Exit 1, changing nothing, unless ALERT names exactly one firing alert.
int ack(const global_options& g, const ack_options& o);

int check_config(const global_options& g, bool json);
// Exit 0 no drift, 1 drift found (also after --repair: it reports what it found).
int check_db(const global_options& g, const check_db_options& o);
int import_files(const global_options& g, const std::vector<std::string>& files, bool json);
// `status --check` exits 0-3 as a monitoring plugin does, whatever went wrong.
int status(const global_options& g, const status_options& o);
int run(const global_options& g, bool once, const std::optional<std::string>& at);
// Stored history for the past hours (metrics/backfill.hpp); nothing sent.
int backfill(const global_options& g, const backfill_options& o);
// `sp-api check`: a token and getMarketplaceParticipations, with a diagnosis.
int sp_api_check(const global_options& g, bool json);
int test_alert(const global_options& g, const std::optional<std::string>& channel, bool json);
// `fetch --source NAME`: read one source now (cmd_fetch.cpp).
int fetch(const global_options& g, const std::string& source, bool json);
int messages_list(const global_options& g, const messages_list_options& o);
// Exit 1, changing nothing, when any ID is not a stored message.
int messages_no_response_needed(const global_options& g, const std::vector<std::string>& ids,
                                bool undo);

}  // namespace shd::cli
