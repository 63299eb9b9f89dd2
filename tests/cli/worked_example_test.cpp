// The worked example of spec/metrics.md (tests/data/worked-example, a copy of
// shared/spec/worked-example): import its files with the real binary in the
// given order, run `status --json --at as_of`, and compare every field of
// every expected row; no row may be missing or extra.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "support/test_support.hpp"

namespace shd {
namespace {

using json = nlohmann::json;
using row_key = std::tuple<std::string, std::string, std::string, int>;

row_key key_of(const json& r) {
    return {r.at("metric").get<std::string>(), r.at("marketplace").get<std::string>(),
            r.at("channel").get<std::string>(), r.at("window_days").get<int>()};
}

std::string describe(const row_key& k) {
    return std::get<0>(k) + " " + std::get<1>(k) + " " + std::get<2>(k) + " " +
           std::to_string(std::get<3>(k)) + "d";
}

TEST(WorkedExample, StatusMatchesExpectedRows) {
    const auto source = test::data_file("worked-example");
    test::temp_dir dir;
    for (const auto& entry : std::filesystem::directory_iterator(source)) {
        std::filesystem::copy_file(entry.path(), dir / entry.path().filename().string());
    }
    const auto config = (dir / "config.yaml").string();
    const json expected = json::parse(test::read_file(dir / "expected-status.json"));

    for (const auto& batch : expected.at("import_order")) {
        std::vector<std::string> args{"import", "--config", config};
        for (const auto& file : batch)
            args.push_back((dir / file.get<std::string>()).string());
        const auto r = test::run_binary(args, dir.path());
        ASSERT_EQ(r.exit_code, 0) << "import " << batch.dump() << "\n" << r.err;
    }

    const auto r = test::run_binary(
        {"status", "--config", config, "--json", "--at", expected.at("as_of").get<std::string>()},
        dir.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json got = json::parse(r.out);
    EXPECT_EQ(got.at("as_of"), expected.at("as_of"));

    std::map<row_key, json> rows;
    for (const auto& row : got.at("metrics")) {
        EXPECT_TRUE(rows.emplace(key_of(row), row).second)
            << "duplicate row " << describe(key_of(row));
    }
    for (const auto& want : expected.at("metrics")) {
        const auto key = key_of(want);
        auto it = rows.find(key);
        if (it == rows.end()) {
            ADD_FAILURE() << "missing row " << describe(key);
            continue;
        }
        const json& have = it->second;
        for (const auto& [field, value] : want.items()) {
            ASSERT_TRUE(have.contains(field)) << describe(key) << ": no field " << field;
            if (field == "rate" && value.is_number() && have[field].is_number()) {
                EXPECT_NEAR(have[field].get<double>(), value.get<double>(), 1e-9)
                    << describe(key) << ": rate";
            } else {
                EXPECT_EQ(have[field], value) << describe(key) << ": " << field;
            }
        }
        rows.erase(it);
    }
    for (const auto& [key, row] : rows)
        ADD_FAILURE() << "extra row " << describe(key);
}

}  // namespace
}  // namespace shd
