// A Clock that moves only when told to. Thread-safe.
#pragma once

#include <atomic>

#include "core/clock.h"

namespace atrium::core {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1'700'000'000))) : now_(start) {}
  TimePoint now() const override { return now_.load(); }
  void advance(std::chrono::nanoseconds d) {
    now_.store(now_.load() + std::chrono::duration_cast<TimePoint::duration>(d));
  }
  void set(TimePoint t) { now_.store(t); }

 private:
  std::atomic<TimePoint> now_;
};

}  // namespace atrium::core
