using System.Globalization;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Zeek;
using Lab2Tools.Pipeline;
using Lab2Tools.Text;
using Xunit;

namespace Lab2Tools.Tests;

/// <summary>
/// Zeek's missed_bytes per direction, and what a connection says when Zeek would log none (Zeek's own trace
/// tcp/retransmit-fast009.pcap: headers only, every IPv4 header checksum bad; Zeek's baseline was made with zeek -C).
/// </summary>
public class ZeekMissedBytesTests
{
    private const string Fast009 = "tcp/retransmit-fast009.pcap";

    private static List<TcpConnection> Connections(string zeekTrace, ZeekOptions? options = null)
    {
        var a = options == null ? new ConnectionAnalyzer() : new ConnectionAnalyzer(options);
        using (var r = TcpSegmentReader.Open(System.IO.Path.Combine(TestData.DataDir, "zeek", "traces", zeekTrace), includePayload: false,
            reuseSegment: true))
            while (r.Read() is var st && st != ReadStatus.End)
                if (st == ReadStatus.Segment) a.Add(r.Current!);
        return a.Records.Select(rec => rec.ToConnection()).ToList();
    }

    private static TcpStreamContent Follow(string zeekTrace)
    {
        var f = new StreamFollower();
        using (var r = TcpSegmentReader.Open(System.IO.Path.Combine(TestData.DataDir, "zeek", "traces", zeekTrace), includePayload: false,
            reuseSegment: false))
            while (r.Read() is var st && st != ReadStatus.End)
                if (st == ReadStatus.Segment) f.Add(r.Current!);
        return f.Finish();
    }

    [Fact]
    public void ZeekWithItsDefaultsLogsNoConnectionAndTheDescriptionSaysWhy()
    {
        var c = Assert.Single(Connections(Fast009));
        Assert.Equal("", c.ConnState);
        Assert.Equal("", c.History);
        Assert.Empty(c.ZeekConnections);
        Assert.Equal(0, c.ZeekMissedBytes);
        Assert.Equal(0, c.ClientToServer.MissedBytes + c.ServerToClient.MissedBytes);
        using (TextCulture.Use(new CultureInfo("en-US")))
        {
            Assert.StartsWith("Zeek would log no connection for this stream", c.ConnStateDescription);
            Assert.Contains("bad IPv4 header checksum", c.ConnStateDescription);
            Assert.Contains("zeek -C", c.ConnStateDescription);
            Assert.DoesNotContain("IPv4 total length", c.ConnStateDescription);
        }
        using (TextCulture.Use(new CultureInfo("zh-CN")))
        {
            Assert.StartsWith("Zeek 不会为这个流记录任何连接", c.ConnStateDescription);
            Assert.Contains("IPv4 首部校验和错误", c.ConnStateDescription);
            Assert.Contains("zeek -C", c.ConnStateDescription);
        }
    }

    [Fact]
    public void WithZeekDashCTheMissedBytesAreZeeksAndTheCapturesMissingBytes()
    {
        // the btest core.tcp.rxmit-history: zeek -C, conn.log missed_bytes 24257 (baselines/core.tcp.rxmit-history/conn-1.log)
        var c = Assert.Single(Connections(Fast009, new ZeekOptions { IgnoreChecksums = true, TrustOffloadedChecksums = false }));
        var z = Assert.Single(c.ZeekConnections);
        Assert.Equal("RSTO", c.ConnState);
        Assert.Equal(24257, z.MissedBytes);
        Assert.Equal(24257, c.ZeekMissedBytes);
        // headers only: every payload byte is missing from the capture, as Get-TcpStream counts it, and Zeek's gaps cover them
        var follow = Follow(Fast009);
        Assert.Equal(follow.ClientMissingBytes, c.ClientToServer.MissedBytes);
        Assert.Equal(follow.ServerMissingBytes, c.ServerToClient.MissedBytes);
        Assert.Equal(z.OriginatorMissedBytes, c.ClientToServer.MissedBytes);      // the client is Zeek's originator
        Assert.Equal(z.ResponderMissedBytes, c.ServerToClient.MissedBytes);
        using (TextCulture.Use(new CultureInfo("en-US")))
            Assert.Equal("Established, originator aborted (sent a RST).", c.ConnStateDescription);
        using (TextCulture.Use(new CultureInfo("zh-CN")))
            Assert.Equal("连接已建立，发起方中止了连接（发送了 RST）。", c.ConnStateDescription);
    }

    [Fact]
    public void AnAcknowledgedHoleInALabCaptureIsZeeksMissedBytes()
    {
        // missing-segment.pcap is the lab's http-visit.pcap without frame 8: 8192 bytes of the page, acknowledged
        var segments = ConnectionAnalysisTests.Segments("missing-segment.pcap");
        var a = new ConnectionAnalyzer();
        foreach (var s in segments) a.Add(s);
        var c = a.Records.Select(r => r.ToConnection()).Single(x => x.Stream == 0);
        Assert.Equal(8192, c.ServerToClient.MissedBytes);
        Assert.Equal(0, c.ClientToServer.MissedBytes);
        Assert.Equal(8192, Assert.Single(c.ZeekConnections).MissedBytes);
        Assert.Contains("G", c.History, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("S0")] [InlineData("S1")] [InlineData("SF")] [InlineData("REJ")] [InlineData("S2")] [InlineData("S3")]
    [InlineData("RSTO")] [InlineData("RSTR")] [InlineData("RSTOS0")] [InlineData("RSTRH")] [InlineData("SH")]
    [InlineData("SHR")] [InlineData("OTH")]
    public void EveryConnStateIsDescribedInBothLanguages(string state)
    {
        string en, zh;
        using (TextCulture.Use(new CultureInfo("en-US"))) en = ZeekConnection.Describe(state);
        using (TextCulture.Use(new CultureInfo("zh-CN"))) zh = ZeekConnection.Describe(state);
        Assert.NotEqual("", en);
        Assert.NotEqual(en, zh);
        Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", zh);
        Assert.Equal("", ZeekConnection.Describe("S9"));
    }
}
