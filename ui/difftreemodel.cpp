// SPDX-License-Identifier: MIT
#include "difftreemodel.h"

#include "checkpoint.h"
#include "diffrunner.h"
#include "diffstatusstyle.h"
#include "inspectreport.h"

#include <QBrush>

#include <algorithm>
#include <cmath>
#include <limits>

using ckpt::DiffStatus;

namespace {
QString number(double v)
{
    if (std::isnan(v))
        return QStringLiteral("nan");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    return QString::number(v, 'g', 3);
}

QString percent(double fraction)
{
    if (fraction <= 0)
        return QStringLiteral("0%");
    if (fraction < 0.001)
        return QStringLiteral("<0.1%");
    return QString::number(100.0 * fraction, 'f', 1) + QLatin1Char('%');
}

QString shapeOf(const ckpt::TensorInfo *t)
{
    return QString::fromStdString(ckpt::shapeText(t->shape()));
}

QString dtypeOf(const ckpt::TensorInfo *t)
{
    return QString::fromLatin1(ckpt::dtypeName(t->dtype()));
}

QString shortStatus(DiffStatus s)
{
    switch (s) {
    case DiffStatus::OnlyA: return DiffTreeModel::tr("only in A");
    case DiffStatus::OnlyB: return DiffTreeModel::tr("only in B");
    case DiffStatus::Shape: return DiffTreeModel::tr("shape changed");
    case DiffStatus::DType: return DiffTreeModel::tr("dtype changed");
    case DiffStatus::Identical: return DiffTreeModel::tr("identical");
    case DiffStatus::Changed: return DiffTreeModel::tr("changed");
    }
    return {};
}

constexpr double kNone = -1.0; // sorts below every real value
} // namespace

DiffTreeModel::DiffTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_statusMask(diffstyle::kAllStatuses)
    , m_children(1)
    , m_parent(1, -1)
    , m_row(1, 0)
{ }

DiffTreeModel::~DiffTreeModel() = default;

void DiffTreeModel::setSession(std::shared_ptr<const DiffSession> session)
{
    beginResetModel();
    m_session = std::move(session);
    m_children.assign(1, {});
    m_parent.assign(1, -1);
    m_row.assign(1, 0);
    m_visiblePairs = 0;
    if (m_session) {
        relayoutNow(); // the reset covers the layout
    }
    endResetModel();
}

void DiffTreeModel::setStatusFilter(unsigned mask)
{
    if (mask == m_statusMask)
        return;
    m_statusMask = mask;
    relayout();
}

void DiffTreeModel::setNameFilter(ParameterFilter filter)
{
    m_nameFilter = std::move(filter);
    relayout();
}

void DiffTreeModel::setFlat(bool flat)
{
    if (flat == m_flat)
        return;
    // A reset, not a layout change: nearly every index changes parent, and remapping the view's
    // persistent indexes one by one costs about a second for 100,000 pairs.
    beginResetModel();
    m_flat = flat;
    if (m_session)
        relayoutNow();
    endResetModel();
}

void DiffTreeModel::sort(int column, Qt::SortOrder order)
{
    m_sortColumn = column;
    m_sortOrder = order;
    relayout();
}

double DiffTreeModel::sortKey(int node, int column) const
{
    const DiffTreeNode &n = m_session->tree.nodes[static_cast<std::size_t>(node)];
    const ckpt::DiffEntry *e = n.entry >= 0 ? &m_session->result.entries[static_cast<std::size_t>(n.entry)] : nullptr;
    const bool metrics = e && e->metrics.valid;
    const bool identical = e && e->status == DiffStatus::Identical;
    auto clean = [](double v) { return std::isnan(v) ? kNone : v; };
    switch (column) {
    case Status: return diffstyle::severity(static_cast<DiffStatus>(n.worst));
    case Shape: return e && e->status == DiffStatus::Shape ? 1 : 0;
    case DType: return e && e->a && e->b && e->a->dtype() != e->b->dtype() ? 1 : 0;
    case Parameters: return static_cast<double>(n.numel);
    case RelL2:
        if (e)
            return metrics ? clean(e->metrics.relL2) : identical ? 0.0 : kNone;
        return n.change.parameters ? n.change.mean() : kNone;
    case Cosine: // ascending: the least similar first; nothing to show sorts last
        if (e)
            return metrics  ? (std::isnan(e->metrics.cosine) ? std::numeric_limits<double>::infinity() : e->metrics.cosine)
                : identical ? 1.0
                            : std::numeric_limits<double>::infinity();
        return std::numeric_limits<double>::infinity();
    case MaxAbs: return n.hasValues ? clean(n.maxAbs) : kNone;
    case MeanAbs: return n.hasValues ? clean(n.meanAbs()) : kNone;
    case ChangedPercent: return n.hasValues ? n.changedFraction() : kNone;
    default: return 0;
    }
}

void DiffTreeModel::relayout()
{
    if (!m_session)
        return;
    emit layoutAboutToBeChanged();
    const QModelIndexList before = persistentIndexList();
    relayoutNow();
    QModelIndexList after;
    after.reserve(before.size());
    for (const QModelIndex &index : before)
        after << indexOfNode(nodeOf(index), index.column());
    changePersistentIndexList(before, after);
    emit layoutChanged();
}

void DiffTreeModel::relayoutNow()
{
    const DiffTree &tree = m_session->tree;
    const auto &entries = m_session->result.entries;
    const std::size_t n = tree.nodes.size();
    std::vector<char> shown(n, 0);
    m_visiblePairs = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const bool match = (m_statusMask & diffstyle::bit(entries[i].status)) && (m_nameFilter.isEmpty() || m_nameFilter.matches(entries[i].name));
        if (match) {
            shown[static_cast<std::size_t>(tree.leafOfEntry[i])] = 1;
            ++m_visiblePairs;
        }
    }
    for (std::size_t i = n; i-- > 1;)
        if (shown[i])
            shown[static_cast<std::size_t>(tree.nodes[i].parent)] = 1;

    m_children.assign(n, {});
    m_parent.assign(n, -1);
    m_row.assign(n, -1);
    m_parent[0] = 0;
    m_row[0] = 0;
    // Rank in the unsorted display (model order, numbered siblings numerically): the Name column's key
    // and every tie's.
    std::vector<int> rank(n, 0);
    if (m_flat) {
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const int leaf = tree.leafOfEntry[i];
            rank[static_cast<std::size_t>(leaf)] = static_cast<int>(i);
            if (shown[static_cast<std::size_t>(leaf)])
                m_children[0].push_back(leaf);
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            if (!shown[i] && i != 0)
                continue;
            const auto &children = tree.nodes[i].children;
            for (std::size_t k = 0; k < children.size(); ++k) {
                rank[static_cast<std::size_t>(children[k])] = static_cast<int>(k);
                if (shown[static_cast<std::size_t>(children[k])])
                    m_children[i].push_back(children[k]);
            }
        }
    }
    if (m_sortColumn >= 0) {
        std::vector<double> key(n, 0);
        for (std::size_t i = 1; i < n; ++i)
            if (shown[i])
                key[i] = m_sortColumn == Name ? rank[i] : sortKey(static_cast<int>(i), m_sortColumn);
        const bool descending = m_sortOrder == Qt::DescendingOrder;
        for (auto &children : m_children)
            std::sort(children.begin(), children.end(), [&](int x, int y) {
                const double kx = key[static_cast<std::size_t>(x)], ky = key[static_cast<std::size_t>(y)];
                if (kx != ky)
                    return descending ? kx > ky : kx < ky;
                return rank[static_cast<std::size_t>(x)] < rank[static_cast<std::size_t>(y)];
            });
    }
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t k = 0; k < m_children[i].size(); ++k) {
            const auto c = static_cast<std::size_t>(m_children[i][k]);
            m_parent[c] = static_cast<int>(i);
            m_row[c] = static_cast<int>(k);
        }
}

int DiffTreeModel::nodeOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<int>(index.internalId()) : 0;
}

QModelIndex DiffTreeModel::indexOfNode(int node, int column) const
{
    if (node <= 0 || static_cast<std::size_t>(node) >= m_parent.size() || m_parent[static_cast<std::size_t>(node)] < 0)
        return {};
    return createIndex(m_row[static_cast<std::size_t>(node)], column, static_cast<quintptr>(node));
}

QModelIndex DiffTreeModel::indexOfEntry(int entry, int column) const
{
    if (!m_session || entry < 0 || static_cast<std::size_t>(entry) >= m_session->tree.leafOfEntry.size())
        return {};
    return indexOfNode(m_session->tree.leafOfEntry[static_cast<std::size_t>(entry)], column);
}

QModelIndex DiffTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || (parent.isValid() && parent.column() != 0))
        return {};
    const auto &children = m_children[static_cast<std::size_t>(nodeOf(parent))];
    if (static_cast<std::size_t>(row) >= children.size())
        return {};
    return createIndex(row, column, static_cast<quintptr>(children[static_cast<std::size_t>(row)]));
}

QModelIndex DiffTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    const int p = m_parent[static_cast<std::size_t>(nodeOf(child))];
    return p > 0 ? createIndex(m_row[static_cast<std::size_t>(p)], 0, static_cast<quintptr>(p)) : QModelIndex();
}

int DiffTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return static_cast<int>(m_children[static_cast<std::size_t>(nodeOf(parent))].size());
}

int DiffTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant DiffTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !m_session)
        return {};
    const int node = nodeOf(index);
    const DiffTreeNode &n = m_session->tree.nodes[static_cast<std::size_t>(node)];
    const ckpt::DiffEntry *e = n.entry >= 0 ? &m_session->result.entries[static_cast<std::size_t>(n.entry)] : nullptr;
    const auto status = static_cast<DiffStatus>(n.worst);
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: {
        const bool metrics = e && e->metrics.valid;
        const bool identical = e && e->status == DiffStatus::Identical;
        switch (column) {
        case Name: return e && m_flat ? QString::fromStdString(e->name) : n.name;
        case Status: {
            if (e)
                return diffstyle::label(e->status);
            // Short enough for the column: one status and its count, or how many of the pairs differ.
            // The tooltip lists every status; the colour is the most severe one.
            int total = 0, kinds = 0;
            for (const int c : n.counts) {
                total += c;
                kinds += c ? 1 : 0;
            }
            const int identical = n.counts[static_cast<std::size_t>(DiffStatus::Identical)];
            const QString count = QString::fromStdString(ckpt::groupThousands(static_cast<std::uint64_t>(total)));
            if (kinds == 1)
                return tr("%1 %2").arg(count, shortStatus(status));
            const QString differ = QString::fromStdString(ckpt::groupThousands(static_cast<std::uint64_t>(total - identical)));
            return identical ? tr("%1 differ of %2").arg(differ, count) : tr("%1 differ").arg(count);
        }
        case Shape:
            if (!e)
                return {};
            if (e->a && e->b && e->status == DiffStatus::Shape)
                return shapeOf(e->a) + QStringLiteral(" → ") + shapeOf(e->b);
            return shapeOf(e->a ? e->a : e->b);
        case DType:
            if (!e)
                return {};
            if (e->a && e->b && e->a->dtype() != e->b->dtype())
                return dtypeOf(e->a) + QStringLiteral(" → ") + dtypeOf(e->b);
            return dtypeOf(e->a ? e->a : e->b);
        case Parameters: return QString::fromStdString(ckpt::groupThousands(n.numel));
        case RelL2:
            if (e)
                return metrics ? number(e->metrics.relL2) : identical ? QStringLiteral("0") : QString();
            return n.change.parameters ? number(n.change.mean()) : QString();
        case Cosine:
            if (!e)
                return {};
            return metrics ? QString::number(e->metrics.cosine, 'f', 6) : identical ? QStringLiteral("1") : QString();
        case MaxAbs: return n.hasValues ? number(n.maxAbs) : QString();
        case MeanAbs: return n.hasValues ? number(n.meanAbs()) : QString();
        case ChangedPercent: return n.hasValues ? percent(n.changedFraction()) : QString();
        default: return {};
        }
    }
    case Qt::BackgroundRole: {
        // Pairs are tinted across the row; groups only in their status cell, so colour marks pairs.
        const QColor c = diffstyle::colour(status);
        if (c.isValid() && (e || column == Status))
            return QBrush(c);
        return {};
    }
    case Qt::ForegroundRole:
        if (e && e->status == DiffStatus::Identical)
            return QBrush(QColor(0x6a, 0x6a, 0x6a));
        return {};
    case Qt::TextAlignmentRole:
        if (column >= Parameters)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (column == Name)
            return e ? QString::fromStdString(e->name) : QString();
        if (column == Status && e) {
            QString tip = diffstyle::description(e->status);
            if (!e->metrics.valid && !e->metrics.unsupportedReason.empty())
                tip += QLatin1Char('\n') + tr("Values not compared: %1").arg(QString::fromStdString(e->metrics.unsupportedReason));
            return tip;
        }
        if (column == Status) {
            QStringList lines;
            for (const auto s : diffstyle::bySeverity())
                if (const int c = n.counts[static_cast<std::size_t>(s)])
                    lines << QStringLiteral("%1: %2").arg(diffstyle::label(s)).arg(c);
            return lines.join(QLatin1Char('\n'));
        }
        if (column == RelL2 && !e)
            return tr("Parameter-weighted mean relative change of the pairs below");
        return {};
    case StatusRole: return static_cast<int>(status);
    case EntryRole: return n.entry;
    case SortRole: return column == Name ? QVariant(n.order) : QVariant(sortKey(node, column));
    default: return {};
    }
}

QVariant DiffTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Name: return tr("Name");
        case Status: return tr("Status");
        case Shape: return tr("Shape");
        case DType: return tr("Dtype");
        case Parameters: return tr("Parameters");
        case RelL2: return tr("Rel. change");
        case Cosine: return tr("Cosine");
        case MaxAbs: return tr("Max |a−b|");
        case MeanAbs: return tr("Mean |a−b|");
        case ChangedPercent: return tr("Changed");
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case RelL2: return tr("Relative L2 change ‖a − b‖ / ‖a‖; for a group, the parameter-weighted mean over its pairs");
        case Cosine: return tr("Cosine similarity a·b / (‖a‖ ‖b‖)");
        case MaxAbs: return tr("Largest absolute difference of an element");
        case MeanAbs: return tr("Mean absolute difference over the elements");
        case ChangedPercent: return tr("Share of elements whose absolute difference exceeds the tolerance (atol)");
        case Parameters: return tr("Elements of A (of B for names only B has)");
        default: return {};
        }
    }
    if (role == Qt::TextAlignmentRole && section >= Parameters)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::InitialSortOrderRole) {
        // QHeaderView sorts a newly clicked section ascending unless told otherwise; the first click should
        // rank what one looks for first: the most changed, the largest, the most severe.
        switch (section) {
        case Shape: // changed shapes have key 1
        case DType:
        case Parameters:
        case RelL2:
        case MaxAbs:
        case MeanAbs:
        case ChangedPercent: return int(Qt::DescendingOrder);
        default: return int(Qt::AscendingOrder); // names in model order, the most severe status, the least similar
        }
    }
    return {};
}
