// Report documents travel from the presigned URL to the importer through a
// file of their own, not through memory: a document far larger than the
// client's in-memory response limit is imported whole (plain and gzip), the
// download never carries the access token, and an interrupted download
// imports nothing and leaves no file (nor descriptor) behind. Real parts: the
// stand-in Amazon over HTTPS, a real SQLite file, the real importer.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "config/config.hpp"
#include "spapi/client.hpp"
#include "spapi/document_file.hpp"
#include "spapi/sync.hpp"
#include "store/database.hpp"
#include "support/child_server.hpp"
#include "support/spapi_standin.hpp"

namespace shd::spapi {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::spapi_standin;

constexpr const char* kAllOrdersByDate = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL";
constexpr std::size_t kResponseLimit = 256 * 1024;

// bench/gen_all_orders.py's report: the benchmark's own generator.
std::filesystem::path all_orders_document(const std::filesystem::path& folder, int rows) {
    const auto path = folder / "all-orders.txt";
    const std::string command = test::python3() + " " + std::string(SHD_SOURCE_DIR) +
                                "/bench/gen_all_orders.py --rows " + std::to_string(rows) + " " +
                                path.string();
    if (std::system(command.c_str()) != 0)
        throw std::runtime_error("gen_all_orders.py failed");
    return path;
}

std::set<std::string> order_ids(const std::filesystem::path& document) {
    std::ifstream in(document);
    std::string line;
    std::getline(in, line);  // header
    std::set<std::string> ids;
    while (std::getline(in, line))
        ids.insert(line.substr(0, line.find('\t')));
    return ids;
}

// The files a descriptor of this process holds inside `folder`.
std::vector<std::string> open_files_in(const std::filesystem::path& folder) {
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        const auto target = std::filesystem::read_symlink(entry.path(), ec);
        if (!ec && target.string().rfind(folder.string(), 0) == 0)
            found.push_back(target.string());
    }
    return found;
}

class DocumentDownload : public ::testing::Test {
  protected:
    json seller(json report) const {
        return {{"marketplaces", {"ATVPDKIKX0DER"}},
                {"orders", json::array()},
                {"reports", {{kAllOrdersByDate, std::move(report)}}},
                {"behaviour", {{"report_polls", 0}}}};
    }

    client_settings settings_for(const spapi_standin& amazon) const {
        client_settings s;
        s.endpoint = amazon.endpoint();
        s.token_url = amazon.token_url();
        s.client_id = spapi_standin::kClientId;
        s.client_secret = spapi_standin::kClientSecret;
        s.refresh_token = spapi_standin::kRefreshToken;
        s.ca_file = amazon.ca_file();
        s.proxy = "none";
        s.request_timeout = 20s;
        s.failure_retries = retries_;
        // Far smaller than the document: it cannot have been held in memory.
        s.response_limit = kResponseLimit;
        return s;
    }

    config::config config_for() const {
        config::config cfg;
        cfg.database = db_dir_ / "db.sqlite";
        config::sp_api_config sp;
        sp.marketplaces = {"ATVPDKIKX0DER"};
        sp.backfill_days = 30;  // one All Orders window, then Unshipped
        cfg.sp_api = sp;
        return cfg;
    }

    // The first-start history (the All Orders report) into a fresh database.
    fetch_result backfill(spapi_standin& amazon) {
        auto db = store::database::open(db_dir_ / "db.sqlite");
        if (!db)
            throw std::runtime_error(db.error().text);
        const auto cfg = config_for();
        const auto sleeper = [this](std::chrono::milliseconds d) {
            clock_.advance(std::chrono::duration_cast<std::chrono::seconds>(d + 999ms));
        };
        client api(settings_for(amazon), clock_, sleeper);
        syncer sync(*db, api, clock_, sleeper, cfg);
        auto result = sync.backfill_orders("ATVPDKIKX0DER", true);
        if (!result)
            throw std::runtime_error("no backfill ran");
        return *result;
    }

    long long count(const std::string& sql) {
        SQLite::Database db((db_dir_ / "db.sqlite").string());
        return db.execAndGet(sql).getInt64();
    }

    int retries_ = 0;
    test::temp_dir dir_;
    std::filesystem::path db_dir_ = dir_ / "state";
    ManualClock clock_{std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
};

TEST_F(DocumentDownload, ADocumentLargerThanTheMemoryLimitIsImportedWholePlainAndGzipped) {
    const auto document = all_orders_document(dir_.path(), 20000);
    ASSERT_GT(std::filesystem::file_size(document), 8 * kResponseLimit);
    const auto ids = order_ids(document);
    ASSERT_GT(ids.size(), 10000u);

    for (const bool gzipped : {false, true}) {
        SCOPED_TRACE(gzipped ? "gzip" : "plain");
        std::filesystem::remove_all(db_dir_);
        spapi_standin amazon(seller({{"document_file", document.string()}, {"gzip", gzipped}}));
        const auto result = backfill(amazon);
        EXPECT_TRUE(result.ok) << result.message;
        EXPECT_EQ(count("SELECT COUNT(*) FROM orders"), static_cast<long long>(ids.size()));
        EXPECT_EQ(count("SELECT COUNT(DISTINCT order_id) FROM order_items"),
                  static_cast<long long>(ids.size()));
        EXPECT_EQ(count("SELECT COUNT(*) FROM order_items"), 20000);

        // The presigned URL never got the access token; the document came
        // as one download.
        std::size_t downloads = 0;
        for (const auto& r : amazon.requests()) {
            if (r["operation"] == "download") {
                ++downloads;
                EXPECT_FALSE(r["token_sent"].get<bool>());
            }
        }
        EXPECT_EQ(downloads, 1u);
        // Nothing left in the database's folder but the database.
        for (const auto& name : test::folder(db_dir_))
            EXPECT_EQ(name.rfind("db.sqlite", 0), 0u) << name;
        EXPECT_TRUE(open_files_in(db_dir_).empty());
    }
}

TEST_F(DocumentDownload, AnInterruptedDownloadImportsNothingLeavesNoFileAndComesAgain) {
    const auto document = all_orders_document(dir_.path(), 5000);
    spapi_standin amazon(seller({{"document_file", document.string()}, {"cut_after", 100000}}));
    const auto result = backfill(amazon);
    EXPECT_FALSE(result.ok);
    EXPECT_NE(result.message.find("before a complete response"), std::string::npos)
        << result.message;
    EXPECT_EQ(count("SELECT COUNT(*) FROM orders"), 0);
    EXPECT_EQ(count("SELECT COUNT(*) FROM imports"), 0);
    EXPECT_GE(amazon.count("download"), 1u);
    for (const auto& name : test::folder(db_dir_))
        EXPECT_EQ(name.rfind("db.sqlite", 0), 0u) << name;
    EXPECT_TRUE(open_files_in(db_dir_).empty());

    // The report stays pending: the next run downloads its document again
    // rather than requesting a new report.
    json fixed = amazon.seller();
    fixed["reports"][kAllOrdersByDate].erase("cut_after");
    amazon.update(fixed);
    const auto again = backfill(amazon);
    EXPECT_TRUE(again.ok) << again.message;
    EXPECT_EQ(count("SELECT COUNT(*) FROM orders"),
              static_cast<long long>(order_ids(document).size()));
    EXPECT_EQ(amazon.count("createReport"), 2u);  // the window's, then the Unshipped report
}

TEST_F(DocumentDownload, ADownloadCutShortIsTriedAgainFromTheStart) {
    const auto document = all_orders_document(dir_.path(), 5000);
    retries_ = 1;
    spapi_standin amazon(seller(
        {{"document_file", document.string()}, {"cut_after", 100000}, {"cut_downloads", 1}}));
    const auto result = backfill(amazon);
    EXPECT_TRUE(result.ok) << result.message;
    EXPECT_EQ(amazon.count("download"), 2u);
    EXPECT_EQ(count("SELECT COUNT(*) FROM orders"),
              static_cast<long long>(order_ids(document).size()));
    EXPECT_EQ(count("SELECT COUNT(*) FROM order_items"), 5000);
    EXPECT_TRUE(open_files_in(db_dir_).empty());
}

TEST(DocumentFile, IsUnnamedPrivateAndGoneWhenClosed) {
    test::temp_dir dir;
    std::string link;
    {
        auto file = document_file::create(dir.path());
        ASSERT_TRUE(file) << file.error().text;
        EXPECT_TRUE(test::folder(dir.path()).empty());  // no name in the folder
        struct stat st {};
        ASSERT_EQ(::fstat(file->fd(), &st), 0);
        EXPECT_EQ(st.st_mode & 0777, 0600u);
        ASSERT_EQ(::write(file->fd(), "abc", 3), 3);
        link = "/proc/self/fd/" + std::to_string(file->fd());
        // Readable again through /proc (how the importer opens it).
        EXPECT_EQ(test::read_file(link), "abc");
    }
    EXPECT_TRUE(test::folder(dir.path()).empty());
    EXPECT_TRUE(open_files_in(dir.path()).empty());
}

TEST(DocumentFile, FallsBackToTmpdirWhenTheFolderIsMissing) {
    auto file = document_file::create("/nonexistent/seller-healthd");
    ASSERT_TRUE(file) << file.error().text;
    EXPECT_GE(file->fd(), 0);
}

}  // namespace
}  // namespace shd::spapi
