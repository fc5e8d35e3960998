#include "core/metrics.h"

#include <cstdio>
#include <mutex>

#include <fmt/format.h>
#include <unistd.h>

namespace atrium::core {
namespace {

void escape_label(std::string& out, const std::string& v) {
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

void render_labels(std::string& out, const std::vector<std::string>& names, const std::vector<std::string>& values,
                   const char* extra_name = nullptr, const std::string& extra_value = {}) {
  if (names.empty() && !extra_name) return;
  out += '{';
  bool first = true;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += names[i];
    out += "=\"";
    escape_label(out, values[i]);
    out += '"';
  }
  if (extra_name) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void add_atomic(std::atomic<double>& a, double by) {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + by, std::memory_order_relaxed)) {
  }
}

std::string format_value(double v) { return fmt::format("{}", v); }

}  // namespace

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void CounterFamily::inc(const std::vector<std::string>& label_values, double by) {
  {
    std::shared_lock lock(mu_);
    auto it = series_.find(label_values);
    if (it != series_.end()) {
      add_atomic(*it->second, by);
      return;
    }
  }
  std::unique_lock lock(mu_);
  auto& slot = series_[label_values];
  if (!slot) slot = std::make_unique<std::atomic<double>>(0);
  add_atomic(*slot, by);
}

double CounterFamily::value(const std::vector<std::string>& label_values) const {
  std::shared_lock lock(mu_);
  auto it = series_.find(label_values);
  return it == series_.end() ? 0 : it->second->load();
}

void CounterFamily::render(std::string& out) const {
  out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name_, help_, name_);
  std::shared_lock lock(mu_);
  for (const auto& [labels, v] : series_) {
    out += name_;
    render_labels(out, label_names_, labels);
    out += ' ';
    out += format_value(v->load());
    out += '\n';
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                                 std::vector<double> bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      bounds_(std::move(bounds)) {}

std::vector<double> HistogramFamily::latency_seconds_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

void HistogramFamily::observe(const std::vector<std::string>& label_values, double value) {
  std::size_t idx = bounds_.size();
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) {
      idx = i;
      break;
    }
  }
  auto record = [&](Series& s) {
    s.buckets[idx].fetch_add(1, std::memory_order_relaxed);
    s.count.fetch_add(1, std::memory_order_relaxed);
    add_atomic(s.sum, value);
  };
  {
    std::shared_lock lock(mu_);
    auto it = series_.find(label_values);
    if (it != series_.end()) {
      record(*it->second);
      return;
    }
  }
  std::unique_lock lock(mu_);
  auto& slot = series_[label_values];
  if (!slot) slot = std::make_unique<Series>(bounds_.size() + 1);
  record(*slot);
}

std::uint64_t HistogramFamily::count(const std::vector<std::string>& label_values) const {
  std::shared_lock lock(mu_);
  auto it = series_.find(label_values);
  return it == series_.end() ? 0 : it->second->count.load();
}

void HistogramFamily::render(std::string& out) const {
  out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name_, help_, name_);
  std::shared_lock lock(mu_);
  for (const auto& [labels, s] : series_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s->buckets[i].load(std::memory_order_relaxed);
      out += name_ + "_bucket";
      render_labels(out, label_names_, labels, "le", i < bounds_.size() ? format_value(bounds_[i]) : "+Inf");
      out += fmt::format(" {}\n", cumulative);
    }
    out += name_ + "_sum";
    render_labels(out, label_names_, labels);
    out += " " + format_value(s->sum.load()) + "\n";
    out += name_ + "_count";
    render_labels(out, label_names_, labels);
    out += fmt::format(" {}\n", s->count.load());
  }
}

GaugeFunction::GaugeFunction(std::string name, std::string help, std::function<double()> read)
    : name_(std::move(name)), help_(std::move(help)), read_(std::move(read)) {}

void GaugeFunction::render(std::string& out) const {
  out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name_, help_, name_, name_, format_value(read_()));
}

CounterFamily& MetricsRegistry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
  auto f = std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(label_names));
  auto& ref = *f;
  std::unique_lock lock(mu_);
  families_.push_back(std::move(f));
  return ref;
}

HistogramFamily& MetricsRegistry::histogram(std::string name, std::string help, std::vector<std::string> label_names,
                                            std::vector<double> bounds) {
  auto f =
      std::make_unique<HistogramFamily>(std::move(name), std::move(help), std::move(label_names), std::move(bounds));
  auto& ref = *f;
  std::unique_lock lock(mu_);
  families_.push_back(std::move(f));
  return ref;
}

void MetricsRegistry::gauge(std::string name, std::string help, std::function<double()> read) {
  std::unique_lock lock(mu_);
  families_.push_back(std::make_unique<GaugeFunction>(std::move(name), std::move(help), std::move(read)));
}

std::string MetricsRegistry::render() const {
  std::string out;
  std::shared_lock lock(mu_);
  for (const auto& f : families_) f->render(out);
  return out;
}

double process_resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  long size = 0, resident = 0;
  int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

}  // namespace atrium::core
