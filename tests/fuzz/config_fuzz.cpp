// The configuration loader on arbitrary text: yaml_bounds first, then the
// schema. Run with -rss_limit_mb=512 -timeout=5 (scripts/fuzz.sh): no text may
// make either use unbounded memory or time. What loads must also print
// (format_effective) and load again from its own output.
#include <cstdint>
#include <string>

#include "config/config.hpp"
#include "config/yaml_bounds.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace shd;
    const auto text = fuzz::as_text(data, size);
    try {
        (void)config::check_yaml_bounds(text);
    } catch (const std::exception&) {
        // yaml-cpp's own parse errors pass through by contract; parse_config turns them into
        // values.
    }
    auto loaded = config::parse_config(text, "fuzz.yaml");
    if (loaded) {
        const std::string effective = config::format_effective(*loaded);
        auto again = config::parse_config(effective, "effective.yaml");
        if (!again)
            __builtin_trap();  // the effective configuration must load
    }
    return 0;
}
