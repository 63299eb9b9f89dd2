// The daemon holds its database (an flock on <database>.lock): `run --once
// --at` with a time ahead of the clock is refused while it runs, since the
// replay would store times the daemon's clock has not reached; a past --at
// goes ahead; once the daemon is gone, a future --at is the user's business.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <string>

#include "core/time.hpp"
#include "ingest/import_test_support.hpp"
#include "support/test_support.hpp"

namespace shd::test {
namespace {

std::string iso_from_now(std::chrono::seconds offset) {
    return format_iso8601(
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()) +
        offset);
}

TEST(InstanceLock, AFutureReplayIsRefusedWhileTheDaemonRuns) {
    temp_dir dir;
    const auto config = dir / "config.yaml";
    write_file(config, "database: \"state.sqlite\"\ninbox: \"inbox\"\npoll_interval: \"1h\"\n");
    const auto err = dir / "run.err";
    auto once = [&](const std::string& at) {
        return run_binary({"run", "--once", "--at", at, "--config", config.string()});
    };
    {
        child_process daemon({"run", "--config", config.string()}, dir / "run.out", err);
        ASSERT_TRUE(eventually([&] {
            return std::filesystem::exists(err) &&
                   read_file(err).find("watching") != std::string::npos;
        })) << read_file(err);

        const auto ahead = once(iso_from_now(std::chrono::hours(24)));
        EXPECT_EQ(ahead.exit_code, 2) << ahead.err;
        EXPECT_NE(ahead.err.find("in the future"), std::string::npos) << ahead.err;
        EXPECT_NE(ahead.err.find("holds"), std::string::npos) << ahead.err;

        const auto past = once(iso_from_now(-std::chrono::hours(1)));
        EXPECT_EQ(past.exit_code, 0) << past.err;

        // A second daemon waits for the first rather than running beside it.
        child_process second({"run", "--config", config.string()}, dir / "second.out",
                             dir / "second.err");
        ASSERT_TRUE(eventually([&] {
            return std::filesystem::exists(dir / "second.err") &&
                   read_file(dir / "second.err").find("waiting for it") != std::string::npos;
        }));
        EXPECT_EQ(read_file(dir / "second.err").find("watching"), std::string::npos);
        second.signal(SIGKILL);
        second.wait();

        daemon.signal(SIGTERM);
        const int status = daemon.wait();
        ASSERT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 0) << read_file(err);
    }
    const auto alone = once(iso_from_now(std::chrono::hours(24)));
    EXPECT_EQ(alone.exit_code, 0) << alone.err;
}

}  // namespace
}  // namespace shd::test
