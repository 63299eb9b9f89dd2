// Many accounts and machine-readable output, through the real binary:
// `status --all` over a folder of configs and databases (broken ones
// included), `status --check` as a monitoring plugin (exit codes 0-3 on
// seeded databases), and `--json` of import, check-config and test-alert.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "store/database.hpp"
#include "support/test_support.hpp"

namespace shd {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kAt = "2026-03-01T00:00:00Z";

// NAME.yaml with database NAME.sqlite in `dir`, holding `orders` US MFN
// orders two days before kAt, `cancelled` of them cancelled by the seller.
// Cancellation rate: warn 2%, target 2.5%.
void make_account(const fs::path& dir, const std::string& name, int orders, int cancelled) {
    test::write_file(dir / (name + ".yaml"), "database: \"" + name +
                                                 ".sqlite\"\n"
                                                 "metrics:\n"
                                                 "  cancellation_rate:\n"
                                                 "    min_orders: 2\n");
    auto db = store::database::open(dir / (name + ".sqlite"));
    ASSERT_TRUE(db) << db.error().text;
    db->handle().exec(
        "INSERT INTO imports VALUES (1, 'f', 'x', 'all_orders', 0, 0, 0, 'imported')");
    for (int i = 0; i < orders; ++i) {
        const bool is_cancelled = i < cancelled;
        db->handle().exec("INSERT INTO orders VALUES ('o" + std::to_string(i) +
                          "', 'ATVPDKIKX0DER', 'Amazon.com', 'MFN', 1772150400, '" +
                          (is_cancelled ? "Cancelled" : "Shipped") + "', " +
                          (is_cancelled ? "1" : "0") + ", 0, 0, NULL, 'all_orders', 1)");
    }
}

test::process_result run(std::vector<std::string> args) {
    return test::run_binary(args);
}

class AccountsCli : public ::testing::Test {
  protected:
    test::temp_dir dir;
};

TEST_F(AccountsCli, AllPrintsOneRowPerAccountWorstFirst) {
    make_account(dir.path(), "calm", 40, 0);  // 0%: ok
    make_account(dir.path(), "acme", 2, 1);   // 50%: breached
    make_account(dir.path(), "bolt", 45, 1);  // 2.2%: at risk
    test::write_file(dir / "broken.yaml", "poll_intervall: 5m\n");
    test::write_file(dir / "empty.yaml", "database: \"nothing-here.sqlite\"\n");
    test::write_file(dir / "notes.txt", "not a config\n");

    const auto r =
        run({"status", "--all", "--config-dir", dir.path().string(), "--at", kAt, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto rows = json::parse(r.out);
    ASSERT_EQ(rows.size(), 5u) << r.out;
    EXPECT_EQ(rows[0]["account"], "acme");
    EXPECT_EQ(rows[0]["state"], "breached");
    EXPECT_EQ(rows[0]["breached"], 1);
    EXPECT_EQ(rows[0]["worst"]["metric"], "cancellation_rate");
    EXPECT_EQ(rows[0]["worst"]["rate"], 0.5);
    EXPECT_EQ(rows[0]["as_of"], kAt);
    EXPECT_EQ(rows[1]["account"], "bolt");
    EXPECT_EQ(rows[1]["state"], "at_risk");
    EXPECT_EQ(rows[1]["worst"]["marketplace_code"], "US");
    // The two that cannot be read, by name, each with its reason.
    EXPECT_EQ(rows[2]["account"], "broken");
    EXPECT_EQ(rows[2]["state"], "unknown");
    EXPECT_NE(rows[2]["error"].get<std::string>().find(":1:1: poll_intervall: unknown key"),
              std::string::npos)
        << rows[2];
    EXPECT_TRUE(rows[2]["database"].is_null());
    EXPECT_EQ(rows[3]["account"], "empty");
    EXPECT_NE(rows[3]["error"].get<std::string>().find("does not exist"), std::string::npos)
        << rows[3];
    EXPECT_EQ(rows[4]["account"], "calm");
    EXPECT_EQ(rows[4]["state"], "ok");
    EXPECT_TRUE(rows[4]["error"].is_null());
    EXPECT_FALSE(fs::exists(dir / "nothing-here.sqlite"));

    const auto table = run({"status", "--all", "--config-dir", dir.path().string(), "--at", kAt});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    const auto acme = table.out.find("\nacme ");
    const auto bolt = table.out.find("\nbolt ");
    const auto calm = table.out.find("\ncalm ");
    EXPECT_EQ(table.out.rfind("Account  ", 0), 0u) << table.out;
    ASSERT_NE(acme, std::string::npos) << table.out;
    EXPECT_LT(acme, bolt);
    EXPECT_LT(bolt, calm);
    EXPECT_NE(table.out.find("cancellation_rate US MFN 7d"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("50.00%"), std::string::npos) << table.out;
}

TEST_F(AccountsCli, AllWithAnAccountKeyUsesIt) {
    make_account(dir.path(), "x", 2, 0);
    test::write_file(dir / "x.yaml", "account: \"Acme EU\"\ndatabase: \"x.sqlite\"\n");
    const auto r =
        run({"status", "--all", "--config-dir", dir.path().string(), "--at", kAt, "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)[0]["account"], "Acme EU");
}

TEST_F(AccountsCli, AllAndConfigExcludeEachOther) {
    const auto r = run({"status", "--all", "--config", (dir / "a.yaml").string()});
    EXPECT_EQ(r.exit_code, 2);
    const auto dir_alone = run({"status", "--config-dir", dir.path().string()});
    EXPECT_EQ(dir_alone.exit_code, 2);
}

test::process_result check(const fs::path& config) {
    return run({"status", "--check", "--config", config.string(), "--at", kAt});
}

TEST_F(AccountsCli, CheckExitsAsAMonitoringPlugin) {
    make_account(dir.path(), "calm", 40, 0);
    make_account(dir.path(), "bolt", 45, 1);
    make_account(dir.path(), "acme", 2, 1);

    const auto ok = check(dir / "calm.yaml");
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    EXPECT_EQ(ok.out.rfind("SELLER-HEALTH OK - calm: ok, 1 rows with data, none at risk; least "
                           "headroom 0 (cancellation_rate US MFN 7d) | 'calm breached'=0 'calm "
                           "at_risk'=0 'calm cancellation_rate US MFN 7d'=0;0.02;0.025;0;1",
                           0),
              0u)
        << ok.out;

    const auto warning = check(dir / "bolt.yaml");
    EXPECT_EQ(warning.exit_code, 1) << warning.out << warning.err;
    EXPECT_EQ(warning.out.rfind("SELLER-HEALTH WARNING - bolt: at risk cancellation_rate US MFN "
                                "7d 2.22% (warn 2.00%, target 2.50%, headroom 0)",
                                0),
              0u)
        << warning.out;

    const auto critical = check(dir / "acme.yaml");
    EXPECT_EQ(critical.exit_code, 2) << critical.out << critical.err;
    EXPECT_EQ(critical.out.rfind("SELLER-HEALTH CRITICAL - acme: breached", 0), 0u) << critical.out;
    // Perfdata after '|': the counts and each rate with its warn and target.
    const auto bar = critical.out.find(" | ");
    ASSERT_NE(bar, std::string::npos) << critical.out;
    const std::string perf = critical.out.substr(bar + 3);
    EXPECT_NE(perf.find("'acme breached'=1 'acme at_risk'=0"), std::string::npos) << perf;
    EXPECT_NE(perf.find("'acme cancellation_rate US MFN 7d'=0.5;0.02;0.025;0;1"), std::string::npos)
        << perf;
    EXPECT_EQ(std::count(critical.out.begin(), critical.out.end(), '\n'), 1);
    EXPECT_EQ(critical.out.find('|'), bar + 1);

    test::write_file(dir / "gone.yaml", "database: \"nothing-here.sqlite\"\n");
    const auto unknown = check(dir / "gone.yaml");
    EXPECT_EQ(unknown.exit_code, 3) << unknown.out << unknown.err;
    EXPECT_EQ(unknown.out.rfind("SELLER-HEALTH UNKNOWN - gone: ", 0), 0u) << unknown.out;

    test::write_file(dir / "bad.yaml", "account: \"\"\n");
    EXPECT_EQ(check(dir / "bad.yaml").exit_code, 3);
    EXPECT_EQ(run({"status", "--check", "--config", (dir / "calm.yaml").string(), "--at", "soon"})
                  .exit_code,
              3);
}

TEST_F(AccountsCli, CheckWithAllTakesTheWorstAccount) {
    make_account(dir.path(), "calm", 40, 0);
    make_account(dir.path(), "bolt", 45, 1);
    const auto all = [&] {
        return run(
            {"status", "--all", "--check", "--config-dir", dir.path().string(), "--at", kAt});
    };
    const auto warning = all();
    EXPECT_EQ(warning.exit_code, 1) << warning.out;
    EXPECT_EQ(warning.out.rfind("SELLER-HEALTH WARNING - 2 accounts: 0 breached, 1 at risk, 0 "
                                "unknown, 1 ok; bolt: at risk",
                                0),
              0u)
        << warning.out;
    EXPECT_NE(warning.out.find("'calm breached'=0"), std::string::npos) << warning.out;

    test::write_file(dir / "gone.yaml", "database: \"nothing-here.sqlite\"\n");
    EXPECT_EQ(all().exit_code, 1);  // at risk outranks unknown
    make_account(dir.path(), "acme", 2, 1);
    const auto critical = all();
    EXPECT_EQ(critical.exit_code, 2) << critical.out;
    EXPECT_NE(critical.out.find("; acme: breached"), std::string::npos) << critical.out;
    EXPECT_NE(critical.out.find("; gone: "), std::string::npos) << critical.out;

    fs::remove(dir / "acme.yaml");
    fs::remove(dir / "bolt.yaml");
    EXPECT_EQ(all().exit_code, 3);  // calm ok, gone unknown
    fs::remove(dir / "gone.yaml");
    EXPECT_EQ(all().exit_code, 0);
}

// ---- --json of the other subcommands ----

TEST_F(AccountsCli, ImportJsonGivesEveryFileAndErrorsWithLineAndField) {
    test::write_file(dir / "shd.yaml", "database: \"db.sqlite\"\n");
    const std::string header =
        "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsales-channel\tsku\t"
        "asin\n";
    test::write_file(
        dir / "good.txt",
        header + "111-1\t2025-09-01T10:00:00Z\tShipped\tMerchant\tAmazon.com\tS1\tB01\n");
    test::write_file(dir / "bad.txt",
                     header + "111-2\tnot-a-date\tShipped\tMerchant\tAmazon.com\tS2\tB02\n");
    const auto r = run({"import", "--json", "--config", (dir / "shd.yaml").string(),
                        (dir / "good.txt").string(), (dir / "bad.txt").string()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const auto doc = json::parse(r.out);
    ASSERT_EQ(doc["files"].size(), 2u) << r.out;
    const auto& good = doc["files"][0];
    EXPECT_EQ(good["file"], (dir / "good.txt").string());
    EXPECT_EQ(good["result"], "imported");
    EXPECT_EQ(good["format"], "all_orders");
    EXPECT_EQ(good["rows"], 1);
    EXPECT_EQ(good["orders"], 1);
    EXPECT_TRUE(good["error"].is_null());
    const auto& bad = doc["files"][1];
    EXPECT_EQ(bad["result"], "rejected");
    EXPECT_EQ(bad["error"]["line"], 2);
    EXPECT_EQ(bad["error"]["field"], "purchase-date");
    EXPECT_FALSE(bad["error"]["message"].get<std::string>().empty());
    EXPECT_EQ(doc["imported"], 1);
    EXPECT_EQ(doc["rejected"], 1);
    EXPECT_EQ(doc["failed"], 0);
    EXPECT_EQ(doc["rows"], 1);

    const auto again = run(
        {"import", "--json", "--config", (dir / "shd.yaml").string(), (dir / "good.txt").string()});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(json::parse(again.out)["files"][0]["result"], "already_imported");
}

TEST_F(AccountsCli, CheckConfigJson) {
    test::write_file(dir / "acme.yaml",
                     "poll_interval: 5m\n"
                     "alerts:\n"
                     "  channels:\n"
                     "    - name: hook\n"
                     "      type: webhook\n"
                     "      url: https://example.com/hook\n"
                     "      secret: s3cret\n");
    const auto r = run({"check-config", "--json", "--config", (dir / "acme.yaml").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto doc = json::parse(r.out);
    EXPECT_EQ(doc["valid"], true);
    EXPECT_EQ(doc["account"], "acme");
    EXPECT_TRUE(doc["errors"].empty());
    EXPECT_EQ(doc["config"]["poll_interval"], "5m");
    EXPECT_EQ(doc["config"]["reconcile_tolerance"], 0.005);
    EXPECT_EQ(doc["config"]["metrics"]["late_dispatch_rate"]["windows"], json({10, 30}));
    EXPECT_EQ(doc["config"]["alerts"]["deadline_alerts"], true);
    EXPECT_EQ(doc["config"]["alerts"]["channels"][0]["secret"], "***");
    EXPECT_EQ(r.out.find("s3cret"), std::string::npos);

    test::write_file(dir / "bad.yaml",
                     "account: a\nmetrics:\n  late_dispatch_rate:\n    tagret: 1\n");
    const auto bad = run({"check-config", "--json", "--config", (dir / "bad.yaml").string()});
    EXPECT_EQ(bad.exit_code, 2);
    const auto problems = json::parse(bad.out);
    EXPECT_EQ(problems["valid"], false);
    ASSERT_EQ(problems["errors"].size(), 1u);
    EXPECT_EQ(problems["errors"][0]["file"], (dir / "bad.yaml").string());
    EXPECT_EQ(problems["errors"][0]["line"], 4);
    EXPECT_EQ(problems["errors"][0]["column"], 5);
    EXPECT_EQ(problems["errors"][0]["key"], "metrics.late_dispatch_rate.tagret");
    EXPECT_NE(problems["errors"][0]["message"].get<std::string>().find("did you mean 'target'"),
              std::string::npos);
    EXPECT_TRUE(problems["config"].is_null());
}

TEST_F(AccountsCli, TestAlertJsonGivesEachChannelsResult) {
    // Nothing listens on port 1: the delivery fails and says why.
    test::write_file(dir / "acme.yaml",
                     "alerts:\n"
                     "  channels:\n"
                     "    - name: hook\n"
                     "      type: webhook\n"
                     "      url: http://127.0.0.1:1/hook\n"
                     "      timeout: 2s\n");
    const auto r = run({"test-alert", "--json", "--config", (dir / "acme.yaml").string()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    const auto doc = json::parse(r.out);
    ASSERT_EQ(doc["channels"].size(), 1u);
    EXPECT_EQ(doc["channels"][0]["name"], "hook");
    EXPECT_EQ(doc["channels"][0]["type"], "webhook");
    EXPECT_EQ(doc["channels"][0]["result"], "retry");
    EXPECT_FALSE(doc["channels"][0]["detail"].get<std::string>().empty());
    EXPECT_EQ(doc["delivered"], 0);
    EXPECT_EQ(doc["failed"], 1);
}

}  // namespace
}  // namespace shd
