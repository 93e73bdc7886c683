// SPDX-License-Identifier: MIT
// Checkpoints that real projects committed to their repositories (tests/data/realworld/README.md).
#include "testsupport.h"

#include "format/error.h"
#include "tensordata.h"

#include <QDir>
#include <QFileInfo>
#include <QTest>

#include <cstring>

using namespace testsupport;

class TestRealworld : public QObject
{
    Q_OBJECT
private slots:
    void opens_data()
    {
        QTest::addColumn<QString>("file");
        const QStringList files = QDir(realworldDir()).entryList(QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 50);
        for (const QString &f : files)
            if (f != QLatin1String("README.md") && f != QLatin1String("burn__reader_broken.pt"))
                QTest::newRow(qPrintable(f)) << f;
    }

    void opens()
    {
        QFETCH(QString, file);
        std::unique_ptr<ckpt::Checkpoint> c;
        try {
            c = ckpt::Checkpoint::open((realworldDir() + QLatin1Char('/') + file).toStdString());
        } catch (const ckpt::Error &e) {
            QFAIL(e.what());
        }
        for (const auto &t : c->tensors())
            QCOMPARE(ckpt::contiguousBytes(*t.value).size(), static_cast<std::size_t>(t.nbytes()));
        const QString oracle = oracleDir() + QLatin1Char('/') + file + QStringLiteral(".expected.json");
        if (QFileInfo::exists(oracle))
            compareWithOracle(*c, readJsonObject(oracle));
        else
            QVERIFY2(
                file.endsWith(QLatin1String(".tar.gz")) || file.endsWith(QLatin1String(".tar")), "torch.load read every other file; its oracle is missing");
    }

    void brokenFileGivesClearError()
    {
        const QString path = realworldDir() + QStringLiteral("/burn__reader_broken.pt");
        try {
            ckpt::Checkpoint::open(path.toStdString());
            QFAIL("a 3-byte text file opened as a checkpoint");
        } catch (const ckpt::Error &e) {
            QCOMPARE(e.kind(), ckpt::ErrorKind::UnknownFormat);
            QVERIFY(std::string(e.what()).starts_with(path.toStdString() + ": "));
        }
    }

    // torch.load can't read a gzipped AllenNLP archive; its weights.th is the same file as best.th.
    void allennlpArchiveMatchesItsWeights()
    {
        const auto archive = ckpt::Checkpoint::open((realworldDir() + QStringLiteral("/allennlp__basic_classifier_model.tar.gz")).toStdString());
        QCOMPARE(archive->raw().member, std::string("weights.th"));
        compareWithOracle(*archive, readJsonObject(oracleDir() + QStringLiteral("/allennlp__basic_classifier_best.th.expected.json")));
    }

    // chemprop keeps a loss weight and an output transform as buffers with names that say nothing; the
    // Lightning checkpoint's Adam state holds exactly the 10 parameters, in order.
    void optimizerTellsBuffersFromParameters()
    {
        const auto c = ckpt::Checkpoint::open((realworldDir() + QStringLiteral("/chemprop__example_model_v2_regression_mol.ckpt")).toStdString());
        QStringList parameters, buffers;
        for (const auto &t : c->tensors())
            if (t.inModelState)
                (t.isParameter ? parameters : buffers) << QString::fromStdString(t.modelName);
        QCOMPARE(parameters.size(), 10);
        QVERIFY(buffers.contains(QStringLiteral("predictor.criterion.task_weights")));
        QVERIFY(buffers.contains(QStringLiteral("predictor.output_transform.mean")));
        QVERIFY(parameters.contains(QStringLiteral("predictor.ffn.1.2.bias")));
    }

    // burn's hand-made tar has no 'tensors' member and no storage views; torch.load fails on it.
    void burnTarHoldsWeightAndBias()
    {
        const auto c = ckpt::Checkpoint::open((realworldDir() + QStringLiteral("/burn__reader_tar_weight_bias.tar")).toStdString());
        QCOMPARE(c->tensors().size(), std::size_t(2));
        const auto &weight = c->tensors()[0];
        const auto &bias = c->tensors()[1];
        QCOMPARE(weight.name, std::string("weight"));
        QCOMPARE(bias.name, std::string("bias"));
        auto floats = [](const ckpt::TensorInfo &t) {
            const auto bytes = ckpt::contiguousBytes(*t.value);
            std::vector<float> v(bytes.size() / 4);
            std::memcpy(v.data(), bytes.data(), bytes.size());
            return v;
        };
        QCOMPARE(floats(weight), (std::vector<float>{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}));
        QCOMPARE(floats(bias), (std::vector<float>{0.01f, 0.02f}));
        QCOMPARE(c->raw().notes.size(), std::size_t(2));
    }
};

QTEST_GUILESS_MAIN(TestRealworld)
#include "tst_realworld.moc"
