// SPDX-License-Identifier: MIT
// Checkpoints of multi-GPU training. torch.distributed.checkpoint folders of both metadata generations
// (tests/fixtures/make_dcp_fixtures.py, the layout of PyTorch's own writer): listed as the sources'
// consolidation lists them, consolidated bitwise equal to it, diffed as identical against it, scanned
// without false alarms, and broken folders refused with a message naming what is wrong. DeepSpeed ZeRO
// rank files (tests/fixtures/make_deepspeed_fixtures.py): each opens, and scans without false alarms.
#include "testsupport.h"

#include "checkpoint.h"
#include "format/error.h"
#include "freezestate.h"
#include "safetyreport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstring>

using namespace testsupport;

namespace {
QString dcpDir()
{
    return fixtureDir() + QStringLiteral("/dcp");
}

QString deepspeedDir()
{
    return fixtureDir() + QStringLiteral("/deepspeed");
}

QStringList fromJson(const QJsonArray &a)
{
    QStringList out;
    for (const auto &v : a)
        out << (v.isString() ? v.toString() : QString::number(v.toInteger()));
    return out;
}

// ckpt inspect refuses path with exit status 2 and one line that names it and holds every word.
void checkRefused(const QString &path, const QStringList &words)
{
    const ProcessResult r = runCkpt({QStringLiteral("inspect"), path});
    QCOMPARE(r.exitCode, 2);
    const QString message = QString::fromUtf8(r.err);
    QVERIFY2(message.startsWith(QStringLiteral("ckpt: ") + path + QStringLiteral(": ")), qPrintable(message));
    for (const QString &w : words)
        QVERIFY2(message.contains(w), qPrintable(message));
}

const ckpt::GlobalFinding *finding(const ckpt::SafetyReport &r, const QString &qualified)
{
    for (const auto &g : r.globals)
        if (QString::fromStdString(g.qualifiedName()) == qualified)
            return &g;
    return nullptr;
}
} // namespace

class TestDistributed : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_out;

    static void addGenerations()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("torch >= 2.4 metadata") << QStringLiteral("dcp_new");
        QTest::newRow("torch 2.0-2.3 metadata") << QStringLiteral("dcp_old");
    }

private slots:
    void listsWhatTheSourcesConsolidate_data() { addGenerations(); }

    void listsWhatTheSourcesConsolidate()
    {
        QFETCH(QString, name);
        const QJsonObject expected = readJsonObject(dcpDir() + QLatin1Char('/') + name + QStringLiteral(".expected.json"));
        const auto c = ckpt::Checkpoint::open((dcpDir() + QLatin1Char('/') + name).toStdString());
        QCOMPARE(c->format(), ckpt::Format::Dcp);
        QCOMPARE(c->raw().worldSize, 2);
        const QJsonArray tensors = expected.value(QStringLiteral("tensors")).toArray();
        QCOMPARE(static_cast<qsizetype>(c->tensors().size()), tensors.size());
        for (const auto &v : tensors) {
            const QJsonObject t = v.toObject();
            // Our naming contract joins the nested keys with '/'.
            const std::string path = fromJson(t.value(QStringLiteral("key_path")).toArray()).join(QLatin1Char('/')).toStdString();
            const auto it = std::find_if(c->tensors().begin(), c->tensors().end(), [&](const ckpt::TensorInfo &i) { return i.name == path; });
            QVERIFY2(it != c->tensors().end(), path.c_str());
            QCOMPARE(fromJson(t.value(QStringLiteral("shape")).toArray()).join(QLatin1Char(',')), QString::fromStdString([&] {
                std::string s;
                for (const auto d : it->shape())
                    s += (s.empty() ? "" : ",") + std::to_string(d);
                return s;
            }()));
            QCOMPARE(QString::fromLatin1(ckpt::dtypeName(it->dtype())), t.value(QStringLiteral("dtype")).toString());
            QCOMPARE(sha256Hex(*it), t.value(QStringLiteral("sha256")).toString());
            // The layout names every chunk's file.
            const auto layout = c->raw().layouts.find(it->value);
            QVERIFY(layout != c->raw().layouts.end());
            for (const auto &chunk : t.value(QStringLiteral("chunks")).toArray())
                QVERIFY2(
                    layout->second.find(chunk.toObject().value(QStringLiteral("file")).toString().toStdString()) != std::string::npos, layout->second.c_str());
        }
    }

    // ckpt save DIR OUT.pt writes what dcp_to_torch_save writes: PyTorch reads it back equal to the reference,
    // tensors bitwise and every other value; a .safetensors output takes the model state.
    void consolidatesBitwise_data() { addGenerations(); }

    void consolidatesBitwise()
    {
        QFETCH(QString, name);
        const QString dir = dcpDir() + QLatin1Char('/') + name, reference = dir + QStringLiteral(".reference.pt");
        const QString pt = m_out.filePath(name + QStringLiteral(".pt")), st = m_out.filePath(name + QStringLiteral(".safetensors"));
        ProcessResult r = runCkpt({QStringLiteral("save"), dir, pt});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString check = sourceDir() + QStringLiteral("/fixtures/check_saved.py");
        r = runProcess(QStringLiteral(CKPT_TEST_PYTHON), {check, QStringLiteral("roundtrip"), reference, pt});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
        r = runCkpt({QStringLiteral("save"), dir, st});
        QCOMPARE(r.exitCode, 2); // everything does not fit in safetensors: said, and nothing written
        QVERIFY2(r.err.contains("--model-only"), r.err.constData());
        QVERIFY(!QFile::exists(st));
        r = runCkpt({QStringLiteral("save"), dir, st, QStringLiteral("--model-only")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // The model state by its state_dict names, each tensor as the sources consolidate it.
        QHash<QString, QString> expected;
        for (const auto &v : readJsonObject(dir + QStringLiteral(".expected.json")).value(QStringLiteral("tensors")).toArray()) {
            const QStringList path = fromJson(v.toObject().value(QStringLiteral("key_path")).toArray());
            if (path.size() == 2 && path.front() == QLatin1String("model"))
                expected.insert(path.back(), v.toObject().value(QStringLiteral("sha256")).toString());
        }
        QVERIFY(!expected.isEmpty());
        QCOMPARE(tensorHashes(st), expected);
    }

    void diffsIdenticalToItsConsolidation_data() { addGenerations(); }

    void diffsIdenticalToItsConsolidation()
    {
        QFETCH(QString, name);
        const QString dir = dcpDir() + QLatin1Char('/') + name;
        const ProcessResult r = runCkpt({QStringLiteral("diff"), QStringLiteral("--all"), dir, dir + QStringLiteral(".reference.pt")});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
        QVERIFY2(r.out.contains("8 identical, 0 changed"), r.out.constData());
    }

    // DCP's own classes need Python's full unpickler, but nothing in a standard .metadata runs code; the old
    // generation's getattr(MEM_FORMAT_ENCODING, "TORCH_CONTIGUOUS_FORMAT") is recognised as an enum member.
    void scansWithoutFalseAlarms_data() { addGenerations(); }

    void scansWithoutFalseAlarms()
    {
        QFETCH(QString, name);
        const ckpt::SafetyReport report = ckpt::scanFile((dcpDir() + QLatin1Char('/') + name).toStdString());
        QCOMPARE(report.verdict, ckpt::Safety::NeedsFullUnpickle);
        QVERIFY(finding(report, QStringLiteral("torch.distributed.checkpoint.metadata.Metadata")));
        if (name == QLatin1String("dcp_old")) {
            const auto *g = finding(report, QStringLiteral("builtins.getattr"));
            QVERIFY(g);
            QCOMPARE(g->safety, ckpt::Safety::NeedsFullUnpickle);
        }
    }

    // A getattr that reaches anything else, or whose result is called, stays dangerous.
    void getattrElsewhereStaysDangerous_data()
    {
        QTest::addColumn<QString>("pickle"); // Python bytes literal of data.pkl
        QTest::addColumn<bool>("dangerous");
        const QString head = QStringLiteral("b'\\x80\\x02cbuiltins\\ngetattr\\n'");
        const QString dcpEnum = QStringLiteral("b'ctorch.distributed.checkpoint.metadata\\n_MEM_FORMAT_ENCODING\\n'");
        const QString member = QStringLiteral("b'X\\x17\\x00\\x00\\x00TORCH_CONTIGUOUS_FORMAT\\x86R'");
        QTest::newRow("DCP's enum member") << head + QLatin1Char('+') + dcpEnum + QLatin1Char('+') + member + QStringLiteral("+b'.'") << false;
        QTest::newRow("its result called") << head + QLatin1Char('+') + dcpEnum + QLatin1Char('+') + member + QStringLiteral("+b')R.'") << true;
        QTest::newRow("another class") << head + QStringLiteral("+b'ccollections\\nOrderedDict\\nX\\x08\\x00\\x00\\x00fromkeys\\x86R.'") << true;
        QTest::newRow("not a class") << head + QStringLiteral("+b'X\\x03\\x00\\x00\\x00abcX\\x05\\x00\\x00\\x00upper\\x86R.'") << true;
    }

    void getattrElsewhereStaysDangerous()
    {
        QFETCH(QString, pickle);
        QFETCH(bool, dangerous);
        const QString file = m_out.filePath(QStringLiteral("getattr_%1.pt").arg(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_')));
        const ProcessResult made = runProcess(QStringLiteral(CKPT_TEST_PYTHON),
            {QStringLiteral("-c"),
                QStringLiteral("import sys, zipfile\n"
                               "with zipfile.ZipFile(sys.argv[1], 'w') as z:\n"
                               "    z.writestr('archive/data.pkl', %1)\n"
                               "    z.writestr('archive/version', '3\\n')\n")
                    .arg(pickle),
                file});
        QVERIFY2(made.exitCode == 0, made.err.constData());
        const ckpt::SafetyReport report = ckpt::scanFile(file.toStdString());
        const auto *g = finding(report, QStringLiteral("builtins.getattr"));
        QVERIFY(g);
        QCOMPARE(g->safety == ckpt::Safety::Dangerous, dangerous);
        QCOMPARE(report.verdict == ckpt::Safety::Dangerous, dangerous);
    }

    // A value the user stored as bytes, here a pickle that calls builtins.eval, and a torch.save'd one
    // calling os.system: the folder still opens (the first shown as bytes), and the scan says dangerous.
    void hostileValuesAreReported()
    {
        const std::string dir = (dcpDir() + QStringLiteral("/dcp_broken/hostile_byteio")).toStdString();
        const ckpt::SafetyReport report = ckpt::scanFile(dir);
        QCOMPARE(report.verdict, ckpt::Safety::Dangerous);
        QVERIFY(finding(report, QStringLiteral("os.system")));
        QVERIFY(finding(report, QStringLiteral("builtins.eval")));
        QVERIFY(!QFile::exists(QStringLiteral("dcp_hostile_byteio_sentinel")));
    }

    // Every rank file of DeepSpeed's ZeRO-1/2/3 checkpoints is a torch.save file: it opens on its own, and
    // getattr(ZeroStageEnum, "...") in the optimizer states is recognised as the enum member it is.
    void deepspeedRankFilesScanWithoutFalseAlarms_data()
    {
        QTest::addColumn<QString>("file");
        for (const auto &v : readJsonObject(deepspeedDir() + QStringLiteral("/manifest.json")).value(QStringLiteral("fixtures")).toArray()) {
            const QDir root(deepspeedDir() + QLatin1Char('/') + v.toObject().value(QStringLiteral("path")).toString());
            QFile latest(root.filePath(QStringLiteral("latest")));
            QVERIFY(latest.open(QIODevice::ReadOnly));
            const QDir tag(root.filePath(QString::fromUtf8(latest.readAll()).trimmed()));
            for (const QString &f : tag.entryList({QStringLiteral("*.pt")}, QDir::Files, QDir::Name))
                QTest::newRow(qPrintable(root.dirName() + QLatin1Char('/') + f)) << tag.filePath(f);
        }
    }

    void deepspeedRankFilesScanWithoutFalseAlarms()
    {
        QFETCH(QString, file);
        const auto c = ckpt::Checkpoint::open(file.toStdString());
        QVERIFY(!c->tensors().empty());
        const ckpt::SafetyReport report = ckpt::scanFile(file.toStdString());
        QVERIFY2(report.verdict != ckpt::Safety::Dangerous, ckpt::safetyText(report, file.toStdString()).c_str());
        if (const auto *g = finding(report, QStringLiteral("builtins.getattr")))
            QCOMPARE(g->safety, ckpt::Safety::NeedsFullUnpickle);
    }

    static void addDeepSpeedRoots()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("open"); // the root, its tag folder, or its latest file
        for (const auto &v : readJsonObject(deepspeedDir() + QStringLiteral("/manifest.json")).value(QStringLiteral("fixtures")).toArray()) {
            const QString name = v.toObject().value(QStringLiteral("name")).toString();
            const QString root = deepspeedDir() + QLatin1Char('/') + name;
            QTest::newRow(qPrintable(name)) << name << root;
        }
        QTest::newRow("tag folder") << QStringLiteral("ds_zero2_w3") << deepspeedDir() + QStringLiteral("/ds_zero2_w3/global_step7");
        QTest::newRow("latest file") << QStringLiteral("ds_zero3_w3") << deepspeedDir() + QStringLiteral("/ds_zero3_w3/latest");
    }

    // A DeepSpeed folder lists the fp32 state_dict zero_to_fp32.py puts together: its names in its order, each
    // tensor bitwise, ties sharing one storage, and the parameters DeepSpeed kept frozen open frozen.
    void deepspeedListsWhatZeroToFp32Consolidates_data() { addDeepSpeedRoots(); }

    void deepspeedListsWhatZeroToFp32Consolidates()
    {
        QFETCH(QString, name);
        QFETCH(QString, open);
        const QJsonObject expected = readJsonObject(deepspeedDir() + QLatin1Char('/') + name + QStringLiteral(".expected.json"));
        const auto c = ckpt::Checkpoint::open(open.toStdString());
        QCOMPARE(c->format(), ckpt::Format::DeepSpeed);
        QCOMPARE(c->raw().zeroStage, expected.value(QStringLiteral("zero_stage")).toInt());
        QCOMPARE(c->raw().worldSize, expected.value(QStringLiteral("world_size")).toInt());
        QCOMPARE(c->raw().step, expected.value(QStringLiteral("step")).toInteger());
        const QJsonArray tensors = expected.value(QStringLiteral("tensors")).toArray();
        QCOMPARE(static_cast<qsizetype>(c->tensors().size()), tensors.size());
        const ckpt::FreezeState freeze = ckpt::FreezeState::initial(*c);
        for (qsizetype i = 0; i < tensors.size(); ++i) {
            const QJsonObject t = tensors[i].toObject();
            const ckpt::TensorInfo &info = c->tensors()[static_cast<std::size_t>(i)];
            QCOMPARE(QString::fromStdString(info.name), t.value(QStringLiteral("name")).toString());
            QCOMPARE(QString::fromLatin1(ckpt::dtypeName(info.dtype())), t.value(QStringLiteral("dtype")).toString());
            QCOMPARE(sha256Hex(info), t.value(QStringLiteral("sha256")).toString());
            QCOMPARE(freeze.isFrozen(std::string_view(info.modelName)), t.value(QStringLiteral("frozen")).toBool());
            if (const QString tie = t.value(QStringLiteral("tied_to")).toString(); !tie.isEmpty()) {
                const auto other
                    = std::find_if(c->tensors().begin(), c->tensors().end(), [&](const ckpt::TensorInfo &o) { return o.name == tie.toStdString(); });
                QVERIFY(other != c->tensors().end());
                QCOMPARE(other->value->storage, info.value->storage);
            }
        }
        const ProcessResult r = runCkpt({QStringLiteral("inspect"), open});
        QVERIFY2(r.out.contains("Format:        " + expected.value(QStringLiteral("format")).toString().toUtf8()), r.out.constData());
    }

    // Tensors in pieces are put together only when read, and writers stream them block by block: any range
    // of one, at any offset and of any length (whole elements or not, across chunk and row borders), must be
    // those bytes of the whole. The whole itself is checked against the reference elsewhere.
    void piecesFillAnyRangeAsTheWhole_data()
    {
        QTest::addColumn<QString>("open");
        QTest::newRow("dcp_new") << dcpDir() + QStringLiteral("/dcp_new");
        QTest::newRow("dcp_old") << dcpDir() + QStringLiteral("/dcp_old");
        for (const auto &v : readJsonObject(deepspeedDir() + QStringLiteral("/manifest.json")).value(QStringLiteral("fixtures")).toArray()) {
            const QString name = v.toObject().value(QStringLiteral("name")).toString();
            QTest::newRow(qPrintable(name)) << deepspeedDir() + QLatin1Char('/') + name;
        }
    }

    void piecesFillAnyRangeAsTheWhole()
    {
        QFETCH(QString, open);
        const auto c = ckpt::Checkpoint::open(open.toStdString());
        int deferred = 0;
        for (const ckpt::pickle::StorageValue *s : c->raw().storages) {
            if (!s->deferred)
                continue;
            ++deferred;
            const std::span<const std::byte> whole = s->deferred->whole();
            QCOMPARE(whole.size(), s->deferred->size());
            for (const std::size_t block : {std::size_t(1), std::size_t(3), std::size_t(7), std::size_t(64), std::size_t(1000), whole.size()}) {
                if (block == 0)
                    continue;
                std::vector<std::byte> got(whole.size());
                for (std::size_t at = 0; at < whole.size(); at += block) {
                    const std::size_t n = std::min(block, whole.size() - at);
                    s->deferred->fill(at, std::span<std::byte>(got.data() + at, n));
                }
                QVERIFY2(std::equal(got.begin(), got.end(), whole.begin()), qPrintable(QStringLiteral("blocks of %1 bytes").arg(block)));
            }
            std::vector<std::byte> one(1);
            QVERIFY_THROWS_EXCEPTION(ckpt::Error, s->deferred->fill(whole.size(), one)); // past the end: an error, not a read
        }
        QVERIFY2(deferred > 0, "no tensor of this folder is in pieces: the fixture does not test what it should");
    }

    // ckpt save writes the consolidated state_dict: PyTorch reads it back equal to the reference bitwise,
    // layout, ties and all, with weights_only=True and without a GPU.
    void deepspeedConsolidatesBitwise_data() { addDeepSpeedRoots(); }

    void deepspeedConsolidatesBitwise()
    {
        QFETCH(QString, name);
        QFETCH(QString, open);
        const QString out = m_out.filePath(QStringLiteral("%1_%2.pt").arg(name, QString::number(QTest::currentDataTag()[0])));
        ProcessResult r = runCkpt({QStringLiteral("save"), open, out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = runProcess(QStringLiteral(CKPT_TEST_PYTHON),
            {sourceDir() + QStringLiteral("/fixtures/check_saved.py"), QStringLiteral("roundtrip"),
                deepspeedDir() + QLatin1Char('/') + name + QStringLiteral(".reference.pt"), out});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
    }

    // fuzz_folder found it (tests/data/folders/*.fuzz, its input format): a ZeRO-3 frozen parameter without
    // elements has no pieces, and its dtype was read from the first of them. It opens, frozen, of its dtype.
    void zero3FrozenParameterWithoutElements()
    {
        QFile packed(sourceDir() + QStringLiteral("/data/folders/zero3_frozen_without_elements.fuzz"));
        QVERIFY(packed.open(QIODevice::ReadOnly));
        const QByteArray data = packed.readAll();
        static const char *const names[] = {".metadata", "__0_0.distcp", "__1_0.distcp", "__2_0.distcp", "latest", "global_step7/mp_rank_00_model_states.pt",
            "global_step7/zero_pp_rank_0_mp_rank_00_model_states.pt", "global_step7/zero_pp_rank_1_mp_rank_00_model_states.pt",
            "global_step7/zero_pp_rank_2_mp_rank_00_model_states.pt", "global_step7/bf16_zero_pp_rank_0_mp_rank_00_optim_states.pt",
            "global_step7/bf16_zero_pp_rank_1_mp_rank_00_optim_states.pt", "global_step7/bf16_zero_pp_rank_2_mp_rank_00_optim_states.pt",
            "global_step7/zero_pp_rank_0_mp_rank_00_optim_states.pt", "global_step7/zero_pp_rank_1_mp_rank_00_optim_states.pt"};
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("global_step7")));
        for (qsizetype at = 0; at + 5 <= data.size();) { // [name index][length, 4 bytes little-endian][data]
            const auto index = static_cast<unsigned char>(data[at]) % (sizeof names / sizeof names[0]);
            quint32 length = 0;
            std::memcpy(&length, data.constData() + at + 1, 4);
            at += 5;
            const qsizetype n = std::min<qsizetype>(length, data.size() - at);
            QFile f(dir.filePath(QString::fromLatin1(names[index])));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(data.constData() + at, n);
            at += n;
        }
        const auto c = ckpt::Checkpoint::open(dir.path().toStdString());
        const auto it = std::find_if(c->tensors().begin(), c->tensors().end(), [](const ckpt::TensorInfo &t) { return t.name == "norm.weight"; });
        QVERIFY(it != c->tensors().end());
        QCOMPARE(it->value->numel(), std::int64_t(0));
        QCOMPARE(it->dtype(), ckpt::DType::BFloat16);
        QVERIFY(ckpt::FreezeState::initial(*c).isFrozen(std::string_view("norm.weight")));
    }

    // --max-shard-size writes the consolidated state as Hugging Face does: shards named after OUT plus
    // OUT.index.json, which PyTorch (weights_only=True) and the safetensors layout read back as the reference,
    // ties kept inside their shard, no shard over the limit unless one tensor is. One that fits is one file.
    void savesInShards_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("out");
        QTest::addColumn<QString>("size");
        QTest::addColumn<qint64>("limit");
        QTest::addColumn<int>("shards"); // 1: OUT itself, no index
        QTest::newRow("zero3, safetensors, 500 bytes") << "ds_zero3_w3"
                                                       << "model.safetensors"
                                                       << "500" << qint64(500) << 3;
        QTest::newRow("zero3, torch, 600 bytes") << "ds_zero3_w3"
                                                 << "pytorch_model.bin"
                                                 << "600" << qint64(600) << 2;
        QTest::newRow("zero2, torch, 500 bytes") << "ds_zero2_w3"
                                                 << "pytorch_model.bin"
                                                 << "500" << qint64(500) << 2;
        QTest::newRow("zero1, safetensors, 1KiB") << "ds_zero1_w2"
                                                  << "model.safetensors"
                                                  << "1KiB" << qint64(1024) << 2;
        QTest::newRow("fits in one") << "ds_zero3_w2"
                                     << "model.safetensors"
                                     << "5GB" << qint64(5'000'000'000) << 1;
    }

    void savesInShards()
    {
        QFETCH(QString, name);
        QFETCH(QString, out);
        QFETCH(QString, size);
        QFETCH(qint64, limit);
        QFETCH(int, shards);
        QTemporaryDir dir;
        const QString target = dir.filePath(out);
        const ProcessResult r = runCkpt({QStringLiteral("save"), deepspeedDir() + QLatin1Char('/') + name, target, QStringLiteral("--max-shard-size"), size});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString reference = deepspeedDir() + QLatin1Char('/') + name + QStringLiteral(".reference.pt");
        const QStringList written = QDir(dir.path()).entryList(QDir::Files, QDir::Name);
        if (shards == 1) {
            QCOMPARE(written, QStringList{out});
            QCOMPARE(tensorHashes(target).size(), tensorHashes(reference).size());
            return;
        }
        const QString stem = out.left(out.lastIndexOf(QLatin1Char('.'))), extension = out.mid(out.lastIndexOf(QLatin1Char('.')));
        QStringList expected;
        for (int k = 1; k <= shards; ++k)
            expected << QStringLiteral("%1-%2-of-%3%4").arg(stem).arg(k, 5, 10, QLatin1Char('0')).arg(shards, 5, 10, QLatin1Char('0')).arg(extension);
        expected << out + QStringLiteral(".index.json");
        std::sort(expected.begin(), expected.end());
        QCOMPARE(written, expected);
        QVERIFY2(r.err.contains("wrote " + target.toUtf8() + ".index.json"), r.err.constData());
        const ProcessResult check = runProcess(QStringLiteral(CKPT_TEST_PYTHON),
            {sourceDir() + QStringLiteral("/fixtures/check_saved.py"), QStringLiteral("shards"), reference, target + QStringLiteral(".index.json"),
                QString::number(limit)});
        QVERIFY2(check.exitCode == 0, (check.out + check.err).constData());
        // And it opens as one checkpoint again, identical to the folder it came from.
        const ProcessResult diff = runCkpt({QStringLiteral("diff"), deepspeedDir() + QLatin1Char('/') + name, target + QStringLiteral(".index.json")});
        QVERIFY2(diff.exitCode == 0 && diff.out.contains("The compared tensors are identical."), (diff.out + diff.err).constData());
    }

    void shardsNeedAStateDictAndASize_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("says");
        const QString dcp = dcpDir() + QStringLiteral("/dcp_new");
        QTest::newRow("nested state") << QStringList{dcp, QStringLiteral("model.safetensors"), QStringLiteral("--max-shard-size"), QStringLiteral("1KB")}
                                      << QStringLiteral("--model-only");
        QTest::newRow("bits are no size") << QStringList{dcp, QStringLiteral("m.bin"), QStringLiteral("--max-shard-size"), QStringLiteral("5Gb")}
                                          << QStringLiteral("--max-shard-size: '5Gb' is not a size");
        QTest::newRow("zero") << QStringList{dcp, QStringLiteral("m.bin"), QStringLiteral("--max-shard-size"), QStringLiteral("0")}
                              << QStringLiteral("'0' is not a size");
    }

    void shardsNeedAStateDictAndASize()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, says);
        QTemporaryDir dir;
        args[1] = dir.filePath(args[1]);
        const ProcessResult r = runCkpt(QStringList{QStringLiteral("save")} + args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(says), r.err.constData());
        QVERIFY(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty()); // nothing written
    }

    void deepspeedBrokenFoldersSayWhy_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QStringList>("words");
        QFile cases(deepspeedDir() + QStringLiteral("/ds_broken/cases.json"));
        QVERIFY(cases.open(QIODevice::ReadOnly));
        for (const auto &v : QJsonDocument::fromJson(cases.readAll()).array()) {
            const QJsonObject c = v.toObject();
            QTest::newRow(qPrintable(c.value(QStringLiteral("name")).toString()))
                << deepspeedDir() + QLatin1Char('/') + c.value(QStringLiteral("path")).toString() << fromJson(c.value(QStringLiteral("error_words")).toArray());
        }
    }

    void deepspeedBrokenFoldersSayWhy()
    {
        QFETCH(QString, path);
        QFETCH(QStringList, words);
        checkRefused(path, words);
    }

    void brokenFoldersSayWhy_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QStringList>("words");
        QFile cases(dcpDir() + QStringLiteral("/dcp_broken/cases.json"));
        QVERIFY(cases.open(QIODevice::ReadOnly));
        for (const auto &v : QJsonDocument::fromJson(cases.readAll()).array()) {
            const QJsonObject c = v.toObject();
            if (c.value(QStringLiteral("name")).toString() == QLatin1String("hostile_byteio"))
                continue; // opens: its dangers are for the scan (above)
            QTest::newRow(qPrintable(c.value(QStringLiteral("name")).toString()))
                << dcpDir() + QLatin1Char('/') + c.value(QStringLiteral("path")).toString() << fromJson(c.value(QStringLiteral("error_contains")).toArray());
        }
    }

    void brokenFoldersSayWhy()
    {
        QFETCH(QString, path);
        QFETCH(QStringList, words);
        checkRefused(path, words);
    }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "tst_distributed.moc"
