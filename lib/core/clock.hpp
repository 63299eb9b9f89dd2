// Time is a parameter. Code that needs "now" takes a Clock&; production passes
// SystemClock, tests pass ManualClock and move it by hand. Read now once per
// unit of work so every computation in it sees the same instant.
#pragma once

#include <atomic>

#include "core/time.hpp"

namespace shd {

class Clock {
  public:
    virtual ~Clock() = default;
    virtual instant now() const = 0;
};

class SystemClock final : public Clock {
  public:
    instant now() const override;
};

// A clock that moves only when told to. Safe to read from several threads.
class ManualClock final : public Clock {
  public:
    explicit ManualClock(instant start) : now_(to_unix(start)) {}
    instant now() const override { return from_unix(now_.load()); }
    void set(instant t) { now_.store(to_unix(t)); }
    void advance(std::chrono::seconds d) { now_.fetch_add(d.count()); }

  private:
    std::atomic<long long> now_;
};

}  // namespace shd
