// The dashboard in a real browser: headless Chromium loads the page from a
// file, and the DOM it builds must hold every chart with its warn line, target
// line and series; a screenshot must come out as a PNG. Laid out at 390 px (a
// phone) and 1280 px wide, in the light and the dark scheme, the page must
// show what needs attention first, keep every text at 11 px or more and
// never scroll sideways. Chromium is a test
// dependency (scripts/install-deps.sh): without it the test fails, it does
// not skip. Each run has a fresh profile and is bounded by `timeout 180` (a loaded CI machine is
// slow).
//
// To refresh docs/dashboard.png and docs/dashboard-phone.png:
//   SHD_DASHBOARD_SCREENSHOT=$PWD/docs/dashboard.png
//   SHD_DASHBOARD_PHONE_SCREENSHOT=$PWD/docs/dashboard-phone.png build/tests/web_tests
//   --gtest_filter='DashboardBrowser.*'
// (SHD_DASHBOARD_PAGE=FILE keeps the page itself, to look at in a browser.)
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "web/dashboard.hpp"
#include "web/escape.hpp"
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
        // A breached row (UK cancellations), an at-risk one (US late
        // dispatch), OK ones, a missed and a coming order, a missed and a
        // waiting buyer message.
        auto& us = snapshot_.evaluation->upcoming[1];
        us.unanswered_messages.insert(us.unanswered_messages.begin(),
                                      {"MSG-70001", "", snapshot_.evaluation->as_of - hours(30),
                                       snapshot_.evaluation->as_of - hours(6), true});
        // The tables a phone must wrap: feeds and buyer-message service.
        auto& e = *snapshot_.evaluation;
        metrics::feed_freshness feed;
        feed.feed = "account_health";
        feed.words = "Amazon's account-health report";
        feed.max_age = hours(36);
        feed.last_import_at = e.as_of - hours(50);
        feed.newest_data_at = e.as_of - hours(52);
        feed.stale = true;
        e.feeds = {feed};
        for (const char* id : {kUK, kUS}) {
            metrics::message_service_row m;
            m.marketplace_id = id;
            m.window_days = 30;
            m.window = {e.as_of - days(30), e.as_of};
            m.messages = 171;
            m.replied = 168;
            m.first_response_median_seconds = 3 * 3600 + 20 * 60;
            m.first_response_p90_seconds = 20 * 3600;
            m.waiting = 3;
            m.waiting_overdue = 1;
            m.oldest_waiting_received_at = e.as_of - hours(30);
            m.oldest_waiting_message_id = "A2Z9XK3LQ8M7W4-20260228-0600-7F3C";
            e.message_service.push_back(m);
        }
        page_html_ =
            render_dashboard(snapshot_, snapshot_.evaluation->as_of + std::chrono::minutes(3));
        page_ = dir_ / "dashboard.html";
        shd::test::write_file(page_, page_html_);
        if (const char* keep = std::getenv("SHD_DASHBOARD_PAGE"))
            shd::test::write_file(keep, page_html_);
    }

    command_result run(const std::string& args, const std::string& profile_name) {
        const fs::path profile = dir_ / profile_name;
        fs::create_directories(profile);
        return run_shell(chromium_command(chromium_, profile) + " " + args, dir_.path());
    }

    std::string file_url() const { return "file://" + page_.string(); }

    // What the probe measured in the page laid out `width` x `height`
    // (extra: more Chromium switches, the dark scheme).
    nlohmann::json measure(int width, int height, const std::string& extra = {});

    shd::test::temp_dir dir_;
    std::string chromium_;
    snapshot snapshot_;
    std::string page_html_;
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

// Headless Chromium lays out --dump-dom at its default window whatever
// --window-size says, so the page goes into an iframe of the width under
// test (its own viewport: media queries, vw and innerWidth follow it). The
// page is the served one, CSP and all, through srcdoc (same origin as the
// wrapper); the wrapper's script reads the laid-out page after it loaded and
// writes the facts as JSON into <pre id="results">.
constexpr std::string_view kProbe = R"js(
window.addEventListener('load', function () {
  var out = {};
  try {
    var w = document.getElementById('page').contentWindow, d = w.document;
    var top = function (el) { return el ? el.getBoundingClientRect().top + w.scrollY : -1; };
    var bottom = function (el) { return el ? el.getBoundingClientRect().bottom + w.scrollY : -1; };
    out.innerWidth = w.innerWidth;
    out.innerHeight = w.innerHeight;
    out.prefersDark = w.matchMedia('(prefers-color-scheme: dark)').matches;
    var body = w.getComputedStyle(d.body);
    out.bodyBackground = body.backgroundColor;
    out.bodyColor = body.color;
    var card = d.querySelector('.card');
    out.cardBackground = card ? w.getComputedStyle(card).backgroundColor : '';
    var axis = d.querySelector('svg.chart .y-axis text');
    out.chartTextFill = axis ? w.getComputedStyle(axis).fill : '';
    var attention = d.getElementById('attention');
    out.attentionTop = top(attention);
    out.attentionBottom = bottom(attention);
    var first = function (sel) { return d.querySelector('#attention ' + sel); };
    out.breachedTop = top(first('li[data-status=breached]'));
    out.breachedBottom = bottom(first('li[data-status=breached]'));
    out.atRiskTop = top(first('li[data-status=at_risk]'));
    out.missedTop = top(first('li[data-missed=true]'));
    out.comingTop = top(first('li[data-missed=false]'));
    var ok = d.querySelectorAll('details.row-ok');
    out.okRows = ok.length;
    out.firstOkTop = -1;
    out.okSummaryMaxHeight = 0;
    out.okSummaryLineHeight = 0;
    ok.forEach(function (e) {
      var t = top(e);
      if (out.firstOkTop < 0 || t < out.firstOkTop) out.firstOkTop = t;
      var s = e.querySelector('summary');
      out.okSummaryMaxHeight = Math.max(out.okSummaryMaxHeight, s.getBoundingClientRect().height);
      out.okSummaryLineHeight = parseFloat(w.getComputedStyle(s).lineHeight);
    });
    var firstSvg = d.querySelector('svg');
    out.firstChartTop = top(firstSvg);
    // Sideways: the document, and every element's right edge.
    var overflow = function () {
      var o = { scrollWidth: d.documentElement.scrollWidth, clientWidth: d.documentElement.clientWidth, past: 0, first: '' };
      d.body.querySelectorAll('*').forEach(function (el) {
        var r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > o.clientWidth + 1) {
          if (!o.first) o.first = el.tagName + '.' + el.getAttribute('class') + ' right ' + r.right;
          ++o.past;
        }
      });
      var wide = 0;
      d.querySelectorAll('table').forEach(function (t) {
        wide = Math.max(wide, t.getBoundingClientRect().width - t.parentElement.clientWidth);
      });
      o.tableExcess = wide;
      o.tables = d.querySelectorAll('table').length;
      return o;
    };
    out.closed = overflow();
    // Open every OK row: its figures and chart must fit and be readable too.
    d.querySelectorAll('details').forEach(function (e) { e.open = true; });
    out.opened = overflow();
    // The smallest text as drawn: CSS px, times the chart's scale in an SVG.
    out.minFont = 1000;
    out.minFontText = '';
    out.texts = 0;
    out.unrendered = 0;
    var walk = d.createTreeWalker(d.body, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) {
      var node = walk.currentNode, el = node.parentElement;
      if (!node.nodeValue.trim() || !el || el.closest('title, style')) continue;
      if (el.getClientRects().length === 0) { ++out.unrendered; continue; }
      var size = parseFloat(w.getComputedStyle(el).fontSize);
      var svg = el.closest('svg');
      if (svg) size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      ++out.texts;
      if (size < out.minFont) {
        out.minFont = size;
        out.minFontText = el.tagName + '.' + el.getAttribute('class') + ': ' + node.nodeValue.trim().slice(0, 40);
      }
    }
  } catch (e) {
    out.error = String(e);
  }
  document.getElementById('results').textContent = JSON.stringify(out);
});
)js";

std::string text_unescape(std::string s) {
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"&lt;", "<"},
                                   {"&gt;", ">"},
                                   {"&quot;", "\""},
                                   {"&nbsp;", " "},
                                   {"&amp;", "&"}}) {
        for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
            s.replace(at, from.size(), to);
    }
    return s;
}

nlohmann::json DashboardBrowser::measure(int width, int height, const std::string& extra) {
    const fs::path probe = dir_ / fmt::format("probe-{}{}.html", width, extra.empty() ? "" : "-x");
    shd::test::write_file(
        probe, fmt::format("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>"
                           "<body style=\"margin:0\"><iframe id=\"page\" style=\"border:0;"
                           "width:{}px;height:{}px\" srcdoc=\"{}\"></iframe><pre id=\"results\">"
                           "</pre><script>{}</script></body></html>\n",
                           width, height, html_escape(page_html_), kProbe));
    const auto r = run(fmt::format("--window-size={},{} {} --dump-dom {}", width, height, extra,
                                   shell_quote("file://" + probe.string())),
                       fmt::format("profile-probe-{}-{}", width, extra.empty() ? "plain" : "x"));
    EXPECT_EQ(r.exit_code, 0) << "chromium failed (124 is the timeout):\n" << r.err;
    const std::string open = "<pre id=\"results\">";
    const auto from = r.out.find(open);
    const auto to = r.out.find("</pre>", from);
    if (from == std::string::npos || to == std::string::npos) {
        ADD_FAILURE() << "no results in the DOM:\n" << r.out.substr(0, 2000) << r.err;
        return {};
    }
    const std::string text =
        text_unescape(r.out.substr(from + open.size(), to - from - open.size()));
    auto facts = nlohmann::json::parse(text, nullptr, false);
    if (facts.is_discarded() || !facts.is_object()) {
        ADD_FAILURE() << "the probe wrote no JSON object: " << text;
        return {};
    }
    EXPECT_FALSE(facts.contains("error")) << facts.dump();
    return facts;
}

// Relative luminance (WCAG) of a computed "rgb(r, g, b)" colour; -1 when it is
// not one.
double luminance(const std::string& css) {
    int r = 0, g = 0, b = 0;
    if (std::sscanf(css.c_str(), "rgb(%d, %d, %d)", &r, &g, &b) != 3 &&
        std::sscanf(css.c_str(), "rgba(%d, %d, %d", &r, &g, &b) != 3)
        return -1;
    const auto channel = [](int v) {
        const double c = v / 255.0;
        return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

// What holds at every width and scheme: the viewport is the one asked for,
// what needs attention comes first (breached before at risk, then the
// deadlines, missed before coming), above every OK row and chart; no text
// under 11 px; nothing wider than the screen, tables included, with the OK
// rows closed and opened.
void expect_worst_first_and_readable(const nlohmann::json& f, int width) {
    ASSERT_TRUE(f.is_object());
    SCOPED_TRACE(f.dump());
    EXPECT_EQ(f["innerWidth"].get<int>(), width);
    const double attention = f["attentionTop"].get<double>();
    ASSERT_GE(attention, 0);
    ASSERT_GT(f["okRows"].get<int>(), 0);
    EXPECT_LT(f["attentionBottom"].get<double>(), f["firstOkTop"].get<double>());
    EXPECT_LT(f["attentionBottom"].get<double>(), f["firstChartTop"].get<double>());
    const double breached = f["breachedTop"].get<double>();
    const double at_risk = f["atRiskTop"].get<double>();
    const double missed = f["missedTop"].get<double>();
    const double coming = f["comingTop"].get<double>();
    ASSERT_GE(breached, 0);
    EXPECT_LT(breached, at_risk);
    EXPECT_LT(at_risk, missed);
    EXPECT_LT(missed, coming);
    // OK rows are compact: a summary of one line, two on a phone.
    EXPECT_LE(f["okSummaryMaxHeight"].get<double>(),
              (width < 640 ? 2 : 1) * f["okSummaryLineHeight"].get<double>() + 20);
    EXPECT_GE(f["minFont"].get<double>(), 11.0) << f["minFontText"];
    EXPECT_GT(f["texts"].get<int>(), 500);
    // Every text measured (a phone hides the levels in the OK rows' one line;
    // their figures show them).
    if (width >= 640) {
        EXPECT_EQ(f["unrendered"].get<int>(), 0);
    }
    for (const char* state : {"closed", "opened"}) {
        const auto& o = f[state];
        // The page's width, less a vertical scroll bar.
        EXPECT_GE(o["clientWidth"].get<int>(), width - 20) << state;
        EXPECT_LE(o["scrollWidth"].get<int>(), o["clientWidth"].get<int>()) << state;
        EXPECT_EQ(o["past"].get<int>(), 0) << state << ": " << o["first"];
        EXPECT_GE(o["tables"].get<int>(), 4) << state;
        EXPECT_LE(o["tableExcess"].get<double>(), 1.0) << state;
    }
}

TEST_F(DashboardBrowser, PhoneShowsWhatNeedsAttentionFirstAndNothingScrollsSideways) {
    const auto f = measure(390, 844);
    expect_worst_first_and_readable(f, 390);
    // On the first screen: the section and its first (breached) row.
    EXPECT_LT(f["attentionTop"].get<double>(), 844 / 2.0) << f.dump();
    EXPECT_LT(f["breachedBottom"].get<double>(), 844) << f.dump();
    // Light unless the system asks for dark.
    EXPECT_FALSE(f["prefersDark"].get<bool>());
    EXPECT_GT(luminance(f["bodyBackground"]), 0.8) << f["bodyBackground"];
    EXPECT_LT(luminance(f["bodyColor"]), 0.1) << f["bodyColor"];
}

TEST_F(DashboardBrowser, WideScreenShowsWhatNeedsAttentionFirst) {
    const auto f = measure(1280, 800);
    expect_worst_first_and_readable(f, 1280);
    EXPECT_LT(f["breachedBottom"].get<double>(), 800) << f.dump();
}

// Chromium 156 takes --force-dark-mode as the system's dark setting
// (prefers-color-scheme: dark); --blink-settings=preferredColorScheme=0 says
// the same to Blink directly.
TEST_F(DashboardBrowser, DarkSchemeFollowsTheSystem) {
    for (const int width : {390, 1280}) {
        const auto f =
            measure(width, 844, "--force-dark-mode --blink-settings=preferredColorScheme=0");
        expect_worst_first_and_readable(f, width);
        EXPECT_TRUE(f["prefersDark"].get<bool>()) << width;
        EXPECT_LT(luminance(f["bodyBackground"]), 0.2) << f["bodyBackground"];
        EXPECT_LT(luminance(f["cardBackground"]), 0.2) << f["cardBackground"];
        EXPECT_GT(luminance(f["bodyColor"]), 0.6) << f["bodyColor"];
        // The charts' labels follow the scheme too.
        EXPECT_GT(luminance(f["chartTextFill"]), 0.3) << f["chartTextFill"];
    }
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

TEST_F(DashboardBrowser, PhoneScreenshotIsAPng) {
    const fs::path png = dir_ / "dashboard-phone.png";
    const auto r = run(fmt::format("--hide-scrollbars --window-size=390,844 --screenshot={} {}",
                                   shell_quote(png.string()), shell_quote(file_url())),
                       "profile-phone-shot");
    ASSERT_EQ(r.exit_code, 0) << "chromium failed (124 is the timeout):\n" << r.err;
    ASSERT_TRUE(fs::exists(png)) << r.err;
    const std::string bytes = shd::test::read_file(png);
    ASSERT_GE(bytes.size(), 24u);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(bytes.substr(12, 4), "IHDR");
    EXPECT_EQ(bytes.substr(16, 8), std::string("\0\0\x01\x86\0\0\x03\x4c", 8));  // 390 x 844
    EXPECT_GT(bytes.size(), 20u * 1024) << "suspiciously small screenshot";
    if (const char* keep = std::getenv("SHD_DASHBOARD_PHONE_SCREENSHOT"))
        fs::copy_file(png, keep, fs::copy_options::overwrite_existing);
}

}  // namespace
}  // namespace shd::web
