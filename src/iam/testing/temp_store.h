// iam's tests use the shared temporary SQLite store of storage/testing.
#pragma once

#include "storage/testing/temp_store.h"

namespace atrium::iam::testing {

using TempStore = storage::testing::TempStore;

}  // namespace atrium::iam::testing
