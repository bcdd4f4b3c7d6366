// Google Benchmark reporter that keeps the median of each benchmark, so a
// benchmark binary can print kernel-vs-host-peer ratios measured in one run.
// Benchmarks are named by function, plus "/args" when they take arguments
// ("BM_TlbShootdown/64").
#ifndef VERIDIAN_BENCH_RATIO_REPORTER_H_
#define VERIDIAN_BENCH_RATIO_REPORTER_H_

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"

// The console options --benchmark_color and --benchmark_counters_tabular
// ask for. Google Benchmark applies them only to the reporter it makes
// itself; this is its own function (exported by libbenchmark 1.7, declared
// in its internal headers), so a RatioReporter follows the same flags.
namespace benchmark::internal {
ConsoleReporter::OutputOptions GetOutputOptions(bool force_no_color);
}  // namespace benchmark::internal

namespace bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  RatioReporter() : ConsoleReporter(benchmark::internal::GetOutputOptions(false)) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.aggregate_name == "median") {
        std::string name = run.run_name.function_name;
        if (!run.run_name.args.empty()) name += "/" + run.run_name.args;
        medians_[name] = run.GetAdjustedRealTime();
        cpu_medians_[name] = run.GetAdjustedCPUTime();
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // The median real time of `name` in ns, or a negative value if not run.
  double Median(const std::string& name) const {
    auto it = medians_.find(name);
    return it == medians_.end() ? -1.0 : it->second;
  }

  // Prints "what: A ns vs B ns = ratio (target)"; false if either is missing.
  bool PrintRatio(const std::string& what, const std::string& numerator,
                  const std::string& denominator, const char* target) const {
    return PrintRatioOf(medians_, what, numerator, denominator, target);
  }
  // The same over CPU time: what a benchmark costs the process, without the
  // waits (I/O, other load on the machine) that real time includes.
  bool PrintCpuRatio(const std::string& what, const std::string& numerator,
                     const std::string& denominator, const char* target) const {
    return PrintRatioOf(cpu_medians_, what, numerator, denominator, target);
  }

 private:
  static bool PrintRatioOf(const std::map<std::string, double>& medians, const std::string& what,
                           const std::string& numerator, const std::string& denominator,
                           const char* target) {
    auto a = medians.find(numerator);
    auto b = medians.find(denominator);
    if (a == medians.end() || b == medians.end() || b->second == 0) {
      std::printf("%s: not measured (run without a --benchmark_filter that drops %s or %s)\n",
                  what.c_str(), numerator.c_str(), denominator.c_str());
      return false;
    }
    std::printf("%s: median %.1f ns vs %.1f ns, ratio %.2fx (%s)\n", what.c_str(), a->second,
                b->second, a->second / b->second, target);
    return true;
  }

  std::map<std::string, double> medians_;
  std::map<std::string, double> cpu_medians_;
};

}  // namespace bench

#endif  // VERIDIAN_BENCH_RATIO_REPORTER_H_
