// Helpers for the parser tests: run a parser into a vector of records, and
// pick the records of one kind.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "ingest/parse.hpp"
#include "ingest/records.hpp"

namespace shd::ingest::test {

struct collected {
    std::vector<record> records;
    std::vector<long> lines;

    template <class T>
    std::vector<T> all() const {
        std::vector<T> out;
        for (const auto& r : records) {
            if (const T* t = std::get_if<T>(&r))
                out.push_back(*t);
        }
        return out;
    }
    record_sink sink() {
        return [this](const record& r, long line) {
            records.push_back(r);
            lines.push_back(line);
        };
    }
};

inline parse_context make_context(std::string default_marketplace = "ATVPDKIKX0DER",
                                  std::map<std::string, std::string> order_marketplaces = {}) {
    parse_context ctx;
    ctx.file_name = "test-file";
    ctx.default_marketplace = std::move(default_marketplace);
    ctx.order_marketplace = [orders = std::move(order_marketplaces)](
                                std::string_view id) -> std::optional<std::string> {
        auto it = orders.find(std::string(id));
        if (it == orders.end())
            return std::nullopt;
        return it->second;
    };
    return ctx;
}

inline result<parse_summary, import_error> parse_text(std::string_view bytes, collected& out,
                                                      const parse_context& ctx = make_context()) {
    return parse_bytes(bytes, ctx, out.sink());
}

inline result<parse_summary, import_error> parse_path(const std::filesystem::path& path,
                                                      collected& out,
                                                      const parse_context& ctx = make_context()) {
    return parse_file(path, ctx, out.sink());
}

inline instant at(std::string_view iso) {
    auto t = parse_iso8601(iso);
    if (!t)
        throw std::invalid_argument("bad timestamp in test: " + std::string(iso));
    return *t;
}

}  // namespace shd::ingest::test
