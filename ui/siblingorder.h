// SPDX-License-Identifier: MIT
// Sibling order shared by the module trees: numbered siblings (Sequential / ModuleList indices) in
// numeric order, 2 before 10; any other set of siblings keeps the checkpoint's order, which is the model's.
#pragma once

#include <QString>

#include <algorithm>
#include <utility>
#include <vector>

template<typename NameOf>
void orderNumberedSiblings(std::vector<int> &children, NameOf nameOf)
{
    if (children.size() < 2)
        return;
    std::vector<std::pair<qulonglong, int>> numbered;
    numbered.reserve(children.size());
    for (const int c : children) {
        const QString &name = nameOf(c);
        bool ok = false;
        const qulonglong v = name.toULongLong(&ok);
        if (!ok || name.isEmpty() || !name.front().isDigit())
            return;
        numbered.emplace_back(v, c);
    }
    std::stable_sort(numbered.begin(), numbered.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    for (std::size_t k = 0; k < numbered.size(); ++k)
        children[k] = numbered[k].second;
}
