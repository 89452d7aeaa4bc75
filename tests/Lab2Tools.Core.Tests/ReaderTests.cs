using Lab2Tools.Capture;
using Lab2Tools.Model;
using Lab2Tools.Pipeline;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Lab2Tools.Tests;

public sealed class ReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("l2t-reader-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private static List<TcpSegment> ReadAll(string path, List<MalformedFrame>? malformed = null)
    {
        var list = new List<TcpSegment>();
        using var r = TcpSegmentReader.Open(path);
        ReadStatus s;
        while ((s = r.Read()) != ReadStatus.End)
        {
            if (s == ReadStatus.Segment) list.Add(r.Current!);
            else malformed?.Add(r.CurrentMalformed!);
        }
        return list;
    }

    public static IEnumerable<object[]> Captures() => TestData.Captures();

    /// <summary>Our reader and libpcap (through SharpPcap) see the same frames: count, lengths and timestamps.</summary>
    [Theory]
    [MemberData(nameof(Captures))]
    public void FramesMatchLibpcap(string file)
    {
        var ours = new List<(int cap, int orig, long ns)>();
        using (var r = CaptureFileReader.Open(TestData.Path(file)))
            while (r.ReadNext(out var f, out _)) ours.Add((f.CapturedLength, f.OriginalLength, f.TimestampNanoseconds));

        var theirs = new List<(int cap, int orig, long ns)>();
        using (var dev = new CaptureFileReaderDevice(TestData.Path(file)))
        {
            dev.Open(new DeviceConfiguration { TimestampResolution = TimestampResolution.Nanosecond });
            while (dev.GetNextPacket(out PacketCapture e) == GetPacketStatus.PacketRead)
            {
                var h = (PcapHeader)e.Header;
                theirs.Add(((int)h.CaptureLength, (int)h.PacketLength, (long)(h.Timeval.Value * 1_000_000_000m)));
            }
        }
        Assert.Equal(theirs.Count, ours.Count);
        Assert.Equal(theirs, ours);
    }

    /// <summary>
    /// Files are read ahead in 1 MB chunks on a pool thread, with the bytes of a frame cut by a chunk boundary
    /// carried over, and plain reads for a frame larger than the 256 KB carry-over room. Every frame, its bytes and
    /// the file position after it must be what a plain read of the same bytes gives.
    /// </summary>
    [Fact]
    public void ReadAheadAcrossChunkBoundariesMatchesPlainReads()
    {
        var rnd = new Random(7);
        var b = new PcapBuilder();
        int frames = 0;
        for (long size = 24; size < 5_500_000; frames++)
        {
            int len = frames == 900 ? 400_000 : frames == 2000 ? 1_300_000 : rnd.Next(1, 9000);   // two frames larger than the carry-over room
            var frame = new byte[len];
            rnd.NextBytes(frame);
            b.Add(frame, seconds: 1_700_000_000, fraction: (uint)frames);
            size += 16 + len;
        }
        var bytes = b.ToArray();
        var path = Path.Combine(_dir, "chunks.pcap");
        File.WriteAllBytes(path, bytes);

        using var ahead = CaptureFileReader.Open(path);                                  // a file: read ahead
        using var plain = CaptureFileReader.Open(new MemoryStream(bytes), "memory");    // a stream: plain reads
        int n = 0;
        while (true)
        {
            bool more = plain.ReadNext(out var pf, out var pd);
            Assert.Equal(more, ahead.ReadNext(out var af, out var ad));
            if (!more) break;
            n++;
            Assert.Equal(pf.CapturedLength, af.CapturedLength);
            Assert.Equal(pf.TimestampNanoseconds, af.TimestampNanoseconds);
            Assert.True(pd.SequenceEqual(ad), $"frame {n}: bytes differ");
            Assert.Equal(plain.Position, ahead.Position);
        }
        Assert.Equal(frames, n);
        Assert.Equal(bytes.Length, ahead.Position);
    }

    /// <summary>A file cut inside a frame that straddles a read-ahead chunk: every frame before the cut, then the error.</summary>
    [Fact]
    public void ReadAheadStopsAtATruncationInsideAChunkBoundaryFrame()
    {
        var b = new PcapBuilder();
        var frame = new byte[1000];
        for (int i = 0; i < 1100; i++) b.Add(frame);          // 1,016 bytes per record: record 1032 straddles 1 MB
        var bytes = b.ToArray();
        var path = Path.Combine(_dir, "cut.pcap");
        File.WriteAllBytes(path, bytes[..(24 + 1031 * 1016 + 500)]);
        using var r = CaptureFileReader.Open(path);
        int n = 0;
        var e = Assert.Throws<CaptureFileException>(() => { while (r.ReadNext(out _, out _)) n++; });
        Assert.Equal(1031, n);
        Assert.Equal(CaptureFileProblem.Truncated, e.Problem);
    }

    [Fact]
    public void PcapAndPcapngCopiesGiveTheSameSegments()
    {
        var a = ReadAll(TestData.Path("http-visit.pcap"));
        var b = ReadAll(TestData.Path("http-visit.pcapng"));
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Frame, b[i].Frame);
            Assert.Equal(a[i].TimestampNanoseconds, b[i].TimestampNanoseconds);
            Assert.Equal(a[i].Seq, b[i].Seq);
            Assert.Equal(a[i].Payload, b[i].Payload);
        }
    }

    [Fact]
    public void NanosecondTimestampsKeepTheirPrecision()
    {
        var segs = ReadAll(TestData.Path("http-visit-nano.pcap"));
        Assert.Contains(segs, s => s.TimestampNanoseconds % 1000 != 0);
        Assert.Equal(DateTimeKind.Utc, segs[0].Time.Kind);
        Assert.Equal(TimeSpan.Zero, segs[0].TimeRelative);
    }

    [Fact]
    public void BigEndianPcapIsRead()
    {
        var f = PcapBuilder.Ethernet(PcapBuilder.IPv4(PcapBuilder.Tcp(1, 2, 100, 0, 0x002, 1000)));
        var path = new PcapBuilder(bigEndian: true).Add(f, 1_700_000_000, 250_000).Save(_dir, "be.pcap");
        var segs = ReadAll(path);
        Assert.Single(segs);
        Assert.Equal(1_700_000_000_250_000_000L, segs[0].TimestampNanoseconds);
    }

    [Fact]
    public void MalformedFramesAreReportedAndSkipped()
    {
        var good = PcapBuilder.Ethernet(PcapBuilder.IPv4(PcapBuilder.Tcp(1, 2, 100, 0, 0x002, 1000)));
        var bad = PcapBuilder.Ethernet(PcapBuilder.IPv4(PcapBuilder.Tcp(1, 2, 3, 4, 0x010, 100, dataOffsetWords: 2)));
        var path = new PcapBuilder().Add(good).Add(bad).Add(good).Save(_dir, "bad.pcap");
        var malformed = new List<MalformedFrame>();
        var segs = ReadAll(path, malformed);
        Assert.Equal(new long[] { 1, 3 }, segs.Select(s => s.Frame));
        Assert.Equal(2, Assert.Single(malformed).Frame);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 1, 2 })]
    [InlineData(new byte[] { (byte)'<', (byte)'h', (byte)'t', (byte)'m', (byte)'l', (byte)'>' })]
    public void NotACaptureFileIsOneClearError(byte[] content)
    {
        var path = Path.Combine(_dir, "x.pcap");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<CaptureFileException>(() => TcpSegmentReader.Open(path));
        Assert.Equal(CaptureFileProblem.NotACaptureFile, e.Problem);
        Assert.Equal(0, e.FramesRead);
    }

    /// <summary>A file cut at every byte yields every complete frame before the cut, then (unless the cut is on a boundary) a Truncated error.</summary>
    [Theory]
    [InlineData("port-reuse.pcap")]
    [InlineData("midstream.pcap")]
    public void TruncationAtEveryOffsetLosesNoCompleteFrame(string file)
    {
        var bytes = File.ReadAllBytes(TestData.Path(file));
        // frame end offsets
        var ends = new List<long>();
        using (var r = CaptureFileReader.Open(new MemoryStream(bytes), file))
            while (r.ReadNext(out _, out _)) ends.Add(r.Position);
        int step = Math.Max(1, bytes.Length / 4000);
        for (int cut = 0; cut <= bytes.Length; cut += (cut < 64 ? 1 : step))
        {
            int expectedFrames = ends.Count(e => e <= cut);
            long frames = 0;
            CaptureFileException? error = null;
            try
            {
                using var r = CaptureFileReader.Open(new MemoryStream(bytes, 0, cut), file);
                while (r.ReadNext(out _, out _)) frames++;
            }
            catch (CaptureFileException e) { error = e; }
            if (cut < 24) { Assert.NotNull(error); continue; }
            Assert.Equal(expectedFrames, frames);
            bool onBoundary = cut == 24 || ends.Contains(cut);
            Assert.Equal(!onBoundary, error != null);
            if (error != null) Assert.Equal(CaptureFileProblem.Truncated, error.Problem);
        }
    }

    /// <summary>Random damage anywhere in real captures: only CaptureFileExceptions, never a crash or a hang.</summary>
    [Theory]
    [InlineData("http-visit.pcap", 1)]
    [InlineData("http-visit.pcapng", 2)]
    [InlineData("http-visit-dumpcap.pcapng", 3)]
    [InlineData("http-visit-ipv6-raw.pcap", 4)]
    [InlineData("http-visit-any-sll2.pcap", 5)]
    [InlineData("http-visit-null.pcap", 6)]
    public async Task RandomCorruptionNeverCrashesOrHangs(string file, int seed)
    {
        var original = File.ReadAllBytes(TestData.Path(file));
        var rng = new Random(seed);
        var work = Task.Run(() =>
        {
            for (int round = 0; round < 300; round++)
            {
                var bytes = (byte[])original.Clone();
                int flips = 1 + rng.Next(8);
                for (int i = 0; i < flips; i++)
                {
                    // aim at headers more than payload: the first 64 bytes of a record are most of the damage that matters
                    int pos = rng.Next(bytes.Length);
                    if (rng.Next(2) == 0) bytes[pos] ^= (byte)(1 << rng.Next(8));
                    else bytes[pos] = (byte)rng.Next(256);
                }
                try
                {
                    using var r = TcpSegmentReader.Open(new MemoryStream(bytes), file);
                    while (r.Read() != ReadStatus.End) { }
                }
                catch (CaptureFileException) { }
            }
        });
        // a hang fails the test with a TimeoutException instead of blocking the run
        await work.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void PcapngCorruptBlockLengthIsCorruptAfterTheGoodFrames()
    {
        var bytes = File.ReadAllBytes(TestData.Path("http-visit.pcapng"));
        long[] blockStarts;
        using (var r = CaptureFileReader.Open(new MemoryStream(bytes), "x"))
        {
            var list = new List<long>();
            while (r.ReadNext(out _, out _)) { list.Add(r.Position); }
            blockStarts = list.ToArray();
        }
        int at = (int)blockStarts[9]; // the block after frame 10
        bytes[at + 4] = 0xFF; bytes[at + 5] = 0xFF; bytes[at + 6] = 0xFF; bytes[at + 7] = 0x7F;
        int frames = 0;
        var e = Assert.Throws<CaptureFileException>(() =>
        {
            using var r = CaptureFileReader.Open(new MemoryStream(bytes), "x");
            while (r.ReadNext(out _, out _)) frames++;
        });
        Assert.Equal(CaptureFileProblem.Corrupt, e.Problem);
        Assert.Equal(10, frames);
    }
}

/// <summary>
/// SharpPcap 6.3.1 declares pcap_stat's fields as IntPtr; libpcap's are u_int. On 64-bit Linux its
/// DroppedPackets therefore reads ps_ifdrop. This forces kernel drops (a 64 KB buffer nobody reads while
/// megabytes cross loopback) and compares SharpPcap's number with libpcap's struct read directly.
/// </summary>
public class SharpPcapStatisticsTests
{
    [Fact]
    public async Task SharpPcapReadsTheWrongDropCounterOn64BitLinux()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            throw new InvalidOperationException("This test captures on lo: it runs as root on Linux (as CI does).");
        using var device = SharpPcap.LibPcap.LibPcapLiveDeviceList.New().First(d => d.Name == "lo");
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        device.Open(new SharpPcap.DeviceConfiguration { Snaplen = 262144, ReadTimeout = 100, BufferSize = 65536, Immediate = false });
        device.Filter = $"tcp port {port}";
        // flood: 64 MB over loopback in small writes, nobody reading the capture
        var server = Task.Run(() =>
        {
            using var c = listener.AcceptTcpClient();
            var buf = new byte[65536];
            var s = c.GetStream();
            while (s.Read(buf, 0, buf.Length) > 0) { }
        });
        using (var client = new System.Net.Sockets.TcpClient())
        {
            client.NoDelay = true;
            client.Connect(System.Net.IPAddress.Loopback, port);
            var chunk = new byte[1000];
            var st = client.GetStream();
            for (int i = 0; i < 64_000; i++) st.Write(chunk);
        }
        await server.WaitAsync(TimeSpan.FromSeconds(30));
        listener.Stop();
        Assert.True(Lab2Tools.Capture.Live.LibPcapStats.TryRead(device.Handle, out var ours));
        var theirs = device.Statistics;
        device.Close();
        Assert.True(ours.Dropped > 0, $"the flood should overflow a 64 KB buffer (received {ours.Received})");
        // SharpPcap's DroppedPackets is libpcap's ps_ifdrop, not ps_drop
        Assert.Equal(ours.InterfaceDropped, (uint)theirs.DroppedPackets);
        Assert.NotEqual(ours.Dropped, (uint)theirs.DroppedPackets);
        Assert.Equal(ours.Received, (uint)theirs.ReceivedPackets);
    }
}
