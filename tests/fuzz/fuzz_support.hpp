// What the ingest fuzz targets share: a parse context like the daemon's (an
// order lookup that knows one order, so both Feedback date paths run) and a
// sink that reads every record, so a record holding a dangling view or an
// uninitialised field is caught by the sanitizers rather than ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "ingest/parse.hpp"
#include "ingest/records.hpp"

namespace shd::fuzz {

inline ingest::parse_context make_context() {
    ingest::parse_context ctx;
    ctx.file_name = "fuzz-input";
    ctx.default_marketplace = "ATVPDKIKX0DER";
    ctx.order_marketplace = [](std::string_view id) -> std::optional<std::string> {
        if (id == "111-2222222-3333333")
            return std::string("A1PA6795UKMFR9");
        return std::nullopt;
    };
    return ctx;
}

// Copies every record; the copy's size goes into a volatile so nothing is
// optimised away.
inline ingest::record_sink reading_sink() {
    return [](const ingest::record& r, long line) {
        if (line < 0)
            __builtin_trap();
        ingest::record copy = r;
        volatile std::size_t touched = copy.index();
        (void)touched;
    };
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace shd::fuzz
