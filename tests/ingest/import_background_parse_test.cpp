#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "ingest/background_parse.hpp"
#include "ingest/import_test_support.hpp"

namespace shd::ingest {
namespace {

record message(long n) {
    message_row m;
    m.message_id = "M" + std::to_string(n);
    m.received_at = test::at("2025-09-01T00:00:00Z");
    return m;
}

long message_number(const record& r) {
    return std::stol(std::get<message_row>(r).message_id.substr(1));
}

TEST(ImportBackgroundParse, HandsEveryRecordOverInOrderAndReturnsTheParsersResult) {
    const parse_function parse =
        [](const std::filesystem::path&, const parse_context&,
           const record_sink& sink) -> result<parse_summary, import_error> {
        for (long i = 0; i < 10'000; ++i)
            sink(message(i), i + 2);
        return parse_summary{file_format::messages, 10'000};
    };
    std::vector<std::pair<long, long>> seen;
    auto parsed = parse_in_background(parse, "f.csv", {}, [&](const record& r, long line) {
        seen.emplace_back(message_number(r), line);
    });
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->format, file_format::messages);
    EXPECT_EQ(parsed->rows, 10'000);
    ASSERT_EQ(seen.size(), 10'000u);
    for (long i = 0; i < 10'000; ++i) {
        ASSERT_EQ(seen[i].first, i);
        ASSERT_EQ(seen[i].second, i + 2);
    }
}

TEST(ImportBackgroundParse, ReturnsTheParsersErrorAfterTheRecordsBeforeIt) {
    const parse_function parse =
        [](const std::filesystem::path&, const parse_context&,
           const record_sink& sink) -> result<parse_summary, import_error> {
        for (long i = 0; i < 3000; ++i)
            sink(message(i), i + 2);
        return import_error{"f.csv", 3002, "received_at", "bad"};
    };
    long consumed = 0;
    auto parsed = parse_in_background(parse, "f.csv", {}, [&](const record&, long) { ++consumed; });
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().line, 3002);
    EXPECT_EQ(consumed, 3000);
}

TEST(ImportBackgroundParse, AConsumerExceptionStopsTheParserAndIsRethrown) {
    std::atomic<long> produced{0};
    const parse_function endless =
        [&](const std::filesystem::path&, const parse_context&,
            const record_sink& sink) -> result<parse_summary, import_error> {
        // Stops only when the sink throws.
        for (long i = 0;; ++i) {
            sink(message(i), i + 2);
            ++produced;
        }
    };
    EXPECT_THROW(parse_in_background(endless, "f.csv", {},
                                     [](const record& r, long) {
                                         if (message_number(r) == 5000) {
                                             throw std::runtime_error("disk full");
                                         }
                                     }),
                 std::runtime_error);
    // Bounded by the queue, not by the (endless) input.
    EXPECT_LT(produced.load(), 20'000);
}

TEST(ImportBackgroundParse, AParserExceptionIsRethrownOnTheCallingThread) {
    const parse_function parse =
        [](const std::filesystem::path&, const parse_context&,
           const record_sink& sink) -> result<parse_summary, import_error> {
        sink(message(1), 2);
        throw std::invalid_argument("parser bug");
    };
    EXPECT_THROW(parse_in_background(parse, "f.csv", {}, [](const record&, long) {}),
                 std::invalid_argument);
}

TEST(ImportBackgroundParse, LookupsRunOnTheCallingThreadAfterTheRecordsBeforeThem) {
    const parse_function parse =
        [](const std::filesystem::path&, const parse_context& ctx,
           const record_sink& sink) -> result<parse_summary, import_error> {
        for (long i = 0; i < 1500; ++i)
            sink(message(i), i + 2);
        auto answer = ctx.order_marketplace("order-1");
        if (answer != std::optional<std::string>("consumed 1500")) {
            return import_error{"f", 0, "", "wrong answer: " + answer.value_or("none")};
        }
        sink(message(1500), 1502);
        return parse_summary{file_format::messages, 1501};
    };
    const auto caller = std::this_thread::get_id();
    long consumed = 0;
    bool lookup_on_caller = false;
    parse_context ctx;
    ctx.order_marketplace = [&](std::string_view order_id) -> std::optional<std::string> {
        lookup_on_caller = std::this_thread::get_id() == caller;
        EXPECT_EQ(order_id, "order-1");
        return "consumed " + std::to_string(consumed);
    };
    auto parsed = parse_in_background(parse, "f.csv", ctx, [&](const record&, long) {
        EXPECT_TRUE(std::this_thread::get_id() == caller);
        ++consumed;
    });
    ASSERT_TRUE(parsed) << parsed.error().reason;
    EXPECT_TRUE(lookup_on_caller);
    EXPECT_EQ(consumed, 1501);
}

TEST(ImportBackgroundParse, ALookupThatThrowsStopsTheParser) {
    const parse_function parse = [](const std::filesystem::path&, const parse_context& ctx,
                                    const record_sink&) -> result<parse_summary, import_error> {
        for (;;)
            ctx.order_marketplace("x");
    };
    parse_context ctx;
    ctx.order_marketplace = [](std::string_view) -> std::optional<std::string> {
        throw std::runtime_error("database gone");
    };
    EXPECT_THROW(parse_in_background(parse, "f.csv", ctx, [](const record&, long) {}),
                 std::runtime_error);
}

}  // namespace
}  // namespace shd::ingest
