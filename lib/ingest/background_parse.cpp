#include "ingest/background_parse.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace shd::ingest {
namespace {

// Records per hand-over and hand-overs in flight: enough to keep both cores
// busy, small enough to stay a few MB.
constexpr std::size_t kBatchRecords = 1024;
constexpr std::size_t kQueuedBatches = 4;

// A batch keeps its records when it comes back empty: copying the next
// records into them reuses their strings' memory, so the steady state
// allocates nothing per record.
struct batch {
    std::vector<std::pair<record, long>> slots;
    std::size_t size = 0;
};

// Thrown inside the worker to unwind the parser once the consumer stopped.
// Not a std::exception, so a parser catching those lets it through.
struct stop_parsing {};

struct channel {
    std::mutex mutex;
    std::condition_variable to_consumer;
    std::condition_variable to_producer;
    std::deque<batch> batches;  // filled, for the consumer
    std::vector<batch> spare;   // consumed, for the producer to refill
    std::optional<std::string> lookup_request;
    std::optional<std::optional<std::string>> lookup_answer;
    bool producer_finished = false;
    bool consumer_stopped = false;
    std::optional<result<parse_summary, import_error>> outcome;
    std::exception_ptr producer_exception;
};

// The worker's side: fills a batch, hands it over when full or before a lookup.
class producer {
  public:
    explicit producer(channel& c) : c_(c) { pending_.slots.reserve(kBatchRecords); }

    void add(const record& r, long line) {
        if (pending_.size < pending_.slots.size()) {
            pending_.slots[pending_.size].first = r;
            pending_.slots[pending_.size].second = line;
        } else {
            pending_.slots.emplace_back(r, line);
        }
        if (++pending_.size >= kBatchRecords)
            hand_over();
    }

    void hand_over() {
        if (pending_.size == 0)
            return;
        std::unique_lock lock(c_.mutex);
        c_.to_producer.wait(
            lock, [&] { return c_.batches.size() < kQueuedBatches || c_.consumer_stopped; });
        if (c_.consumer_stopped)
            throw stop_parsing{};
        c_.batches.push_back(std::move(pending_));
        c_.to_consumer.notify_one();
        if (c_.spare.empty()) {
            pending_ = batch();
            pending_.slots.reserve(kBatchRecords);
        } else {
            pending_ = std::move(c_.spare.back());
            c_.spare.pop_back();
            pending_.size = 0;
        }
    }

    std::optional<std::string> lookup(std::string_view order_id) {
        hand_over();
        std::unique_lock lock(c_.mutex);
        c_.lookup_request.emplace(order_id);
        c_.to_consumer.notify_one();
        c_.to_producer.wait(lock, [&] { return c_.lookup_answer || c_.consumer_stopped; });
        if (c_.consumer_stopped)
            throw stop_parsing{};
        auto answer = std::move(*c_.lookup_answer);
        c_.lookup_answer.reset();
        return answer;
    }

  private:
    channel& c_;
    batch pending_;
};

}  // namespace

result<parse_summary, import_error> parse_in_background(const parse_function& parse,
                                                        const std::filesystem::path& path,
                                                        const parse_context& ctx,
                                                        const record_sink& consume) {
    channel c;
    std::thread worker([&] {
        try {
            producer p(c);
            parse_context worker_ctx;
            worker_ctx.file_name = ctx.file_name;
            worker_ctx.default_marketplace = ctx.default_marketplace;
            worker_ctx.account_marketplace = ctx.account_marketplace;
            worker_ctx.group_by_order = ctx.group_by_order;
            worker_ctx.order_marketplace = [&](std::string_view order_id) {
                return p.lookup(order_id);
            };
            auto parsed =
                parse(path, worker_ctx, [&](const record& r, long line) { p.add(r, line); });
            p.hand_over();
            std::lock_guard lock(c.mutex);
            c.outcome.emplace(std::move(parsed));
        } catch (const stop_parsing&) {
        } catch (...) {
            std::lock_guard lock(c.mutex);
            c.producer_exception = std::current_exception();
        }
        std::lock_guard lock(c.mutex);
        c.producer_finished = true;
        c.to_consumer.notify_one();
    });

    std::exception_ptr consumer_exception;
    try {
        for (;;) {
            batch work;
            std::optional<std::string> request;
            {
                std::unique_lock lock(c.mutex);
                c.to_consumer.wait(lock, [&] {
                    return !c.batches.empty() || c.lookup_request || c.producer_finished;
                });
                // Batches first: a lookup must see every record sent before it.
                if (!c.batches.empty()) {
                    work = std::move(c.batches.front());
                    c.batches.pop_front();
                    c.to_producer.notify_one();
                } else if (c.lookup_request) {
                    request = std::move(c.lookup_request);
                    c.lookup_request.reset();
                } else {
                    break;
                }
            }
            for (std::size_t i = 0; i < work.size; ++i) {
                consume(work.slots[i].first, work.slots[i].second);
            }
            if (work.size > 0) {
                std::lock_guard lock(c.mutex);
                c.spare.push_back(std::move(work));
            }
            if (request) {
                std::optional<std::string> answer;
                if (ctx.order_marketplace)
                    answer = ctx.order_marketplace(*request);
                std::lock_guard lock(c.mutex);
                c.lookup_answer.emplace(std::move(answer));
                c.to_producer.notify_one();
            }
        }
    } catch (...) {
        consumer_exception = std::current_exception();
        std::lock_guard lock(c.mutex);
        c.consumer_stopped = true;
        c.to_producer.notify_one();
    }
    worker.join();

    if (consumer_exception)
        std::rethrow_exception(consumer_exception);
    if (c.producer_exception)
        std::rethrow_exception(c.producer_exception);
    if (!c.outcome)
        throw std::logic_error("parse_in_background: the parser ended without a result");
    return std::move(*c.outcome);
}

}  // namespace shd::ingest
