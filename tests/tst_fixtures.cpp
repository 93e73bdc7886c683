// SPDX-License-Identifier: MIT
// Every fixture written by real torch.save / torch.jit.save reads back exactly as torch.load returns it.
#include "testsupport.h"

#include "format/error.h"

#include <QTest>

using namespace testsupport;

class TestFixtures : public QObject
{
    Q_OBJECT
private slots:
    void matchesTorchLoad_data() { addFixtureRows(); }

    void matchesTorchLoad()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        std::unique_ptr<ckpt::Checkpoint> c;
        try {
            c = ckpt::Checkpoint::open(file.toStdString());
        } catch (const ckpt::Error &e) {
            QFAIL(e.what());
        }
        compareWithOracle(*c, readJsonObject(expected));
    }

    // Specific facts torch.load can't express in the oracle: where requires_grad is recorded, buffers.
    void trainingCheckpointDetails()
    {
        const auto c = ckpt::Checkpoint::open((fixtureDir() + QStringLiteral("/training_checkpoint.pt")).toStdString());
        QCOMPARE(c->modelState().path, std::string("model_state"));
        std::size_t modelTensors = 0, optimizerTensors = 0;
        for (const auto &t : c->tensors()) {
            if (t.inModelState) {
                ++modelTensors;
                QCOMPARE(t.name, "model_state/" + t.modelName);
            } else if (t.name.starts_with("optimizer_state/state/")) {
                ++optimizerTensors;
                QVERIFY(!t.isParameter);
            }
        }
        QVERIFY(modelTensors > 0);
        QVERIFY(optimizerTensors > 0);
        bool sawEpoch = false, sawNamespace = false;
        for (const auto &e : c->entries()) {
            if (e.name == "epoch") {
                sawEpoch = true;
                QCOMPARE(e.value, std::string("3"));
            }
            if (e.type == "argparse.Namespace") {
                sawNamespace = true;
                QVERIFY2(e.value.find("lr=0.1") != std::string::npos, e.value.c_str());
            }
        }
        QVERIFY(sawEpoch);
        QVERIFY(sawNamespace);
    }

    void torchScriptRequiresGrad()
    {
        const auto c = ckpt::Checkpoint::open((fixtureDir() + QStringLiteral("/torchscript_model.pt")).toStdString());
        QCOMPARE(c->format(), ckpt::Format::TorchScript);
        int frozen = 0, trainable = 0, buffers = 0;
        for (const auto &t : c->tensors()) {
            QVERIFY(t.requiresGradStored);
            if (!t.isParameter)
                ++buffers;
            else if (t.trainable())
                ++trainable;
            else
                ++frozen;
        }
        QVERIFY(frozen > 0);
        QVERIFY(trainable > 0);
        QVERIFY(buffers > 0);
    }

    // A Hugging Face model folder opens through the index it holds.
    void folderOpensItsIndex()
    {
        const auto c = ckpt::Checkpoint::open((fixtureDir() + QStringLiteral("/sharded_st")).toStdString());
        QCOMPARE(c->format(), ckpt::Format::Sharded);
        QVERIFY(!c->tensors().empty());
        QCOMPARE(c->raw().notes.front(), std::string("opened model.safetensors.index.json in the folder"));
    }

    void listingDoesNotTouchTensorBytes()
    {
        // Storages are spans into the mapping; opening must not copy tensor bytes anywhere.
        const auto c = ckpt::Checkpoint::open((fixtureDir() + QStringLiteral("/dtypes.pt")).toStdString());
        const auto file = c->raw().files.front()->bytes();
        for (const auto *s : c->raw().storages) {
            if (s->bytes.empty())
                continue;
            QVERIFY(s->bytes.data() >= file.data());
            QVERIFY(s->bytes.data() + s->bytes.size() <= file.data() + file.size());
        }
    }
};

QTEST_GUILESS_MAIN(TestFixtures)
#include "tst_fixtures.moc"
