// parse.cpp's entry points on arbitrary bytes: parse_bytes (decode, detect,
// split, parse, any format) and detect_format (reads a file, so the input is
// written to a temporary file first). When a file parses, detect_format must
// name the same format: the inbox orders files by it.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_support.hpp"
#include "ingest/parse.hpp"

namespace {

std::filesystem::path scratch_file() {
    const char* dir = std::getenv("TMPDIR");
    std::filesystem::path base = dir != nullptr && *dir != '\0' ? dir : "/tmp";
    return base / ("shd-fuzz-parse-" + std::to_string(::getpid()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace shd;
    const auto bytes = fuzz::as_text(data, size);
    const auto ctx = fuzz::make_context();
    auto parsed = ingest::parse_bytes(bytes, ctx, fuzz::reading_sink());
    if (!parsed)
        (void)parsed.error().to_string();

    static const std::filesystem::path path = scratch_file();
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    auto detected = ingest::detect_format(path);
    if (parsed) {
        if (!detected || *detected != parsed->format) {
            std::fprintf(stderr, "parse_bytes read format %d, detect_format says %s\n",
                         static_cast<int>(parsed->format),
                         detected ? std::to_string(static_cast<int>(*detected)).c_str()
                                  : detected.error().to_string().c_str());
            std::abort();
        }
    }
    return 0;
}
