#include "tensorsummary.h"

#include "checkpoint.h"
#include "format/error.h"

#include <QtConcurrent/QtConcurrentRun>

QFuture<TensorSummary> summarizeTensor(std::shared_ptr<const ckpt::Checkpoint> checkpoint, int tensor, int bins, std::size_t values)
{
    return QtConcurrent::run([checkpoint = std::move(checkpoint), tensor, bins, values] {
        TensorSummary s;
        s.tensor = tensor;
        try {
            const ckpt::TensorMath &math = ckpt::tensorMath();
            const auto view = ckpt::TensorView::of(*checkpoint->tensors()[static_cast<std::size_t>(tensor)].value);
            s.stats = math.statistics(view);
            if (s.stats.valid) {
                s.histogram = math.histogram(view, bins);
                s.firstValues = math.firstValues(view, values);
            } else {
                s.error = QString::fromStdString(s.stats.unsupportedReason);
            }
        } catch (const ckpt::Error &e) {
            s.error = QString::fromStdString(e.detail());
        }
        return s;
    });
}
