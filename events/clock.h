// Clock: the one source of "now". The store stamps recorded-at with it; the engine evaluates
// deadlines with it. Tests and demos use a SimulatedClock that only moves when told.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace wijkflow {

// Microseconds since the Unix epoch, UTC.
using Micros = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Micros Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Micros Now() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // The process-wide instance, for callers that were given no clock.
  static const SystemClock* Default() {
    static const SystemClock clock;
    return &clock;
  }
};

// A clock that stands still until AdvanceTo/Set moves it. Thread-safe.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(Micros start) : now_(start) {}
  Micros Now() const override { return now_.load(std::memory_order_acquire); }
  // REQUIRES: t >= Now(); time never runs backwards.
  void AdvanceTo(Micros t) {
    Micros cur = now_.load();
    while (t > cur && !now_.compare_exchange_weak(cur, t)) {
    }
  }
  void Advance(std::chrono::microseconds d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<Micros> now_;
};

}  // namespace wijkflow
