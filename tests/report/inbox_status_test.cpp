// The inbox section of `status` and of its JSON: names as given (already
// printable), nothing at all in the table when nothing is unreadable.
#include "report/inbox_status.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace shd::report {
namespace {

TEST(InboxStatus, TheTableSaysNothingForACleanInbox) {
    EXPECT_EQ(inbox_status_table({}), "");
}

TEST(InboxStatus, TheTableListsEachEntryWithItsReason) {
    const std::vector<unreadable_inbox_file> files{
        {"evil\\x1b[31m.txt", "is a symbolic link (not followed)"},
        {"p", "is a named pipe (FIFO), not a file"}};
    EXPECT_EQ(inbox_status_table(files),
              "\nInbox: 2 entries not read (see docs/troubleshooting.md)\n"
              "  evil\\x1b[31m.txt  is a symbolic link (not followed)\n"
              "  p                 is a named pipe (FIFO), not a file\n");
}

TEST(InboxStatus, TheJsonGainsOneFieldAndKeepsTheRest) {
    const std::string before = "{\n  \"as_of\": \"2026-03-01T00:00:00Z\",\n  \"metrics\": []\n}";
    const auto empty = nlohmann::ordered_json::parse(with_inbox_json(before, {}));
    EXPECT_EQ(empty.at("as_of"), "2026-03-01T00:00:00Z");
    EXPECT_EQ(empty.at("inbox_unreadable").at("count"), 0);
    EXPECT_TRUE(empty.at("inbox_unreadable").at("files").empty());
    EXPECT_EQ(empty.begin().key(), "as_of");  // the order stays

    const auto listed = nlohmann::json::parse(
        with_inbox_json(before, {{"a\\x0a", "cannot open: Permission denied"}}));
    EXPECT_EQ(listed.at("inbox_unreadable").at("count"), 1);
    EXPECT_EQ(listed.at("inbox_unreadable").at("files").at(0).at("name"), "a\\x0a");
    EXPECT_EQ(listed.at("inbox_unreadable").at("files").at(0).at("reason"),
              "cannot open: Permission denied");
}

}  // namespace
}  // namespace shd::report
