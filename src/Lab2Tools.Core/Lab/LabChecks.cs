using System.Globalization;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Model;
using Outcome = (Lab2Tools.Lab.LabCheckOutcome result, string evidence, long[] frames, int? stream, string explanation);

using static Lab2Tools.Text.Figures;

namespace Lab2Tools.Lab;

/// <summary>What a lab check concluded: shown, not shown, or nothing in the capture to check.</summary>
public enum LabCheckOutcome
{
    Passed,
    Failed,
    NotApplicable,
}

/// <summary>The outcome of one lab check on one capture.</summary>
public sealed class LabCheckResult
{
    public string Name { get; init; } = "";
    /// <summary>Passed, Failed, or NotApplicable when the capture holds nothing the check could look at.</summary>
    public string Result => ResultValue.ToString();
    internal LabCheckOutcome ResultValue { get; init; }
    /// <summary>True only for <see cref="LabCheckOutcome.Passed"/>.</summary>
    public bool Passed => ResultValue == LabCheckOutcome.Passed;
    /// <summary>What in the capture shows it, with frame numbers (or what is missing).</summary>
    public string Evidence { get; init; } = "";
    /// <summary>The frames the evidence names (written as "1, 2, 3" by Export-Csv).</summary>
    public IReadOnlyList<long> Frames { get => _frames; init => _frames = value as FrameList ?? new FrameList(value ?? Array.Empty<long>()); }
    private IReadOnlyList<long> _frames = FrameList.Empty;
    /// <summary>The TCP stream the evidence comes from, when there is one.</summary>
    public int? Stream { get; init; }
    /// <summary>What the check looks for and why it matters in the lab.</summary>
    public string Explanation { get; init; } = "";
    public string Path { get; init; } = "";
    /// <summary>The lab server's port the check looked at.</summary>
    public int ServerPort { get; init; }
    /// <summary>Why that port: given with -Port, the port that answered GET / with HTML, or the busiest one.</summary>
    public string ServerPortReason { get; init; } = "";
    /// <summary>PASS, FAIL or N/A, as the views show it.</summary>
    public string ResultText => LabChecks.Text(ResultValue);
    public override string ToString() => $"{ResultText} {Name}: {Evidence}";
}


/// <summary>The lab's goals as checks on a capture (Test-LabCapture).</summary>
public static class LabChecks
{
    /// <summary>The checks, in the order of the lab.</summary>
    public static readonly IReadOnlyList<string> Names = new[]
    {
        "Handshake", "SynConsumesSequenceNumber", "PageReassembled", "ExtraConnections", "NotModified",
        "PartialContent", "Teardown", "FinConsumesSequenceNumber", "NothingAbnormal",
    };


    /// <summary>PASS, FAIL or N/A.</summary>
    public static string Text(LabCheckOutcome r) =>
        r switch { LabCheckOutcome.Passed => "PASS", LabCheckOutcome.Failed => "FAIL", _ => "N/A" };

    /// <summary>"7 passed, 1 failed, 1 not applicable" (the parts that are not zero; "0 checks" for none).</summary>
    public static string Tally(IEnumerable<LabCheckResult> checks)
    {
        var list = checks.ToList();
        var parts = new List<string>();
        int p = list.Count(c => c.ResultValue == LabCheckOutcome.Passed), f = list.Count(c => c.ResultValue == LabCheckOutcome.Failed);
        int na = list.Count(c => c.ResultValue == LabCheckOutcome.NotApplicable);
        parts.Add($"{p} of {list.Count} checks passed");
        if (f > 0) parts.Add($"{f} failed");
        if (na > 0) parts.Add($"{na} not applicable (nothing to check)");
        return string.Join(", ", parts);
    }

    /// <summary>The lab server's port: the given one, or the one chosen by evidence (see <see cref="ChooseServerPort"/>).</summary>
    public static int? InferServerPort(LabCaptureAnalysis a, int? port) =>
        port ?? (a.Connections.Count == 0 && a.HttpExchanges.Count == 0 ? null : ChooseServerPort(a, null).port);

    /// <summary>
    /// The lab server's port and why: the given one; else the port that answered GET / with an HTML page (200 text/html,
    /// or 304 to a revalidation), 5000 first when it is among them, then the one with most such answers; else 5000
    /// when a connection went to it; else the port most handshakes (or HTTP requests, or connections) went to.
    /// </summary>
    public static (int port, string reason) ChooseServerPort(LabCaptureAnalysis a, int? port)
    {
        if (port != null) return (port.Value, "given with -Port");
        var pages = a.HttpExchanges.Where(x => x.Method == "GET" && x.Uri == "/" &&
                (x.StatusCode == 304
                    || (x.StatusCode == 200 && (x.ContentType ?? "").StartsWith("text/html", StringComparison.OrdinalIgnoreCase))))
            .GroupBy(x => x.ServerEndPoint.Port).OrderByDescending(g => g.Key == 5000).ThenByDescending(g => g.Count()).ThenBy(g => g.Key).ToList();
        if (pages.Count > 0)
        {
            var g = pages[0];
            string others = pages.Count > 1 ? $" (also answered by port(s) {string.Join(", ", pages.Skip(1).Select(o => o.Key))}; " +
                (g.Key == 5000 ? "5000 is the lab's port)" : "this one answered most often)") : "";
            return (g.Key, $"port {g.Key} answered GET / with the page (frame {g.First().RequestFrame}){others}");
        }
        const string noPage = "no GET / answered with HTML in the capture";
        if (a.Connections.Any(c => c.ServerEndPoint.Port == 5000)) return (5000, $"{noPage}; port 5000, the lab's port, has connections");
        var fromSyn = a.Handshakes.GroupBy(h => h.ServerEndPoint.Port).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).FirstOrDefault();
        if (fromSyn != null) return (fromSyn.Key, $"{noPage}; port {fromSyn.Key} had the most handshakes ({fromSyn.Count()})");
        var fromHttp = a.HttpExchanges.GroupBy(x => x.ServerEndPoint.Port).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).FirstOrDefault();
        if (fromHttp != null) return (fromHttp.Key, $"{noPage}; port {fromHttp.Key} answered the most HTTP requests ({fromHttp.Count()})");
        var conn = a.Connections.GroupBy(c => c.ServerEndPoint.Port).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).FirstOrDefault();
        if (conn != null) return (conn.Key, $"no handshake or HTTP in the capture; port {conn.Key} had the most connections");
        return (5000, "no TCP connection in the capture; the lab's port 5000 is assumed");
    }

    /// <param name="a">The analysed capture.</param>
    /// <param name="serverPort">The lab server's port, or null to choose it by evidence.</param>
    /// <param name="only">Only these checks.</param>
    /// <param name="portReason">Why <paramref name="serverPort"/> (instead of "given with -Port").</param>
    public static IReadOnlyList<LabCheckResult> Run(LabCaptureAnalysis a, int? serverPort = null, IEnumerable<string>? only = null,
        string? portReason = null)
    {
        var (port, reason) = ChooseServerPort(a, serverPort);
        if (serverPort != null && portReason != null) reason = portReason;
        var want = only == null ? null : new HashSet<string>(only, StringComparer.OrdinalIgnoreCase);
        var results = new List<LabCheckResult>();
        var ctx = new Context(a, port);
        foreach (var name in Names)
        {
            if (want != null && !want.Contains(name)) continue;
            var r = name switch
            {
                "Handshake" => ctx.Handshake(),
                "SynConsumesSequenceNumber" => ctx.SynConsumes(),
                "PageReassembled" => ctx.Page(),
                "ExtraConnections" => ctx.ExtraConnections(),
                "NotModified" => ctx.NotModified(),
                "PartialContent" => ctx.Partial(),
                "Teardown" => ctx.Teardown(),
                "FinConsumesSequenceNumber" => ctx.FinConsumes(),
                _ => ctx.Abnormal(),
            };
            results.Add(new LabCheckResult
            {
                Name = name, ResultValue = r.result, Evidence = r.evidence, Frames = r.frames, Stream = r.stream,
                Explanation = r.explanation, Path = a.Path, ServerPort = port, ServerPortReason = reason,
            });
        }
        return results;
    }

    private sealed class Context
    {
        private readonly LabCaptureAnalysis _a;
        private readonly int _port;
        private readonly List<TcpHandshake> _hs;
        private readonly List<HttpExchange> _http;
        private readonly HashSet<int> _streams;

        public Context(LabCaptureAnalysis a, int port)
        {
            _a = a;
            _port = port;
            _streams = a.Connections.Where(c => c.ServerEndPoint.Port == port).Select(c => c.Stream).ToHashSet();
            _hs = a.Handshakes.Where(h => _streams.Contains(h.Stream)).ToList();
            _http = a.HttpExchanges.Where(x => _streams.Contains(x.Stream)).ToList();
        }

        private static Outcome Fail(string evidence, string explanation) =>
            (LabCheckOutcome.Failed, evidence, Array.Empty<long>(), null, explanation);

        /// <summary>The capture holds nothing this check could look at: no pass on no evidence, and no fail either.</summary>
        private static Outcome NotApplicable(string evidence, string explanation) =>
            (LabCheckOutcome.NotApplicable, evidence, Array.Empty<long>(), null, explanation);

        private static LabCheckOutcome R(bool passed) => passed ? LabCheckOutcome.Passed : LabCheckOutcome.Failed;

        private TcpHandshake? BestHandshake() =>
            _hs.FirstOrDefault(h => h.VerdictValue == HandshakeVerdict.Complete && h.ClientOptions.Mss != null && h.ClientOptions.WindowScaleShift != null && h.ClientOptions.SackPermitted)
            ?? _hs.FirstOrDefault(h => h.VerdictValue == HandshakeVerdict.Complete);

        public Outcome Handshake()
        {
            const string why = "A connection opens with SYN, SYN-ACK, ACK; the SYN carries the options the two sides agree on: MSS (largest segment), window scale (shift of the 16-bit window) and SACK_PERM (selective acknowledgements allowed).";
            if (_streams.Count == 0) return NotApplicable($"No TCP connection to port {_port} in the capture: nothing to check.", why);
            var h = BestHandshake();
            if (h == null)
            {
                var first = _hs.FirstOrDefault();
                if (first == null)
                    return NotApplicable($"No connection to port {_port} starts with a SYN in the capture " +
                        "(they started before the capture did): " +
                        "start capturing before loading the page.", why);
                return Fail($"No complete handshake; the first one (stream {first.Stream}) is {first.Verdict}: {first.Explanation}", why);
            }
            var o = h.ClientOptions;
            var missing = new List<string>();
            if (o.Mss == null) missing.Add("MSS");
            if (o.WindowScaleShift == null) missing.Add("window scale");
            if (!o.SackPermitted) missing.Add("SACK_PERM");
            var frames = new[] { h.Syn.Frame, h.SynAck!.Frame, h.Ack!.Frame };
            string ev = $"Stream {h.Stream} ({h.Client} → {h.Server}): SYN in frame {frames[0]}, SYN-ACK in frame {frames[1]}, ACK in frame {frames[2]}; " +
                $"the SYN offers MSS={(o.Mss?.ToString(CultureInfo.InvariantCulture) ?? "none")}, WS={(o.WindowScaleMultiplier?.ToString(CultureInfo.InvariantCulture) ?? "none")}, SACK_PERM={(o.SackPermitted ? "yes" : "no")}" +
                (missing.Count > 0 ? $"; missing: {string.Join(", ", missing)}" : "") + $". {_hs.Count(x => x.VerdictValue == HandshakeVerdict.Complete)} of {_hs.Count} handshakes are complete.";
            return (R(missing.Count == 0), ev, frames, h.Stream, why);
        }

        public Outcome SynConsumes()
        {
            const string why = "SYN carries no data but takes one sequence number: the SYN-ACK acknowledges ISN+1 (relative Ack=1) and the client's next segment starts at relative Seq=1. The same holds for the server's SYN.";
            var h = BestHandshake();
            if (h == null) return NotApplicable("No complete handshake in the capture: nothing to check.", why);
            bool ok = h.SynAck!.AckRaw == unchecked(h.ClientIsn + 1) && h.SynAck.Ack == 1 && h.Ack!.Seq == 1 && h.Ack.Ack == 1
                && h.ServerIsn is uint sIsn && h.Ack.AckRaw == unchecked(sIsn + 1);
            string ev = $"Stream {h.Stream}: the client's ISN is {N(h.ClientIsn)} (frame {h.Syn.Frame}); the SYN-ACK (frame {h.SynAck.Frame}) acknowledges {N(h.SynAck.AckRaw)} = ISN+1, relative Ack={N(h.SynAck.Ack)}; " +
                $"the server's ISN is {N(h.ServerIsn ?? 0)} and the ACK (frame {h.Ack!.Frame}) has Seq={N(h.Ack.Seq)} Ack={N(h.Ack.Ack)} (raw Ack {N(h.Ack.AckRaw)}).";
            return (R(ok), ev, new[] { h.Syn.Frame, h.SynAck.Frame, h.Ack.Frame }, h.Stream, why);
        }

        private HttpExchange? PageExchange() =>
            _http.FirstOrDefault(x => x.Method == "GET" && x.Uri == "/" && x.StatusCode == 200)
            ?? _http.FirstOrDefault(x => x.Method == "GET" && x.StatusCode == 200 && (x.ContentType ?? "").StartsWith("text/html", StringComparison.OrdinalIgnoreCase));

        public Outcome Page()
        {
            const string why = "The page is fetched with GET and a 200 OK; the response is larger than one write, so it travels in several TCP segments that Wireshark marks \"[TCP segment of a reassembled PDU]\" and reassembles into one HTTP message on its last segment.";
            if (_http.Count == 0) return NotApplicable($"No HTTP exchange with port {_port} in the capture: nothing to check.", why);
            var x = PageExchange();
            if (x == null)
            {
                var any = _http.FirstOrDefault(e => e.Uri == "/" && e.Method == "GET") ?? _http.FirstOrDefault(e => e.Uri == "/");
                return Fail(any == null ? "No GET for the page (/) with a 200 OK in the capture."
                    : $"{any.Method} / (frame {any.RequestFrame}) was answered {any.StatusCode} {any.ReasonPhrase} (frame {any.ResponseFrame}), not 200{(any.StatusCode == 304 ? ": load the page with an empty cache (or a new private window) while capturing" : "")}.", why);
            }
            var frames = new List<long> { x.RequestFrame };
            frames.AddRange(x.ResponseSegmentFrames);
            if (x.ResponseFrame is long rf) frames.Add(rf);
            int segs = x.ResponseSegmentFrames.Count + 1;
            if (segs == 1)
                return (LabCheckOutcome.NotApplicable,
                    $"Stream {x.Stream}: GET {x.Uri} in frame {x.RequestFrame}; {x.StatusCode} {x.ReasonPhrase} " +
                    $"({x.BodyLength} body bytes) came whole in frame {x.ResponseFrame}: nothing to reassemble.",
                    frames.ToArray(), x.Stream, why);
            string ev = $"Stream {x.Stream}: GET {x.Uri} in frame {x.RequestFrame}; {x.StatusCode} {x.ReasonPhrase} ({x.ContentType}, {x.BodyLength} body bytes) in {segs} segment(s): " +
                (segs > 1 ? $"{(segs == 2 ? "frame" : "frames")} {string.Join(", ", x.ResponseSegmentFrames)} {(segs == 2 ? "is" : "are")} [TCP segment of a reassembled PDU], frame {x.ResponseFrame} completes it." : $"frame {x.ResponseFrame} alone.");
            return (LabCheckOutcome.Passed, ev, frames.ToArray(), x.Stream, why);
        }

        public Outcome ExtraConnections()
        {
            const string why = "The page names more resources (the logo, the audio); the browser fetches them on connections of their own, each with its own handshake and teardown (the lab server, like Flask's, closes each connection after one response).";
            var page = PageExchange() ?? _http.FirstOrDefault(x => x.Uri == "/");
            if (page == null) return NotApplicable("No request for the page (/) in the capture, so no resources of it to check.", why);
            var others = _http.Where(x => x.Stream != page.Stream && x.Uri != "/" && x.Uri != "/favicon.ico").ToList();
            if (others.Count == 0) return Fail($"Every request went over stream {page.Stream}: no extra connection for a resource.", why);
            var byStream = others.GroupBy(x => x.Stream).Select(g => $"stream {g.Key} ({g.First().ClientEndPoint.Port}): {string.Join(", ", g.Select(x => $"{x.Method} {x.Uri} → {x.StatusCode}"))}");
            return (LabCheckOutcome.Passed, $"The page came over stream {page.Stream} (port {page.ClientEndPoint.Port}); resources over {others.Select(x => x.Stream).Distinct().Count()} other connection(s): {string.Join("; ", byStream)}.",
                others.Select(x => x.RequestFrame).ToArray(), others[0].Stream, why);
        }

        public Outcome NotModified()
        {
            const string why = "On a revisit the browser has a cached copy and asks whether it changed (If-None-Match with the ETag, If-Modified-Since with Last-Modified); the server answers 304 Not Modified with no body.";
            if (_http.Count == 0) return NotApplicable($"No HTTP exchange with port {_port} in the capture: nothing to check.", why);
            var x = _http.FirstOrDefault(e => e.StatusCode == 304);
            if (x == null) return Fail("No 304 Not Modified in the capture: revisit (reload) the page while capturing.", why);
            var validators = new List<string>();
            if (x.IfNoneMatch != null) validators.Add($"If-None-Match: {x.IfNoneMatch}");
            if (x.IfModifiedSince != null) validators.Add($"If-Modified-Since: {x.IfModifiedSince}");
            bool ok = validators.Count > 0;
            int count = _http.Count(e => e.StatusCode == 304);
            return (R(ok), $"Stream {x.Stream}: GET {x.Uri} in frame {x.RequestFrame} with {(ok ? string.Join(" and ", validators) : "no validator")} → 304 {x.ReasonPhrase} in frame {x.ResponseFrame} ({x.BodyLength} body bytes); {count} response(s) were 304.",
                new[] { x.RequestFrame, x.ResponseFrame ?? x.RequestFrame }, x.Stream, why);
        }

        public Outcome Partial()
        {
            const string why = "Media players ask for byte ranges (Range: bytes=0-) so they can seek; the server answers 206 Partial Content with Content-Range naming the bytes sent and the file's size.";
            if (_http.Count == 0) return NotApplicable($"No HTTP exchange with port {_port} in the capture: nothing to check.", why);
            var x = _http.FirstOrDefault(e => e.StatusCode == 206 && e.ContentRange != null);
            if (x == null)
            {
                var any = _http.FirstOrDefault(e => e.StatusCode == 206);
                return Fail(any == null ? "No 206 Partial Content in the capture: load the audio (a browser asks for it with Range)." : $"206 in frame {any.ResponseFrame} has no Content-Range.", why);
            }
            return (LabCheckOutcome.Passed, $"Stream {x.Stream}: GET {x.Uri} with Range: {x.Range} in frame {x.RequestFrame} → 206 {x.ReasonPhrase}, Content-Range: {x.ContentRange}, {x.BodyLength} body bytes (last frame {x.ResponseFrame}).",
                new[] { x.RequestFrame, x.ResponseFrame ?? x.RequestFrame }, x.Stream, why);
        }

        private TcpTeardown? BestTeardown()
        {
            var ts = _a.Teardowns.Where(t => _streams.Contains(t.Stream)).ToList();
            return ts.FirstOrDefault(t => t.KindValue == TeardownKind.FourWay)
                ?? ts.FirstOrDefault(t => t.KindValue is TeardownKind.ThreeWay or TeardownKind.HalfClose or TeardownKind.Simultaneous);
        }

        public Outcome Teardown()
        {
            const string why = "Each direction is closed on its own: FIN from the side that closes first (active close), its ACK, FIN from the other side, its ACK (the middle two may share one segment). The active closer then waits in TIME_WAIT for 2×MSL.";
            var t = BestTeardown();
            if (t == null)
            {
                var any = _a.Teardowns.FirstOrDefault(x => _streams.Contains(x.Stream));
                if (any == null)
                    return NotApplicable(_streams.Count == 0 ? $"No TCP connection to port {_port} in the capture: nothing to check."
                        : "No connection closes in the capture (no FIN or RST): stop the capture a few seconds after the page has loaded.",
                        why);
                return Fail($"No complete close; stream {any.Stream} ended {any.Kind}: {any.Explanation}", why);
            }
            string steps = string.Join(", ", t.Steps.Select(s => $"{s.Name} frame {s.Frame} from {s.FromEndPoint.Port}"));
            int fourWay = _a.Teardowns.Count(x => _streams.Contains(x.Stream) && x.KindValue == TeardownKind.FourWay);
            int threeWay = _a.Teardowns.Count(x => _streams.Contains(x.Stream) && x.KindValue == TeardownKind.ThreeWay);
            return (R(t.TimeWaitSide != null), $"Stream {t.Stream}: {t.Kind} ({steps}); the {t.ActiveCloser} closed first and holds TIME_WAIT ({t.TimeWaitEndPoint?.ToString() ?? t.TimeWaitSide}). {fourWay} four-way and {threeWay} three-way closes in all.",
                t.Steps.Select(s => s.Frame).ToArray(), t.Stream, why);
        }

        public Outcome FinConsumes()
        {
            const string why = "Like SYN, FIN takes one sequence number: the ACK of a FIN acknowledges the FIN's Seq + Len + 1.";
            foreach (var stream in _streams.OrderBy(s => s))
            {
                if (!_a.StreamSegments.TryGetValue(stream, out var segs)) continue;
                var fin = segs.FirstOrDefault(s => (s.Flags & TcpFlags.FIN) != 0 && (s.Flags & TcpFlags.RST) == 0);
                if (fin == null) continue;
                var ack = segs.FirstOrDefault(s => s.Frame > fin.Frame && s.SourcePort != fin.SourcePort && (s.Flags & TcpFlags.ACK) != 0 && (int)(s.Ack - fin.Seq - (uint)fin.Len) > 0);
                if (ack == null) continue;
                bool ok = ack.Ack == fin.Seq + (uint)fin.Len + 1;
                return (R(ok), $"Stream {stream}: FIN in frame {fin.Frame} from port {fin.SourcePort} with Seq={N(fin.Seq)} Len={fin.Len}; frame {ack.Frame} acknowledges it with Ack={N(ack.Ack)} = Seq+Len+1.",
                    new[] { fin.Frame, ack.Frame }, stream, why);
            }
            return NotApplicable("No acknowledged FIN in the capture: nothing to check.", why);
        }

        public Outcome Abnormal()
        {
            const string why = "On loopback nothing should be lost or resent. Retransmissions, lost or out-of-order segments, duplicate ACKs and malformed frames point at a problem (or a capture that started late). Zero windows and resets are listed but do not fail the check: a zero window is flow control (the receiving application was slower than loopback for a moment), and a browser resets a connection it no longer needs.";
            var problems = new List<string>();
            var frames = new List<long>();
            var conns = _a.Connections.Where(c => _streams.Contains(c.Stream)).ToList();
            if (conns.Count == 0)
                return NotApplicable($"No TCP connection to port {_port} in the capture " +
                    $"({_a.TcpSegments} TCP segment(s) in {_a.Frames} frame(s)): " +
                    "nothing to check." +
                    (_a.ReadProblem != null ? $" The file is damaged: {_a.ReadProblem}" : ""), why);
            void Count(string what, int n, Func<TcpSegment, bool> pick)
            {
                if (n == 0) return;
                problems.Add($"{n} {what}");
                foreach (var segs in _a.StreamSegments.Where(kv => _streams.Contains(kv.Key)).Select(kv => kv.Value))
                    frames.AddRange(segs.Where(pick).Select(s => s.Frame).Take(10));
            }
            Count("retransmission(s)", conns.Sum(c => c.Retransmissions), s => (s.Analysis & (TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.FastRetransmission | TcpAnalysisFlags.SpuriousRetransmission)) != 0);
            Count("lost segment(s) (previous segment not captured)", conns.Sum(c => c.LostSegments), s => (s.Analysis & TcpAnalysisFlags.PreviousSegmentNotCaptured) != 0);
            Count("out-of-order segment(s)", conns.Sum(c => c.OutOfOrder), s => (s.Analysis & TcpAnalysisFlags.OutOfOrder) != 0);
            Count("duplicate ACK(s)", conns.Sum(c => c.DuplicateAcks), s => (s.Analysis & TcpAnalysisFlags.DuplicateAck) != 0);
            if (_a.MalformedFrames.Count > 0)
            {
                problems.Add($"{_a.MalformedFrames.Count} malformed frame(s)");
                frames.AddRange(_a.MalformedFrames.Select(m => m.Frame).Take(10));
            }
            if (_a.ReadProblem != null) problems.Add($"the file is damaged: {_a.ReadProblem}");
            int zero = conns.Sum(c => c.ZeroWindows);
            var zeroFrames = _a.StreamSegments.Where(kv => _streams.Contains(kv.Key)).SelectMany(kv => kv.Value).Where(s => (s.Analysis & TcpAnalysisFlags.ZeroWindow) != 0).Select(s => s.Frame).Take(10).ToList();
            frames.AddRange(zeroFrames);
            string zeroText = zero == 0 ? "" : $"; {zero} zero window(s) (frames {string.Join(", ", zeroFrames)}): flow control, the receiver's buffer was full for a moment, not an error";
            var resets = _a.Teardowns.Where(t => _streams.Contains(t.Stream) && t.KindValue == TeardownKind.Reset).ToList();
            string resetText = resets.Count == 0 ? "no resets"
                : $"{resets.Count} reset(s): " + string.Join("; ", resets.Select(r => $"stream {r.Stream} by the {r.ResetBy?.ToString().ToLowerInvariant()} in frame {r.ResetFrame} ({r.ResetReason})"));
            frames.AddRange(resets.Select(r => r.ResetFrame ?? 0).Where(f => f > 0));
            return (R(problems.Count == 0),
                (problems.Count == 0 ? $"Nothing abnormal in {conns.Count} connection(s) to port {_port}" : "Found " + string.Join(", ", problems)) + zeroText + $"; {resetText}.",
                frames.Distinct().OrderBy(f => f).ToArray(), null, why);
        }
    }
}
