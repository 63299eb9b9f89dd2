// Parsing on a second core while the calling thread writes: the parse runs on
// a worker thread and its records reach the caller in small batches through a
// bounded queue (a few thousand records at most, whatever the file's size).
//
// Behaves exactly like `parse(path, ctx, consume)` on the calling thread:
// - `consume` and `ctx.order_marketplace` run on the calling thread only (the
//   one that owns the database connection), in the order the parser produced
//   them; a lookup is answered only after every record before it was consumed.
// - An exception thrown by `consume` or `ctx.order_marketplace` stops the
//   parser (at its next record or lookup) and is rethrown here once the
//   worker has finished; so is an exception thrown by the parser itself.
// The worker is always joined before this returns or throws.
#pragma once

#include <filesystem>
#include <functional>

#include "ingest/parse.hpp"

namespace shd::ingest {

using parse_function = std::function<result<parse_summary, import_error>(
    const std::filesystem::path&, const parse_context&, const record_sink&)>;

result<parse_summary, import_error> parse_in_background(const parse_function& parse,
                                                        const std::filesystem::path& path,
                                                        const parse_context& ctx,
                                                        const record_sink& consume);

}  // namespace shd::ingest
