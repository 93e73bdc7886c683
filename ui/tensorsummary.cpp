// SPDX-License-Identifier: MIT
#include "tensorsummary.h"

#include "checkpoint.h"
#include "errorbox.h"
#include "format/error.h"
#include "quantization.h"
#include "tensorstats.h"

#include <QtConcurrent/QtConcurrentRun>

#include <optional>

QFuture<TensorSummary> summarizeTensor(std::shared_ptr<const ckpt::Checkpoint> checkpoint, int tensor, int bins, std::size_t values)
{
    return QtConcurrent::run([checkpoint = std::move(checkpoint), tensor, bins, values] {
        TensorSummary s;
        s.tensor = tensor;
        try {
            const ckpt::pickle::TensorValue &value = *checkpoint->tensors()[static_cast<std::size_t>(tensor)].value;
            // A quantized tensor is summarised by its dequantized values, the numbers the model computes with.
            std::optional<ckpt::StatisticsInput> input;
            if (ckpt::dtypeIsQuantized(value.dtype))
                input.emplace(value);
            const ckpt::ElementSource source = input ? ckpt::ElementSource(input->view()) : ckpt::ElementSource::of(value);
            s.stats = ckpt::statisticsOf(source);
            s.stats.dequantized = input && input->dequantized();
            if (s.stats.valid) {
                s.histogram = ckpt::histogramOf(source, bins, s.stats);
                s.firstValues = ckpt::firstValuesOf(source, values);
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
