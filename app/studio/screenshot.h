// SPDX-License-Identifier: MIT
// --screenshot: puts a window into a representative state and says when it is fully drawn, so that the
// picture shows content (a selected tensor with its statistics, a changed pair with its histograms).
#pragma once

#include <functional>

class DiffWindow;
class MainWindow;

namespace screenshot {
// Expands the tree and selects the largest of the first parameters; ready() once its details show.
void prepare(MainWindow &window, const std::function<void()> &ready);
// Selects the largest changed pair; ready() once its histograms show.
void prepare(DiffWindow &window, const std::function<void()> &ready);
} // namespace screenshot
