using Lab2Tools.Pipeline;

namespace Lab2Tools.Tests;

/// <summary>Edge cases of relative numbering and window scaling, built frame by frame, each also checked against tshark.</summary>
public sealed class TrackerTests : IDisposable
{
    private const ushort SYN = 0x002, ACK = 0x010, FIN = 0x001, PSH = 0x008;
    private readonly string _dir = Directory.CreateTempSubdirectory("l2t-tracker-").FullName;
    public void Dispose() => Directory.Delete(_dir, true);

    private static byte[] F(ushort sport, ushort dport, uint seq, uint ack, ushort flags, ushort win, byte[]? opts = null, int payload = 0, byte a = 1, byte b = 2) =>
        PcapBuilder.Ethernet(PcapBuilder.IPv4(PcapBuilder.Tcp(sport, dport, seq, ack, flags, win, opts, payload), a, b));

    private static readonly byte[] Ws7 = { 2, 4, 5, 0xB4, 1, 3, 3, 7 };
    private static readonly byte[] NoWs = { 2, 4, 5, 0xB4 };

    private List<Model.TcpSegment> Read(string path)
    {
        var list = new List<Model.TcpSegment>();
        using var r = TcpSegmentReader.Open(path);
        while (r.Read() == ReadStatus.Segment) list.Add(r.Current!);
        return list;
    }

    [Fact]
    public void ScalingNeedsBothSides()
    {
        // client offers WS, server does not: no scaling either way (-2)
        var path = new PcapBuilder()
            .Add(F(40000, 80, 1000, 0, SYN, 64240, Ws7))
            .Add(F(80, 40000, 9000, 1001, SYN | ACK, 65160, NoWs, a: 2, b: 1))
            .Add(F(40000, 80, 1001, 9001, ACK, 502))
            .Add(F(80, 40000, 9001, 1001, ACK | PSH, 509, payload: 100, a: 2, b: 1))
            .Save(_dir, "noscale.pcap");
        var s = Read(path);
        Assert.Equal(-2, s[2].WindowSizeScalingFactor);
        Assert.Equal(502, s[2].WindowSize);
        Assert.Null(s[0].WindowSizeScalingFactor);
        TsharkAgreementTests.AssertAgreesWithTshark(path);
    }

    [Fact]
    public void ScalingAppliesAfterTheHandshakeOnly()
    {
        var path = new PcapBuilder()
            .Add(F(40000, 80, 1000, 0, SYN, 64240, Ws7))
            .Add(F(80, 40000, 9000, 1001, SYN | ACK, 65160, Ws7, a: 2, b: 1))
            .Add(F(40000, 80, 1001, 9001, ACK, 502))
            .Add(F(40000, 80, 1001, 9001, ACK | PSH, 502, payload: 10))
            .Add(F(80, 40000, 9001, 1011, ACK | FIN, 509, a: 2, b: 1))
            .Save(_dir, "scale.pcap");
        var s = Read(path);
        Assert.Equal(64240, s[0].WindowSize);
        Assert.Equal(502 * 128, s[2].WindowSize);
        Assert.Equal(128, s[2].WindowSizeScalingFactor);
        Assert.Equal(11u, s[4].Ack);
        Assert.Equal(2u, s[4].NextSeq);
        TsharkAgreementTests.AssertAgreesWithTshark(path);
    }

    [Fact]
    public void MissingSynAckAndNonzeroAckOnSyn()
    {
        // the SYN carries garbage in its ack field; the SYN-ACK was not captured
        var path = new PcapBuilder()
            .Add(F(40000, 80, 5000, 0xDEADBEEF, SYN, 64240, Ws7))
            .Add(F(40000, 80, 5001, 7001, ACK, 502))
            .Add(F(80, 40000, 7001, 5001, ACK | PSH, 600, payload: 50, a: 2, b: 1))
            .Save(_dir, "nosynack.pcap");
        var s = Read(path);
        Assert.Equal(1u, s[1].Ack);
        Assert.Equal(502 * 128, s[1].WindowSize);
        Assert.Equal(-1, s[2].WindowSizeScalingFactor);
        TsharkAgreementTests.AssertAgreesWithTshark(path);
    }

    [Fact]
    public void SequenceNumbersWrapAround()
    {
        var path = new PcapBuilder()
            .Add(F(40000, 80, 0xFFFFFFF0, 0, SYN, 64240, NoWs))
            .Add(F(80, 40000, 0xFFFFFFFF, 0xFFFFFFF1, SYN | ACK, 65160, NoWs, a: 2, b: 1))
            .Add(F(40000, 80, 0xFFFFFFF1, 0, ACK | PSH, 502, payload: 100))
            .Save(_dir, "wrap.pcap");
        var s = Read(path);
        Assert.Equal(1u, s[2].Seq);
        Assert.Equal(1u, s[2].Ack);
        Assert.Equal(101u, s[2].NextSeq);
        TsharkAgreementTests.AssertAgreesWithTshark(path);
    }

    [Fact]
    public void PortReuseStartsANewStream()
    {
        var s = Read(TestData.Path("port-reuse.pcap"));
        var syns = s.Where(x => x.Flags == Model.TcpFlags.SYN).ToList();
        Assert.Equal(2, syns.Count);
        Assert.Equal(syns[0].SourcePort, syns[1].SourcePort);
        Assert.Equal(0, syns[0].Stream);
        Assert.Equal(1, syns[1].Stream);
        Assert.Equal(0u, syns[1].Seq);
    }
}

public sealed class TrackerMemoryTests
{
    /// <summary>A sender whose ACKs are never seen: the unacked list stops at Wireshark's cap, whatever the length.</summary>
    [Fact]
    public void UnackedSegmentsAreCapped()
    {
        var tracker = new Lab2Tools.Tracking.TcpConversationTracker();
        var frame = new Lab2Tools.Capture.CaptureFrame(1, 1_000_000_000, 100, 100, 1, 0);
        var bytes = PcapBuilder.Ethernet(PcapBuilder.IPv4(PcapBuilder.Tcp(1000, 80, 1, 1, 0x018, 500, payload: 100)));
        Lab2Tools.Decode.PacketDecoder.Decode(1, bytes, bytes.Length, out var d, out _);
        Lab2Tools.Tracking.TcpConversation? conv = null;
        for (int i = 0; i < 25_000; i++)
        {
            d.Seq = 1 + (uint)(i * 100);
            var f = new Lab2Tools.Capture.CaptureFrame(i + 1, 1_000_000_000L + i, bytes.Length, bytes.Length, 1, 0);
            tracker.Track(f, d, bytes, 0, includePayload: false);
            conv ??= tracker.Resolve(f, d, out _);
        }
        Assert.Equal(Lab2Tools.Tracking.SequenceAnalysis.MaxUnackedSegments, (conv!.FlowA.Unacked?.Count ?? 0) + (conv.FlowB.Unacked?.Count ?? 0));
    }
}

/// <summary>Timestamps keeps DateTime's epoch and upper bound as constants: they must be DateTime's own.</summary>
public sealed class TimestampTests
{
    [Fact]
    public void UtcTimesMatchDateTime()
    {
        Assert.Equal(DateTime.UnixEpoch, Lab2Tools.Tracking.Timestamps.ToUtc(0));
        Assert.Equal(new DateTime(2026, 11, 30, 10, 0, 0, 123, DateTimeKind.Utc).AddTicks(4567),
            Lab2Tools.Tracking.Timestamps.ToUtc(1_796_032_800_123_456_700));
        Assert.Equal(DateTime.UnixEpoch.Ticks + long.MaxValue / 100, Lab2Tools.Tracking.Timestamps.ToUtc(long.MaxValue).Ticks);
        Assert.Equal(DateTimeKind.Utc, Lab2Tools.Tracking.Timestamps.ToUtc(long.MaxValue).Kind);
        Assert.Equal(DateTime.UnixEpoch.Ticks + long.MinValue / 100, Lab2Tools.Tracking.Timestamps.ToUtc(long.MinValue).Ticks);
    }
}
