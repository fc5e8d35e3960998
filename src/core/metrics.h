// Prometheus metrics: counters and histograms with fixed label names, rendered in the text exposition
// format. Families are created at start-up by their owners (no global registry); observing is lock-free
// for the common case of an existing label set (shared lock), so it is cheap on hot paths. Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

namespace atrium::core {

class MetricFamily {
 public:
  virtual ~MetricFamily() = default;
  virtual void render(std::string& out) const = 0;
};

class CounterFamily final : public MetricFamily {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
  void inc(const std::vector<std::string>& label_values, double by = 1);
  double value(const std::vector<std::string>& label_values) const;
  void render(std::string& out) const override;

 private:
  std::string name_, help_;
  std::vector<std::string> label_names_;
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<std::atomic<double>>> series_;
};

class HistogramFamily final : public MetricFamily {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> bounds);
  void observe(const std::vector<std::string>& label_values, double value);
  std::uint64_t count(const std::vector<std::string>& label_values) const;
  void render(std::string& out) const override;

  static std::vector<double> latency_seconds_buckets();

 private:
  struct Series {
    explicit Series(std::size_t n) : buckets(n) {}
    std::vector<std::atomic<std::uint64_t>> buckets;  // non-cumulative
    std::atomic<std::uint64_t> count{0};
    std::atomic<double> sum{0};
  };
  std::string name_, help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Series>> series_;
};

// A gauge read at scrape time (e.g. resident memory).
class GaugeFunction final : public MetricFamily {
 public:
  GaugeFunction(std::string name, std::string help, std::function<double()> read);
  void render(std::string& out) const override;

 private:
  std::string name_, help_;
  std::function<double()> read_;
};

// Owns the families of one process; render() produces the /metrics body.
class MetricsRegistry {
 public:
  CounterFamily& counter(std::string name, std::string help, std::vector<std::string> label_names);
  HistogramFamily& histogram(std::string name, std::string help, std::vector<std::string> label_names,
                             std::vector<double> bounds = HistogramFamily::latency_seconds_buckets());
  void gauge(std::string name, std::string help, std::function<double()> read);
  std::string render() const;

 private:
  mutable std::shared_mutex mu_;
  std::vector<std::unique_ptr<MetricFamily>> families_;
};

// Resident set size of this process in bytes (from /proc/self/statm), 0 when unavailable.
double process_resident_bytes();

}  // namespace atrium::core
