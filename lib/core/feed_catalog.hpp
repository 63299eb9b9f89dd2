// The feeds: each kind of data that reaches the daemon on its own schedule
// (an export file type today; an SP-API report or a mailbox later), named in
// the database (`feeds.feed`), the config (`feeds.<name>.max_age`), alert
// fingerprints (`stale_data|<name>`) and status. Adding a source is adding a
// row here; nothing else keeps a list of feed names.
//
// Which feeds each metric reads is here too: a metric is flagged stale when
// one of them has stopped arriving (spec/metrics.md, "stale").
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "core/metric_catalog.hpp"

namespace shd {

struct feed_definition {
    std::string_view name;   // "shipments": config key, database and JSON value
    std::string_view words;  // "shipments": for people, in "shipments last arrived 3 d ago"
};

// In the order status lists them.
std::span<const feed_definition> all_feeds();

// nullptr for a name no feed has.
const feed_definition* find_feed(std::string_view name);

// The feeds a metric's counts come from. A feed the seller never imported is
// not among the causes of staleness (freshness.hpp): FBA-only sellers have no
// shipments, and many never export claims.
std::span<const std::string_view> feeds_of(metric_key key);

}  // namespace shd
