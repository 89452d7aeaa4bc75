using System.Globalization;
using Lab2Tools.Analysis.Graphs;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Analysis.Statistics;
using Lab2Tools.Model;
using Lab2Tools.Rendering;
using Lab2Tools.Text;

using static Lab2Tools.Text.Figures;

namespace Lab2Tools.Lab;

/// <summary>
/// The report's section on TCP's dynamics: the time-sequence and window-scaling graphs of the audio transfer,
/// what they show (the receive window shrinking and growing, slow start, zero windows), and the RTT estimate
/// table of the page's connection.
/// </summary>
internal static class LabReportTcpDynamics
{
    private static string T(string key) => LabText.Report[key];
    private static string F(string key, params object?[] args) => LabText.Report.Format(key, args);

    public static void Add(ReportDocument doc, LabCaptureAnalysis a, IReadOnlyList<HttpExchange> http, int? pageStream)
    {
        doc.H(2, T("Dynamics.Heading"), "8-tcp-dynamics");
        var audio = http.Where(x => x.Uri.Contains("audio", StringComparison.OrdinalIgnoreCase) && x.StatusCode is 200 or 206)
            .OrderByDescending(x => x.BodyLength).FirstOrDefault();
        if (audio == null || !a.StreamSegments.TryGetValue(audio.Stream, out var segs))
            doc.P(T("Dynamics.NoAudio"));
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
        doc.P(F("Dynamics.Audio", audio.Stream, $"{audio.Method} {audio.Uri}", audio.StatusCode, Grouped(audio.BodyLength), tsg.Source,
            tsg.Destination));
        doc.Svg($"tcptrace-stream-{audio.Stream}.svg", TcpGraphSvgRenderer.Render(tsg, F("Dynamics.TcpTrace.Title", audio.Stream)),
            T("Dynamics.TcpTrace.Caption"));
        doc.Svg($"windowscaling-stream-{audio.Stream}.svg", TcpGraphSvgRenderer.Render(ws, F("Dynamics.Window.Title", audio.Stream)),
            T("Dynamics.Window.Caption"));

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
                notes.Add(after != null && after.Value > min.Value
                    ? F("Dynamics.Shrinks.Grows", Grouped(first.Value), first.Frame, Grouped(min.Value), min.Frame,
                        Ms3(min.TimeSeconds * 1000),
                        Grouped(after.Value), after.Frame)
                    : F("Dynamics.Shrinks", Grouped(first.Value), first.Frame, Grouped(min.Value), min.Frame, Ms3(min.TimeSeconds * 1000)));
            else
                notes.Add(F("Dynamics.Steady", Grouped(first.Value), first.Frame));
            notes.Add(zeros.Count > 0 ? F("Dynamics.ZeroWindow", Analysis.AnalysisText.Words(zeros.Take(10))) : T("Dynamics.NoZeroWindow"));
        }
        var flights = Flights(segs, audio.ServerEndPoint.Port, outst);
        if (flights.Count > 0)
        {
            var peak = flights.OrderByDescending(f => f.Bytes).ThenBy(f => f.Frame).First();
            var run = LongestGrowth(flights);
            string Flight(Flight f) => F("Dynamics.Flight", Grouped(f.Bytes), f.Frame);
            string list = LabText.Join(flights.Take(8).Select(Flight)) + (flights.Count > 8 ? LabText.Comma + "..." : "");
            notes.Add(run.Count >= 3
                ? F("Dynamics.SlowStart", string.Join(" → ", run.Select(Flight)))
                : F("Dynamics.NoSlowStart", list, Grouped(peak.Bytes), peak.Frame));
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
        doc.H(3, F("Dynamics.Rtt.Heading", stream), "rtt-estimates");
        if (rows.Count == 0)
        {
            doc.P(T("Dynamics.Rtt.None"));
            return;
        }
        doc.P(T("Dynamics.Rtt.Intro"));
        doc.T(new[] { T("Dynamics.Rtt.Col.Sender"), "#", T("Dynamics.Rtt.Col.SegmentFrame"), T("Dynamics.Rtt.Col.AckFrame"),
            "SampleRTT (ms)", "EstimatedRTT (ms)", "DevRTT (ms)", "TimeoutInterval (ms)", "RTO (ms)" },
            rows.Take(40).Select(r => new[]
            {
                r.Sender, r.Sample.ToString(CultureInfo.InvariantCulture), r.SegmentFrame.ToString(CultureInfo.InvariantCulture),
                r.AckFrame.ToString(CultureInfo.InvariantCulture), Ms3(r.SampleRttMilliseconds), Ms3(r.EstimatedRttMilliseconds),
                Ms3(r.DevRttMilliseconds), Ms3(r.TimeoutIntervalMilliseconds), r.RtoMilliseconds.ToString("0.###",
                    CultureInfo.InvariantCulture),
            }));
        if (rows.Count > 40) doc.P(F("Dynamics.Rtt.More", rows.Count - 40, stream));
    }
}
