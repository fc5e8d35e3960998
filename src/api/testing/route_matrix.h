// The hand-written route x role matrix (src/iam/testdata/route_role_matrix.txt) for route tests: each routed row's
// method, path, verb, group and resource, so a test can check that the routes it registers carry them.
#pragma once

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api/router.h"

namespace atrium::api::testing {

struct MatrixRow {
  std::string method, path, verb, group, resource;  // group "core" is Kubernetes' core group ""
  std::string line;
};

// Rows with a method (not "-") for which `keep(line)` holds.
inline std::vector<MatrixRow> route_matrix_rows(const std::function<bool(const std::string&)>& keep) {
  const char* dir = std::getenv("ATRIUM_SOURCE_DIR");
  std::ifstream in(std::string(dir ? dir : ".") + "/src/iam/testdata/route_role_matrix.txt");
  EXPECT_TRUE(in) << "set ATRIUM_SOURCE_DIR to the source tree";
  std::vector<MatrixRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == '-' || !keep(line)) continue;
    MatrixRow r;
    std::istringstream s(line);
    s >> r.method >> r.path >> r.verb >> r.group >> r.resource;
    if (r.group == "core") r.group.clear();
    r.line = line;
    rows.push_back(std::move(r));
  }
  return rows;
}

// Checks that each row's route in `router` carries the row's verb, group and resource[/subresource]; returns how
// many rows were checked.
inline int expect_routes_match_matrix(const Router& router, const std::function<bool(const std::string&)>& keep) {
  int n = 0;
  for (const auto& r : route_matrix_rows(keep)) {
    auto m = router.match(r.method, r.path);
    EXPECT_TRUE(m) << r.line;
    if (!m) continue;
    std::string full = m->route->resource + (m->route->subresource.empty() ? "" : "/" + m->route->subresource);
    EXPECT_EQ(m->route->verb, r.verb) << r.line;
    EXPECT_EQ(m->route->api_group, r.group) << r.line;
    EXPECT_EQ(full, r.resource) << r.line;
    ++n;
  }
  return n;
}

}  // namespace atrium::api::testing
