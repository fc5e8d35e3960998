// Replays every committed corpus file of one fuzz target through it (built with g++ and sanitizers, no
// libFuzzer needed), so `make test` catches regressions on inputs the fuzzer once found interesting.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

#ifndef ATRIUM_FUZZ_CORPUS
#error "define ATRIUM_FUZZ_CORPUS"
#endif

TEST(FuzzCorpusReplay, EveryCorpusInputRunsClean) {
  namespace fs = std::filesystem;
  fs::path dir = ATRIUM_FUZZ_CORPUS;
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string bytes = ss.str();
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    ++n;
  }
  EXPECT_GT(n, 0) << "empty corpus " << dir;
}
