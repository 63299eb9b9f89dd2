// The dashboard in a real browser: headless Chromium loads the page from a
// file, and the DOM it builds must hold every chart with its warn line, target
// line and series; a screenshot must come out as a PNG. Chromium is a test
// dependency (scripts/install-deps.sh): without it the test fails, it does
// not skip. Each run has a fresh profile and is bounded by `timeout 180` (a loaded CI machine is slow).
//
// To refresh docs/dashboard.png:
//   SHD_DASHBOARD_SCREENSHOT=$PWD/docs/dashboard.png build/tests/web_tests
//   --gtest_filter='DashboardBrowser.*'
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "support/test_support.hpp"
#include "web/dashboard.hpp"
#include "web_fixture.hpp"
#include "web_process.hpp"

namespace shd::web {
namespace {

using namespace shd::web::test;
namespace fs = std::filesystem;

// Debian installs the browser as /usr/bin/chromium.
std::string find_chromium() {
    for (const char* candidate : {"/usr/bin/chromium", "/usr/local/bin/chromium"}) {
        if (::access(candidate, X_OK) == 0)
            return candidate;
    }
    return {};
}

// The fixed part of every run: no sandbox (tests run as root in CI
// containers), no GPU, and nothing that would talk to the network.
std::string chromium_command(const std::string& chromium, const fs::path& profile) {
    return fmt::format(
        "timeout 180 {} --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync "
        "--disable-dev-shm-usage --user-data-dir={}",
        shell_quote(chromium), shell_quote(profile.string()));
}

class DashboardBrowser : public ::testing::Test {
  protected:
    void SetUp() override {
        chromium_ = find_chromium();
        ASSERT_FALSE(chromium_.empty())
            << "chromium is not installed: run scripts/install-deps.sh as root (Debian package "
               "chromium)";
        snapshot_ = realistic_snapshot();
        page_ = dir_ / "dashboard.html";
        shd::test::write_file(page_, render_dashboard(snapshot_, snapshot_.evaluation->as_of +
                                                                     std::chrono::minutes(3)));
    }

    command_result run(const std::string& args, const std::string& profile_name) {
        const fs::path profile = dir_ / profile_name;
        fs::create_directories(profile);
        return run_shell(chromium_command(chromium_, profile) + " " + args, dir_.path());
    }

    std::string file_url() const { return "file://" + page_.string(); }

    shd::test::temp_dir dir_;
    std::string chromium_;
    snapshot snapshot_;
    fs::path page_;
};

// The <svg ...>...</svg> elements of a serialized DOM whose class is chart.
std::vector<std::string> chart_elements(const std::string& dom) {
    std::vector<std::string> out;
    for (auto open = dom.find("<svg"); open != std::string::npos;
         open = dom.find("<svg", open + 1)) {
        const std::string tag = dom.substr(open, dom.find('>', open) - open);
        if (tag.find(" class=\"chart\"") == std::string::npos)
            continue;
        const auto close = dom.find("</svg>", open);
        out.push_back(
            dom.substr(open, close == std::string::npos ? std::string::npos : close + 6 - open));
    }
    return out;
}

TEST_F(DashboardBrowser, DomHoldsEveryChartWithItsLinesAndSeries) {
    const auto r = run("--dump-dom " + shell_quote(file_url()), "profile-dom");
    ASSERT_EQ(r.exit_code, 0) << "chromium failed (124 is the timeout):\n" << r.err;
    const std::string& dom = r.out;
    ASSERT_THAT(dom, ::testing::HasSubstr("<h1>Northwind Outdoor Ltd</h1>")) << dom.substr(0, 2000);
    const auto charts = chart_elements(dom);
    ASSERT_EQ(charts.size(), snapshot_.evaluation->metrics.size());
    ASSERT_EQ(charts.size(), 18u);
    for (std::size_t i = 0; i < charts.size(); ++i) {
        EXPECT_THAT(charts[i], ::testing::HasSubstr("class=\"warn-line\"")) << i;
        EXPECT_THAT(charts[i], ::testing::HasSubstr("class=\"target-line\"")) << i;
        EXPECT_THAT(charts[i], ::testing::HasSubstr("<polyline class=\"series\"")) << i;
        EXPECT_THAT(charts[i], ::testing::HasSubstr("<title>")) << i;
    }
    // The browser built no script element (the CSP forbids them anyway).
    EXPECT_EQ(dom.find("<script"), std::string::npos);
}

TEST_F(DashboardBrowser, ScreenshotIsAPng) {
    const fs::path png = dir_ / "dashboard.png";
    const auto r = run(fmt::format("--hide-scrollbars --window-size=1280,2400 --screenshot={} {}",
                                   shell_quote(png.string()), shell_quote(file_url())),
                       "profile-shot");
    ASSERT_EQ(r.exit_code, 0) << "chromium failed (124 is the timeout):\n" << r.err;
    ASSERT_TRUE(fs::exists(png)) << r.err;
    const std::string bytes = shd::test::read_file(png);
    ASSERT_GE(bytes.size(), 8u);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    // A blank 1280x2400 page compresses to a few kB; cards, text and charts
    // take far more.
    EXPECT_GT(bytes.size(), 100u * 1024) << "suspiciously small screenshot";
    EXPECT_LT(bytes.size(), 20u * 1024 * 1024);
    // Width and height from the IHDR chunk (big-endian, bytes 16..23).
    const auto be32 = [&](std::size_t at) {
        return (static_cast<unsigned>(static_cast<unsigned char>(bytes[at])) << 24) |
               (static_cast<unsigned>(static_cast<unsigned char>(bytes[at + 1])) << 16) |
               (static_cast<unsigned>(static_cast<unsigned char>(bytes[at + 2])) << 8) |
               static_cast<unsigned>(static_cast<unsigned char>(bytes[at + 3]));
    };
    EXPECT_EQ(bytes.substr(12, 4), "IHDR");
    EXPECT_EQ(be32(16), 1280u);
    EXPECT_EQ(be32(20), 2400u);

    if (const char* keep = std::getenv("SHD_DASHBOARD_SCREENSHOT"))
        fs::copy_file(png, keep, fs::copy_options::overwrite_existing);
}

}  // namespace
}  // namespace shd::web
