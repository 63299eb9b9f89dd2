// The webhook body as a contract: real bodies, as render_webhook writes them
// for every kind of change, validate against docs/webhook.schema.json (with
// Python's jsonschema, an implementation independent of ours), and a body
// with a field the schema does not know fails, so the check can fail.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "delivery/delivery_fixture.hpp"
#include "delivery/render.hpp"
#include "support/test_support.hpp"

namespace shd::delivery {
namespace {

using json = nlohmann::json;
using testing::sample_change;
using testing::sample_notification;

const instant kSentAt = *parse_iso8601("2026-03-01T14:06:30Z");

std::filesystem::path schema_path() {
    return std::filesystem::path(SHD_TEST_DATA) / ".." / ".." / "docs" / "webhook.schema.json";
}

bool have_jsonschema() {
    return std::system("python3 -c 'import jsonschema' >/dev/null 2>&1") == 0;
}

// Exit 0 when `body` is valid; the validator's message goes to the test log.
int validate(const std::string& body, const test::temp_dir& dir) {
    test::write_file(dir / "body.json", body);
    const std::string script =
        "import json, sys, jsonschema\n"
        "schema = json.load(open(sys.argv[1]))\n"
        "jsonschema.Draft202012Validator.check_schema(schema)\n"
        "errors = "
        "list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))))\n"
        "for e in errors: print(list(e.absolute_path), e.message)\n"
        "sys.exit(1 if errors else 0)\n";
    test::write_file(dir / "check.py", script);
    const std::string command = "python3 " + (dir / "check.py").string() + " " +
                                schema_path().string() + " " + (dir / "body.json").string();
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<alerts::notification> every_kind() {
    std::vector<alerts::notification> out;
    auto firing = sample_notification("metric-firing");
    firing.alerts[0].transition = "firing";
    firing.alerts[0].clears_at = kSentAt + days(3);
    firing.upcoming_links = {
        {"order", "111-2223333-4444444",
         "https://sellercentral.amazon.com/orders-v3/order/111-2223333-4444444"}};
    out.push_back(firing);

    auto resolved = sample_notification("metric-resolved");
    resolved.alerts[0] = sample_change("resolved", "at_risk");
    resolved.alerts[0].transition = "resolved";
    resolved.alerts[0].rate.reset();
    resolved.alerts[0].headroom.reset();
    out.push_back(resolved);

    auto deadline = sample_notification("deadline");
    alerts::alert_change d = sample_change("firing", "at_risk");
    d.kind = "message_deadline";
    d.metric = "message_deadline";
    d.fingerprint = "message_deadline|M-1";
    d.channel = "";
    d.window_days = 0;
    d.transition = "firing";
    d.ends_at = kSentAt + std::chrono::hours(4);
    d.clears_at = kSentAt + std::chrono::hours(3);
    d.links = {{"message", "M-1", "https://sellercentral.amazon.de/messaging/inbox"},
               {"order", "302-1", "https://sellercentral.amazon.de/orders-v3/order/302-1"},
               {"order", "302-2", ""}};
    deadline.alerts = {d};
    out.push_back(deadline);

    auto stale = sample_notification("stale");
    alerts::alert_change s = sample_change("firing", "at_risk");
    s.kind = "stale_data";
    s.metric = "stale_data";
    s.fingerprint = "stale_data|shipments";
    s.marketplace = "";
    s.channel = "";
    s.transition = "repeat";
    stale.alerts = {s};
    stale.is_test = true;
    out.push_back(stale);

    auto amazon = sample_notification("amazon-signals");
    alerts::alert_change st = sample_change("firing", "at_risk");
    st.kind = "account_status";
    st.metric = "account_status";
    st.fingerprint = "account_status|ATVPDKIKX0DER";
    st.channel = "";
    st.window_days = 0;
    st.rate.reset();
    st.transition = "firing";
    st.signal = alerts::signal_values{};
    st.signal->taken_at = kSentAt - std::chrono::hours(3);
    st.signal->status = "AT_RISK";
    alerts::alert_change dv = st;
    dv.kind = "amazon_divergence";
    dv.metric = "amazon_divergence";
    dv.fingerprint = "amazon_divergence|order_defect_rate|ATVPDKIKX0DER|MFN";
    dv.channel = "MFN";
    dv.rate = 0.012;
    dv.signal->subject = "order_defect_rate";
    dv.signal->status = "GOOD";
    dv.signal->our_rate = 0.012;
    dv.signal->amazon_rate = 0.004;
    dv.signal->tolerance = 0.005;
    dv.signal->amazon_numerator = 2;
    dv.signal->amazon_denominator = 500;
    alerts::alert_change src = sample_change("resolved", "at_risk");
    src.kind = "sp_api_source";
    src.metric = "sp_api_source";
    src.fingerprint = "sp_api_source|finances|";
    src.marketplace = "";
    src.channel = "";
    src.transition = "resolved";
    src.signal = alerts::signal_values{};
    src.signal->subject = "finances";
    amazon.alerts = {st, dv, src};
    out.push_back(amazon);

    // A digest channel's daily digest: changes with decided_at, the alerts
    // still firing, a missed deadline.
    auto digest = sample_notification("digest|daily|2026-03-01");
    digest.alerts = {firing.alerts[0], d};
    digest.alerts[0].decided_at = kSentAt - std::chrono::hours(5);
    digest.alerts[1].decided_at = kSentAt - std::chrono::hours(9);
    alerts::digest_part part;
    part.local_date = "2026-03-01";
    part.time_zone = "Europe/Berlin";
    part.since = kSentAt - std::chrono::hours(24);
    auto still = firing.alerts[0];
    still.transition = "repeat";
    part.still_firing = {still, s};
    part.missed_deadlines = {d.fingerprint};
    digest.digest = part;
    out.push_back(digest);
    return out;
}

TEST(WebhookSchema, RealBodiesOfEveryKindValidate) {
    if (!have_jsonschema())
        GTEST_SKIP() << "python3-jsonschema is not installed (scripts/install-deps.sh)";
    test::temp_dir dir;
    for (const auto& n : every_kind()) {
        const auto post = render_webhook(n, kSentAt, "secret");
        EXPECT_EQ(validate(post.body, dir), 0) << n.idempotency_key << ": " << post.body;
    }
}

TEST(WebhookSchema, AFieldTheSchemaDoesNotNameFails) {
    if (!have_jsonschema())
        GTEST_SKIP() << "python3-jsonschema is not installed (scripts/install-deps.sh)";
    test::temp_dir dir;
    auto body = json::parse(render_webhook(sample_notification(), kSentAt, "").body);
    ASSERT_EQ(validate(body.dump(), dir), 0);
    body["alerts"][0]["surprise"] = 1;
    EXPECT_EQ(validate(body.dump(), dir), 1);
    body = json::parse(render_webhook(sample_notification(), kSentAt, "").body);
    body["alerts"][0]["state"] = "acknowledged";
    EXPECT_EQ(validate(body.dump(), dir), 1);
    body = json::parse(render_webhook(sample_notification(), kSentAt, "").body);
    body.erase("version");
    EXPECT_EQ(validate(body.dump(), dir), 1);
    // A digest without its kind, or a kind without its digest, fails too.
    auto digest = every_kind().back();
    ASSERT_TRUE(digest.digest.has_value());
    body = json::parse(render_webhook(digest, kSentAt, "").body);
    ASSERT_EQ(validate(body.dump(), dir), 0);
    body.erase("kind");
    EXPECT_EQ(validate(body.dump(), dir), 1);
    body = json::parse(render_webhook(sample_notification(), kSentAt, "").body);
    body["kind"] = "digest";
    EXPECT_EQ(validate(body.dump(), dir), 1);
}

}  // namespace
}  // namespace shd::delivery
