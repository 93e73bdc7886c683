// SPDX-License-Identifier: MIT
// How values read back in Python: type names, dict-key path segments and short reprs for display.
#pragma once

#include "value.h"

#include <optional>
#include <string>

namespace ckpt::pickle {

// type(v) as "int", "collections.OrderedDict", "argparse.Namespace", "numpy.float64" ...
std::string pythonTypeName(const Value *v);
// str(key) for dict keys used as path segments: 'a' -> a, 3 -> 3, (1, 'a') -> (1, 'a').
std::string keySegment(const Value *key);
// The exact text of scalars (int, bool, float, None, str); nullopt for anything else.
std::optional<std::string> scalarText(const Value *v);
// A Python-like repr cut to about maxLength characters (for display only).
std::string shortRepr(const Value *v, std::size_t maxLength = 200);
// repr(float) as Python prints it: 0.1, 1e-05, 100.0, 1e+16, nan, inf.
std::string pythonFloatRepr(double d);
// Decimal text of a little-endian two's complement integer (up to a few hundred bytes).
std::string bigIntDecimal(std::string_view le);

} // namespace ckpt::pickle
