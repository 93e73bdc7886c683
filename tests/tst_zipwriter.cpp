// SPDX-License-Identifier: MIT
// The zip writer's CRCs: split over the cores for large data, and for records streamed in pieces patched into
// the local header after the data. Python's zipfile is the oracle for the archive; zlib's one-pass crc32 for
// the checksum.
#include "testsupport.h"

#include "format/zipwriter.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

#include <cstring>
#include <random>
#include <vector>

using namespace testsupport;

namespace {
std::vector<std::byte> randomBytes(std::size_t n, unsigned seed)
{
    std::vector<std::byte> out(n);
    std::mt19937_64 rng(seed);
    for (std::size_t i = 0; i < n; i += 8) {
        const std::uint64_t v = rng();
        std::memcpy(out.data() + i, &v, std::min<std::size_t>(8, n - i));
    }
    return out;
}
} // namespace

class TestZipWriter : public QObject
{
    Q_OBJECT
private slots:
    // Around the sizes where the carry-less folding changes step (64-byte lanes, 16-byte tail, the bytes left
    // to zlib), from unaligned starts, and around the size from which the CRC is split over the cores (32 MiB).
    void crcEqualsOnePass_data()
    {
        QTest::addColumn<qint64>("size");
        QTest::addColumn<int>("offset"); // from a 64-byte boundary
        for (const qint64 n : {qint64(0), qint64(1), qint64(15), qint64(16), qint64(63), qint64(64), qint64(65), qint64(79), qint64(80), qint64(127),
                 qint64(128), qint64(129), qint64(4096), qint64(100'003)})
            for (const int offset : {0, 1, 7})
                QTest::newRow(qPrintable(QStringLiteral("%1 at +%2").arg(n).arg(offset))) << n << offset;
        for (const qint64 n : {(qint64(32) << 20) - 1, qint64(32) << 20, (qint64(32) << 20) + 1, (qint64(100) << 20) + 7})
            QTest::newRow(qPrintable(QString::number(n))) << n << 0;
    }

    void crcEqualsOnePass()
    {
        QFETCH(qint64, size);
        QFETCH(int, offset);
        const auto buffer = randomBytes(static_cast<std::size_t>(size) + 64, static_cast<std::uint64_t>(size));
        const auto *start = reinterpret_cast<const std::byte *>((reinterpret_cast<std::uintptr_t>(buffer.data()) + 63) & ~std::uintptr_t(63));
        const std::span<const std::byte> data(start + offset, static_cast<std::size_t>(size));
        const uLong expected = crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef *>(data.data()), static_cast<uInt>(data.size()));
        QCOMPARE(ckpt::crc32Of(data), static_cast<std::uint32_t>(expected));
        // Continued from a CRC of earlier bytes, as a streamed record continues it.
        const uLong head = crc32(0, reinterpret_cast<const Bytef *>(buffer.data()), 5);
        QCOMPARE(ckpt::crc32Update(static_cast<std::uint32_t>(head), data),
            static_cast<std::uint32_t>(crc32(head, reinterpret_cast<const Bytef *>(data.data()), static_cast<uInt>(data.size()))));
    }

    // A record streamed in pieces of these sizes reads back whole, with the right CRC in its local header and
    // in the central directory, beside a record written at once.
    void streamedRecordsReadBack_data()
    {
        QTest::addColumn<QList<qint64>>("pieces");
        QTest::newRow("one piece") << QList<qint64>{1000};
        QTest::newRow("uneven pieces") << QList<qint64>{1, 63, 64, 4095, 10'000};
        QTest::newRow("empty pieces among them") << QList<qint64>{0, 17, 0, 5};
        QTest::newRow("pieces split over the cores") << QList<qint64>{(qint64(40) << 20) + 3, 12};
    }

    void streamedRecordsReadBack()
    {
        QFETCH(QList<qint64>, pieces);
        qint64 total = 0;
        for (const qint64 p : pieces)
            total += p;
        const auto data = randomBytes(static_cast<std::size_t>(total), 11);
        std::vector<std::byte> archive;
        ckpt::ZipWriter zip([&](std::span<const std::byte> d) { archive.insert(archive.end(), d.begin(), d.end()); },
            [&](std::uint64_t at, std::span<const std::byte> d) { std::memcpy(archive.data() + at, d.data(), d.size()); });
        zip.addRecord("archive/first", std::string_view("before"));
        zip.addRecord("archive/streamed", data.size(), [&](const ckpt::ZipWriter::Sink &each) {
            std::size_t at = 0;
            for (const qint64 p : pieces) {
                each(std::span<const std::byte>(data).subspan(at, static_cast<std::size_t>(p)));
                at += static_cast<std::size_t>(p);
            }
        });
        zip.addRecord("archive/last", std::string_view("after"));
        zip.finish();

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("streamed.zip")), expected = dir.filePath(QStringLiteral("expected.bin"));
        QFile f(path), e(expected);
        QVERIFY(f.open(QIODevice::WriteOnly) && e.open(QIODevice::WriteOnly));
        f.write(reinterpret_cast<const char *>(archive.data()), static_cast<qint64>(archive.size()));
        e.write(reinterpret_cast<const char *>(data.data()), static_cast<qint64>(data.size()));
        f.close();
        e.close();
        // zipfile checks each record's CRC as it reads it; the local header's CRC is compared by hand.
        const QString script = QStringLiteral("import struct, sys, zipfile\n"
                                              "z = zipfile.ZipFile(sys.argv[1])\n"
                                              "assert z.namelist() == ['archive/first', 'archive/streamed', 'archive/last'], z.namelist()\n"
                                              "assert z.read('archive/first') == b'before' and z.read('archive/last') == b'after'\n"
                                              "assert z.read('archive/streamed') == open(sys.argv[2], 'rb').read()\n"
                                              "raw = open(sys.argv[1], 'rb').read()\n"
                                              "for i in z.infolist():\n"
                                              "    local = struct.unpack_from('<I', raw, i.header_offset + 14)[0]\n"
                                              "    assert local == i.CRC, (i.filename, local, i.CRC)\n");
        const ProcessResult r = runProcess(QStringLiteral(CKPT_TEST_PYTHON), {QStringLiteral("-c"), script, path, expected});
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
    }

    // A streamed record that produces another size than it announced is refused, not written short.
    void streamedRecordOfTheWrongSizeIsRefused()
    {
        std::vector<std::byte> archive;
        ckpt::ZipWriter zip([&](std::span<const std::byte> d) { archive.insert(archive.end(), d.begin(), d.end()); },
            [&](std::uint64_t at, std::span<const std::byte> d) { std::memcpy(archive.data() + at, d.data(), d.size()); });
        const auto data = randomBytes(100, 3);
        QVERIFY_THROWS_EXCEPTION(std::logic_error, zip.addRecord("archive/short", 101, [&](const ckpt::ZipWriter::Sink &each) { each(data); }));
    }
};

QTEST_GUILESS_MAIN(TestZipWriter)
#include "tst_zipwriter.moc"
