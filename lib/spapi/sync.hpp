// Fetching the seller's data from the SP-API into the store (spec/sources.md
// "Selling Partner API"): the imperative shell around the pure mappers
// (orders.hpp, finances.hpp) and the transport (client.hpp).
//
// - orders: searchOrders by lastUpdatedAfter (newest stored lastUpdatedTime of
//   the marketplace, less 5 min), FULFILLMENT and PACKAGES, every page. Each
//   page is one transaction holding its records and the resume point (the
//   next page's token and the newest time seen), so a crash resumes at the
//   page it stopped at. At first start (nothing stored for the marketplace)
//   the pass runs over the seller-fulfilled orders created in the longest
//   late-dispatch / valid-tracking window plus 7 days (createdAfter).
//   A pass that needs more than `max_order_pages` pages is behind: it says so
//   (fetch_result::behind, spapi_sources.behind) and the gap is caught up
//   through the All Orders report by last update; once that report is read
//   (now, or polled at a later run) the source is no longer behind.
// - finances: listFinancialEvents by PostedAfter (newest posted, less 1 h).
// - feedback (per marketplace) and performance: the report flow; the document
//   is imported exactly as an export file is (ingest::importer), streamed
//   from a file of its own (document_file.hpp), never held in memory.
// Records reach the store through ingest::store_writer only; state lives in
// spapi_sources (migrations/0006_spapi.sql). Errors are values in the
// result, never secrets.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "spapi/client.hpp"

namespace shd::store {
class database;
}

namespace shd::spapi {

enum class source_kind { orders, finances, feedback, performance };
std::string_view source_name(source_kind k);  // "orders", ...
std::optional<source_kind> parse_source_name(std::string_view name);

struct fetch_result {
    std::string source;          // orders, finances, feedback, performance
    std::string marketplace_id;  // empty for finances
    bool ok = false;
    long requests = 0;  // pages or report calls made
    long orders = 0;    // orders created or replaced
    long records = 0;   // records stored
    std::optional<instant> newest_data;
    bool behind = false;       // the incremental poll could not clear its backlog
    bool auth_failed = false;  // invalid_client / invalid_grant
    std::string message;       // what happened, for people: an error, "CANCELLED: no data", ...
};

struct sync_options {
    // searchOrders pages one pass may take (the burst): beyond it the poll
    // is behind and the All Orders report catches up.
    int max_order_pages = 20;
    // getReport: the first wait and the longest wait between polls, and how
    // long a report may stay unfinished before the pass gives up (it resumes
    // polling at the next run).
    std::chrono::seconds report_first_wait{15};
    std::chrono::seconds report_max_wait{120};
    std::chrono::seconds report_give_up{20 * 60};
};

class syncer {
  public:
    // Everything given must outlive the syncer. `sleep_for` waits between
    // getReport polls (tests pass one that moves a ManualClock).
    syncer(store::database& db, client& api, const Clock& clock, client::sleeper sleep_for,
           const config::config& cfg, sync_options options = {});

    // Runs the selected sources now (all four when `only` is empty), every
    // marketplace, whatever their schedule.
    std::vector<fetch_result> run_now(std::optional<source_kind> only);
    // Runs the sources whose schedule says they are due.
    std::vector<fetch_result> run_due();

    // First-start history: the All Orders report by order date in windows
    // of at most 30 days over backfill_days, then the Unshipped report.
    // Progress is kept per window (spapi_sources 'backfill'), so a restart
    // continues with the next window. `all_windows`: every remaining window
    // now (fetch); otherwise one step per call (run). Nothing to do once done.
    std::optional<fetch_result> backfill_orders(const std::string& marketplace_id,
                                                bool all_windows);
    fetch_result fetch_orders(const std::string& marketplace_id);
    fetch_result fetch_finances();
    fetch_result fetch_report(source_kind kind, const std::string& marketplace_id);

  private:
    // The report flow for one report type; `state_key` names its row of
    // spapi_sources. `from`/`to`: dataStartTime/dataEndTime when the type
    // takes them.
    fetch_result fetch_report_document(std::string_view type, std::string_view state_key,
                                       const std::string& marketplace_id,
                                       std::optional<instant> from, std::optional<instant> to);
    // A catch-up report that is final and read clears the orders source's
    // behind state; true then.
    bool caught_up(const fetch_result& caught, const std::string& marketplace);
    bool due(std::string_view source, const std::string& marketplace_id,
             std::chrono::seconds interval);
    std::vector<fetch_result> run(std::optional<source_kind> only, bool only_due);

    store::database& db_;
    client& api_;
    const Clock& clock_;
    client::sleeper sleep_for_;
    const config::config& cfg_;
    const config::sp_api_config& sp_;
    sync_options options_;
};

// One source's row of spapi_sources, for status.
struct source_state {
    std::string source;
    std::string marketplace_id;
    std::optional<instant> last_attempt_at;
    std::optional<instant> last_success_at;
    std::optional<instant> newest_data_at;
    std::optional<instant> cursor_at;
    std::string last_error;
    bool behind = false;
    std::optional<instant> progress_from, progress_until, progress_to;
};
std::vector<source_state> load_source_states(store::database& db);

}  // namespace shd::spapi
