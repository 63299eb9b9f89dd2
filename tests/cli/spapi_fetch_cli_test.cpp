// `seller-healthd fetch` through the real binary against the stand-in Amazon
// (tests/support/spapi_standin.py, HTTPS with a CA made here): orders with
// their confirmations and tracking, claims and chargebacks, the report flow,
// the per-feed freshness, and a second pass that counts nothing twice.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/time.hpp"
#include "support/child_server.hpp"
#include "support/test_pki.hpp"
#include "support/test_support.hpp"

namespace shd {
namespace {

using json = nlohmann::json;

std::string iso(instant t) {
    return format_iso8601(t);
}

long long count(SQLite::Database& db, const std::string& sql) {
    return db.execAndGet(sql).getInt64();
}

class SpApiFetch : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto leaf = ca_.issue({{"localhost"}, {"127.0.0.1"}});
        test::write_file(dir_ / "cert.pem", leaf.cert_pem);
        test::write_file(dir_ / "key.pem", leaf.key_pem);
        ca_.write_cert(dir_ / "ca.pem");
        now_ = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    }

    json seller() const {
        const auto order = [&](const std::string& id, const char* by, const char* status,
                               instant created, instant updated, json packages) {
            json o = {{"orderId", id},
                      {"createdTime", iso(created)},
                      {"lastUpdatedTime", iso(updated)},
                      {"salesChannel",
                       {{"channelName", "AMAZON"},
                        {"marketplaceId", "ATVPDKIKX0DER"},
                        {"marketplaceName", "Amazon.com"}}},
                      {"fulfillment",
                       {{"fulfillmentStatus", status},
                        {"fulfilledBy", by},
                        {"shipByWindow",
                         {{"earliestDateTime", iso(created)},
                          {"latestDateTime", iso(created + days(2))}}}}},
                      {"orderItems", json::array({{{"orderItemId", id + "-1"},
                                                   {"quantityOrdered", 1},
                                                   {"product", {{"sellerSku", "SKU-" + id}}}}})},
                      {"packages", packages}};
            return o;
        };
        json orders = json::array();
        orders.push_back(order("111-0000001-0000001", "MERCHANT", "SHIPPED", now_ - days(5),
                               now_ - days(3),
                               json::array({{{"packageReferenceId", "1"},
                                             {"shipTime", iso(now_ - days(4))},
                                             {"carrier", "UPS"},
                                             {"trackingNumber", "1Z0001"}}})));
        orders.push_back(order("111-0000002-0000002", "MERCHANT", "UNSHIPPED", now_ - days(1),
                               now_ - hours(20), json::array()));
        // Fulfilled by Amazon: not in the first pass (seller-fulfilled
        // orders only), fetched by the incremental one.
        orders.push_back(order("111-0000003-0000003", "AMAZON", "SHIPPED", now_ - days(2),
                               now_ - hours(10), json::array()));
        json events = {
            {"ChargebackEventList",
             json::array({{{"AmazonOrderId", "111-0000001-0000001"},
                           {"PostedDate", iso(now_ - days(2))},
                           {"ShipmentItemAdjustmentList",
                            json::array({{{"ItemChargeAdjustmentList",
                                           json::array({{{"ChargeType", "Principal"},
                                                         {"ChargeAmount",
                                                          {{"CurrencyCode", "USD"},
                                                           {"CurrencyAmount", -12.5}}}}})}}})}}})}};
        const std::string health = test::read_file(
            test::data_file("samples/amzn_accountHealthReport-2020-11-18.example.json"));
        return {{"client_id", "amzn1.application-oa2-client.test"},
                {"client_secret", "client-secret-value"},
                {"refresh_token", "Atzr|refresh-token-value"},
                {"marketplaces", json::array({"ATVPDKIKX0DER"})},
                {"orders", orders},
                {"financial_events", events},
                {"reports",
                 {{"GET_V2_SELLER_PERFORMANCE_REPORT",
                   {{"status", "DONE"}, {"document", health}, {"gzip", true}}}}},
                {"behaviour", {{"report_polls", 0}}}};
    }

    std::filesystem::path write_config(int port) {
        std::ostringstream yaml;
        yaml << "database: " << (dir_ / "db.sqlite").string() << "\n"
             << "inbox: " << (dir_ / "inbox").string() << "\n"
             << "sp_api:\n"
             << "  region: na\n"
             << "  marketplaces: [ATVPDKIKX0DER]\n"
             << "  client_id: amzn1.application-oa2-client.test\n"
             << "  client_secret: client-secret-value\n"
             << "  refresh_token: \"Atzr|refresh-token-value\"\n"
             << "  endpoint: https://127.0.0.1:" << port << "\n"
             << "  token_url: https://127.0.0.1:" << port << "/auth/o2/token\n"
             << "  ca_file: " << (dir_ / "ca.pem").string() << "\n";
        const auto path = dir_ / "seller.yaml";
        test::write_file(path, yaml.str());
        return path;
    }

    std::vector<json> standin_log() const {
        std::vector<json> lines;
        std::istringstream in(test::read_file(dir_ / "standin.log"));
        for (std::string line; std::getline(in, line);) {
            if (!line.empty())
                lines.push_back(json::parse(line));
        }
        return lines;
    }

    test::temp_dir dir_;
    test::test_ca ca_{"seller-healthd test CA"};
    instant now_;
};

TEST_F(SpApiFetch, StoresOrdersDefectsAndReportsThenCountsNothingTwice) {
    json data = seller();
    // A buyer asked to cancel the open order: Amazon returns the item's
    // cancellation only when includedData names CANCELLATION.
    data["orders"][1]["orderItems"][0]["cancellation"] = {
        {"cancellationRequest", {{"requester", "BUYER"}, {"cancelReason", "NO_LONGER_NEEDED"}}},
        {"cancellationExecution",
         {{"cancelledBy", "MERCHANT"}, {"cancelReason", "BUYER_REQUEST"}}}};
    test::write_file(dir_ / "seller.json", data.dump());
    test::child_server amazon(
        {test::python3(), std::string(SHD_SOURCE_DIR) + "/tests/support/spapi_standin.py", "--data",
         (dir_ / "seller.json").string(), "--cert", (dir_ / "cert.pem").string(), "--key",
         (dir_ / "key.pem").string(), "--log", (dir_ / "standin.log").string()},
        dir_ / "standin.err");
    const auto config = write_config(amazon.port());

    auto first = test::run_binary({"fetch", "--config", config.string(), "--json"});
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
    const json answer = json::parse(first.out);
    EXPECT_TRUE(answer["ok"].get<bool>());
    std::map<std::string, json> by_source;
    for (const auto& s : answer["sources"])
        by_source[s["source"].get<std::string>()] = s;
    ASSERT_EQ(by_source.size(), 5u) << first.out;
    EXPECT_TRUE(by_source["backfill"]["ok"].get<bool>()) << first.out;
    EXPECT_NE(by_source["backfill"]["message"].get<std::string>().find("complete"),
              std::string::npos)
        << "three 30-day All Orders windows and the Unshipped report, all CANCELLED (no data)";
    EXPECT_EQ(by_source["orders"]["orders"], 2) << "the first pass: seller-fulfilled orders only";
    EXPECT_EQ(by_source["finances"]["records"], 1);
    EXPECT_TRUE(by_source["feedback"]["ok"].get<bool>()) << "CANCELLED is no data, not an error";
    EXPECT_NE(by_source["feedback"]["message"].get<std::string>().find("CANCELLED"),
              std::string::npos);
    EXPECT_TRUE(by_source["performance"]["ok"].get<bool>()) << first.out;

    {
        SQLite::Database db((dir_ / "db.sqlite").string());
        EXPECT_EQ(count(db, "SELECT COUNT(*) FROM orders"), 2);
        EXPECT_EQ(count(db, "SELECT COUNT(*) FROM orders WHERE fulfillment_channel = 'MFN'"), 2);
        EXPECT_EQ(
            count(db, "SELECT confirmed_at FROM shipments WHERE order_id = '111-0000001-0000001'"),
            to_unix(now_ - days(4)));
        EXPECT_EQ(db.execAndGet("SELECT tracking_id || ' ' || carrier FROM shipments WHERE order_id"
                                " = '111-0000001-0000001'")
                      .getString(),
                  "1Z0001 UPS");
        EXPECT_EQ(count(db,
                        "SELECT confirmed_at IS NULL FROM shipments WHERE order_id ="
                        " '111-0000002-0000002'"),
                  1);
        // Cancelled at the buyer's request: it does not count against the seller.
        EXPECT_EQ(db.execAndGet("SELECT any_item_cancelled || ' ' || buyer_requested_cancel FROM"
                                " orders WHERE order_id = '111-0000002-0000002'")
                      .getString(),
                  "1 1");
        EXPECT_EQ(db.execAndGet("SELECT any_item_cancelled || ' ' || buyer_requested_cancel FROM"
                                " orders WHERE order_id = '111-0000001-0000001'")
                      .getString(),
                  "0 0");
        EXPECT_EQ(db.execAndGet("SELECT status || ' ' || counts FROM defects WHERE kind ="
                                " 'chargeback'")
                      .getString(),
                  "lost 1");
        EXPECT_EQ(count(db, "SELECT COUNT(*) FROM account_health_snapshots"), 1);
        for (const char* feed : {"all_orders", "shipments", "defects", "account_health"}) {
            EXPECT_EQ(
                count(db, std::string("SELECT COUNT(*) FROM feeds WHERE feed = '") + feed + "'"), 1)
                << feed;
        }
        EXPECT_EQ(count(db,
                        "SELECT COUNT(*) FROM spapi_sources WHERE source = 'orders' AND"
                        " cursor_at IS NOT NULL AND page_token IS NULL"),
                  1);
    }

    // The second pass is incremental: every order updated since, the AFN one
    // too, and none stored twice.
    auto second = test::run_binary({"fetch", "--config", config.string(), "--source", "orders"});
    ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
    EXPECT_NE(second.out.find("orders ATVPDKIKX0DER: ok"), std::string::npos) << second.out;
    SQLite::Database db((dir_ / "db.sqlite").string());
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM orders"), 3);
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM order_items"), 3);

    // status shows, per source, the last success and the newest data.
    auto status = test::run_binary({"status", "--config", config.string(), "--json"});
    ASSERT_EQ(status.exit_code, 0) << status.err;
    const json shown = json::parse(status.out);
    bool orders_shown = false;
    for (const auto& s : shown.at("sources")) {
        if (s["source"] == "orders") {
            orders_shown = true;
            EXPECT_EQ(s["marketplace_id"], "ATVPDKIKX0DER");
            EXPECT_FALSE(s["last_success_at"].is_null());
            EXPECT_EQ(s["newest_data_at"], iso(now_ - hours(10))) << "the AFN order's update";
            EXPECT_TRUE(s["last_error"].is_null());
            EXPECT_FALSE(s["behind"].get<bool>());
        }
    }
    EXPECT_TRUE(orders_shown) << status.out;

    // The presigned document URL never got the access token; every API call did.
    bool saw_document = false;
    for (const auto& entry : standin_log()) {
        const std::string path = entry["path"].get<std::string>();
        if (path.rfind("/download/", 0) == 0) {
            saw_document = true;
            EXPECT_FALSE(entry["token_sent"].get<bool>());
        } else if (path != "/auth/o2/token") {
            EXPECT_TRUE(entry["token_sent"].get<bool>()) << path;
        }
    }
    EXPECT_TRUE(saw_document);
    // Every searchOrders asked for the cancellations.
    std::size_t searches = 0;
    for (const auto& entry : standin_log()) {
        const std::string path = entry["path"].get<std::string>();
        if (path.rfind("/orders/2026-01-01/orders", 0) != 0)
            continue;
        ++searches;
        const std::string query = entry["query"].get<std::string>();
        EXPECT_NE(query.find("includedData=FULFILLMENT,PACKAGES,CANCELLATION"), std::string::npos)
            << query;
    }
    EXPECT_GE(searches, 2u);
    // No secret reached the output.
    for (const auto& text : {first.out, first.err, second.out, second.err}) {
        EXPECT_EQ(text.find("client-secret-value"), std::string::npos);
        EXPECT_EQ(text.find("refresh-token-value"), std::string::npos);
    }
}

TEST_F(SpApiFetch, ARefusedGrantIsReportedWithoutSecrets) {
    json data = seller();
    data["behaviour"]["lwa_error"] = "invalid_grant";
    test::write_file(dir_ / "seller.json", data.dump());
    test::child_server amazon(
        {test::python3(), std::string(SHD_SOURCE_DIR) + "/tests/support/spapi_standin.py", "--data",
         (dir_ / "seller.json").string(), "--cert", (dir_ / "cert.pem").string(), "--key",
         (dir_ / "key.pem").string(), "--log", (dir_ / "standin.log").string()},
        dir_ / "standin.err");
    const auto config = write_config(amazon.port());
    auto r =
        test::run_binary({"fetch", "--config", config.string(), "--json", "--source", "finances"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const json answer = json::parse(r.out);
    ASSERT_EQ(answer["sources"].size(), 1u);
    EXPECT_TRUE(answer["sources"][0]["auth_failed"].get<bool>()) << r.out;
    EXPECT_NE(answer["sources"][0]["message"].get<std::string>().find("invalid_grant"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("refresh-token-value"), std::string::npos);
    EXPECT_EQ(r.out.find("client-secret-value"), std::string::npos);
    // status names the failure.
    auto status = test::run_binary({"status", "--config", config.string()});
    EXPECT_NE(status.out.find("last error:"), std::string::npos) << status.out;
}

// More pages than the burst: the first pass resumes at the next run from its
// stored page token; an incremental backlog says "behind" and asks the All
// Orders report for the gap.
TEST_F(SpApiFetch, ResumesAPassAndSaysWhenItFallsBehind) {
    json data = seller();
    json orders = json::array();
    for (int i = 0; i < 25; ++i) {
        json o = data["orders"][1];
        char id[32];
        std::snprintf(id, sizeof id, "111-%07d-0000009", i);
        o["orderId"] = id;
        o["createdTime"] = iso(now_ - days(3) - std::chrono::minutes(i));
        o["lastUpdatedTime"] = iso(now_ - days(2) - std::chrono::minutes(i));
        orders.push_back(o);
    }
    data["orders"] = orders;
    data["behaviour"] = {{"report_polls", 0}, {"page_size", 1}, {"throttle", false}};
    test::write_file(dir_ / "seller.json", data.dump());
    test::child_server amazon(
        {test::python3(), std::string(SHD_SOURCE_DIR) + "/tests/support/spapi_standin.py", "--data",
         (dir_ / "seller.json").string(), "--cert", (dir_ / "cert.pem").string(), "--key",
         (dir_ / "key.pem").string(), "--log", (dir_ / "standin.log").string()},
        dir_ / "standin.err");
    const auto config = write_config(amazon.port());
    const std::vector<std::string> fetch_orders = {"fetch", "--config", config.string(), "--source",
                                                   "orders"};
    auto first = test::run_binary(fetch_orders);
    ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
    EXPECT_NE(first.out.find("20 pages fetched, more at the next run"), std::string::npos)
        << first.out;
    auto second = test::run_binary(fetch_orders);
    ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
    EXPECT_NE(second.out.find("5 requests, 5 orders"), std::string::npos)
        << "the pass went on from its page token: " << second.out;
    {
        SQLite::Database db((dir_ / "db.sqlite").string());
        EXPECT_EQ(count(db, "SELECT COUNT(*) FROM orders"), 25);
    }

    // Every order changes: more changes than one poll may page through. The
    // catch-up report fails, so the source stays behind.
    for (int i = 0; i < 25; ++i)
        data["orders"][i]["lastUpdatedTime"] = iso(now_ - std::chrono::minutes(30 - i));
    data["reports"]["GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"] = {{"status", "FATAL"}};
    test::write_file(dir_ / "seller.json", data.dump());
    auto third = test::run_binary(fetch_orders);
    ASSERT_EQ(third.exit_code, 0) << third.out << third.err;
    EXPECT_NE(third.out.find("behind: 20 pages"), std::string::npos) << third.out;
    EXPECT_NE(third.out.find("All Orders report"), std::string::npos) << third.out;
    auto status = test::run_binary({"status", "--config", config.string(), "--json"});
    const json shown = json::parse(status.out);
    bool behind_shown = false;
    for (const auto& s : shown.at("sources"))
        behind_shown = behind_shown || (s["source"] == "orders" && s["behind"] == true);
    EXPECT_TRUE(behind_shown) << status.out;
}

// The same backlog, and the All Orders report over the gap is read: the
// source is no longer behind, and the report's orders are stored.
TEST_F(SpApiFetch, ACatchUpThroughTheReportClearsBehind) {
    json data = seller();
    json orders = json::array();
    for (int i = 0; i < 25; ++i) {
        json o = data["orders"][1];
        char id[32];
        std::snprintf(id, sizeof id, "111-%07d-0000009", i);
        o["orderId"] = id;
        o["createdTime"] = iso(now_ - days(3) - std::chrono::minutes(i));
        o["lastUpdatedTime"] = iso(now_ - days(2) - std::chrono::minutes(i));
        orders.push_back(o);
    }
    data["orders"] = orders;
    data["behaviour"] = {{"report_polls", 0}, {"page_size", 1}, {"throttle", false}};
    test::write_file(dir_ / "seller.json", data.dump());
    test::child_server amazon(
        {test::python3(), std::string(SHD_SOURCE_DIR) + "/tests/support/spapi_standin.py", "--data",
         (dir_ / "seller.json").string(), "--cert", (dir_ / "cert.pem").string(), "--key",
         (dir_ / "key.pem").string(), "--log", (dir_ / "standin.log").string()},
        dir_ / "standin.err");
    const auto config = write_config(amazon.port());
    const std::vector<std::string> fetch_orders = {"fetch", "--config", config.string(), "--source",
                                                   "orders"};
    for (int run = 0; run < 2; ++run) {  // the first pass, over two runs
        auto r = test::run_binary(fetch_orders);
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }

    for (int i = 0; i < 25; ++i)
        data["orders"][i]["lastUpdatedTime"] = iso(now_ - std::chrono::minutes(30 - i));
    // The report over the gap has an order the pages have not reached.
    const std::string report =
        "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
        "sales-channel\n111-9999999-0000001\t" +
        iso(now_ - days(1)) + "\t" + iso(now_ - std::chrono::minutes(5)) +
        "\tShipped\tMerchant\tAmazon.com\n";
    data["reports"]["GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"] = {
        {"status", "DONE"}, {"document", report}};
    test::write_file(dir_ / "seller.json", data.dump());
    auto behind =
        test::run_binary({"fetch", "--config", config.string(), "--source", "orders", "--json"});
    ASSERT_EQ(behind.exit_code, 0) << behind.out << behind.err;
    const json answer = json::parse(behind.out);
    ASSERT_EQ(answer["sources"].size(), 1u);
    const std::string message = answer["sources"][0]["message"].get<std::string>();
    EXPECT_NE(message.find("behind: 20 pages"), std::string::npos) << message;
    EXPECT_NE(message.find("caught up through the All Orders report"), std::string::npos)
        << message;
    EXPECT_FALSE(answer["sources"][0]["behind"].get<bool>()) << behind.out;

    SQLite::Database db((dir_ / "db.sqlite").string());
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM orders WHERE order_id = '111-9999999-0000001'"), 1);
    EXPECT_EQ(count(db, "SELECT behind FROM spapi_sources WHERE source = 'orders'"), 0);
    auto status = test::run_binary({"status", "--config", config.string(), "--json"});
    ASSERT_EQ(status.exit_code, 0) << status.err;
    const auto status_doc = json::parse(status.out);
    for (const auto& s : status_doc.at("sources")) {
        if (s["source"] == "orders") {
            EXPECT_FALSE(s["behind"].get<bool>()) << status.out;
        }
    }
}

// `run --once` fetches what is due before it evaluates, as `run` does: the
// orders and Amazon's account-health report arrive, and the report's AT_RISK
// account status is an alert in the same cycle.
TEST_F(SpApiFetch, RunOnceFetchesBeforeItEvaluates) {
    test::write_file(dir_ / "seller.json", seller().dump());
    test::child_server amazon(
        {test::python3(), std::string(SHD_SOURCE_DIR) + "/tests/support/spapi_standin.py", "--data",
         (dir_ / "seller.json").string(), "--cert", (dir_ / "cert.pem").string(), "--key",
         (dir_ / "key.pem").string(), "--log", (dir_ / "standin.log").string()},
        dir_ / "standin.err");
    const auto config = write_config(amazon.port());
    auto r = test::run_binary({"run", "--once", "--config", config.string()});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.err.find("client-secret-value"), std::string::npos);
    EXPECT_EQ(r.err.find("refresh-token-value"), std::string::npos);

    std::set<std::string> operations;
    for (const auto& entry : standin_log())
        operations.insert(entry["operation"].get<std::string>());
    EXPECT_TRUE(operations.contains("searchOrders")) << r.err;
    EXPECT_TRUE(operations.contains("listFinancialEvents")) << r.err;
    EXPECT_TRUE(operations.contains("createReport")) << r.err;

    SQLite::Database db((dir_ / "db.sqlite").string());
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM orders"), 2);
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM account_health_snapshots"), 1);
    // Evaluated after the fetch: the snapshot's account status is an alert.
    EXPECT_EQ(count(db,
                    "SELECT COUNT(*) FROM alert_states WHERE fingerprint ="
                    " 'account_status|ATVPDKIKX0DER'"),
              1);

    // A second run at once: no source is due yet (only the history goes on,
    // one report window a run).
    const auto asked = standin_log().size();
    auto again = test::run_binary({"run", "--once", "--config", config.string()});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    const auto log = standin_log();
    for (std::size_t i = asked; i < log.size(); ++i) {
        const std::string operation = log[i]["operation"].get<std::string>();
        EXPECT_TRUE(operation == "createReport" || operation == "getReport" ||
                    operation == "getReportDocument" || operation == "lwa")
            << operation;
    }

    // Attempts stamped by a clock 30 days ahead: waiting for that date would
    // stop fetching for a month; they are due at once.
    {
        SQLite::Database writable((dir_ / "db.sqlite").string(), SQLite::OPEN_READWRITE);
        writable.exec("UPDATE spapi_sources SET last_attempt_at = last_attempt_at + 30 * 86400");
    }
    const auto before_ahead = standin_log().size();
    auto after_ahead = test::run_binary({"run", "--once", "--config", config.string()});
    EXPECT_EQ(after_ahead.exit_code, 0) << after_ahead.err;
    const auto later = standin_log();
    std::set<std::string> asked_after;
    for (std::size_t i = before_ahead; i < later.size(); ++i)
        asked_after.insert(later[i]["operation"].get<std::string>());
    EXPECT_TRUE(asked_after.contains("searchOrders")) << after_ahead.err;
    EXPECT_TRUE(asked_after.contains("listFinancialEvents")) << after_ahead.err;
}

TEST_F(SpApiFetch, RunOnceExitsOneWhenAFetchFailsAndStillEvaluates) {
    auto data = seller();
    data["behaviour"]["lwa_error"] = "invalid_grant";
    test::write_file(dir_ / "seller.json", data.dump());
    test::child_server amazon(
        {test::python3(), std::string(SHD_SOURCE_DIR) + "/tests/support/spapi_standin.py", "--data",
         (dir_ / "seller.json").string(), "--cert", (dir_ / "cert.pem").string(), "--key",
         (dir_ / "key.pem").string(), "--log", (dir_ / "standin.log").string()},
        dir_ / "standin.err");
    const auto config = write_config(amazon.port());
    auto r = test::run_binary({"run", "--once", "--config", config.string()});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("authorisation refused"), std::string::npos) << r.err;
    // The cycle still ran its alerts: the refusal is one.
    SQLite::Database db((dir_ / "db.sqlite").string());
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM alert_states WHERE fingerprint = 'sp_api_auth'"), 1);
}

TEST_F(SpApiFetch, WithoutTheSectionNothingIsFetched) {
    test::write_file(dir_ / "plain.yaml", "database: " + (dir_ / "db.sqlite").string() + "\n");
    auto r = test::run_binary({"fetch", "--config", (dir_ / "plain.yaml").string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("no sp_api section"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace shd
