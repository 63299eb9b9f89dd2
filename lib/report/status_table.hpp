// `status` for people: one table per marketplace, like Seller Central's
// Account Health page (metric, window, value, counts, warn, target, status,
// headroom, and Amazon's rate when a snapshot was imported), followed by what
// is about to change; rows counted from a stale feed say "(stale)" with the
// reason below; then, per feed, when it last arrived and the age of its newest
// data (Amazon's snapshot for account_health). ANSI colour only when asked
// (stdout is a terminal).
#pragma once

#include <cstddef>
#include <string>

#include "metrics/evaluation.hpp"

namespace shd::report {

struct table_options {
    bool color = false;
    // Upcoming items listed per kind before "... and N more".
    std::size_t max_listed = 5;
};

std::string status_table(const metrics::evaluation& e, const table_options& options = {});

// 0.0072815 -> "0.73%".
std::string format_percent(double rate);

}  // namespace shd::report
