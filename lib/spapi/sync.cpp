#include "spapi/sync.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <random>

#include "core/metric_catalog.hpp"
#include "ingest/importer.hpp"
#include "ingest/store_writer.hpp"
#include "spapi/document_file.hpp"
#include "spapi/finances.hpp"
#include "spapi/orders.hpp"
#include "spapi/rules.hpp"
#include "store/database.hpp"

namespace shd::spapi {
namespace {

using json = nlohmann::json;

constexpr std::chrono::seconds kOrdersOverlap{5 * 60};
constexpr std::chrono::seconds kFinancesOverlap{3600};
constexpr std::string_view kFeedbackReport = "GET_SELLER_FEEDBACK_DATA";
constexpr std::string_view kPerformanceReport = "GET_V2_SELLER_PERFORMANCE_REPORT";
constexpr std::string_view kAllOrdersByUpdate =
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL";
constexpr std::string_view kAllOrdersByDate = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL";
constexpr std::string_view kUnshippedReport = "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING";
// The import's page cache for a report document (ingest: 32 MiB for a file).
constexpr int kDocumentImportCacheKiB = 24 * 1024;
// Amazon refuses (or silently empties) order reports over more than 30 days.
constexpr std::chrono::seconds kReportWindow = days(30);

std::optional<instant> optional_time(const SQLite::Column& c) {
    if (c.isNull())
        return std::nullopt;
    return from_unix(c.getInt64());
}

void bind_optional_time(SQLite::Statement& s, int index, std::optional<instant> t) {
    if (t)
        s.bind(index, static_cast<std::int64_t>(to_unix(*t)));
    else
        s.bind(index);
}

std::string describe(const api_error& e) {
    std::string text = e.message;
    if (!e.code.empty())
        text = fmt::format("{} ({})", text, e.code);
    if (e.status != 0)
        text = fmt::format("HTTP {}: {}", e.status, text);
    return text;
}

// The resumable state of one source (a row of spapi_sources).
struct state {
    std::optional<instant> cursor_at;
    std::string page_token;
    std::optional<instant> pass_newest_at;
    std::optional<instant> next_due_at;
    std::string pending_report_id;
    std::optional<instant> progress_from, progress_until, progress_to;
    std::optional<instant> last_success_at;
    std::optional<instant> newest_data_at;
    bool behind = false;
};

state load_state(SQLite::Database& db, std::string_view source, const std::string& marketplace) {
    SQLite::Statement q(db,
                        "SELECT cursor_at, page_token, pass_newest_at, next_due_at,"
                        " pending_report_id, progress_from, progress_until, progress_to,"
                        " last_success_at, newest_data_at, behind"
                        " FROM spapi_sources WHERE source = ?1 AND marketplace_id = ?2");
    q.bind(1, std::string(source));
    q.bind(2, marketplace);
    state s;
    if (q.executeStep()) {
        s.cursor_at = optional_time(q.getColumn(0));
        s.page_token = q.getColumn(1).isNull() ? "" : q.getColumn(1).getString();
        s.pass_newest_at = optional_time(q.getColumn(2));
        s.next_due_at = optional_time(q.getColumn(3));
        s.pending_report_id = q.getColumn(4).isNull() ? "" : q.getColumn(4).getString();
        s.progress_from = optional_time(q.getColumn(5));
        s.progress_until = optional_time(q.getColumn(6));
        s.progress_to = optional_time(q.getColumn(7));
        s.last_success_at = optional_time(q.getColumn(8));
        s.newest_data_at = optional_time(q.getColumn(9));
        s.behind = q.getColumn(10).getInt() != 0;
    }
    return s;
}

void save_state(SQLite::Database& db, std::string_view source, const std::string& marketplace,
                const state& s) {
    SQLite::Statement u(
        db,
        "INSERT INTO spapi_sources(source, marketplace_id, cursor_at, page_token, pass_newest_at,"
        " next_due_at, pending_report_id, progress_from, progress_until, progress_to,"
        " last_success_at, newest_data_at, behind)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        " ON CONFLICT(source, marketplace_id) DO UPDATE SET cursor_at = excluded.cursor_at,"
        " page_token = excluded.page_token, pass_newest_at = excluded.pass_newest_at,"
        " next_due_at = excluded.next_due_at, pending_report_id = excluded.pending_report_id,"
        " progress_from = excluded.progress_from, progress_until = excluded.progress_until,"
        " progress_to = excluded.progress_to, last_success_at = excluded.last_success_at,"
        " newest_data_at = excluded.newest_data_at, behind = excluded.behind");
    u.bind(1, std::string(source));
    u.bind(2, marketplace);
    bind_optional_time(u, 3, s.cursor_at);
    if (s.page_token.empty())
        u.bind(4);
    else
        u.bind(4, s.page_token);
    bind_optional_time(u, 5, s.pass_newest_at);
    bind_optional_time(u, 6, s.next_due_at);
    if (s.pending_report_id.empty())
        u.bind(7);
    else
        u.bind(7, s.pending_report_id);
    bind_optional_time(u, 8, s.progress_from);
    bind_optional_time(u, 9, s.progress_until);
    bind_optional_time(u, 10, s.progress_to);
    bind_optional_time(u, 11, s.last_success_at);
    bind_optional_time(u, 12, s.newest_data_at);
    u.bind(13, s.behind ? 1 : 0);
    u.exec();
}

// Records the attempt and its outcome (the error text, or none), and whether
// Login with Amazon refused the credentials (the sp_api_auth alert).
void record_attempt(SQLite::Database& db, std::string_view source, const std::string& marketplace,
                    instant now, const std::string& error, bool auth_refused = false) {
    SQLite::Statement u(
        db,
        "INSERT INTO spapi_sources(source, marketplace_id, last_attempt_at, last_error,"
        " last_error_at, auth_refused, first_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?3)"
        " ON CONFLICT(source, marketplace_id) DO UPDATE SET last_attempt_at = "
        "excluded.last_attempt_at,"
        " last_error = excluded.last_error,"
        " last_error_at = COALESCE(excluded.last_error_at, spapi_sources.last_error_at),"
        " auth_refused = excluded.auth_refused,"
        " first_attempt_at = COALESCE(spapi_sources.first_attempt_at, excluded.first_attempt_at)");
    u.bind(1, std::string(source));
    u.bind(2, marketplace);
    u.bind(3, static_cast<std::int64_t>(to_unix(now)));
    if (error.empty()) {
        u.bind(4);
        u.bind(5);
    } else {
        u.bind(4, error);
        u.bind(5, static_cast<std::int64_t>(to_unix(now)));
    }
    u.bind(6, auth_refused ? 1 : 0);
    u.exec();
}

// A unique identity for a fetch's imports row (imports.sha256 is unique;
// fetched pages have no file to hash).
std::string fetch_identity(std::string_view source, const std::string& marketplace, instant now) {
    static std::atomic<unsigned> sequence{0};
    static const unsigned long long salt = std::random_device{}();
    return fmt::format("sp-api:{}:{}:{}:{:x}:{}", source, marketplace, to_unix(now), salt,
                       sequence.fetch_add(1));
}

std::int64_t insert_import(SQLite::Database& db, const std::string& name, std::string_view format,
                           std::string_view source, const std::string& marketplace, instant now) {
    SQLite::Statement s(db,
                        "INSERT INTO imports(file_name, sha256, format, imported_at, row_count,"
                        " order_count) VALUES (?1, ?2, ?3, ?4, 0, 0)");
    s.bind(1, name);
    s.bind(2, fetch_identity(source, marketplace, now));
    s.bind(3, std::string(format));
    s.bind(4, static_cast<std::int64_t>(to_unix(now)));
    s.exec();
    return db.getLastInsertRowid();
}

void finish_import(SQLite::Database& db, std::int64_t id, long rows, long orders) {
    SQLite::Statement s(db, "UPDATE imports SET row_count = ?2, order_count = ?3 WHERE id = ?1");
    s.bind(1, id);
    s.bind(2, static_cast<std::int64_t>(rows));
    s.bind(3, static_cast<std::int64_t>(orders));
    s.exec();
}

std::optional<instant> newest_stored_update(SQLite::Database& db, const std::string& marketplace) {
    SQLite::Statement q(db, "SELECT MAX(last_updated_at) FROM orders WHERE marketplace_id = ?1");
    q.bind(1, marketplace);
    if (q.executeStep())
        return optional_time(q.getColumn(0));
    return std::nullopt;
}

// The longest late-dispatch or valid-tracking window of the config, in days.
long long first_pass_days(const config::config& cfg) {
    int longest = 0;
    for (const auto key : {metric_key::late_dispatch_rate, metric_key::valid_tracking_rate}) {
        for (const int w : cfg.metrics.at(key).windows)
            longest = std::max(longest, w);
        for (const auto& [id, per_metric] : cfg.marketplace_metrics) {
            if (auto it = per_metric.find(key); it != per_metric.end()) {
                for (const int w : it->second.windows)
                    longest = std::max(longest, w);
            }
        }
    }
    return longest + 7;
}

std::optional<instant> later(std::optional<instant> a, std::optional<instant> b) {
    if (!a)
        return b;
    if (!b)
        return a;
    return std::max(*a, *b);
}

}  // namespace

std::string_view source_name(source_kind k) {
    switch (k) {
        case source_kind::orders:
            return "orders";
        case source_kind::finances:
            return "finances";
        case source_kind::feedback:
            return "feedback";
        case source_kind::performance:
            return "performance";
    }
    return "";
}

std::optional<source_kind> parse_source_name(std::string_view name) {
    for (auto k : {source_kind::orders, source_kind::finances, source_kind::feedback,
                   source_kind::performance}) {
        if (source_name(k) == name)
            return k;
    }
    return std::nullopt;
}

syncer::syncer(store::database& db, client& api, const Clock& clock, client::sleeper sleep_for,
               const config::config& cfg, sync_options options)
    : db_(db),
      api_(api),
      clock_(clock),
      sleep_for_(std::move(sleep_for)),
      cfg_(cfg),
      sp_(cfg.sp_api.value()),
      options_(options) {}

// Whether a catch-up report's fetch covered the gap: final and read (a
// CANCELLED report had no data in it, which covers the gap too). It clears
// the source's "behind" state: the report holds the orders the poll could
// not page through. A report still being made, or failed, leaves it set.
bool syncer::caught_up(const fetch_result& caught, const std::string& marketplace) {
    SQLite::Database& db = db_.handle();
    if (!caught.ok || !load_state(db, "catch_up", marketplace).pending_report_id.empty())
        return false;
    state st = load_state(db, "orders", marketplace);
    if (st.behind) {
        st.behind = false;
        save_state(db, "orders", marketplace, st);
    }
    return true;
}

fetch_result syncer::fetch_orders(const std::string& marketplace) {
    SQLite::Database& db = db_.handle();
    fetch_result out;
    out.source = "orders";
    out.marketplace_id = marketplace;
    const instant now = clock_.now();
    state st = load_state(db, "orders", marketplace);

    // Where this pass starts: a stored page token resumes the interrupted
    // pass; otherwise the newest stored update less the overlap, or, at
    // first start, the seller-fulfilled orders of the longest window.
    std::string base_query;
    const std::optional<instant> stored =
        later(st.cursor_at, newest_stored_update(db, marketplace));
    // A first pass that has begun runs to its end before the incremental
    // poll takes over, whatever it has stored meanwhile.
    // It starts once, when the source has never completed a pass (history
    // from reports or files has no confirmations).
    const bool first_pass_running = st.progress_from.has_value() && !st.progress_until;
    bool first_pass = first_pass_running || (!st.cursor_at && !st.progress_from);
    if (stored && !first_pass) {
        base_query = fmt::format("lastUpdatedAfter={}",
                                 form_encode(format_iso8601(*stored - kOrdersOverlap)));
    } else {
        first_pass = true;
        if (!st.progress_from) {
            st.progress_from = now - days(first_pass_days(cfg_));
            st.progress_to = now;
        }
        base_query = fmt::format("createdAfter={}&fulfilledBy=MERCHANT",
                                 form_encode(format_iso8601(*st.progress_from)));
    }
    base_query += fmt::format(
        "&marketplaceIds={}&includedData=FULFILLMENT,PACKAGES,CANCELLATION"
        "&maxResultsPerPage=100",
        form_encode(marketplace));

    std::string token = st.page_token;
    std::optional<instant> pass_newest = st.pass_newest_at;
    int pages = 0;
    while (true) {
        if (pages >= options_.max_order_pages) {
            out.behind = true;
            break;
        }
        std::string path = "/orders/2026-01-01/orders?" + base_query;
        if (!token.empty())
            path += "&paginationToken=" + form_encode(token);
        auto answer = api_.get(operation::search_orders, path);
        ++out.requests;
        if (!answer) {
            if (!token.empty() && answer.error().what == api_error::kind::request) {
                // An expired page token: the pass starts again from the cursor
                // (the overlap makes that safe; nothing is counted twice).
                st.page_token.clear();
                st.pass_newest_at.reset();
                save_state(db, "orders", marketplace, st);
                out.message = "the stored page token was refused; the next pass starts over";
            } else {
                out.message = describe(answer.error());
            }
            out.auth_failed = answer.error().what == api_error::kind::auth;
            record_attempt(db, "orders", marketplace, now, out.message, out.auth_failed);
            return out;
        }
        auto page = parse_search_orders(answer->body);
        if (!page) {
            out.message = "searchOrders: " + page.error().to_string();
            record_attempt(db, "orders", marketplace, now, out.message);
            return out;
        }
        ++pages;

        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        const std::int64_t import_id =
            insert_import(db, fmt::format("sp-api searchOrders {}", marketplace), "all_orders",
                          "orders", marketplace, now);
        long rows = 0;
        long written = 0;
        {
            ingest::store_writer writer(db, import_id, now);
            for (const auto& order : page->orders) {
                long line = 0;
                for (const auto& item : order.items)
                    writer.write(item, ++line);
                if (order.shipment)
                    writer.write(*order.shipment, line);
                rows += static_cast<long>(order.items.size());
                pass_newest = later(pass_newest, order.last_updated_at);
                out.newest_data = later(out.newest_data, order.last_updated_at);
            }
            writer.record_arrival("all_orders");
            writer.record_arrival("shipments");
            written = writer.orders_written();
        }
        finish_import(db, import_id, rows, written);
        out.orders += written;
        out.records += rows;
        token = page->next_token;
        if (token.empty()) {
            // The pass is complete: the cursor moves, the resume point goes.
            st.cursor_at = later(st.cursor_at, pass_newest);
            if (!st.cursor_at && first_pass)
                st.cursor_at = st.progress_from;  // no orders at all: start from there
            st.page_token.clear();
            st.pass_newest_at.reset();
            if (first_pass)
                st.progress_until = st.progress_to;
        } else {
            st.page_token = token;
            st.pass_newest_at = pass_newest;
        }
        st.behind = false;
        st.last_success_at = now;
        st.newest_data_at = later(st.newest_data_at, out.newest_data);
        save_state(db, "orders", marketplace, st);
        tx.commit();
        if (token.empty())
            break;
    }
    if (out.behind && first_pass) {
        out.behind = false;
        out.message = fmt::format(
            "first pass over seller-fulfilled orders: {} pages fetched, "
            "more at the next run",
            pages);
    } else if (out.behind) {
        st.behind = true;
        save_state(db, "orders", marketplace, st);
        out.message = fmt::format(
            "behind: {} pages of changes fetched and more remain; the All Orders report "
            "catches up",
            pages);
        // The catch-up: the All Orders report by last update over the gap.
        const instant from = (st.cursor_at ? *st.cursor_at : now - days(1)) - kOrdersOverlap;
        auto caught = fetch_report_document(kAllOrdersByUpdate, "catch_up", marketplace, from, now);
        out.records += caught.records;
        out.orders += caught.orders;
        if (caught_up(caught, marketplace)) {
            out.behind = false;
            out.message +=
                "; caught up through the All Orders report over the gap: " + caught.message +
                "; the remaining pages follow at the next run";
        } else if (caught.ok) {
            out.message += "; All Orders report over the gap: " + caught.message;
        } else {
            out.message += "; the catch-up report failed: " + caught.message;
        }
    } else {
        if (first_pass && st.progress_until)
            out.message = "first pass over seller-fulfilled orders complete";
        // A catch-up report requested by an earlier run and not final then
        // is read now, even when this pass kept up.
        if (!load_state(db, "catch_up", marketplace).pending_report_id.empty()) {
            auto caught = fetch_report_document(kAllOrdersByUpdate, "catch_up", marketplace,
                                                std::nullopt, std::nullopt);
            out.records += caught.records;
            out.orders += caught.orders;
            if (caught_up(caught, marketplace)) {
                out.message += (out.message.empty() ? "" : "; ") +
                               std::string("caught up through the All Orders report: ") +
                               caught.message;
            } else {
                out.message += (out.message.empty() ? "" : "; ") +
                               std::string("the catch-up report: ") + caught.message;
            }
        }
    }
    out.ok = true;
    record_attempt(db, "orders", marketplace, now, "");
    return out;
}

std::optional<fetch_result> syncer::backfill_orders(const std::string& marketplace,
                                                    bool all_windows) {
    SQLite::Database& db = db_.handle();
    const instant now = clock_.now();
    state st = load_state(db, "backfill", marketplace);
    if (!st.progress_from) {
        // Only at first start: a marketplace whose orders are already
        // fetched, or came from files, has its history.
        if (load_state(db, "orders", marketplace).cursor_at ||
            newest_stored_update(db, marketplace)) {
            return std::nullopt;
        }
        st.progress_from = now - days(sp_.backfill_days);
        st.progress_until = st.progress_from;
        st.progress_to = now;
        save_state(db, "backfill", marketplace, st);
    }
    if (st.cursor_at)
        return std::nullopt;  // done: the Unshipped report was read too
    fetch_result total;
    total.source = "backfill";
    total.marketplace_id = marketplace;
    total.ok = true;
    while (true) {
        st = load_state(db, "backfill", marketplace);
        const bool windows_done = *st.progress_until >= *st.progress_to;
        fetch_result step;
        if (!windows_done) {
            const instant from = *st.progress_until;
            const instant to = std::min(from + kReportWindow, *st.progress_to);
            step = fetch_report_document(kAllOrdersByDate, "backfill", marketplace, from, to);
            if (step.ok && step.message.find("still") == std::string::npos) {
                st = load_state(db, "backfill", marketplace);
                st.progress_until = to;
                save_state(db, "backfill", marketplace, st);
            }
        } else {
            step = fetch_report_document(kUnshippedReport, "backfill", marketplace, std::nullopt,
                                         std::nullopt);
            if (step.ok && step.message.find("still") == std::string::npos) {
                st = load_state(db, "backfill", marketplace);
                st.cursor_at = now;  // the backfill is complete
                save_state(db, "backfill", marketplace, st);
            }
        }
        total.requests += step.requests;
        total.orders += step.orders;
        total.records += step.records;
        total.newest_data = later(total.newest_data, step.newest_data);
        total.auth_failed = total.auth_failed || step.auth_failed;
        st = load_state(db, "backfill", marketplace);
        const long long covered = to_unix(*st.progress_until) - to_unix(*st.progress_from);
        const long long span = std::max(1LL, to_unix(*st.progress_to) - to_unix(*st.progress_from));
        total.message = fmt::format("{}% of {} days{}", covered * 100 / span, sp_.backfill_days,
                                    step.message.empty() ? "" : "; " + step.message);
        if (!step.ok) {
            total.ok = false;
            return total;
        }
        if (st.cursor_at) {
            total.message = fmt::format("complete: {} days of orders and the Unshipped report",
                                        sp_.backfill_days);
            return total;
        }
        if (!all_windows || step.message.find("still") != std::string::npos)
            return total;
    }
}

fetch_result syncer::fetch_finances() {
    SQLite::Database& db = db_.handle();
    fetch_result out;
    out.source = "finances";
    const instant now = clock_.now();
    state st = load_state(db, "finances", "");
    std::optional<instant> posted_after;
    if (st.cursor_at) {
        posted_after = *st.cursor_at - kFinancesOverlap;
    } else {
        posted_after = now - days(sp_.backfill_days);
    }
    // Amazon wants PostedBefore at least 2 minutes in the past; PostedAfter
    // alone is enough.
    const std::string base =
        fmt::format("/finances/v0/financialEvents?MaxResultsPerPage=100&PostedAfter={}",
                    form_encode(format_iso8601(*posted_after)));
    std::string token = st.page_token;
    std::optional<instant> pass_newest = st.pass_newest_at;
    SQLite::Statement stored_defect_q(
        db, "SELECT occurred_at, status FROM defects WHERE order_id = ?1 AND kind = ?2");
    const stored_defect_lookup lookup = [&](std::string_view order,
                                            std::string_view kind) -> std::optional<stored_defect> {
        stored_defect_q.bind(1, std::string(order));
        stored_defect_q.bind(2, std::string(kind));
        std::optional<stored_defect> found;
        if (stored_defect_q.executeStep()) {
            found = stored_defect{from_unix(stored_defect_q.getColumn(0).getInt64()),
                                  stored_defect_q.getColumn(1).getString()};
        }
        stored_defect_q.reset();
        return found;
    };
    while (true) {
        // NextToken must be the only parameter when paging.
        const std::string path =
            token.empty() ? base : "/finances/v0/financialEvents?NextToken=" + form_encode(token);
        auto answer = api_.get(operation::list_financial_events, path);
        ++out.requests;
        if (!answer) {
            out.message = describe(answer.error());
            out.auth_failed = answer.error().what == api_error::kind::auth;
            if (!token.empty() && answer.error().what == api_error::kind::request) {
                st.page_token.clear();
                st.pass_newest_at.reset();
                save_state(db, "finances", "", st);
            }
            record_attempt(db, "finances", "", now, out.message, out.auth_failed);
            return out;
        }
        auto page = parse_financial_events(answer->body);
        if (!page) {
            out.message = "listFinancialEvents: " + page.error().to_string();
            record_attempt(db, "finances", "", now, out.message);
            return out;
        }
        for (const auto& e : page->events) {
            pass_newest = later(pass_newest, e.posted_at);
            out.newest_data = later(out.newest_data, e.posted_at);
        }
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        const auto rows = defects_from_events(page->events, lookup);
        const std::int64_t import_id =
            insert_import(db, "sp-api listFinancialEvents", "defects", "finances", "", now);
        {
            ingest::store_writer writer(db, import_id, now);
            long line = 0;
            for (const auto& row : rows)
                writer.write(row, ++line);
            writer.record_arrival("defects");
        }
        finish_import(db, import_id, static_cast<long>(rows.size()), 0);
        out.records += static_cast<long>(rows.size());
        token = page->next_token;
        if (token.empty()) {
            st.cursor_at = later(st.cursor_at, pass_newest);
            if (!st.cursor_at)
                st.cursor_at = posted_after.value() + kFinancesOverlap;
            st.page_token.clear();
            st.pass_newest_at.reset();
        } else {
            st.page_token = token;
            st.pass_newest_at = pass_newest;
        }
        st.last_success_at = now;
        st.newest_data_at = later(st.newest_data_at, out.newest_data);
        save_state(db, "finances", "", st);
        tx.commit();
        if (token.empty())
            break;
    }
    out.ok = true;
    record_attempt(db, "finances", "", now, "");
    return out;
}

fetch_result syncer::fetch_report(source_kind kind, const std::string& marketplace) {
    const instant now = clock_.now();
    const std::string_view type =
        kind == source_kind::feedback ? kFeedbackReport : kPerformanceReport;
    // The Feedback report covers the last 90 days; the performance report
    // ignores the range.
    std::optional<instant> from;
    std::optional<instant> to;
    if (kind == source_kind::feedback) {
        from = now - days(90);
        to = now;
    }
    fetch_result out = fetch_report_document(type, source_name(kind), marketplace, from, to);
    out.source = std::string(source_name(kind));
    return out;
}

fetch_result syncer::fetch_report_document(std::string_view type, std::string_view state_key,
                                           const std::string& marketplace,
                                           std::optional<instant> from, std::optional<instant> to) {
    SQLite::Database& db = db_.handle();
    const std::string source = std::string(state_key);
    fetch_result out;
    out.source = source;
    out.marketplace_id = marketplace;
    const instant now = clock_.now();
    state st = load_state(db, source, marketplace);
    const auto fail = [&](std::string message) {
        out.message = std::move(message);
        record_attempt(db, source, marketplace, now, out.message, out.auth_failed);
        return out;
    };

    // A report created by an earlier run and not final yet is polled again
    // rather than requested twice.
    std::string report_id = st.pending_report_id;
    if (report_id.empty()) {
        json body = {{"reportType", type}, {"marketplaceIds", json::array({marketplace})}};
        if (from)
            body["dataStartTime"] = format_iso8601(*from);
        if (to)
            body["dataEndTime"] = format_iso8601(*to);
        auto created =
            api_.post(operation::create_report, "/reports/2021-06-30/reports", body.dump());
        ++out.requests;
        if (!created) {
            out.auth_failed = created.error().what == api_error::kind::auth;
            return fail("createReport: " + describe(created.error()));
        }
        const json answer = json::parse(created->body, nullptr, false);
        if (!answer.is_object() || !answer.contains("reportId") || !answer["reportId"].is_string())
            return fail("createReport: the answer has no reportId");
        report_id = answer["reportId"].get<std::string>();
        st.pending_report_id = report_id;
        save_state(db, source, marketplace, st);
    }

    std::chrono::seconds wait = options_.report_first_wait;
    std::chrono::seconds waited{0};
    std::string document_id;
    while (true) {
        auto got = api_.get(operation::get_report,
                            "/reports/2021-06-30/reports/" + form_encode(report_id));
        ++out.requests;
        if (!got) {
            out.auth_failed = got.error().what == api_error::kind::auth;
            return fail(fmt::format("getReport {}: {}", report_id, describe(got.error())));
        }
        const json report = json::parse(got->body, nullptr, false);
        const std::string status = report.is_object() && report.contains("processingStatus") &&
                                           report["processingStatus"].is_string()
                                       ? report["processingStatus"].get<std::string>()
                                       : "";
        if (status == "DONE") {
            if (!report.contains("reportDocumentId") || !report["reportDocumentId"].is_string())
                return fail(fmt::format("report {} is DONE without a reportDocumentId", report_id));
            document_id = report["reportDocumentId"].get<std::string>();
            break;
        }
        if (status == "CANCELLED" || status == "FATAL") {
            st.pending_report_id.clear();
            save_state(db, source, marketplace, st);
            if (status == "CANCELLED") {
                // No data: not an error.
                st.last_success_at = now;
                save_state(db, source, marketplace, st);
                out.ok = true;
                out.message = fmt::format("report {} CANCELLED: no data", report_id);
                record_attempt(db, source, marketplace, now, "");
                return out;
            }
            return fail(fmt::format("report {} FATAL; requested again at the next scheduled time",
                                    report_id));
        }
        if (status != "IN_QUEUE" && status != "IN_PROGRESS")
            return fail(
                fmt::format("getReport {}: unknown processingStatus '{}'", report_id, status));
        if (waited >= options_.report_give_up) {
            // Not final yet: the report stays pending and is polled again
            // at the next run rather than requested twice.
            out.ok = true;
            out.message =
                fmt::format("report {} still {}; polled again at the next run", report_id, status);
            record_attempt(db, source, marketplace, now, "");
            return out;
        }
        sleep_for_(std::chrono::duration_cast<std::chrono::milliseconds>(wait));
        waited += wait;
        wait = std::min(wait * 2, options_.report_max_wait);
    }

    auto doc = api_.get(operation::get_report_document,
                        "/reports/2021-06-30/documents/" + form_encode(document_id));
    ++out.requests;
    if (!doc) {
        out.auth_failed = doc.error().what == api_error::kind::auth;
        return fail(fmt::format("getReportDocument {}: {}", document_id, describe(doc.error())));
    }
    const json document_info = json::parse(doc->body, nullptr, false);
    if (!document_info.is_object() || !document_info.contains("url") ||
        !document_info["url"].is_string())
        return fail(fmt::format("getReportDocument {}: the answer has no url", document_id));
    // The document goes to a file of its own (unnamed, 0600, in the
    // database's folder, gone once closed) and is imported from there as an
    // export file is: streamed, gzip read by its magic bytes whatever the
    // report said, Windows-1252 converted. Memory does not grow with it.
    auto file = document_file::create(db_.path().parent_path());
    if (!file)
        return fail(fmt::format("report document {}: {}", document_id, file.error().text));
    auto fetched = api_.download_document(document_info["url"].get<std::string>(), file->fd());
    if (!fetched)
        return fail(fmt::format("report document {}: {}", document_id, describe(fetched.error())));
    const int fd = file->fd();
    ingest::importer importer(db_, clock_, cfg_.default_marketplace);
    importer.set_account_marketplace(marketplace);
    // The TLS stack (libssl, libcrypto, the trust store) stays resident
    // beside the import: a smaller page cache keeps the whole process
    // within its 64 MB (docs/performance.md, "Selling Partner API").
    importer.set_cache_kib(kDocumentImportCacheKiB);
    auto imported =
        importer.import_open_file(fd, fmt::format("sp-api {} {} {}", type, marketplace, report_id));
    if (!imported) {
        // Kept pending? No: the document is what it is; the next schedule
        // requests a new one.
        st.pending_report_id.clear();
        save_state(db, source, marketplace, st);
        return fail(imported.error().error.to_string());
    }
    st.pending_report_id.clear();
    st.last_success_at = now;
    out.records = imported->rows;
    out.orders = imported->orders;
    SQLite::Statement newest(db, "SELECT newest_data_at FROM feeds WHERE feed = ?1");
    newest.bind(1, std::string(ingest::format_name(imported->format)));
    if (newest.executeStep())
        out.newest_data = optional_time(newest.getColumn(0));
    st.newest_data_at = later(st.newest_data_at, out.newest_data);
    save_state(db, source, marketplace, st);
    out.ok = true;
    out.message = imported->result == ingest::import_report::outcome::already_imported
                      ? fmt::format("report {}: the same document as before", report_id)
                      : fmt::format("report {}: {} rows", report_id, imported->rows);
    record_attempt(db, source, marketplace, now, "");
    return out;
}

bool syncer::due(std::string_view source, const std::string& marketplace,
                 std::chrono::seconds interval) {
    SQLite::Statement q(db_.handle(),
                        "SELECT last_attempt_at FROM spapi_sources WHERE source = ?1 AND"
                        " marketplace_id = ?2");
    q.bind(1, std::string(source));
    q.bind(2, marketplace);
    if (!q.executeStep() || q.getColumn(0).isNull())
        return true;
    if (!load_state(db_.handle(), source, marketplace).pending_report_id.empty())
        return true;  // a report requested earlier is polled at every run until final
    const auto since = clock_.now() - from_unix(q.getColumn(0).getInt64());
    // A last attempt in the future was stamped by a clock that was ahead:
    // waiting for that date would stop fetching, so it is due now.
    return since >= interval || since < -kFutureTolerance;
}

std::vector<fetch_result> syncer::run(std::optional<source_kind> only, bool only_due) {
    std::vector<fetch_result> results;
    const auto wanted = [&](source_kind k) { return !only || *only == k; };
    const auto& schedule = sp_.schedule;
    if (wanted(source_kind::orders)) {
        for (const auto& m : sp_.marketplaces) {
            // History first (reports), then the changes (searchOrders).
            if (auto history = backfill_orders(m, !only_due))
                results.push_back(std::move(*history));
            if (!only_due || due("orders", m, schedule.orders))
                results.push_back(fetch_orders(m));
        }
    }
    if (wanted(source_kind::finances)) {
        if (!only_due || due("finances", "", schedule.finances))
            results.push_back(fetch_finances());
    }
    if (wanted(source_kind::feedback)) {
        for (const auto& m : sp_.marketplaces) {
            if (!only_due || due("feedback", m, schedule.feedback))
                results.push_back(fetch_report(source_kind::feedback, m));
        }
    }
    if (wanted(source_kind::performance)) {
        // One account-health report covers the account; it is asked for the
        // first marketplace.
        const std::string& m = sp_.marketplaces.front();
        if (!only_due || due("performance", m, schedule.performance))
            results.push_back(fetch_report(source_kind::performance, m));
    }
    return results;
}

std::vector<fetch_result> syncer::run_now(std::optional<source_kind> only) {
    return run(only, false);
}

std::vector<fetch_result> syncer::run_due() {
    return run(std::nullopt, true);
}

std::vector<source_state> load_source_states(store::database& db) {
    std::vector<source_state> out;
    SQLite::Statement q(db.handle(),
                        "SELECT source, marketplace_id, last_attempt_at, last_success_at,"
                        " newest_data_at, cursor_at, last_error, behind, progress_from,"
                        " progress_until, progress_to FROM spapi_sources"
                        " ORDER BY source, marketplace_id");
    while (q.executeStep()) {
        source_state s;
        s.source = q.getColumn(0).getString();
        s.marketplace_id = q.getColumn(1).getString();
        s.last_attempt_at = optional_time(q.getColumn(2));
        s.last_success_at = optional_time(q.getColumn(3));
        s.newest_data_at = optional_time(q.getColumn(4));
        s.cursor_at = optional_time(q.getColumn(5));
        s.last_error = q.getColumn(6).isNull() ? "" : q.getColumn(6).getString();
        s.behind = q.getColumn(7).getInt() != 0;
        s.progress_from = optional_time(q.getColumn(8));
        s.progress_until = optional_time(q.getColumn(9));
        s.progress_to = optional_time(q.getColumn(10));
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace shd::spapi
