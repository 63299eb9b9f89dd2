// The account-health report (JSON) parser on an arbitrary document.
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "ingest/formats/format_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace shd;
    const auto ctx = fuzz::make_context();
    auto rows = ingest::detail::parse_account_health(std::string(fuzz::as_text(data, size)), ctx,
                                                     fuzz::reading_sink());
    if (!rows)
        (void)rows.error().to_string();
    return 0;
}
