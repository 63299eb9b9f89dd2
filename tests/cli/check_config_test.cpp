// `seller-healthd check-config`, run as a child process: exit codes, the
// effective configuration on stdout, positioned errors on stderr.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.hpp"

namespace shd {
namespace {

const std::filesystem::path kExample =
    std::filesystem::path(SHD_SOURCE_DIR) / "config/seller-healthd.yaml";

test::process_result check(const std::filesystem::path& config) {
    return test::run_binary({"check-config", "--config", config.string()});
}

TEST(CheckConfig, ShippedExamplePrintsTheEffectiveConfig) {
    const auto r = check(kExample);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    for (const char* line :
         {"account: seller-healthd\n",
          "database: \"/var/lib/seller-healthd/seller-healthd.sqlite\"\n",
          "inbox: \"/var/lib/seller-healthd/inbox\"\n", "default_marketplace: ATVPDKIKX0DER\n",
          "poll_interval: 1m\n", "reconcile_tolerance: 0.005\n", "log_level: info\n",
          "  late_dispatch_rate:\n    target: 0.04\n    warn: 0.03\n    windows: [10, 30]\n"
          "    lag_days: 0\n    min_orders: 100\n",
          "  order_defect_rate:\n    target: 0.01\n    warn: 0.0075\n    windows: [60]\n"
          "    lag_days: 14\n",
          "marketplaces: {}\n"}) {
        EXPECT_NE(r.out.find(line), std::string::npos) << line << "\nin:\n" << r.out;
    }
    EXPECT_EQ(r.out.find('#'), std::string::npos) << "comments in the effective config";
}

TEST(CheckConfig, OutputIsItselfAValidConfig) {
    const auto first = check(kExample);
    ASSERT_EQ(first.exit_code, 0) << first.err;
    test::temp_dir dir;
    test::write_file(dir / "effective.yaml", first.out);
    const auto second = check(dir / "effective.yaml");
    EXPECT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(second.out, first.out);
}

TEST(CheckConfig, RelativePathsArePrintedResolved) {
    test::temp_dir dir;
    test::write_file(dir / "conf/shd.yaml", "database: \"x.sqlite\"\n");
    const auto r = test::run_binary({"check-config", "--config", "conf/shd.yaml"}, dir.path());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("database: \"" + (dir.path() / "conf/x.sqlite").string() + "\"\n"),
              std::string::npos)
        << r.out;
}

TEST(CheckConfig, MisspeltKeyExitsTwoWithPosition) {
    test::temp_dir dir;
    const auto path = dir / "bad.yaml";
    test::write_file(path, "metrics:\n  late_dispatch_rate:\n    tagret: 0.04\n");
    const auto r = check(path);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "seller-healthd: " + path.string() +
                         ":3:5: metrics.late_dispatch_rate.tagret: unknown key 'tagret'; did you "
                         "mean 'target'?\n");
}

TEST(CheckConfig, DuplicateKeyExitsTwoWithPosition) {
    test::temp_dir dir;
    const auto path = dir / "dup.yaml";
    test::write_file(path, "account: \"Acme\"\npoll_interval: 5m\naccount: \"Other\"\n");
    const auto r = check(path);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(path.string() +
                         ":3:1: account: duplicate key 'account' (first at line 1, column 1)"),
              std::string::npos)
        << r.err;
}

TEST(CheckConfig, WarnAboveTargetExitsTwoWithPosition) {
    test::temp_dir dir;
    const auto path = dir / "warn.yaml";
    test::write_file(path, "metrics:\n  late_dispatch_rate:\n    target: 0.04\n    warn: 0.05\n");
    const auto r = check(path);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(path.string() +
                         ":4:11: metrics.late_dispatch_rate.warn: warn 0.05 is above target "
                         "0.04; for late_dispatch_rate warn must be below target"),
              std::string::npos)
        << r.err;
}

TEST(CheckConfig, MissingFileExitsTwo) {
    test::temp_dir dir;
    const auto path = dir / "absent.yaml";
    const auto r = check(path);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(path.string() + ":0:0: cannot open the configuration file"),
              std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace shd
