using System.Buffers.Binary;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Zeek;
using Lab2Tools.Model;
using Lab2Tools.Pipeline;
using Xunit;

namespace Lab2Tools.Tests;

/// <summary>
/// Zeek's checksum rules (TCPAnalyzer::ValidateChecksum, IPAnalyzer's bad_IP_checksum, TCP_Endpoint::ChecksumError) and the
/// decoder's checksum verdicts, against tshark's. The lab's loopback captures carry offloaded checksums (the pseudo-header's
/// sum only) and must keep their states.
/// </summary>
public class ZeekChecksumTests
{
    private const ushort FIN = 0x01, SYN = 0x02, ACK = 0x10;

    private enum Sum { Right, Wrong, Offloaded, WrongIpHeader }

    private sealed record P(bool FromClient, ushort Flags, uint Seq, uint Ack, int Len = 0, Sum Sum = Sum.Right);

    private static byte[] Capture(IEnumerable<P> packets)
    {
        var b = new PcapBuilder();
        int i = 0;
        foreach (var p in packets)
        {
            var tcp = p.FromClient
                ? PcapBuilder.Tcp(40000, 80, p.Seq, p.Ack, p.Flags, 1000, payload: p.Len)
                : PcapBuilder.Tcp(80, 40000, p.Seq, p.Ack, p.Flags, 1000, payload: p.Len);
            var ip = p.FromClient ? PcapBuilder.IPv4(tcp, 1, 2) : PcapBuilder.IPv4(tcp, 2, 1);
            var seg = ip.AsSpan(20);
            switch (p.Sum)
            {
                case Sum.Wrong:
                    seg[16] ^= 0x5A;
                    break;
                case Sum.Offloaded:
                    // what Linux leaves for CHECKSUM_PARTIAL: the folded sum of the pseudo-header alone
                    ulong pseudo = PcapBuilder.Sum(ip.AsSpan(12, 8), 6) + (ulong)seg.Length;
                    BinaryPrimitives.WriteUInt16BigEndian(seg[16..], PcapBuilder.Fold(pseudo));
                    break;
                case Sum.WrongIpHeader:
                    ip[10] ^= 0x5A;
                    break;
            }
            b.Add(PcapBuilder.Ethernet(ip), 1_700_000_000, (uint)(1000 * i++));
        }
        return b.ToArray();
    }

    private static List<ZeekConnection> Zeek(byte[] capture, ZeekOptions? options = null)
    {
        var a = new ConnectionAnalyzer(options ?? ZeekOptions.Default);
        using var r = TcpSegmentReader.Open(new MemoryStream(capture), "checksums.pcap");
        while (r.Read() is var st && st != ReadStatus.End)
            if (st == ReadStatus.Segment) a.Add(r.Current!);
        return a.Records.SelectMany(x => x.ToConnection().ZeekConnections).DistinctBy(z => z.StartFrame).ToList();
    }

    private static P[] Exchange(Sum clientSums, Sum serverSums = Sum.Right) => new P[]
    {
        new(true, SYN, 100, 0, Sum: clientSums),
        new(false, SYN | ACK, 500, 101, Sum: serverSums),
        new(true, ACK, 101, 501, Sum: clientSums),
        new(true, ACK, 101, 501, Len: 10, Sum: clientSums),
        new(false, ACK, 501, 111, Len: 20, Sum: serverSums),
        new(true, FIN | ACK, 111, 521, Sum: clientSums),
        new(false, FIN | ACK, 521, 112, Sum: serverSums),
        new(true, ACK, 112, 522, Sum: clientSums),
    };

    [Fact]
    public void RightChecksumsGiveTheUsualHistory()
    {
        var z = Assert.Single(Zeek(Capture(Exchange(Sum.Right))));
        Assert.Equal("SF", z.ConnState);
        Assert.Equal("ShADdFf", z.History);
    }

    [Fact]
    public void ABadChecksumIsCAndThePacketIsNotAnalysed()
    {
        // the client's data segment has a wrong checksum: 'C' where it came, no 'D'; the server's data ('d') acknowledges
        // the 10 bytes Zeek never saw: a content gap in the originator's stream ('G')
        var packets = Exchange(Sum.Right);
        packets[3] = packets[3] with { Sum = Sum.Wrong };
        var z = Assert.Single(Zeek(Capture(packets)));
        Assert.Equal("ShACdGFf", z.History);
        Assert.DoesNotContain('D', z.History);
        // zeek -C analyses it
        var c = Assert.Single(Zeek(Capture(packets), new ZeekOptions { IgnoreChecksums = true }));
        Assert.Equal("ShADdFf", c.History);
    }

    [Fact]
    public void ChecksumErrorsAreScaledByPowersOfTen()
    {
        // Session::ScaledHistoryEntry: the 1st, 10th and 100th bad checksum of a side add a letter
        var packets = new List<P>(Exchange(Sum.Right).Take(3));
        for (int i = 0; i < 9; i++) packets.Add(new P(false, ACK, 501, 101, Len: 5, Sum: Sum.Wrong));
        Assert.Equal("ShAc", Assert.Single(Zeek(Capture(packets))).History);
        packets.Add(new P(false, ACK, 501, 101, Len: 5, Sum: Sum.Wrong));
        Assert.Equal("ShAcc", Assert.Single(Zeek(Capture(packets))).History);
    }

    [Fact]
    public void ABadIpHeaderChecksumDropsThePacketBeforeAnyConnection()
    {
        // bad_IP_checksum: no letter, no connection: a stream of such packets has no Zeek connection at all
        var server = Exchange(Sum.Right, Sum.WrongIpHeader);
        var z = Assert.Single(Zeek(Capture(server)));
        Assert.Equal("SH", z.ConnState);
        Assert.Equal("SADF", z.History);
        Assert.Empty(Zeek(Capture(Exchange(Sum.WrongIpHeader, Sum.WrongIpHeader))));
    }

    [Fact]
    public void OffloadedChecksumsAreTrustedByDefaultAndBadForZeekReadingAFile()
    {
        var capture = Capture(Exchange(Sum.Offloaded, Sum.Offloaded));
        var z = Assert.Single(Zeek(capture));
        Assert.Equal("SF", z.ConnState);
        Assert.Equal("ShADdFf", z.History);
        // zeek -r: every packet has a bad checksum. The SYN makes a connection ('C'); the SYN-ACK reuses its ports (IsReuse:
        // the responder's start sequence was never set), and the new connection is flipped by port 80 ('^'), then every
        // packet is one more bad checksum, scaled (the first of each side, as in Zeek's localhost-bad-chksum baseline)
        var r = Zeek(capture, new ZeekOptions { TrustOffloadedChecksums = false });
        Assert.Equal("1 OTH C | 2 OTH ^cC", string.Join(" | ", r.Select(x => $"{x.StartFrame} {x.ConnState} {x.History}")));
    }

    [Fact]
    public void IgnoreChecksumsNetsSkipsTheCheckForThoseSources()
    {
        var capture = Capture(Exchange(Sum.Wrong));
        var nets = new ZeekOptions { IgnoreChecksumsNets = new[] { (System.Net.IPAddress.Parse("10.0.0.0"), 30) } };
        Assert.Equal("ShADdFf", Assert.Single(Zeek(capture, nets)).History);
        var other = new ZeekOptions { IgnoreChecksumsNets = new[] { (System.Net.IPAddress.Parse("10.0.0.2"), 32) } };
        Assert.Contains('C', string.Concat(Zeek(capture, other).Select(x => x.History)));
    }

    public static IEnumerable<object[]> LabCaptures() => TestData.Captures();

    /// <summary>
    /// The lab's captures: their TCP checksums are right or offloaded, never bad, their IP checksums right; so Zeek's
    /// states and histories are those of zeek -C. Read as zeek -r reads them, they would all be C.
    /// </summary>
    [Theory]
    [MemberData(nameof(LabCaptures))]
    public void LabCapturesKeepTheirStates(string file)
    {
        var bytes = File.ReadAllBytes(TestData.Path(file));
        string Show(ZeekOptions o) => string.Join(" | ", ZeekOf(bytes, file, o).Select(z => $"{z.StartFrame} {z.ConnState} {z.History}"));
        string ours = Show(ZeekOptions.Default);
        Assert.Equal(Show(new ZeekOptions { IgnoreChecksums = true }), ours);
        Assert.DoesNotContain("C", ours.ToUpperInvariant().Replace("OTH", ""));
        Assert.NotEqual(Show(new ZeekOptions { TrustOffloadedChecksums = false }), ours);
    }

    private static List<ZeekConnection> ZeekOf(byte[] bytes, string name, ZeekOptions o)
    {
        var a = new ConnectionAnalyzer(o);
        using var r = TcpSegmentReader.Open(new MemoryStream(bytes), name);
        while (r.Read() is var st && st != ReadStatus.End)
            if (st == ReadStatus.Segment) a.Add(r.Current!);
        return a.Records.SelectMany(x => x.ToConnection().ZeekConnections).DistinctBy(z => z.StartFrame).ToList();
    }

    public static IEnumerable<object[]> ChecksumCaptures() =>
        TestData.Captures().Select(c => (string)c[0])
            .Concat(Directory.EnumerateFiles(Path.Combine(TestData.DataDir, "zeek", "checksums"), "*.pcap")
                .Select(f => Path.Combine("zeek", "checksums", Path.GetFileName(f))))
            .Append(Path.Combine("zeek", "traces", "chksums", "localhost-bad-chksum.pcap"))
            .Append(Path.Combine("zeek", "traces", "tcp", "syn-bad.pcap"))
            .Append(Path.Combine("zeek", "traces", "auth_change_session_keys.pcap"))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new object[] { f });

    /// <summary>
    /// The decoder's verdict on every TCP and IPv4 header checksum agrees with tshark's (tcp.check_checksum and
    /// ip.check_checksum on): right is right, and wrong is either bad or offloaded (tshark cannot tell those apart).
    /// </summary>
    [Theory]
    [MemberData(nameof(ChecksumCaptures))]
    public void ChecksumVerdictsAgreeWithTshark(string file)
    {
        var text = TestData.RunTool("tshark", "-n", "-r", TestData.Path(file), "-o", "tcp.check_checksum:TRUE",
            "-o", "ip.check_checksum:TRUE", "-Y", "tcp", "-T", "fields", "-e", "frame.number", "-e", "tcp.checksum.status",
            "-e", "ip.checksum.status");
        var tshark = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))
            .ToDictionary(f => long.Parse(f[0]), f => (Tcp: f[1], Ip: f[2]));
        int compared = 0;
        using var r = TcpSegmentReader.Open(TestData.Path(file), includePayload: false, reuseSegment: true);
        while (r.Read() is var st && st != ReadStatus.End)
        {
            if (st != ReadStatus.Segment) continue;
            var s = r.Current!;
            var (tcp, ip) = tshark[s.Frame];
            var i = s.Integrity;
            if ((i & SegmentIntegrity.TcpChecksumUnverified) == 0)
            {
                bool wrong = (i & (SegmentIntegrity.TcpChecksumBad | SegmentIntegrity.TcpChecksumPartial)) != 0;
                Assert.True(tcp == (wrong ? "0" : "1"), $"{file} frame {s.Frame}: {i}, tshark's tcp.checksum.status {tcp}");
                compared++;
            }
            if (s.IpVersion == 4)
                Assert.True(ip == ((i & SegmentIntegrity.IpChecksumBad) != 0 ? "0" : "1"),
                    $"{file} frame {s.Frame}: {i}, tshark's ip.checksum.status {ip}");
        }
        Assert.True(compared > 0, $"{file}: no TCP checksum verified");
    }
}

/// <summary>The decoder's checksum sum (vectorised for long spans) against a plain word-by-word sum.</summary>
public class InternetChecksumTests
{
    [Fact]
    public void SumsAgreeWithAPlainWordByWordSum()
    {
        var rng = new Random(18);
        var buf = new byte[70_000];
        rng.NextBytes(buf);
        foreach (int len in new[] { 0, 1, 2, 3, 15, 16, 17, 63, 64, 65, 127, 128, 129, 255, 1500, 1501, 65535, 65536, 69_999 })
            foreach (int off in new[] { 0, 1 })
            {
                var span = buf.AsSpan(off, Math.Min(len, buf.Length - off));
                ushort expected = PcapBuilder.Fold(PcapBuilder.Sum(span, 12345));
                Assert.True(expected == Lab2Tools.Decode.InternetChecksum.Fold(Lab2Tools.Decode.InternetChecksum.Add(12345, span)),
                    $"length {span.Length} at offset {off}");
            }
        // all ones: the lanes' largest values
        Array.Fill(buf, (byte)0xFF);
        Assert.Equal(PcapBuilder.Fold(PcapBuilder.Sum(buf, 0)), Lab2Tools.Decode.InternetChecksum.Fold(Lab2Tools.Decode.InternetChecksum.Add(0, buf)));
    }
}
