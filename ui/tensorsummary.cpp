// SPDX-License-Identifier: MIT
#include "tensorsummary.h"

#include "checkpoint.h"
#include "errorbox.h"
#include "format/error.h"
#include "quantization.h"

#include <QtConcurrent/QtConcurrentRun>

QFuture<TensorSummary> summarizeTensor(std::shared_ptr<const ckpt::Checkpoint> checkpoint, int tensor, int bins, std::size_t values)
{
    return QtConcurrent::run([checkpoint = std::move(checkpoint), tensor, bins, values] {
        TensorSummary s;
        s.tensor = tensor;
        try {
            const ckpt::TensorMath &math = ckpt::tensorMath();
            // A quantized tensor is summarised by its dequantized values, the numbers the model computes with.
            const ckpt::StatisticsInput input(*checkpoint->tensors()[static_cast<std::size_t>(tensor)].value);
            const ckpt::TensorView &view = input.view();
            s.stats = math.statistics(view);
            s.stats.dequantized = input.dequantized();
            if (s.stats.valid) {
                s.histogram = math.histogram(view, bins);
                s.firstValues = math.firstValues(view, values);
            } else {
                s.error = QString::fromStdString(s.stats.unsupportedReason);
            }
        } catch (const ckpt::Error &e) {
            s.error = QString::fromStdString(e.detail());
        } catch (const std::exception &e) { // out of memory, among others: no statistics, and the window goes on
            s.error = exceptionText(e);
        }
        return s;
    });
}
