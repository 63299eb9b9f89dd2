// The shipments export format's rows (format_fuzz.hpp).
#include "format_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return shd::fuzz::fuzz_format(shd::ingest::detail::shipments_format(), data, size);
}
