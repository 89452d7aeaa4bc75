using System.Globalization;
using Lab2Tools.Analysis.Graphs;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Analysis.Statistics;
using Lab2Tools.Model;
using Lab2Tools.Rendering;

using static Lab2Tools.Text.Figures;

namespace Lab2Tools.Lab;

/// <summary>
/// The report's section on TCP's dynamics: the time-sequence and window-scaling graphs of the audio transfer,
/// what they show (the receive window shrinking and growing, slow start, zero windows), and the RTT estimate
/// table of the page's connection.
/// </summary>
internal static class LabReportTcpDynamics
{

    public static void Add(ReportDocument doc, LabCaptureAnalysis a, IReadOnlyList<HttpExchange> http, int? pageStream)
    {
        doc.H(2, "8. TCP dynamics: flow control and RTT (流量控制与往返时间)");
        var audio = http.Where(x => x.Uri.Contains("audio", StringComparison.OrdinalIgnoreCase) && x.StatusCode is 200 or 206)
            .OrderByDescending(x => x.BodyLength).FirstOrDefault();
        if (audio == null || !a.StreamSegments.TryGetValue(audio.Stream, out var segs))
            doc.P("The capture has no audio download, so there is no transfer to graph.");
        else
            AudioGraphs(doc, audio, segs);
        if (pageStream is int ps && a.StreamSegments.TryGetValue(ps, out var pageSegs)) RttTable(doc, ps, pageSegs);
    }

    private static void AudioGraphs(ReportDocument doc, HttpExchange audio, IReadOnlyList<TcpSegment> segs)
    {
        var b = new TcpStreamGraphBuilder();
        foreach (var s in segs) b.Add(s);
        var tsg = b.Build(audio.Stream, TcpGraphType.TcpTrace, TcpGraphDirection.ServerToClient)!;
        var ws = b.Build(audio.Stream, TcpGraphType.WindowScaling, TcpGraphDirection.ServerToClient)!;
        doc.P($"Stream {audio.Stream} carried `{audio.Method} {audio.Uri}` ({audio.StatusCode}, {Grouped(audio.BodyLength)} bytes of body) " +
              $"from the server {tsg.Source} to the browser {tsg.Destination}. " +
              "The graphs are Wireshark's Statistics > TCP Stream Graphs for this direction " +
              "(`Get-TcpStreamGraph -Type TcpTrace` and `-Type WindowScaling`).");
        doc.Svg($"tcptrace-stream-{audio.Stream}.svg", TcpGraphSvgRenderer.Render(tsg,
            $"Time-sequence graph (tcptrace), stream {audio.Stream}: the audio"),
            "Time-sequence graph: each data segment is a bar from Seq to Seq + Len; the green line is the browser's ACK, " +
            "the yellow line ACK + receive window, the highest byte the server may send.");
        doc.Svg($"windowscaling-stream-{audio.Stream}.svg", TcpGraphSvgRenderer.Render(ws,
            $"Window scaling, stream {audio.Stream}: the audio"),
            "Window scaling: the receive window the browser advertises and the server's bytes in flight.");

        var notes = new List<string>();
        var rwin = ws.Points.Where(p => p.Series == nameof(TcpGraphSeries.ReceiveWindow)).ToList();
        var outst = ws.Points.Where(p => p.Series == nameof(TcpGraphSeries.BytesOutstanding)).ToList();
        if (rwin.Count > 0)
        {
            var first = rwin[0];
            var min = rwin.OrderBy(p => p.Value).ThenBy(p => p.Frame).First();
            var after = rwin.Where(p => p.Frame > min.Frame).OrderByDescending(p => p.Value).FirstOrDefault();
            var zeros = rwin.Where(p => p.Value == 0).Select(p => p.Frame).ToList();
            if (min.Value < first.Value)
                notes.Add($"The receive window shrinks from {Grouped(first.Value)} bytes (frame {first.Frame}) " +
                          $"to {Grouped(min.Value)} bytes (frame {min.Frame}, {Ms3(min.TimeSeconds * 1000)} ms into the connection) " +
                          "as the data arrives faster than the browser reads it from its buffer" +
                          (after != null && after.Value > min.Value
                              ? $"; it grows again to {Grouped(after.Value)} bytes (frame {after.Frame}) as the browser reads the buffer."
                              : "; it does not grow again before the connection ends."));
            else
                notes.Add($"The receive window never falls below its first value, {Grouped(first.Value)} bytes (frame {first.Frame}): " +
                          "the browser reads the data as fast as it arrives.");
            notes.Add(zeros.Count > 0
                ? $"Zero window in frame(s) {string.Join(", ", zeros.Take(10))}: " +
                  "the browser's buffer was full and the server had to wait (flow control)."
                : "No zero window: the browser's buffer never filled completely.");
        }
        var flights = Flights(segs, audio.ServerEndPoint.Port, outst);
        if (flights.Count > 0)
        {
            var peak = flights.OrderByDescending(f => f.Bytes).ThenBy(f => f.Frame).First();
            var run = LongestGrowth(flights);
            string list = string.Join(", ", flights.Take(8).Select(f => $"{Grouped(f.Bytes)} (frame {f.Frame})")) + (flights.Count > 8 ?
                ", ..." : "");
            notes.Add(run.Count >= 3
                ? "Slow start: from one round trip to the next the bytes in flight grow by half or more, " +
                  $"{string.Join(" → ", run.Select(f => $"{Grouped(f.Bytes)} (frame {f.Frame})"))}, " +
                  "as each ACK lets the congestion window grow."
                : $"No clear slow start: the most bytes in flight in each round trip (between ACKs that advance) were {list}; " +
                  $"the largest, {Grouped(peak.Bytes)} bytes, in frame {peak.Frame}. " +
                  "Slow start would show as flights growing by half or more, round trip after round trip.");
        }
        doc.List(notes);
    }

    private readonly record struct Flight(double Bytes, long Frame);

    /// <summary>The most bytes in flight between successive ACKs (from the receiver) that advance: one flight per round trip.</summary>
    private static List<Flight> Flights(IReadOnlyList<TcpSegment> segs, int serverPort, List<TcpGraphPoint> outstanding)
    {
        var byFrame = outstanding.ToDictionary(p => p.Frame);
        var flights = new List<Flight>();
        Flight current = default;
        uint lastAck = 0;
        bool haveAck = false;
        foreach (var s in segs)
        {
            if (s.SourcePort == serverPort)
            {
                if (byFrame.TryGetValue(s.Frame, out var p) && p.Value > current.Bytes) current = new Flight(p.Value, s.Frame);
                continue;
            }
            if ((s.Flags & TcpFlags.ACK) == 0) continue;
            if (haveAck && (int)(s.Ack - lastAck) > 0 && current.Bytes > 0)
            {
                flights.Add(current);
                current = default;
            }
            if (!haveAck || (int)(s.Ack - lastAck) > 0) { lastAck = s.Ack; haveAck = true; }
        }
        if (current.Bytes > 0) flights.Add(current);
        return flights;
    }

    private static List<Flight> LongestGrowth(List<Flight> flights)
    {
        var best = new List<Flight>();
        var run = new List<Flight>();
        foreach (var f in flights)
        {
            if (run.Count > 0 && f.Bytes < 1.5 * run[^1].Bytes) run = new List<Flight>();
            run.Add(f);
            if (run.Count > best.Count) best = new List<Flight>(run);
        }
        return best;
    }

    private static void RttTable(ReportDocument doc, int stream, IReadOnlyList<TcpSegment> segs)
    {
        var est = new RttEstimator();
        var rows = segs.Select(est.Add).Where(r => r != null).Select(r => r!).ToList();
        doc.H(3, $"RTT estimates of the page's connection (stream {stream})");
        if (rows.Count == 0)
        {
            doc.P("No segment of this connection was acknowledged in the capture, so there is no RTT sample.");
            return;
        }
        doc.P("Each ACK that acknowledges a segment gives an RTT sample (Wireshark's `tcp.analysis.ack_rtt`). RFC 6298's estimator with " +
              "α = 1/8 and β = 1/4: EstimatedRTT = (1 − α)·EstimatedRTT + α·SampleRTT, " +
              "DevRTT = (1 − β)·DevRTT + β·|EstimatedRTT − SampleRTT| " +
              "(the first sample sets EstimatedRTT = SampleRTT and DevRTT = SampleRTT/2), " +
              "TimeoutInterval = EstimatedRTT + 4·DevRTT, and the RTO " +
              "is at least 1 s. Each side estimates the RTT of the data it sends (`Get-TcpRttEstimate`).");
        doc.T(new[] { "Sender", "#", "Segment frame", "ACK frame", "SampleRTT (ms)", "EstimatedRTT (ms)", "DevRTT (ms)",
            "TimeoutInterval (ms)", "RTO (ms)" },
            rows.Take(40).Select(r => new[]
            {
                r.Sender, r.Sample.ToString(CultureInfo.InvariantCulture), r.SegmentFrame.ToString(CultureInfo.InvariantCulture),
                r.AckFrame.ToString(CultureInfo.InvariantCulture), Ms3(r.SampleRttMilliseconds), Ms3(r.EstimatedRttMilliseconds),
                Ms3(r.DevRttMilliseconds), Ms3(r.TimeoutIntervalMilliseconds), r.RtoMilliseconds.ToString("0.###",
                    CultureInfo.InvariantCulture),
            }));
        if (rows.Count > 40) doc.P($"({rows.Count - 40} more rows: `Get-TcpRttEstimate -Stream {stream}`.)");
    }
}
