using System.Globalization;
using System.Text.RegularExpressions;
using Lab2Tools.Analysis;
using Lab2Tools.Model;
using Lab2Tools.Pipeline;

namespace Lab2Tools.Tests;

public class ConnectionAnalysisTests
{
    public static IEnumerable<object[]> Captures() => TestData.Captures();

    internal static List<TcpSegment> Segments(string file, bool payload = false)
    {
        var list = new List<TcpSegment>();
        using var r = TcpSegmentReader.Open(TestData.Path(file), payload);
        while (r.Read() == ReadStatus.Segment) list.Add(r.Current!);
        return list;
    }

    private static List<ConnectionRecord> Records(string file)
    {
        var a = new ConnectionAnalyzer();
        foreach (var s in Segments(file)) a.Add(s);
        return a.Records.ToList();
    }

    /// <summary>
    /// Get-TcpConnection and the other per-connection cmdlets read with one segment object overwritten for every
    /// packet: every result must be what separate segment objects give.
    /// </summary>
    [Theory]
    [MemberData(nameof(Captures))]
    public void ReusingOneSegmentObjectGivesTheSameResults(string file)
    {
        var separate = new ConnectionAnalyzer();
        foreach (var s in Segments(file)) separate.Add(s);
        var reused = new ConnectionAnalyzer();
        using (var r = TcpSegmentReader.Open(TestData.Path(file), includePayload: false, reuseSegment: true))
        {
            TcpSegment? only = null;
            while (r.Read() is var st && st != ReadStatus.End)
            {
                if (st != ReadStatus.Segment) continue;
                only ??= r.Current;
                Assert.Same(only, r.Current);
                reused.Add(r.Current!);
            }
        }
        Assert.Equal(separate.Count, reused.Count);
        Assert.Equal(Describe(separate), Describe(reused));
    }

    /// <summary>Every field of every connection result, one line each, for comparing two analyses.</summary>
    internal static string Describe(ConnectionAnalyzer a)
        {
            var sb = new System.Text.StringBuilder();
            foreach (var r in a.Records)
            {
                var c = r.ToConnection();
                sb.AppendLine(string.Join('|', c.Stream, c.Client, c.Server, c.RoleSource, c.StartTime.Ticks, c.RelativeStart.Ticks, c.Duration.Ticks,
                    c.FirstFrame, c.LastFrame, c.ConnState, c.History, c.Completeness, c.InitialRtt?.Ticks, c.ClosedFirstBy, c.ResetBy, c.ReusedPorts,
                    string.Join(',', c.ExpertCounts.Select(kv => kv.Key + "=" + kv.Value))));
                foreach (var d in new[] { c.ClientToServer, c.ServerToClient })
                    sb.AppendLine(string.Join('|', d.Frames, d.FrameBytes, d.IpBytes, d.PayloadBytes, d.UniquePayloadBytes, d.RetransmittedBytes, d.MissedBytes, d.Mss, d.WindowScaleShift, d.SackPermitted, d.Timestamps));
                if (r.ToHandshake() is TcpHandshake h)
                    sb.AppendLine(string.Join('|', h.Verdict, h.Explanation, h.Syn.Frame, h.Syn.Explanation, h.SynAck?.Frame, h.SynAck?.Explanation, h.Ack?.Frame, h.Ack?.Explanation,
                        string.Join(',', h.SynRetransmissions), string.Join(',', h.SynAckRetransmissions), h.InitialRtt?.Ticks, h.ClientOptions, h.ServerOptions));
                if (r.ToTeardown() is TcpTeardown t)
                    sb.AppendLine(string.Join('|', t.Kind, t.Explanation, t.ResetReason, t.TimeWaitSide, t.TimeWaitEndPoint, t.DataAfterFirstFin,
                        string.Join(',', t.Steps.Select(x => $"{x.Name}@{x.Frame}:{x.From}>{x.To}:{x.Flags}:{x.Seq}/{x.Ack}:{x.Time.Ticks}"))));
                foreach (var x in r.ToStateTimeline())
                    sb.AppendLine(string.Join('|', x.EndPoint, x.Role, x.From, x.To, x.Frame, x.Time?.Ticks, x.Cause));
            }
            return sb.ToString();
        }

    /// <summary>Frames and frame bytes per direction, start and duration: what tshark's Conversations (conv,tcp) counts.</summary>
    [Theory]
    [MemberData(nameof(Captures))]
    public void ConversationCountsMatchTshark(string file)
    {
        var rows = TestData.Tshark(TestData.Path(file), "tcp", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "frame.len", "frame.time_relative");
        var expected = rows.GroupBy(r => int.Parse(r["tcp.stream"], CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.ToList());
        var conns = Records(file).Select(r => r.ToConnection()).ToList();
        Assert.Equal(expected.Count, conns.Count);
        foreach (var c in conns)
        {
            var e = expected[c.Stream];
            bool FromClient(Dictionary<string, string> r) =>
                (r["ip.src"] != "" ? r["ip.src"] : r["ipv6.src"]) == c.ClientEndPoint.Address.ToString() && r["tcp.srcport"] == c.ClientEndPoint.Port.ToString(CultureInfo.InvariantCulture);
            Assert.Equal(e.Count(FromClient), c.ClientToServer.Frames);
            Assert.Equal(e.Count(r => !FromClient(r)), c.ServerToClient.Frames);
            Assert.Equal(e.Where(FromClient).Sum(r => long.Parse(r["frame.len"], CultureInfo.InvariantCulture)), c.ClientToServer.FrameBytes);
            Assert.Equal(e.Where(r => !FromClient(r)).Sum(r => long.Parse(r["frame.len"], CultureInfo.InvariantCulture)), c.ServerToClient.FrameBytes);
            double start = double.Parse(e[0]["frame.time_relative"], CultureInfo.InvariantCulture);
            double end = double.Parse(e[^1]["frame.time_relative"], CultureInfo.InvariantCulture);
            Assert.Equal(start, c.RelativeStart.TotalSeconds, 6);
            Assert.Equal(end - start, c.Duration.TotalSeconds, 6);
        }
    }

    /// <summary>tcp.completeness as tshark computes it over the whole file (two passes).</summary>
    [Theory]
    [MemberData(nameof(Captures))]
    public void CompletenessMatchesTshark(string file)
    {
        var text = TestData.RunTool("tshark", "-2", "-n", "-r", TestData.Path(file), "-Y", "tcp", "-T", "fields", "-e", "tcp.stream", "-e", "tcp.completeness");
        var expected = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))
            .GroupBy(p => int.Parse(p[0], CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => int.Parse(g.Last()[1], CultureInfo.InvariantCulture));
        foreach (var c in Records(file).Select(r => r.ToConnection()))
            Assert.True(expected[c.Stream] == (int)c.Completeness, $"stream {c.Stream}: tshark {expected[c.Stream]}, Lab2Tools {(int)c.Completeness}");
    }

    /// <summary>The TCP lines of tshark -z expert (severity, message, count) against Get-TcpExpertInfo's events.</summary>
    [Theory]
    [MemberData(nameof(Captures))]
    public void ExpertSummaryMatchesTshark(string file)
    {
        var text = TestData.RunTool("tshark", "-n", "-q", "-r", TestData.Path(file), "-z", "expert");
        var expected = new Dictionary<string, int>();
        string severity = "";
        foreach (var line in text.Split('\n'))
        {
            var head = Regex.Match(line, @"^(Errors|Warns|Notes|Chats) \(\d+\)");
            if (head.Success) { severity = head.Groups[1].Value; continue; }
            var m = Regex.Match(line, @"^\s+(\d+)\s+(\S+)\s+(\S+)\s+(.*)$");
            if (!m.Success || m.Groups[3].Value != "TCP" || m.Groups[2].Value == "Malformed") continue;
            string key = $"{severity}|{m.Groups[4].Value.Trim()}";
            expected[key] = expected.GetValueOrDefault(key) + int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        var ex = new ExpertAnalyzer();
        var actual = new Dictionary<string, int>();
        foreach (var s in Segments(file))
            foreach (var e in ex.Analyze(s))
            {
                string sev = e.SeverityValue switch { ExpertSeverity.Warning => "Warns", ExpertSeverity.Note => "Notes", ExpertSeverity.Chat => "Chats", _ => "Errors" };
                string key = $"{sev}|{e.Message}";
                actual[key] = actual.GetValueOrDefault(key) + 1;
            }
        var diffs = expected.Keys.Union(actual.Keys)
            .Where(k => expected.GetValueOrDefault(k) != actual.GetValueOrDefault(k))
            .Select(k => $"{k}: tshark {expected.GetValueOrDefault(k)}, Lab2Tools {actual.GetValueOrDefault(k)}").ToList();
        Assert.True(diffs.Count == 0, $"{file}:\n" + string.Join("\n", diffs));
    }

    /// <summary>Follow TCP stream: each direction's bytes against tshark -z follow,tcp,raw.</summary>
    [Theory]
    [InlineData("http-visit.pcap")]
    [InlineData("loss.pcap")]
    [InlineData("half-close.pcap")]
    [InlineData("midstream.pcap")]
    [InlineData("http-visit-ipv6.pcap")]
    public void FollowMatchesTshark(string file)
    {
        var segments = Segments(file, payload: true);
        foreach (var group in segments.GroupBy(s => s.Stream))
        {
            var f = new StreamFollower();
            foreach (var s in group) f.Add(s);
            var content = f.Finish();
            var text = TestData.RunTool("tshark", "-n", "-q", "-r", TestData.Path(file), "-z", $"follow,tcp,raw,{group.Key}");
            var first = new List<byte>();
            var second = new List<byte>();
            string? node0 = null;
            bool inData = false;
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith("Node 0:")) node0 = line.Substring(7).Trim();
                if (line.StartsWith("Node 1:")) { inData = true; continue; }
                if (line.StartsWith("=====")) inData = false;
                if (!inData || line.Length == 0) continue;
                var target = line.StartsWith('\t') ? second : first;
                target.AddRange(Convert.FromHexString(line.Trim()));
            }
            Assert.NotNull(node0);
            bool clientIsNode0 = node0 == content.Client.ToString();
            Assert.Equal(clientIsNode0 ? first.ToArray() : second.ToArray(), content.ClientData);
            Assert.Equal(clientIsNode0 ? second.ToArray() : first.ToArray(), content.ServerData);
            // tshark marks no gap in these captures (every byte was captured)
            Assert.DoesNotContain("bytes missing in capture file", text);
            Assert.Equal(0, content.ClientMissingBytes + content.ServerMissingBytes);
        }
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void HandshakeIrttMatchesTshark(string file)
    {
        var rows = TestData.Tshark(TestData.Path(file), "tcp.analysis.initial_rtt", "tcp.stream", "tcp.analysis.initial_rtt");
        var expected = rows.GroupBy(r => int.Parse(r["tcp.stream"], CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => double.Parse(g.First()["tcp.analysis.initial_rtt"], CultureInfo.InvariantCulture));
        foreach (var h in Records(file).Select(r => r.ToHandshake()).Where(h => h?.InitialRtt != null))
            // InitialRtt is a TimeSpan (100 ns ticks): agree to the microsecond
            Assert.InRange(Math.Abs(expected[h!.Stream] * 1e6 - h.InitialRtt!.Value.TotalMicroseconds), 0, 1);
    }

    // ---- hand-verified expectations on the recorded captures --------------------------------

    [Theory]
    [InlineData("http-visit.pcap", 0, "SF", "ShADadfF")]        // Flask closes first: server FIN (f) before client FIN (F)
    [InlineData("refused.pcap", 0, "REJ", "Sr")]
    [InlineData("syn-no-answer.pcap", 0, "S0", "S")]            // retransmitted SYNs with the same seq are not repeated
    [InlineData("client-abort.pcap", 0, "RSTO", "ShADadtWR")]   // client zero window (W), server retransmits (t), client RST
    [InlineData("half-close.pcap", 0, "SF", "ShADaFdf")]        // client FIN right after its request, server data after it
    [InlineData("midstream.pcap", 0, "SF", "DadAfF")]           // no SYN: Zeek's midstream history, closed both ways
    [InlineData("loss.pcap", 0, "SF", "ShADadttfF")]            // t logarithmic: 1st and 10th retransmission
    public void ZeekStateAndHistory(string file, int stream, string state, string history)
    {
        var c = Records(file).Single(r => r.Stream == stream).ToConnection();
        Assert.Equal(state, c.ConnState);
        Assert.Equal(history, c.History);
    }

    [Fact]
    public void HandshakeOfTheLabPage()
    {
        var h = Records("http-visit.pcap")[0].ToHandshake()!;
        Assert.Equal(HandshakeVerdict.Complete, h.VerdictValue);
        Assert.Equal((1L, 2L, 3L), (h.Syn.Frame, h.SynAck!.Frame, h.Ack!.Frame));
        Assert.Equal((0u, 0u), (h.Syn.Seq, h.SynAck.Seq));
        Assert.Equal((1u, 1u, 1u), (h.SynAck.Ack, h.Ack.Seq, h.Ack.Ack));
        Assert.Equal(h.ClientIsn + 1, h.SynAck.AckRaw);
        Assert.Equal(h.ServerIsn + 1, h.Ack.AckRaw);
        Assert.True(h.WindowScaling);
        Assert.Equal(1024, h.ClientWindowMultiplier);
        Assert.True(h.SackPermitted && h.Timestamps);
        Assert.Equal(65495, h.ClientMaxSegment);
        Assert.Contains("consumes one sequence number", h.Syn.Explanation);
    }

    [Theory]
    [InlineData("refused.pcap", HandshakeVerdict.Rejected)]
    [InlineData("syn-no-answer.pcap", HandshakeVerdict.NoAnswer)]
    public void FailedHandshakes(string file, HandshakeVerdict verdict)
    {
        var h = Records(file)[0].ToHandshake()!;
        Assert.Equal(verdict, h.VerdictValue);
        Assert.Null(h.Ack);
        if (verdict == HandshakeVerdict.NoAnswer) Assert.Equal(3, h.SynRetransmissions.Count);
    }

    [Fact]
    public void TeardownKinds()
    {
        var visit = Records("http-visit.pcap").Select(r => r.ToTeardown()!).ToList();
        // Flask sends the first FIN; curl answers FIN+ACK at once: three segments, TIME_WAIT on the server
        Assert.Equal(TeardownKind.ThreeWay, visit[0].KindValue);
        Assert.Equal(ConnectionRole.Server, visit[0].ActiveCloserValue);
        Assert.Equal("Server", visit[0].TimeWaitSide);
        Assert.Equal(new[] { "FIN", "FIN", "ACK" }, visit[0].Steps.Select(s => s.Name));

        var abort = Records("client-abort.pcap")[0].ToTeardown()!;
        Assert.Equal(TeardownKind.Reset, abort.KindValue);
        Assert.Equal(ConnectionRole.Client, abort.ResetByValue);
        Assert.Equal("ClosedWithDataInFlight", abort.ResetReason);
        Assert.Null(abort.TimeWaitSide);

        var half = Records("half-close.pcap")[0].ToTeardown()!;
        Assert.Equal(TeardownKind.HalfClose, half.KindValue);
        Assert.Equal(ConnectionRole.Client, half.ActiveCloserValue);
        Assert.True(half.DataAfterFirstFin > 20000);

        var refused = Records("refused.pcap")[0].ToTeardown()!;
        Assert.Equal("ConnectionRefused", refused.ResetReason);

        var keep = Records("keepalive.pcap")[0].ToTeardown()!;
        Assert.Contains(keep.KindValue, new[] { TeardownKind.FourWay, TeardownKind.ThreeWay });
    }

    [Fact]
    public void StateTimelineOfAServerFirstClose()
    {
        var t = Records("http-visit.pcap")[0].ToStateTimeline();
        string Path(ConnectionRole role) => string.Join(" ", t.Where(x => x.RoleValue == role).Select(x => x.To));
        Assert.Equal("CLOSED SYN_SENT ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED", Path(ConnectionRole.Client));
        Assert.Equal("LISTEN SYN_RECEIVED ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT CLOSED", Path(ConnectionRole.Server));
        Assert.Null(t.Last().Frame); // TIME_WAIT expiry is not in the capture
        var estClient = t.First(x => x.RoleValue == ConnectionRole.Client && x.ToValue == TcpState.ESTABLISHED);
        var estServer = t.First(x => x.RoleValue == ConnectionRole.Server && x.ToValue == TcpState.ESTABLISHED);
        Assert.Equal((2L, 3L), (estClient.Frame!.Value, estServer.Frame!.Value));
    }

    [Fact]
    public void StateTimelineOfARefusalAndAReset()
    {
        var refused = Records("refused.pcap")[0].ToStateTimeline();
        Assert.DoesNotContain(refused, x => x.ToValue == TcpState.LISTEN);
        Assert.Equal("CLOSED SYN_SENT CLOSED", string.Join(" ", refused.Where(x => x.RoleValue == ConnectionRole.Client).Select(x => x.To)));

        var abort = Records("client-abort.pcap")[0].ToStateTimeline();
        Assert.Equal(TcpState.CLOSED, abort.Last(x => x.RoleValue == ConnectionRole.Server).ToValue);
        Assert.Equal("received RST", abort.Last(x => x.RoleValue == ConnectionRole.Server).Cause);
        Assert.DoesNotContain(abort, x => x.ToValue == TcpState.TIME_WAIT);
    }
}

public class FollowGapTests
{
    [Fact]
    public void AMissingSegmentIsMarkedAsWiresharkMarksIt()
    {
        // tests/data/missing-segment.pcap is http-visit.pcap without frame 8 (8192 bytes of the page)
        var f = new StreamFollower();
        foreach (var s in ConnectionAnalysisTests.Segments("missing-segment.pcap", payload: true).Where(s => s.Stream == 0)) f.Add(s);
        var c = f.Finish();
        Assert.Equal(8192, c.ServerMissingBytes);
        Assert.Equal(0, c.ClientMissingBytes);
        Assert.Contains("[8192 bytes missing in capture file]", c.Text);
        var tshark = TestData.RunTool("tshark", "-n", "-q", "-r", TestData.Path("missing-segment.pcap"), "-z", "follow,tcp,ascii,0");
        Assert.Contains("[8192 bytes missing in capture file]", tshark);
        // the bytes after the hole are still there, in order
        Assert.EndsWith("</body></html>\n", System.Text.Encoding.Latin1.GetString(c.ServerData));
    }
}
