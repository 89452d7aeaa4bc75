using System.Diagnostics;
using System.Globalization;
using System.Text;
using Lab2Tools.Analysis.Graphs;
using Lab2Tools.Analysis.Statistics;
using Lab2Tools.Model;
using Lab2Tools.Pipeline;
using Xunit;

namespace Lab2Tools.Tests;

/// <summary>
/// The TCP stream graphs against tcptrace 6.6.7's time-sequence graphs (tcptrace -n -z -G, *_tsg.xpl): every data
/// segment's bar, every point of the ACK line and of the receive-window line, exact in sequence numbers and to
/// the microsecond in time, on every capture in tests/data.
/// </summary>
public class StreamGraphTests
{
    private static List<TcpSegment> Read(string file)
    {
        var list = new List<TcpSegment>();
        using var r = TcpSegmentReader.Open(TestData.Path(file), includePayload: false);
        while (true)
        {
            var st = r.Read();
            if (st == ReadStatus.End) break;
            if (st == ReadStatus.Segment) list.Add(r.Current!);
        }
        return list;
    }

    /// <summary>Runs tcptrace -n -z -G in a fresh folder; returns the folder.</summary>
    internal static string Tcptrace(string file, params string[] extra)
    {
        string dir = Path.Combine(Path.GetTempPath(), "l2t-tcptrace-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var psi = new ProcessStartInfo("tcptrace") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in extra) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(TestData.Path(file));
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"tcptrace is needed by this test (Debian: apt-get install tcptrace): {e.Message}");
        }
        var err = p.StandardError.ReadToEndAsync();
        File.WriteAllText(Path.Combine(dir, "stdout.txt"), p.StandardOutput.ReadToEnd());
        p.WaitForExit();
        File.WriteAllText(Path.Combine(dir, "stderr.txt"), err.Result);
        return dir;
    }

    internal sealed record XplFile(string Prefix, string Sender, string Receiver, List<(string Color, string Op, string[] Args)> Items);

    /// <summary>Parses an xplot file into (current colour, command, arguments) items.</summary>
    internal static XplFile ParseXpl(string path)
    {
        var lines = File.ReadAllLines(path);
        var items = new List<(string, string, string[])>();
        string color = "white";
        string title = lines[2];
        var colors = new HashSet<string> { "white", "green", "red", "blue", "yellow", "purple", "orange", "magenta", "pink" };
        for (int i = 3; i < lines.Length; i++)
        {
            var parts = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            if (parts.Length == 1 && colors.Contains(parts[0])) { color = parts[0]; continue; }
            if (parts[0] is "xlabel" or "ylabel") { i++; continue; }
            if (parts[0] is "atext" or "ltext" or "rtext" or "btext" or "ctext") { items.Add((color, parts[0],
                parts[1..])); i++; continue; }
            items.Add((color, parts[0], parts[1..]));
        }
        var ends = title.Split(' ')[0].Split("_==>_");
        return new XplFile(Path.GetFileName(path).Split('_')[0], ends[0], ends[1], items);
    }

    private static long Micros(string s) => (long)Math.Round(double.Parse(s, CultureInfo.InvariantCulture) * 1_000_000);
    private static long Micros(double s) => (long)Math.Round(s * 1_000_000);
    /// <summary>
    /// The port of an endpoint: tcptrace -n prints IPv6 addresses mangled (::1 as ":0001"), so endpoints are matched by port.
    /// </summary>
    private static string Ep(string s) => s[(s.LastIndexOf(':') + 1)..];

    /// <summary>
    /// tcptrace's connections in order, each with its two directions' tsg files, paired with our streams by endpoints and order.
    /// </summary>
    internal static List<(int Stream, XplFile Tsg)> PairConnections(string dir, List<TcpSegment> segs)
    {
        var files = Directory.GetFiles(dir, "*_tsg.xpl").Select(ParseXpl).ToList();
        var ours = segs.GroupBy(s => s.Stream).OrderBy(g => g.Key)
            .Select(g => (Stream: g.Key, Key: EndKey(Ep(g.First().SourceEndPoint.ToString()),
                Ep(g.First().DestinationEndPoint.ToString())))).ToList();
        var result = new List<(int, XplFile)>();
        // tcptrace names connection n's directions with letters 2n, 2n+1 (a2b/b2a, c2d/d2c, ..., aa2ab ...): order them by first file name
        foreach (var f in files.OrderBy(f => PrefixOrder(f.Prefix)))
        {
            string key = EndKey(Ep(f.Sender), Ep(f.Receiver));
            var candidates = ours.Where(o => o.Key == key).ToList();
            int conn = ConnectionIndexAmongSameEndpoints(files, f, key);
            if (conn < candidates.Count) result.Add((candidates[conn].Stream, f));
        }
        return result;
    }

    private static int PrefixOrder(string prefix)
    {
        string first = prefix.Split('2')[0];
        int n = 0;
        foreach (char c in first) n = n * 26 + (c - 'a' + 1);
        return n;
    }

    private static int ConnectionIndexAmongSameEndpoints(List<XplFile> files, XplFile f, string key)
    {
        // the connections (by sender-letter pair) with these endpoints, in tcptrace's order
        var conns = files.Where(x => EndKey(Ep(x.Sender), Ep(x.Receiver)) == key)
            .Select(x => ConnId(x.Prefix)).Distinct().OrderBy(x => x).ToList();
        return conns.IndexOf(ConnId(f.Prefix));
    }

    private static int ConnId(string prefix)
    {
        var p = prefix.Split('2');
        return Math.Min(PrefixOrder(p[0]), PrefixOrder(p[1]));
    }

    private static string EndKey(string a, string b) => string.CompareOrdinal(a, b) < 0 ? a + "|" + b : b + "|" + a;

    [Theory]
    [MemberData(nameof(TestData.Captures), MemberType = typeof(TestData))]
    public void TimeSequenceGraphAgreesWithTcptrace(string file)
    {
        var segs = Read(file);
        string dir = Tcptrace(file, "-n", "-z", "-G");
        try
        {
            string said = File.ReadAllText(Path.Combine(dir, "stdout.txt")) + File.ReadAllText(Path.Combine(dir, "stderr.txt"));
            if (said.Contains(" 0 TCP packets traced") || said.Contains("did not understand link format"))
            {
                // tcptrace 6.6.7 decodes neither 802.1Q-tagged frames nor Linux cooked v2 (link type 276): nothing to compare with
                Assert.Contains(file, new[] { "http-visit-vlan.pcap", "http-visit-any-sll2.pcap" });
                Assert.NotEmpty(segs);
                return;
            }
            var builder = new TcpStreamGraphBuilder();
            foreach (var s in segs) builder.Add(s);
            var pairs = PairConnections(dir, segs);
            Assert.True(pairs.Count > 0 || segs.Count == 0, $"no tcptrace connection matched in {file}");
            var report = new StringBuilder();
            int compared = 0, sacks = 0;
            foreach (var (stream, tsg) in pairs)
            {
                var streamSegs = segs.Where(s => s.Stream == stream).ToList();
                var fwdSeg = streamSegs.FirstOrDefault(s => Ep(s.SourceEndPoint.ToString()) == Ep(tsg.Sender));
                if (fwdSeg == null) continue;
                uint offset = fwdSeg.SeqRaw - fwdSeg.Seq;
                var firstSyn = streamSegs.FirstOrDefault(s => (s.Flags & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN);
                bool senderIsClient = firstSyn is TcpSegment syn
                    ? Ep(syn.SourceEndPoint.ToString()) == Ep(tsg.Sender)
                    : Ep(streamSegs[0].SourceEndPoint.ToString()) == Ep(tsg.Sender);
                var graph = builder.Build(stream, TcpGraphType.TcpTrace, senderIsClient ? TcpGraphDirection.ClientToServer :
                    TcpGraphDirection.ServerToClient)!;
                Assert.Equal(Ep(tsg.Sender), Ep(graph.Source));

                // data segments: a vertical "line t seq t end" starting where a darrow (t, seq) is; orange ones are SYN/FIN
                // (one extra sequence number); green, yellow and purple lines are the ACK, window and SACK lines
                var arrows = tsg.Items.Where(x => x.Op == "darrow").Select(x => (x.Args[0], x.Args[1])).ToHashSet();
                var expectedBars = new List<(long T, uint Lo, uint Hi)>();
                foreach (var l in tsg.Items)
                {
                    if (l.Op != "line" || l.Color is "green" or "yellow" or "purple" || l.Args[0] != l.Args[2]) continue;
                    if (!arrows.Contains((l.Args[0], l.Args[1]))) continue;
                    uint lo = uint.Parse(l.Args[1]), hi = uint.Parse(l.Args[3]);
                    if (l.Color == "orange") hi--;
                    if (hi != lo) expectedBars.Add((Micros(l.Args[0]), lo, hi));
                }
                var actualBars = graph.Points.Where(p => p.Series == nameof(TcpGraphSeries.Segment))
                    .Select(p => (T: Micros(p.TimeSeconds), Lo: (uint)p.Low!.Value + offset, Hi: (uint)((uint)p.Low!.Value +
                        (uint)(p.High!.Value - p.Low!.Value)) + offset)).ToList();
                Compare(report, $"{file} stream {stream} {tsg.Prefix} segments", expectedBars, actualBars);

                // the ACK line (green) and the window line (yellow): steps "line t0 v0 t1 v0" then "line t1 v0 t1 v1"
                // tcptrace draws no ACK for a RST segment, Wireshark does (a documented difference, e.g. refused.pcap frame 2)
                var rsts = streamSegs.Where(x => (x.Flags & TcpFlags.RST) != 0).Select(x => x.Frame).ToHashSet();
                var ackOffset = offset;
                Compare(report, $"{file} stream {stream} {tsg.Prefix} ACK line", Steps(tsg, "green"),
                    graph.Points.Where(p => p.Series == nameof(TcpGraphSeries.Ack) &&
                        !rsts.Contains(p.Frame)).Select(p => (Micros(p.TimeSeconds), (uint)p.Value + ackOffset, 0u)).ToList());
                Compare(report, $"{file} stream {stream} {tsg.Prefix} window line", Steps(tsg, "yellow"),
                    graph.Points.Where(p => p.Series == nameof(TcpGraphSeries.ReceiveWindowEdge) && !rsts.Contains(p.Frame))
                        .Select(p => (Micros(p.TimeSeconds), (uint)(long)p.Value + ackOffset, 0u)).ToList());
                // SACK blocks: tcptrace draws every block of an ACK as a purple line, in the ACK's order (Wireshark: Sack, then Sack2)
                var expectedSacks = tsg.Items.Where(x => x.Color == "purple" && x.Op == "line")
                    .Select(x => (Micros(x.Args[0]), uint.Parse(x.Args[1]), uint.Parse(x.Args[3]))).ToList();
                var actualSacks = graph.Points
                    .Where(p => p.Series is nameof(TcpGraphSeries.Sack) or nameof(TcpGraphSeries.Sack2) && !rsts.Contains(p.Frame))
                    .Select(p => (Micros(p.TimeSeconds), (uint)p.Low!.Value + offset, (uint)p.High!.Value + offset)).ToList();
                Compare(report, $"{file} stream {stream} {tsg.Prefix} SACK blocks", expectedSacks, actualSacks);
                sacks += actualSacks.Count;
                compared++;
            }
            Assert.True(report.Length == 0, report.ToString());
            Assert.True(compared > 0 || segs.Count == 0, $"no direction compared in {file}");
            if (file == "loss.pcap") Assert.True(sacks > 1000, $"{sacks} SACK blocks compared");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [MemberData(nameof(TestData.Captures), MemberType = typeof(TestData))]
    public void BytesOutstandingAgreesWithTcptraceOwin(string file)
    {
        var segs = Read(file);
        string dir = Tcptrace(file, "-n", "-z", "-G");
        try
        {
            var builder = new TcpStreamGraphBuilder();
            foreach (var s in segs) builder.Add(s);
            var report = new StringBuilder();
            foreach (var (stream, tsg) in PairConnections(dir, segs))
            {
                var owin = ParseXpl(Path.Combine(dir, tsg.Prefix + "_owin.xpl"));
                var streamSegs = segs.Where(s => s.Stream == stream).ToList();
                var firstSyn = streamSegs.FirstOrDefault(s => (s.Flags & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN);
                bool senderIsClient = firstSyn is TcpSegment syn
                    ? Ep(syn.SourceEndPoint.ToString()) == Ep(tsg.Sender)
                    : Ep(streamSegs[0].SourceEndPoint.ToString()) == Ep(tsg.Sender);
                var graph = builder.Build(stream, TcpGraphType.WindowScaling, senderIsClient ? TcpGraphDirection.ClientToServer :
                    TcpGraphDirection.ServerToClient)!;
                var expected = owin.Items.Where(x => x.Color == "red" && x.Op == "dot").Select(x => (T: Micros(x.Args[0]),
                    V: long.Parse(x.Args[1]))).ToList();
                var ours = graph.Points.Where(p => p.Series == nameof(TcpGraphSeries.BytesOutstanding)).ToDictionary(p => p.Frame);
                // each segment of the graphed direction, in order, with what tcptrace and Wireshark do differently
                bool haveAck = false, retransmitted = false;
                uint lastAck = 0;
                int e = 0;
                foreach (var s in streamSegs)
                {
                    if (Ep(s.SourceEndPoint.ToString()) != Ep(tsg.Sender))
                    {
                        if ((s.Flags & TcpFlags.ACK) != 0 && (!haveAck || (int)(s.Ack - lastAck) >= 0)) { lastAck = s.Ack; haveAck = true; }
                        continue;
                    }
                    long t = Micros(s.TimeInStream.TotalSeconds);
                    // From the first retransmission on, tcptrace's owin follows its own loss bookkeeping (it draws no point for a
                    // segment it takes for a retransmission, e.g. loss.pcap frame 139, which Wireshark calls out-of-order, and its values
                    // differ during recovery): compared up to there
                    retransmitted |= (s.Analysis & (TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.FastRetransmission
                        | TcpAnalysisFlags.SpuriousRetransmission | TcpAnalysisFlags.OutOfOrder)) != 0;
                    if (retransmitted) break;
                    bool theirs = e < expected.Count &&
                        Math.Abs(expected[e].T - Micros(s.TimeRelative.TotalSeconds - streamSegs[0].TimeRelative.TotalSeconds)) <= 1;
                    bool wireshark = ours.TryGetValue(s.Frame, out var p);
                    if ((s.Flags & TcpFlags.RST) != 0)
                    {
                        // tcptrace draws no outstanding-data point for a RST (e.g. client-abort.pcap frame 12); Wireshark does
                        if (theirs && wireshark && expected[e].V != (long)p!.Value +
                            1) report.AppendLine($"{file} frame {s.Frame}: RST owin {expected[e].V} vs {p.Value}");
                        if (theirs && wireshark) e++;
                        continue;
                    }
                    if (!wireshark)
                    {
                        // Wireshark leaves out a segment before the first ACK (midstream.pcap frame 1) and one that ends below the
                        // last ACK, a keep-alive or zero-window probe (keepalive.pcap, zero-window.pcap); tcptrace draws them
                        bool documented = !haveAck || (int)(s.Seq + (uint)s.Len - lastAck) < 0;
                        if (!documented) report.AppendLine($"{file} frame {s.Frame}: no point of ours, not a documented difference");
                        if (theirs) e++;
                        continue;
                    }
                    if (!theirs)
                    {
                        report.AppendLine($"{file} frame {s.Frame}: tcptrace has no owin point at {t} µs (ours {p!.Value})");
                        continue;
                    }
                    long tv = expected[e++].V, wv = (long)p!.Value;
                    // tcptrace counts one more (the last byte sent, inclusive: http-visit.pcap frame 6 is 377 for Wireshark's 376)
                    bool ok = tv == wv + 1;
                    if (!ok) report.AppendLine($"{file} stream {stream} {tsg.Prefix} frame {s.Frame}: tcptrace owin {tv}, ours {wv} (+1)");
                }
                if (!retransmitted && e != expected.Count)
                    report.AppendLine($"{file} stream {stream} {tsg.Prefix}: {expected.Count - e} tcptrace owin points left over");
            }
            Assert.True(report.Length == 0, report.ToString());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// The vertices of a step line drawn in one colour: each horizontal line ends at (t1, v0), a vertical one moves it to v1.
    /// </summary>
    private static List<(long, uint, uint)> Steps(XplFile f, string color)
    {
        var pts = new List<(long, uint, uint)>();
        foreach (var it in f.Items)
        {
            if (it.Color != color || it.Op != "line") continue;
            long t0 = Micros(it.Args[0]), t1 = Micros(it.Args[2]);
            uint v0 = uint.Parse(it.Args[1]), v1 = uint.Parse(it.Args[3]);
            if (v0 == v1 && pts.Count == 0) pts.Add((t0, v0, 0u));      // the line starts at the first ACK
            if (v0 == v1) pts.Add((t1, v1, 0u));                          // horizontal: a new point at t1
            else if (t0 == t1 && pts.Count > 0) pts[^1] = (t1, v1, 0u);   // vertical: the point's value changes
        }
        return pts;
    }

    private static void Compare(StringBuilder report, string what, List<(long T, uint A, uint B)> expected, List<(long T, uint A,
        uint B)> actual)
    {
        int n = Math.Max(expected.Count, actual.Count);
        int shown = 0;
        for (int i = 0; i < n && shown < 5; i++)
        {
            var e = i < expected.Count ? expected[i] : default;
            var a = i < actual.Count ? actual[i] : default;
            bool same = i < expected.Count && i < actual.Count && Math.Abs(e.T - a.T) <= 1 && e.A == a.A && e.B == a.B;
            if (same) continue;
            string theirs = i < expected.Count ? e.ToString() : "-", ours = i < actual.Count ? a.ToString() : "-";
            report.AppendLine($"{what} #{i}: tcptrace {theirs} ours {ours} (counts {expected.Count}/{actual.Count})");
            shown++;
        }
    }
}

/// <summary>The other graphs and the RTT estimate table, checked against tshark and against their definitions.</summary>
public class StreamGraphDefinitionTests
{
    private static (TcpStreamGraphBuilder, List<TcpSegment>) Load(string file)
    {
        var b = new TcpStreamGraphBuilder();
        var list = new List<TcpSegment>();
        using var r = TcpSegmentReader.Open(TestData.Path(file), includePayload: false);
        while (r.Read() == ReadStatus.Segment) { b.Add(r.Current!); list.Add(r.Current!); }
        return (b, list);
    }

    [Fact]
    public void RstAcksAreOnTheAckLineAsInWireshark()
    {
        var (b, _) = Load("refused.pcap");
        var g = b.Build(0, TcpGraphType.TcpTrace, TcpGraphDirection.ClientToServer)!;
        var ack = Assert.Single(g.Points, p => p.Series == nameof(TcpGraphSeries.Ack));
        Assert.Equal(2, ack.Frame);
        Assert.Equal(1, ack.Value);
    }

    [Theory]
    [InlineData("http-visit.pcap")]
    [InlineData("loss.pcap")]
    public void StevensIsEachForwardSegmentsSeqAsTsharkShowsIt(string file)
    {
        var (b, segs) = Load(file);
        var tshark = TestData.Tshark(file, "tcp", "frame.number", "tcp.stream", "tcp.seq", "tcp.time_relative");
        foreach (int stream in b.Streams)
        {
            var g = b.Build(stream, TcpGraphType.Stevens, TcpGraphDirection.ServerToClient)!;
            var rows = tshark.Where(r => r["tcp.stream"] == stream.ToString(CultureInfo.InvariantCulture))
                .ToDictionary(r => long.Parse(r["frame.number"]));
            var fwd = segs.Where(s => s.Stream == stream && $"{s.Source}:{s.SourcePort}" == g.Source).Select(s => s.Frame).ToList();
            Assert.Equal(fwd, g.Points.Select(p => p.Frame).ToList());
            foreach (var p in g.Points)
            {
                Assert.Equal(rows[p.Frame]["tcp.seq"], p.Value.ToString(CultureInfo.InvariantCulture));
                Assert.Equal(double.Parse(rows[p.Frame]["tcp.time_relative"], CultureInfo.InvariantCulture), p.TimeSeconds, 6);
            }
        }
    }

    [Theory]
    [InlineData("loss.pcap")]
    [InlineData("zero-window.pcap")]
    public void ThroughputIsTheBitsOfTheLastSecond(string file)
    {
        var (b, segs) = Load(file);
        foreach (int stream in b.Streams)
        {
            var g = b.Build(stream, TcpGraphType.Throughput)!;
            var lens = g.Points.Where(p => p.Series == nameof(TcpGraphSeries.SegmentLength)).ToList();
            var tput = g.Points.Where(p => p.Series == nameof(TcpGraphSeries.Throughput)).ToList();
            Assert.NotEmpty(tput);
            foreach (var p in tput)
            {
                // the bytes of the segments in (t - 1 s, t], as Wireshark's 1-second moving average counts them
                // (a point where a segment enters the window counts [t - 1 s, t]; one where a segment leaves it, (t - 1 s, t])
                bool entering = lens.Any(l => Math.Abs(l.TimeSeconds - p.TimeSeconds) < 1e-9);
                double reach = entering ? 1.0 + 1e-9 : 1.0 - 1e-9;
                long bytes = lens.Where(l => l.TimeSeconds <= p.TimeSeconds + 1e-9 &&
                    p.TimeSeconds - l.TimeSeconds <= reach).Sum(l => (long)l.Value);
                Assert.Equal(bytes * 8.0, p.Value, 3);
            }
        }
    }

    [Fact]
    public void WindowScalingShowsTheZeroWindowAndBytesInFlight()
    {
        var (b, segs) = Load("zero-window.pcap");
        var g = b.Build(0, TcpGraphType.WindowScaling, TcpGraphDirection.ServerToClient)!;
        var rwin = g.Points.Where(p => p.Series == nameof(TcpGraphSeries.ReceiveWindow)).ToList();
        Assert.Contains(rwin, p => p.Value == 0);
        // each receive-window point is the scaled window (tcp.window_size) of that frame
        var byFrame = segs.ToDictionary(s => s.Frame);
        Assert.All(rwin, p => Assert.Equal(byFrame[p.Frame].WindowSize, (long)p.Value));
        // bytes outstanding never exceed the largest window the receiver advertised (flow control)
        var outstanding = g.Points.Where(p => p.Series == nameof(TcpGraphSeries.BytesOutstanding)).ToList();
        Assert.NotEmpty(outstanding);
        Assert.True(outstanding.Max(p => p.Value) <= rwin.Max(p => p.Value));
    }

    [Fact]
    public void RttSamplesOfAnUnlossyTransferAreTsharksAckRtt()
    {
        // with no loss and one ACK per flight, every Wireshark RTT-graph sample of a fully acknowledged segment
        // ends at an ACK whose ack_rtt (to the newest segment it covers) is at most that sample
        var (b, segs) = Load("http-visit.pcap");
        var byFrame = segs.ToDictionary(s => s.Frame);
        foreach (int stream in b.Streams)
        {
            var g = b.Build(stream, TcpGraphType.RoundTripTime, TcpGraphDirection.ServerToClient)!;
            var samples = g.Points.Where(p => p.Series == nameof(TcpGraphSeries.RoundTripTime)).ToList();
            Assert.NotEmpty(samples);
            foreach (var p in samples)
            {
                var ack = byFrame[p.Frame];
                Assert.NotNull(ack.AckRtt);
                Assert.True(ack.AckRtt!.Value.TotalSeconds <= p.Value + 1e-6, $"frame {p.Frame}: ack_rtt {ack.AckRtt} > sample {p.Value}");
                Assert.InRange(Math.Abs(ack.TimeInStream.TotalSeconds - p.TimeSeconds - p.Value), 0, 1.5e-6);
            }
        }
    }

    [Fact]
    public void RttEstimateFollowsRfc6298()
    {
        var est = new Lab2Tools.Analysis.Statistics.RttEstimator(clockGranularityMilliseconds: 1, minimumRtoMilliseconds: 1000);
        var tshark = TestData.Tshark("loss.pcap", "tcp.analysis.ack_rtt", "frame.number", "tcp.analysis.ack_rtt",
            "tcp.analysis.acks_frame");
        var rows = new List<Lab2Tools.Analysis.Statistics.TcpRttEstimate>();
        using (var r = TcpSegmentReader.Open(TestData.Path("loss.pcap"), includePayload: false))
            while (r.Read() == ReadStatus.Segment)
                if (est.Add(r.Current!) is { } row) rows.Add(row);
        Assert.True(rows.Count > 100);
        var ackRtt = tshark.ToDictionary(t => long.Parse(t["frame.number"]), t => double.Parse(t["tcp.analysis.ack_rtt"],
            CultureInfo.InvariantCulture) * 1000);
        foreach (var grp in rows.GroupBy(x => (x.Stream, x.Sender)))
        {
            double srtt = 0, rttvar = 0;
            int n = 0;
            foreach (var row in grp)
            {
                Assert.Equal(ackRtt[row.AckFrame], row.SampleRttMilliseconds, 3);
                double r = row.SampleRttMilliseconds;
                if (n++ == 0) { srtt = r; rttvar = r / 2; }
                else { rttvar = 0.75 * rttvar + 0.25 * Math.Abs(srtt - r); srtt = 0.875 * srtt + 0.125 * r; }
                Assert.Equal(n, row.Sample);
                Assert.Equal(srtt, row.EstimatedRttMilliseconds, 9);
                Assert.Equal(rttvar, row.DevRttMilliseconds, 9);
                Assert.Equal(srtt + 4 * rttvar, row.TimeoutIntervalMilliseconds, 9);
                Assert.Equal(Math.Max(1000, srtt + Math.Max(1, 4 * rttvar)), row.RtoMilliseconds, 9);
            }
        }
        // Karn's algorithm: no sample from an ACK of a retransmitted segment
        var retransmitted = TestData.Tshark("loss.pcap", "tcp.analysis.retransmission",
            "frame.number").Select(t => long.Parse(t["frame.number"])).ToHashSet();
        Assert.NotEmpty(retransmitted);
        Assert.DoesNotContain(rows, x => retransmitted.Contains(x.SegmentFrame));
        int karn = tshark.Count(t => t["tcp.analysis.acks_frame"].Length > 0 &&
            retransmitted.Contains(long.Parse(t["tcp.analysis.acks_frame"])));
        Assert.Equal(tshark.Count - karn, rows.Count);
    }

    [Fact]
    public void SvgHasAxesLegendAndStaysSmallForLongStreams()
    {
        var (b, _) = Load("loss.pcap");
        foreach (TcpGraphType type in Enum.GetValues<TcpGraphType>())
        {
            var g = b.Build(0, type)!;
            string svg = TcpGraphSvgRenderer.Render(g);
            var doc = System.Xml.Linq.XDocument.Parse(svg);
            Assert.Contains("class=\"axis x-axis\"", svg);
            Assert.Contains("class=\"axis y-axis\"", svg);
            Assert.Contains("class=\"legend\"", svg);
            Assert.Contains("Time since the connection", svg);
            Assert.True(svg.Length < 400_000, $"{type}: {svg.Length} characters");
        }
    }

    [Fact]
    public void UnderChineseTheGraphSpeaksChineseWithTheSamePoints()
    {
        var (b, _) = Load("loss.pcap");
        foreach (TcpGraphType type in Enum.GetValues<TcpGraphType>())
        {
            var en = b.Build(0, type)!;
            TcpStreamGraph zh;
            string svg;
            using (Lab2Tools.Text.TextCulture.Use(new System.Globalization.CultureInfo("zh-CN")))
            {
                zh = b.Build(0, type)!;
                svg = TcpGraphSvgRenderer.Render(zh);
            }
            Assert.Contains("自连接第一个报文段起的时间", svg);
            Assert.DoesNotContain("Time since", svg);
            var labels = System.Xml.Linq.XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "text")
                .Select(e => e.Value).Where(v => System.Text.RegularExpressions.Regex.IsMatch(v, "[a-z]{4,}")).ToList();
            Assert.True(labels.All(v => System.Text.RegularExpressions.Regex.IsMatch(v, @"\p{IsCJKUnifiedIdeographs}|tcptrace|Stevens")),
                $"{type}: English label(s): {string.Join(" | ", labels)}");
            Assert.Equal(en.Points.Select(p => (p.Frame, p.Value)), zh.Points.Select(p => (p.Frame, p.Value)));
        }
    }
}

/// <summary>tcptrace's long report (tcptrace -l -r -n --csv) against TcpConnectionStatisticsAnalyzer, field by field.</summary>
public class ConnectionStatisticsTests
{
    // tcptrace's CSV column (without _a2b/_b2a) → our property and how tcptrace prints it
    private static readonly (string Column, string Property, string Format)[] Fields =
    {
        ("total_packets", "TotalPackets", "n"), ("resets_sent", "ResetsSent", "n"), ("ack_pkts_sent", "AckPacketsSent", "n"),
        ("pure_acks_sent", "PureAcksSent", "n"), ("sack_pkts_sent", "SackPacketsSent", "n"), ("dsack_pkts_sent", "DsackPacketsSent", "n"),
        ("max_sack_blks/ack", "MaxSackBlocksPerAck", "n"), ("unique_bytes_sent", "UniqueBytesSent", "n"),
        ("actual_data_pkts", "ActualDataPackets", "n"), ("actual_data_bytes", "ActualDataBytes", "n"),
        ("rexmt_data_pkts", "RetransmittedDataPackets", "n"), ("rexmt_data_bytes", "RetransmittedDataBytes", "n"),
        ("zwnd_probe_pkts", "ZeroWindowProbePackets", "n"), ("zwnd_probe_bytes", "ZeroWindowProbeBytes", "n"),
        ("outoforder_pkts", "OutOfOrderPackets", "n"), ("pushed_data_pkts", "PushedDataPackets", "n"),
        ("SYN/FIN_pkts_sent", "SynFin", "synfin"), ("req_1323_ws/ts", "WsTs", "wsts"), ("adv_wind_scale", "AdvertisedWindowScale", "n"),
        ("req_sack", "SackRequested", "yn"), ("sacks_sent", "SacksSent", "n"), ("mss_requested", "MssRequested", "mss"),
        ("max_segm_size", "MaxSegmentSize", "n"), ("min_segm_size", "MinSegmentSize", "n"), ("avg_segm_size", "AvgSegmentSize", "n"),
        ("max_win_adv", "MaxWindowAdvertised", "n"), ("min_win_adv", "MinWindowAdvertised", "n"),
        ("zero_win_adv", "ZeroWindowAdvertisements", "n"), ("avg_win_adv", "AvgWindowAdvertised", "n"),
        ("initial_window_bytes", "InitialWindowBytes", "n"), ("initial_window_pkts", "InitialWindowPackets", "n"),
        ("ttl_stream_length", "StreamLength", "na"), ("missed_data", "MissedData", "na"),
        ("truncated_data", "TruncatedDataBytes", "n"), ("truncated_packets", "TruncatedPackets", "n"),
        ("data_xmit_time", "DataTransmitTimeSeconds", "0.000"), ("idletime_max", "IdleTimeMaxMilliseconds", "0.0"),
        ("throughput", "ThroughputBytesPerSecond", "0"), ("RTT_samples", "RttSamples", "n"),
        ("RTT_min", "RttMinMilliseconds", "0.0"), ("RTT_max", "RttMaxMilliseconds", "0.0"), ("RTT_avg", "RttAvgMilliseconds", "0.0"),
        ("RTT_stdev", "RttStdevMilliseconds", "0.0"), ("RTT_from_3WHS", "RttFromHandshakeMilliseconds", "0.0"),
        ("RTT_full_sz_smpls", "RttFullSizeSamples", "n"), ("RTT_full_sz_min", "RttFullSizeMinMilliseconds", "0.0"),
        ("RTT_full_sz_max", "RttFullSizeMaxMilliseconds", "0.0"), ("RTT_full_sz_avg", "RttFullSizeAvgMilliseconds", "0.0"),
        ("RTT_full_sz_stdev", "RttFullSizeStdevMilliseconds", "0.0"), ("duplicate_acks", "DuplicateAcks", "n"),
        ("triple_dupacks", "TripleDuplicateAcks", "n"),
    };

    private static string Ours(Lab2Tools.Analysis.Statistics.TcpDirectionStatistics d, string property, string format)
    {
        if (property == "SynFin") return $"{d.SynPacketsSent}/{d.FinPacketsSent}";
        if (property == "WsTs") return $"{(d.WindowScaleRequested ? "Y" : "N")}/{(d.TimestampsRequested ? "Y" : "N")}";
        object? v = typeof(Lab2Tools.Analysis.Statistics.TcpDirectionStatistics).GetProperty(property)!.GetValue(d);
        return format switch
        {
            "yn" => (bool)v! ? "Y" : "N",
            "na" => v == null ? "NA" : Convert.ToString(v, CultureInfo.InvariantCulture)!,
            "n" or "mss" => Convert.ToString(v, CultureInfo.InvariantCulture)!,
            _ => v == null ? "NA" : ((double)v).ToString(format, CultureInfo.InvariantCulture),
        };
    }

    [Theory]
    [MemberData(nameof(TestData.Captures), MemberType = typeof(TestData))]
    public void LongReportAgreesWithTcptrace(string file)
    {
        // the analyzer as it is, and with tcptrace's one-byte "full size" defect reproduced to compare every other number
        var analyzer = new Lab2Tools.Analysis.Statistics.TcpConnectionStatisticsAnalyzer();
        var quirky = new Lab2Tools.Analysis.Statistics.TcpConnectionStatisticsAnalyzer { TcptraceFullSizeQuirk = true };
        var segs = new List<TcpSegment>();
        using (var r = TcpSegmentReader.Open(TestData.Path(file), includePayload: true))
            while (true)
            {
                var st = r.Read();
                if (st == ReadStatus.End) break;
                if (st != ReadStatus.Segment) continue;
                analyzer.Add(r.Current!);
                quirky.Add(r.Current!);
                segs.Add(r.Current!.WithoutPayload());
            }
        var right = analyzer.Results().ToList();
        var ours = quirky.Results().ToList();
        var fullSize = typeof(Lab2Tools.Analysis.Statistics.TcpDirectionStatistics).GetProperties()
            .Where(p => p.Name.StartsWith("RttFullSize")).ToList();
        foreach (var (a, q) in right.Zip(ours))
            foreach (var p in typeof(Lab2Tools.Analysis.Statistics.TcpDirectionStatistics).GetProperties())
            {
                if (Equals(p.GetValue(a), p.GetValue(q))) continue;
                // only the full-size RTT fields differ, and only where tcptrace took a one-byte segment for 2^32 bytes
                Assert.Contains(p, fullSize);
                Assert.Equal(1L << 32, q.RttFullSizeSegmentBytes);
            }
        string folder = StreamGraphTests.Tcptrace(file, "-l", "-r", "-n", "--csv");
        string csv = File.ReadAllText(Path.Combine(folder, "stdout.txt"));
        Directory.Delete(folder, true);
        var lines = csv.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (lines.Count == 0)
        {
            // tcptrace 6.6.7 reads neither 802.1Q-tagged frames nor Linux cooked v2
            Assert.Contains(file, new[] { "http-visit-vlan.pcap", "http-visit-any-sll2.pcap" });
            return;
        }
        var header = lines[0].Split(',').Select(h => h.Trim().Replace(' ', '_')).ToList();
        var report = new StringBuilder();
        int compared = 0;
        foreach (var line in lines.Skip(1))
        {
            var cols = line.Split(',').Select(c => c.Trim()).ToList();
            string Col(string name) => cols[header.IndexOf(name)];
            int conn = int.Parse(Col("conn_#")) - 1;
            // tcptrace numbers connections in order of first packet, as tcp.stream does
            var a2b = ours.FirstOrDefault(o => o.Stream == conn && o.Direction == "a2b");
            var b2a = ours.FirstOrDefault(o => o.Stream == conn && o.Direction == "b2a");
            Assert.True(a2b != null && b2a != null, $"{file}: no stream {conn}");
            Assert.EndsWith(":" + Col("port_a"), a2b!.Source);
            Assert.EndsWith(":" + Col("port_b"), a2b.Destination);
            foreach (var (column, property, format) in Fields)
                foreach (var (dir, d) in new[] { ("a2b", a2b), ("b2a", b2a!) })
                {
                    string theirs = Col($"{column}_{dir}");
                    string mine = Ours(d, property, format);
                    compared++;
                    if (theirs == mine) continue;
                    // tcptrace 6.6.7 prints an MSS above 32767 as a sign-extended 32-bit number (65495 as 4294967255)
                    if (format == "mss" && long.Parse(theirs) == (uint)(short)d.MssRequested) continue;
                    // tcptrace 6.6.7 reads at most 65,535 bytes of a frame, link header included: a 65,549-byte Ethernet frame (IP length
                    // 65,535 on loopback) loses 14 bytes as "truncated" (curl-http.pcap frames 76 and 79)
                    var big = segs.Where(x => x.Stream == conn && $"{x.Source}:{x.SourcePort}" == d.Source.Replace("[", "").Replace("]", "")
                        && x.FrameLength > 65535).ToList();
                    if (column == "truncated_data" && long.Parse(theirs) == d.TruncatedDataBytes +
                        big.Sum(x => x.FrameLength - 65535L)) continue;
                    if (column == "truncated_packets" && long.Parse(theirs) == d.TruncatedPackets + big.Count) continue;
                    report.AppendLine($"{file} stream {conn} {dir} {column}: tcptrace '{theirs}' ours '{mine}'");
                }
        }
        Assert.True(report.Length == 0, report.ToString());
        Assert.True(compared > 0);
    }
}
