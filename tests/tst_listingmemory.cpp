// SPDX-License-Identifier: MIT
// Listing a checkpoint reads its metadata and never maps its tensor bytes into the process (issue 16): on
// kernels whose page cache holds large folios, touching one byte of a mapping makes up to 2 MB resident,
// so a listing that read record headers through the mapping showed most of a 1 GB file in its RSS.
// /proc/self/pagemap says, page by page, what is mapped in this process (the page cache is not asked:
// mincore() would report pages cached by anyone).
#include "testsupport.h"

#include "format/error.h"
#include "inspectreport.h"

#include <QTemporaryDir>
#include <QTest>

#include <cstdint>
#include <fcntl.h>
#include <unistd.h>

using namespace testsupport;

namespace {

// Pages of bytes that are mapped in this process.
std::size_t residentPages(std::span<const std::byte> bytes)
{
    if (bytes.empty())
        return 0;
    static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const auto first = reinterpret_cast<std::uintptr_t>(bytes.data()) / page;
    const auto last = (reinterpret_cast<std::uintptr_t>(bytes.data()) + bytes.size() - 1) / page;
    const int fd = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        qFatal("cannot open /proc/self/pagemap");
    std::vector<std::uint64_t> entries(last - first + 1);
    const auto want = static_cast<ssize_t>(entries.size() * sizeof(std::uint64_t));
    const ssize_t got = ::pread(fd, entries.data(), static_cast<std::size_t>(want), static_cast<off_t>(first * sizeof(std::uint64_t)));
    ::close(fd);
    if (got != want)
        qFatal("cannot read /proc/self/pagemap");
    std::size_t present = 0;
    for (const std::uint64_t e : entries)
        present += (e >> 63) & 1; // bit 63: page present (readable without privileges; the frame number is not)
    return present;
}

// What the process has mapped of c's tensor bytes: "" when nothing, else the first tensor found and how much.
QString mappedTensorBytes(const ckpt::Checkpoint &c)
{
    for (const auto &t : c.tensors()) {
        const std::size_t pages = residentPages(t.value->storage->bytes);
        if (pages > 0)
            return QStringLiteral("%1 pages of tensor '%2' (%3 bytes) are mapped")
                .arg(pages)
                .arg(QString::fromStdString(t.name))
                .arg(t.value->storage->bytes.size());
    }
    return {};
}

} // namespace

class TestListingMemory : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const ProcessResult r
            = runProcess(QStringLiteral(CKPT_TEST_PYTHON), {sourceDir() + QStringLiteral("/fixtures/make_listing_fixtures.py"), m_dir.path()});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

    void listingMapsNoTensorBytes_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addRow("torch.save state_dict") << QStringLiteral("state_dict.pt");
        QTest::addRow("training checkpoint") << QStringLiteral("training_checkpoint.pt");
        QTest::addRow("TorchScript archive") << QStringLiteral("scripted.pt");
        QTest::addRow("legacy torch.save") << QStringLiteral("legacy.pt");
        QTest::addRow("safetensors") << QStringLiteral("model.safetensors");
        QTest::addRow("sharded safetensors") << QStringLiteral("sharded/model.safetensors.index.json");
    }

    void listingMapsNoTensorBytes()
    {
        QFETCH(QString, file);
        const auto c = ckpt::Checkpoint::open((m_dir.path() + QLatin1Char('/') + file).toStdString());
        QVERIFY(c->tensors().size() >= 4);
        QVERIFY(c->tensorBytes() > (4u << 20));
        // What `ckpt inspect` and `ckpt inspect --json` do after opening.
        const std::string text = ckpt::inspectText(*c);
        const std::string json = ckpt::inspectJson(*c);
        QVERIFY(!text.empty() && !json.empty());
        const QString mapped = mappedTensorBytes(*c);
        QVERIFY2(mapped.isEmpty(), qPrintable(mapped));

        // The check sees tensor bytes once something does read them: it cannot pass by not looking.
        const auto &bytes = c->tensors().front().value->storage->bytes;
        volatile std::byte sink{};
        for (std::size_t i = 0; i < bytes.size(); i += 4096)
            sink = bytes[i];
        (void)sink;
        QVERIFY(!mappedTensorBytes(*c).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestListingMemory)
#include "tst_listingmemory.moc"
