// Where the time of an import goes: SHA-256 of the raw bytes, parsing alone
// (records handed to a sink that drops them), and the whole import into a
// fresh database. Prints one line per phase with wall and CPU seconds.
//
// Usage: import_phases FILE [DATABASE]   (DATABASE defaults to FILE.phases.sqlite,
// removed first)
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>

#include "core/clock.hpp"
#include "ingest/importer.hpp"
#include "ingest/parse.hpp"
#include "ingest/sha256.hpp"
#include "store/database.hpp"

namespace {

double cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void timed(const char* phase, const std::function<std::string()>& work) {
    const auto wall_start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_seconds();
    const std::string detail = work();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    fmt::print("{:<8} wall {:6.2f} s  cpu {:6.2f} s  {}\n", phase, wall, cpu_seconds() - cpu_start,
               detail);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        fmt::print(stderr, "usage: import_phases FILE [DATABASE]\n");
        return 2;
    }
    const std::filesystem::path file = argv[1];
    const std::filesystem::path database =
        argc == 3 ? std::filesystem::path(argv[2])
                  : std::filesystem::path(file.string() + ".phases.sqlite");
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(database.string() + suffix);
    }

    timed("sha256", [&] {
        auto digest = shd::ingest::sha256_file(file);
        return digest ? *digest : digest.error().text;
    });
    timed("parse", [&] {
        shd::ingest::parse_context ctx;
        ctx.file_name = file.string();
        ctx.default_marketplace = "ATVPDKIKX0DER";
        ctx.order_marketplace = [](std::string_view) { return std::nullopt; };
        long records = 0;
        auto parsed = shd::ingest::parse_file(file, ctx,
                                              [&](const shd::ingest::record&, long) { ++records; });
        if (!parsed)
            return parsed.error().to_string();
        return fmt::format("{} records", records);
    });
    timed("import", [&] {
        auto db = shd::store::database::open(database);
        if (!db)
            return db.error().text;
        shd::SystemClock clock;
        shd::ingest::importer importer(*db, clock, "ATVPDKIKX0DER");
        auto imported = importer.import_file(file);
        if (!imported)
            return imported.error().error.to_string();
        return fmt::format("{} rows, {} orders", imported->rows, imported->orders);
    });
    return 0;
}
