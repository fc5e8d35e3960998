// Kubernetes resource quantities ("4", "500m", "8Gi", "1.5G") parsed into exact milli-units, for quota sums.
// Exponents, signs and anything else Kubernetes would accept only by accident are refused. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace atrium::tenancy {

// Digits with an optional fraction, then an optional suffix: m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei.
// InvalidArgument (message names the text) for an empty, negative, malformed or too large quantity
// (more than 2^63-1 milli-units). Fractions below one milli-unit round up.
core::Result<std::int64_t> parse_quantity_milli(std::string_view text);

// The quantity in the shortest exact form: "4", "500m", "8Gi" when exact, else plain units.
std::string format_quantity_milli(std::int64_t milli);

}  // namespace atrium::tenancy
