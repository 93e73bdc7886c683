// SPDX-License-Identifier: MIT
// ckpt save and ckpt freeze, checked by what PyTorch itself reads: round trips, model-only, dtype,
// renames, the seed's freeze templates, TorchScript requires_grad, and failures that leave nothing behind.
#include "testsupport.h"

#include "checkpointsaver.h"
#include "format/error.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace testsupport;

namespace {
ProcessResult python(const QStringList &args)
{
    return runProcess(QStringLiteral(CKPT_TEST_PYTHON), QStringList{sourceDir() + QStringLiteral("/fixtures/check_saved.py")} + args);
}

// Files in dir other than the expected ones: a failed save must leave no partial or temporary file.
QStringList strayFiles(const QString &dir, const QStringList &expected)
{
    QStringList stray;
    for (const QString &f : QDir(dir).entryList(QDir::Files | QDir::Hidden))
        if (!expected.contains(f))
            stray << f;
    return stray;
}
} // namespace

class TestSave : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QHash<QString, QStringList> m_roundTripProblems; // output file -> what PyTorch saw differ
    QHash<QString, QString> m_saveErrors;

    QString out(const QString &name) const { return m_dir.filePath(name); }

    static QStringList roundTripSources()
    {
        QStringList files;
        for (const auto &v : readJsonObject(fixtureDir() + QStringLiteral("/manifest.json")).value(QStringLiteral("fixtures")).toArray())
            files << fixtureDir() + QLatin1Char('/') + v.toObject().value(QStringLiteral("path")).toString();
        for (const auto &v : readJsonObject(oracleDir() + QStringLiteral("/realworld_manifest.json")).value(QStringLiteral("loaded")).toArray())
            files << realworldDir() + QLatin1Char('/') + v.toString();
        return files;
    }

    static QString outputName(const QString &source)
    {
        QString base = source.section(QLatin1Char('/'), -2).replace(QLatin1Char('/'), QLatin1Char('_'));
        // A sharded index is written as one file, in its shards' format (a .safetensors name asks for safetensors).
        if (base.endsWith(QLatin1String(".json")))
            base += base.contains(QLatin1String("safetensors")) ? QStringLiteral(".safetensors") : QStringLiteral(".pt");
        return QStringLiteral("rt_") + base;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // Untouched re-save of every fixture and every real-world file PyTorch can load, then one Python
        // process compares each pair.
        QJsonArray pairs;
        for (const QString &source : roundTripSources()) {
            const QString target = out(outputName(source));
            try {
                const auto c = ckpt::Checkpoint::open(source.toStdString());
                ckpt::saveCheckpoint(*c, target.toStdString(), {});
                pairs.append(QJsonArray{source, target});
            } catch (const ckpt::Error &e) {
                m_saveErrors.insert(target, QString::fromStdString(e.what()));
            }
        }
        QFile f(out(QStringLiteral("pairs.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(pairs).toJson());
        f.close();
        const ProcessResult r = python({QStringLiteral("roundtrip-many"), f.fileName(), out(QStringLiteral("results.json"))});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject results = readJsonObject(out(QStringLiteral("results.json")));
        for (auto it = results.begin(); it != results.end(); ++it) {
            QStringList problems;
            for (const auto &p : it.value().toArray())
                problems << p.toString();
            m_roundTripProblems.insert(it.key(), problems);
        }
    }

    void untouchedResaveEqualsTorchLoad_data()
    {
        QTest::addColumn<QString>("source");
        for (const QString &s : roundTripSources())
            QTest::newRow(qPrintable(s.section(QLatin1Char('/'), -1))) << s;
    }

    void untouchedResaveEqualsTorchLoad()
    {
        QFETCH(QString, source);
        const QString target = out(outputName(source));
        QVERIFY2(!m_saveErrors.contains(target), qPrintable(m_saveErrors.value(target)));
        QVERIFY2(m_roundTripProblems.contains(target), "the comparison did not run");
        QVERIFY2(m_roundTripProblems.value(target).isEmpty(), qPrintable(m_roundTripProblems.value(target).join(QLatin1Char('\n'))));
    }

    void modelOnlyLoadsWeightsOnly_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("modelPath");
        QTest::newRow("training checkpoint") << QStringLiteral("training_checkpoint.pt") << QStringLiteral("model_state");
        QTest::newRow("legacy training checkpoint") << QStringLiteral("training_checkpoint_legacy.pt") << QStringLiteral("model_state");
        QTest::newRow("lightning") << QStringLiteral("lightning_checkpoint.ckpt") << QStringLiteral("state_dict");
        QTest::newRow("whole pickled module") << QStringLiteral("whole_module.pt") << QString();
        QTest::newRow("yolov5 style") << QStringLiteral("yolov5_style.pt") << QStringLiteral("model");
        QTest::newRow("tied weights") << QStringLiteral("tied_weights.pt") << QString();
    }

    void modelOnlyLoadsWeightsOnly()
    {
        QFETCH(QString, fixture);
        QFETCH(QString, modelPath);
        const QString source = fixtureDir() + QLatin1Char('/') + fixture;
        const QString target = out(QStringLiteral("model_only_") + fixture);
        const ProcessResult save = runCkpt({QStringLiteral("save"), source, target, QStringLiteral("--model-only")});
        QVERIFY2(save.exitCode == 0, save.err.constData());
        const ProcessResult check = python({QStringLiteral("model-state"), source, target, modelPath});
        QVERIFY2(check.exitCode == 0, (check.out + check.err).constData());
    }

    // Every fixture and real file with a model state: --model-only writes exactly that state, which PyTorch
    // loads with weights_only=True; a file without one is refused (exit 2) with the reason, never written empty.
    void modelOnlyOfEveryFile_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("modelPath");
        QTest::addColumn<bool>("found");
        int rows = 0, none = 0;
        for (const QString &source : roundTripSources()) {
            std::unique_ptr<ckpt::Checkpoint> c;
            try {
                c = ckpt::Checkpoint::open(source.toStdString());
            } catch (const ckpt::Error &) {
                continue; // untouchedResaveEqualsTorchLoad reports it
            }
            if (c->format() == ckpt::Format::Safetensors || c->format() == ckpt::Format::Sharded || c->tensors().empty())
                continue; // they stay safetensors; nothing to export
            QTest::newRow(qPrintable(source.section(QLatin1Char('/'), -2)))
                << source << QString::fromStdString(c->modelState().path) << c->modelState().found();
            ++rows;
            none += !c->modelState().found();
        }
        QVERIFY(rows >= 60);
        QVERIFY(none >= 2); // the per-layer dicts and the optimizer-only file
    }

    void modelOnlyOfEveryFile()
    {
        QFETCH(QString, source);
        QFETCH(QString, modelPath);
        QFETCH(bool, found);
        const QString target = out(QStringLiteral("every_model_only_") + source.section(QLatin1Char('/'), -1) + QStringLiteral(".pt"));
        const ProcessResult save = runCkpt({QStringLiteral("save"), source, target, QStringLiteral("--model-only")});
        if (!found) {
            QCOMPARE(save.exitCode, 2);
            QVERIFY2(save.err.contains("no model state"), save.err.constData());
            QVERIFY(!QFileInfo::exists(target));
            return;
        }
        QVERIFY2(save.exitCode == 0, save.err.constData());
        const ProcessResult check = python({QStringLiteral("model-state"), source, target, modelPath});
        QVERIFY2(check.exitCode == 0, (check.out + check.err).constData());
    }

    // An output without tensors from an input with tensors is an error naming the cause, and nothing is written.
    void emptyOutputIsAnError()
    {
        const QString source = fixtureDir() + QStringLiteral("/cnn_state_dict.pt");
        const QString target = out(QStringLiteral("all_dropped.pt"));
        const ProcessResult save
            = runCkpt({QStringLiteral("save"), source, target, QStringLiteral("--model-only"), QStringLiteral("--drop"), QStringLiteral("*")});
        QCOMPARE(save.exitCode, 2);
        QVERIFY2(save.err.contains("no tensors") && save.err.contains("dropped"), save.err.constData());
        QVERIFY(!QFileInfo::exists(target));
    }

    // "Export only the model parameters" of a TorchScript archive: the module's state_dict() as a torch.save zip.
    void torchScriptModelOnly()
    {
        const QString source = fixtureDir() + QStringLiteral("/torchscript_model.pt");
        const QString target = out(QStringLiteral("ts_state_dict.pt"));
        const ProcessResult save = runCkpt({QStringLiteral("save"), source, target, QStringLiteral("--model-only")});
        QVERIFY2(save.exitCode == 0, save.err.constData());
        const auto written = ckpt::Checkpoint::open(target.toStdString());
        QCOMPARE(written->format(), ckpt::Format::TorchZip);
        const ProcessResult check = python({QStringLiteral("model-state"), source, target, QString()});
        QVERIFY2(check.exitCode == 0, (check.out + check.err).constData());
    }

    void dtypeConversionEqualsTo_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("modelPath");
        QTest::addColumn<QString>("dtype");
        QTest::newRow("float16") << QStringLiteral("training_checkpoint.pt") << QStringLiteral("model_state") << QStringLiteral("float16");
        QTest::newRow("bfloat16") << QStringLiteral("training_checkpoint.pt") << QStringLiteral("model_state") << QStringLiteral("bfloat16");
        QTest::newRow("float32 from mixed") << QStringLiteral("dtypes.pt") << QString() << QStringLiteral("float32");
        QTest::newRow("bfloat16 from mixed") << QStringLiteral("dtypes.pt") << QString() << QStringLiteral("bfloat16");
        QTest::newRow("float16 of views") << QStringLiteral("views.pt") << QString() << QStringLiteral("float16");
        QTest::newRow("float16 of a module") << QStringLiteral("whole_module.pt") << QString() << QStringLiteral("float16");
    }

    void dtypeConversionEqualsTo()
    {
        QFETCH(QString, fixture);
        QFETCH(QString, modelPath);
        QFETCH(QString, dtype);
        const QString source = fixtureDir() + QLatin1Char('/') + fixture;
        const QString target = out(QStringLiteral("%1_%2").arg(dtype, fixture));
        const ProcessResult save = runCkpt({QStringLiteral("save"), source, target, QStringLiteral("--model-only"), QStringLiteral("--dtype"), dtype});
        QVERIFY2(save.exitCode == 0, save.err.constData());
        const ProcessResult check = python({QStringLiteral("dtype"), source, target, modelPath, dtype});
        QVERIFY2(check.exitCode == 0, (check.out + check.err).constData());
    }

    void keyEdits_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QStringList>("keys");
        const QStringList cnn{QStringLiteral("conv.weight"), QStringLiteral("conv.bias"), QStringLiteral("bn.weight"), QStringLiteral("bn.bias"),
            QStringLiteral("bn.running_mean"), QStringLiteral("bn.running_var"), QStringLiteral("bn.num_batches_tracked"), QStringLiteral("fc.weight"),
            QStringLiteral("fc.bias"), QStringLiteral("embed.weight")};
        QStringList noTracked = cnn;
        noTracked.removeAll(QStringLiteral("bn.num_batches_tracked"));
        QStringList prefixed;
        for (const auto &k : cnn)
            prefixed << QStringLiteral("backbone.") + k;
        QStringList renamed = cnn;
        renamed.replaceInStrings(QStringLiteral("bn."), QStringLiteral("norm."));
        QStringList headless{cnn.mid(0, 7)};
        headless << QStringLiteral("embed.weight");
        QTest::newRow("strip module.") << QStringLiteral("cnn_state_dict_module_prefix.pth")
                                       << QStringList{QStringLiteral("--strip-prefix"), QStringLiteral("module.")} << cnn;
        QTest::newRow("drop by glob") << QStringLiteral("cnn_state_dict.pt") << QStringList{QStringLiteral("--drop"), QStringLiteral("*.num_batches_tracked")}
                                      << noTracked;
        QTest::newRow("drop two globs") << QStringLiteral("cnn_state_dict.pt")
                                        << QStringList{QStringLiteral("--drop"), QStringLiteral("fc.*"), QStringLiteral("--drop"), QStringLiteral("zz*")}
                                        << headless;
        QTest::newRow("add prefix") << QStringLiteral("cnn_state_dict.pt") << QStringList{QStringLiteral("--add-prefix"), QStringLiteral("backbone.")}
                                    << prefixed;
        QTest::newRow("regex rename with a group") << QStringLiteral("cnn_state_dict.pt")
                                                   << QStringList{QStringLiteral("--rename"), QStringLiteral("^bn\\.(.*)=norm.\\1")} << renamed;
        QTest::newRow("renames in order") << QStringLiteral("cnn_state_dict.pt")
                                          << QStringList{QStringLiteral("--rename"), QStringLiteral("^bn\\.=tmp."), QStringLiteral("--rename"),
                                                 QStringLiteral("^tmp\\.=norm.")}
                                          << renamed;
    }

    void keyEdits()
    {
        QFETCH(QString, fixture);
        QFETCH(QStringList, options);
        QFETCH(QStringList, keys);
        const QString target = out(QStringLiteral("keys_%1_%2.pt").arg(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_')));
        const ProcessResult save = runCkpt(QStringList{QStringLiteral("save"), fixtureDir() + QLatin1Char('/') + fixture, target} + options);
        QVERIFY2(save.exitCode == 0, save.err.constData());
        const ProcessResult listed = python({QStringLiteral("keys"), target});
        QCOMPARE(listed.exitCode, 0);
        QStringList got;
        for (const auto &k : QJsonDocument::fromJson(listed.out).array())
            got << k.toString();
        QCOMPARE(got, keys);
    }

    // The seed's templates, run by Python on torchvision's resnet18, give byte-identical frozen_layers.json.
    void freezeMatchesSeedTemplates_data()
    {
        QTest::addColumn<QStringList>("ours");
        QTest::addColumn<QStringList>("seed");
        QTest::newRow("first 10") << QStringList{QStringLiteral("--first"), QStringLiteral("10")} << QStringList{QStringLiteral("first"), QStringLiteral("10")};
        QTest::newRow("glob layer1.*") << QStringList{QStringLiteral("--glob"), QStringLiteral("layer1.*")}
                                       << QStringList{QStringLiteral("glob"), QStringLiteral("layer1.*")};
        QTest::newRow("glob *.bias") << QStringList{QStringLiteral("--glob"), QStringLiteral("*.bias")}
                                     << QStringList{QStringLiteral("glob"), QStringLiteral("*.bias")};
    }

    void freezeMatchesSeedTemplates()
    {
        QFETCH(QStringList, ours);
        QFETCH(QStringList, seed);
        const QString resnet = out(QStringLiteral("resnet18.pth"));
        if (!QFile::exists(resnet))
            QCOMPARE(python({QStringLiteral("save-state-dict"), QStringLiteral("resnet18"), resnet}).exitCode, 0);
        const QString json = out(QStringLiteral("frozen_%1.json").arg(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_')));
        const ProcessResult freeze = runCkpt(QStringList{QStringLiteral("freeze"), resnet} + ours + QStringList{QStringLiteral("-o"), json});
        QVERIFY2(freeze.exitCode == 0, freeze.err.constData());
        QVERIFY2(freeze.err.contains("frozen: "), freeze.err.constData());
        const ProcessResult expected = python(QStringList{QStringLiteral("seed-freeze"), QStringLiteral("resnet18")} + seed);
        QCOMPARE(expected.exitCode, 0);
        QFile f(json);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), expected.out);
    }

    void pythonSnippetAppliesTheFreeze()
    {
        const QString resnet = out(QStringLiteral("resnet18.pth"));
        if (!QFile::exists(resnet))
            QCOMPARE(python({QStringLiteral("save-state-dict"), QStringLiteral("resnet18"), resnet}).exitCode, 0);
        const QString snippet = out(QStringLiteral("freeze.py"));
        const ProcessResult freeze = runCkpt(
            {QStringLiteral("freeze"), resnet, QStringLiteral("--glob"), QStringLiteral("fc.*"), QStringLiteral("--invert"), QStringLiteral("-o"), snippet});
        QVERIFY2(freeze.exitCode == 0, freeze.err.constData());
        const ProcessResult applied = python({QStringLiteral("apply-snippet"), snippet, QStringLiteral("resnet18")});
        QVERIFY2(applied.exitCode == 0, applied.err.constData());
        const QJsonObject result = QJsonDocument::fromJson(applied.out).object();
        const QJsonObject grads = result.value(QStringLiteral("requires_grad")).toObject();
        QCOMPARE(grads.size(), 62);
        for (auto it = grads.begin(); it != grads.end(); ++it)
            QCOMPARE(it.value().toBool(), it.key().startsWith(QLatin1String("fc.")));
        QCOMPARE(result.value(QStringLiteral("optimizer_parameters")).toInt(), 2);
    }

    void torchScriptKeepsTheFreezeList()
    {
        const QString source = fixtureDir() + QStringLiteral("/torchscript_model.pt");
        const QString list = out(QStringLiteral("ts_frozen.json"));
        const ProcessResult freeze = runCkpt(
            {QStringLiteral("freeze"), source, QStringLiteral("--clear"), QStringLiteral("--first"), QStringLiteral("3"), QStringLiteral("-o"), list});
        QVERIFY2(freeze.exitCode == 0, freeze.err.constData());
        const QString target = out(QStringLiteral("ts_frozen.pt"));
        const ProcessResult save = runCkpt({QStringLiteral("save"), source, target, QStringLiteral("--freeze"), list});
        QVERIFY2(save.exitCode == 0, save.err.constData());
        const ProcessResult grads = python({QStringLiteral("requires-grad"), target});
        QVERIFY2(grads.exitCode == 0, grads.err.constData());
        const QJsonObject g = QJsonDocument::fromJson(grads.out).object();
        const QJsonObject frozen = readJsonObject(list);
        QCOMPARE(frozen.size(), 3);
        QVERIFY(g.size() > 3);
        for (auto it = g.begin(); it != g.end(); ++it)
            QVERIFY2(it.value().toBool() == !frozen.contains(it.key()), qPrintable(it.key()));
    }

    void storedFreezeStateLoadsAsParameters()
    {
        const QString source = fixtureDir() + QStringLiteral("/cnn_state_dict.pt");
        const QString list = out(QStringLiteral("cnn_frozen.txt"));
        QVERIFY(runCkpt({QStringLiteral("freeze"), source, QStringLiteral("--glob"), QStringLiteral("conv.*"), QStringLiteral("-o"), list}).exitCode == 0);
        const QString target = out(QStringLiteral("cnn_stored_freeze.pt"));
        const ProcessResult save = runCkpt({QStringLiteral("save"), source, target, QStringLiteral("--freeze"), list, QStringLiteral("--store-freeze")});
        QVERIFY2(save.exitCode == 0, save.err.constData());
        QCOMPARE(python({QStringLiteral("weights-only"), target}).exitCode, 0);
        const ProcessResult grads = python({QStringLiteral("requires-grad"), target});
        const QJsonObject g = QJsonDocument::fromJson(grads.out).object();
        QCOMPARE(g.size(), 7); // parameters only: the BatchNorm buffers stay plain tensors
        for (auto it = g.begin(); it != g.end(); ++it)
            QCOMPARE(it.value().toBool(), !it.key().startsWith(QLatin1String("conv.")));
        // And reading it back gives the same freeze state.
        const ProcessResult again = runCkpt({QStringLiteral("freeze"), target, QStringLiteral("--format"), QStringLiteral("text")});
        QCOMPARE(again.out, QByteArray("conv.weight\nconv.bias\n"));
    }

    void failuresLeaveNothingBehind_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("message");
        QTest::newRow("output equals input") << QStringLiteral("same") << QStringLiteral("refusing to overwrite it");
        QTest::newRow("rename collision") << QStringLiteral("collision") << QStringLiteral("both become 'x'");
        QTest::newRow("folder does not exist") << QStringLiteral("nofolder") << QStringLiteral("the folder does not exist");
        QTest::newRow("folder not writable") << QStringLiteral("readonly") << QStringLiteral("permission denied");
        QTest::newRow("disk full (file size limit)") << QStringLiteral("full") << QStringLiteral("file size limit");
    }

    void failuresLeaveNothingBehind()
    {
        QFETCH(QString, kind);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString source = dir.filePath(QStringLiteral("model.pt"));
        QVERIFY(QFile::copy(fixtureDir() + QStringLiteral("/training_checkpoint.pt"), source));
        QFile original(source);
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray before = original.readAll();
        original.close();
        QStringList args{QStringLiteral("save"), source, dir.filePath(QStringLiteral("out.pt"))};
        QString prefix;
        QStringList expectedFiles{QStringLiteral("model.pt")};
        if (kind == QLatin1String("same")) {
            args[2] = source;
        } else if (kind == QLatin1String("collision")) {
            args << QStringLiteral("--rename") << QStringLiteral("^.*$=x");
        } else if (kind == QLatin1String("nofolder")) {
            args[2] = dir.filePath(QStringLiteral("missing/out.pt"));
        } else if (kind == QLatin1String("readonly")) {
            QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("locked")));
            QFile::setPermissions(dir.filePath(QStringLiteral("locked")), QFile::ReadOwner | QFile::ExeOwner | QFile::ReadOther | QFile::ExeOther);
            QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadOther | QFile::ExeOther);
            QFile::setPermissions(source, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther);
            args[2] = dir.filePath(QStringLiteral("locked/out.pt"));
            expectedFiles << QStringLiteral("locked");
        } else if (kind == QLatin1String("full")) {
            prefix = QStringLiteral("ulimit -f 8; "); // 8 blocks of 512 bytes: the 15 KiB checkpoint does not fit
        }
        ProcessResult r;
        const QString program = binDir() + QStringLiteral("/ckpt");
        if (kind == QLatin1String("readonly") && geteuid() == 0) {
            // root writes anywhere: save as 'nobody' in a child process, through the same core call.
            const std::string target = args[2].toStdString();
            r.err = QByteArray::fromStdString(runAsNobody([&] {
                try {
                    const auto c = ckpt::Checkpoint::open(source.toStdString());
                    ckpt::saveCheckpoint(*c, target, {});
                    return std::string("saved");
                } catch (const ckpt::Error &e) {
                    return std::string("ckpt: ") + e.what() + "\n";
                }
            }));
            r.exitCode = r.err.startsWith("ckpt: ") ? 2 : 0;
        } else if (!prefix.isEmpty()) {
            QStringList quoted;
            for (const QString &a : args)
                quoted << QLatin1Char('\'') + a + QLatin1Char('\'');
            r = runProcess(QStringLiteral("/bin/sh"),
                {QStringLiteral("-c"), prefix + QStringLiteral("exec '") + program + QStringLiteral("' ") + quoted.join(QLatin1Char(' '))});
        } else {
            r = runCkpt(args);
        }
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
        QCOMPARE(strayFiles(dir.path(), expectedFiles), QStringList());
        if (kind == QLatin1String("readonly"))
            QCOMPARE(strayFiles(dir.filePath(QStringLiteral("locked")), {}), QStringList());
        QVERIFY(original.open(QIODevice::ReadOnly));
        QCOMPARE(original.readAll(), before);
    }

    void forceReplacesTheInputSafely()
    {
        QTemporaryDir dir;
        const QString source = dir.filePath(QStringLiteral("model.pt"));
        QVERIFY(QFile::copy(fixtureDir() + QStringLiteral("/training_checkpoint.pt"), source));
        const ProcessResult r = runCkpt({QStringLiteral("save"), source, source, QStringLiteral("--model-only"), QStringLiteral("--force")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(
            python({QStringLiteral("model-state"), fixtureDir() + QStringLiteral("/training_checkpoint.pt"), source, QStringLiteral("model_state")}).exitCode,
            0);
        QCOMPARE(strayFiles(dir.path(), {QStringLiteral("model.pt")}), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestSave)
#include "tst_save.moc"
