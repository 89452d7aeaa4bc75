using System.Globalization;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Model;
using Lab2Tools.Text;
using Outcome = (Lab2Tools.Lab.LabCheckOutcome result, string evidence, long[] frames, int? stream);

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
    public IReadOnlyList<long> Frames
    {
        get => _frames;
        init => _frames = value as FrameList ?? new FrameList(value ?? Array.Empty<long>());
    }
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


/// <summary>The lab's checks, in the order of the lab (Test-LabCapture -Check takes these names).</summary>
public enum LabCheck
{
    /// <summary>A complete handshake whose SYN offers MSS, window scale and SACK_PERM.</summary>
    Handshake,
    /// <summary>The SYN takes one sequence number (relative Ack=1).</summary>
    SynConsumesSequenceNumber,
    /// <summary>The page's response travels in several segments that are reassembled.</summary>
    PageReassembled,
    /// <summary>The page's resources come over connections of their own.</summary>
    ExtraConnections,
    /// <summary>A revisit gets 304 Not Modified to a conditional request.</summary>
    NotModified,
    /// <summary>The audio comes as 206 Partial Content to a range request.</summary>
    PartialContent,
    /// <summary>A connection closes with FINs and the active closer holds TIME_WAIT.</summary>
    Teardown,
    /// <summary>The FIN takes one sequence number.</summary>
    FinConsumesSequenceNumber,
    /// <summary>No retransmission, loss, reordering, duplicate ACK or malformed frame.</summary>
    NothingAbnormal,
}

/// <summary>The lab's goals as checks on a capture (Test-LabCapture): one function per <see cref="LabCheck"/>.</summary>
public static class LabChecks
{
    private delegate Outcome CheckFunction(Context c);

    /// <summary>The one table of checks: each check and its function, in the order of the lab.</summary>
    private static readonly (LabCheck Check, CheckFunction Run)[] s_table =
    {
        (LabCheck.Handshake, c => c.Handshake()),
        (LabCheck.SynConsumesSequenceNumber, c => c.SynConsumes()),
        (LabCheck.PageReassembled, c => c.Page()),
        (LabCheck.ExtraConnections, c => c.ExtraConnections()),
        (LabCheck.NotModified, c => c.NotModified()),
        (LabCheck.PartialContent, c => c.Partial()),
        (LabCheck.Teardown, c => c.Teardown()),
        (LabCheck.FinConsumesSequenceNumber, c => c.FinConsumes()),
        (LabCheck.NothingAbnormal, c => c.Abnormal()),
    };

    /// <summary>The checks, in the order of the lab.</summary>
    public static IReadOnlyList<LabCheck> All { get; } = s_table.Select(t => t.Check).ToArray();

    /// <summary>The checks' names, in the order of the lab.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(c => c.ToString()).ToArray();

    /// <summary>PASS, FAIL or N/A (the same tokens in every language: graders compare them).</summary>
    public static string Text(LabCheckOutcome r) =>
        r switch { LabCheckOutcome.Passed => "PASS", LabCheckOutcome.Failed => "FAIL", _ => "N/A" };

    /// <summary>What a check looks for and why it matters in the lab, in the current language.</summary>
    public static string Explanation(LabCheck check) => LabText.T($"Check.{check}.Why");

    /// <summary>"7 of 9 checks passed, 1 failed, 1 not applicable (nothing to check)" (the parts that are not zero).</summary>
    public static string Tally(IEnumerable<LabCheckResult> checks)
    {
        var list = checks.ToList();
        var parts = new List<string>();
        int p = list.Count(c => c.ResultValue == LabCheckOutcome.Passed), f = list.Count(c => c.ResultValue == LabCheckOutcome.Failed);
        int na = list.Count(c => c.ResultValue == LabCheckOutcome.NotApplicable);
        parts.Add(LabText.F("Tally.Passed", p, list.Count));
        if (f > 0) parts.Add(LabText.F("Tally.Failed", f));
        if (na > 0) parts.Add(LabText.F("Tally.NotApplicable", na));
        return LabText.Join(parts);
    }

    /// <summary>The lab server's port: the given one, or the one chosen by evidence (see <see cref="LabFocus"/>).</summary>
    public static int? InferServerPort(LabCaptureAnalysis a, int? port) =>
        port ?? (a.Connections.Count == 0 && a.HttpExchanges.Count == 0 ? null : LabPortChoice.Choose(a).Port);

    /// <summary>The lab server's port and why, in the current language (see <see cref="LabFocus"/>).</summary>
    public static (int port, string reason) ChooseServerPort(LabCaptureAnalysis a, int? port)
    {
        var f = LabFocus.Of(a, port);
        return (f.Port, f.PortReason.ToString());
    }

    /// <param name="a">The analysed capture.</param>
    /// <param name="serverPort">The lab server's port, or null to choose it by evidence.</param>
    /// <param name="only">Only these checks.</param>
    public static IReadOnlyList<LabCheckResult> Run(LabCaptureAnalysis a, int? serverPort = null, IEnumerable<LabCheck>? only = null) =>
        Run(LabFocus.Of(a, serverPort), only);

    /// <summary>Runs the checks on a focus chosen before (the one the summary and the report use).</summary>
    public static IReadOnlyList<LabCheckResult> Run(LabFocus focus, IEnumerable<LabCheck>? only = null)
    {
        var want = only?.ToHashSet();
        var ctx = new Context(focus);
        string reason = focus.PortReason.ToString();
        var results = new List<LabCheckResult>();
        foreach (var (check, run) in s_table)
        {
            if (want != null && !want.Contains(check)) continue;
            var r = run(ctx);
            results.Add(new LabCheckResult
            {
                Name = check.ToString(), ResultValue = r.result, Evidence = r.evidence, Frames = r.frames, Stream = r.stream,
                Explanation = Explanation(check), Path = focus.Analysis.Path, ServerPort = focus.Port, ServerPortReason = reason,
            });
        }
        return results;
    }

    private sealed class Context(LabFocus f)
    {
        private readonly LabCaptureAnalysis _a = f.Analysis;
        private readonly int _port = f.Port;
        private readonly IReadOnlyList<TcpHandshake> _hs = f.Handshakes;
        private readonly IReadOnlyList<HttpExchange> _http = f.Http;
        private readonly IReadOnlySet<int> _streams = f.Streams;

        private static string T(string key) => LabText.T(key);
        private static string F(string key, params object?[] args) => LabText.F(key, args);

        private static Outcome Fail(string evidence) => (LabCheckOutcome.Failed, evidence, Array.Empty<long>(), null);

        /// <summary>The capture holds nothing this check could look at: no pass on no evidence, and no fail either.</summary>
        private static Outcome NotApplicable(string evidence) => (LabCheckOutcome.NotApplicable, evidence, Array.Empty<long>(), null);

        private static LabCheckOutcome R(bool passed) => passed ? LabCheckOutcome.Passed : LabCheckOutcome.Failed;

        private string NoConnection() => F("Check.NoConnection", _port);
        private string NoHttp() => F("Check.NoHttp", _port);
        private static string Opt(int? v) => v?.ToString(CultureInfo.InvariantCulture) ?? CommonText.Table["None"];
        private static string YesNo(bool v) => T(v ? "Yes" : "No");

        public Outcome Handshake()
        {
            if (_streams.Count == 0) return NotApplicable(NoConnection());
            var h = f.Handshake;
            if (h == null)
            {
                var first = _hs.FirstOrDefault();
                if (first == null) return NotApplicable(F("Check.Handshake.NoSyn", _port));
                return Fail(F("Check.Handshake.Incomplete", first.Stream, Analysis.AnalysisText.VerdictName(first.VerdictValue),
                    first.Explanation));
            }
            var o = h.ClientOptions;
            var missing = new List<string>();
            if (o.Mss == null) missing.Add("MSS");
            if (o.WindowScaleShift == null) missing.Add("WS");
            if (!o.SackPermitted) missing.Add("SACK_PERM");
            var frames = new[] { h.Syn.Frame, h.SynAck!.Frame, h.Ack!.Frame };
            int complete = _hs.Count(x => x.VerdictValue == HandshakeVerdict.Complete);
            string ev = F(missing.Count > 0 ? "Check.Handshake.Missing" : "Check.Handshake.Evidence", h.Stream, h.Client, h.Server,
                frames[0], frames[1], frames[2], Opt(o.Mss), Opt(o.WindowScaleMultiplier), YesNo(o.SackPermitted),
                Analysis.AnalysisText.Words(missing), complete, _hs.Count);
            return (R(missing.Count == 0), ev, frames, h.Stream);
        }

        public Outcome SynConsumes()
        {
            var h = f.Handshake;
            if (h == null) return NotApplicable(T("Check.SynConsumes.None"));
            bool ok = h.SynAck!.AckRaw == unchecked(h.ClientIsn + 1) && h.SynAck.Ack == 1 && h.Ack!.Seq == 1 && h.Ack.Ack == 1
                && h.ServerIsn is uint sIsn && h.Ack.AckRaw == unchecked(sIsn + 1);
            string ev = F("Check.SynConsumes.Evidence", h.Stream, N(h.ClientIsn), h.Syn.Frame, h.SynAck.Frame, N(h.SynAck.AckRaw),
                N(h.SynAck.Ack), N(h.ServerIsn ?? 0), h.Ack!.Frame, N(h.Ack.Seq), N(h.Ack.Ack), N(h.Ack.AckRaw));
            return (R(ok), ev, new[] { h.Syn.Frame, h.SynAck.Frame, h.Ack.Frame }, h.Stream);
        }

        public Outcome Page()
        {
            if (_http.Count == 0) return NotApplicable(NoHttp());
            var x = f.Page;
            if (x == null)
            {
                var any = f.PageRequest;
                if (any == null) return Fail(T("Check.Page.NoGet"));
                if (any.StatusCode == null) return Fail(F("Check.Page.NoResponse", any.Method, any.RequestFrame));
                return Fail(F(any.StatusCode == 304 ? "Check.Page.Not200Cached" : "Check.Page.Not200", any.Method, any.RequestFrame,
                    any.StatusCode, any.ReasonPhrase, any.ResponseFrame));
            }
            var frames = new List<long> { x.RequestFrame };
            frames.AddRange(x.ResponseSegmentFrames);
            if (x.ResponseFrame is long rf) frames.Add(rf);
            int segs = x.ResponseSegmentFrames.Count + 1;
            if (segs == 1)
                return (LabCheckOutcome.NotApplicable, F("Check.Page.Whole", x.Stream, x.Uri, x.RequestFrame, x.StatusCode, x.ReasonPhrase,
                    x.BodyLength, x.ResponseFrame), frames.ToArray(), x.Stream);
            string ev = F(segs == 2 ? "Check.Page.Evidence2" : "Check.Page.Evidence", x.Stream, x.Uri, x.RequestFrame, x.StatusCode,
                x.ReasonPhrase, x.ContentType, x.BodyLength, segs, Analysis.AnalysisText.List(x.ResponseSegmentFrames), x.ResponseFrame);
            return (LabCheckOutcome.Passed, ev, frames.ToArray(), x.Stream);
        }

        public Outcome ExtraConnections()
        {
            var page = f.PageRequest;
            if (page == null) return NotApplicable(T("Check.Extra.NoPage"));
            var others = _http.Where(x => x.Stream != page.Stream && x.Uri != "/" && x.Uri != "/favicon.ico").ToList();
            if (others.Count == 0) return Fail(F("Check.Extra.None", page.Stream));
            var byStream = others.GroupBy(x => x.Stream).Select(g => F("Check.Extra.Stream", g.Key, g.First().ClientEndPoint.Port,
                LabText.Join(g.Select(x => $"{x.Method} {x.Uri} → {x.StatusCode}"))));
            return (LabCheckOutcome.Passed, F("Check.Extra.Evidence", page.Stream, page.ClientEndPoint.Port,
                    others.Select(x => x.Stream).Distinct().Count(), string.Join(T("List.Semicolon"), byStream)),
                others.Select(x => x.RequestFrame).ToArray(), others[0].Stream);
        }

        public Outcome NotModified()
        {
            if (_http.Count == 0) return NotApplicable(NoHttp());
            var x = _http.FirstOrDefault(e => e.StatusCode == 304);
            if (x == null) return Fail(T("Check.NotModified.None"));
            var validators = new List<string>();
            if (x.IfNoneMatch != null) validators.Add($"If-None-Match: {x.IfNoneMatch}");
            if (x.IfModifiedSince != null) validators.Add($"If-Modified-Since: {x.IfModifiedSince}");
            bool ok = validators.Count > 0;
            int count = _http.Count(e => e.StatusCode == 304);
            return (R(ok), F(ok ? "Check.NotModified.Evidence" : "Check.NotModified.NoValidator", x.Stream, x.Uri, x.RequestFrame,
                    string.Join(T("List.And"), validators), x.ReasonPhrase, x.ResponseFrame, x.BodyLength, count),
                new[] { x.RequestFrame, x.ResponseFrame ?? x.RequestFrame }, x.Stream);
        }

        public Outcome Partial()
        {
            if (_http.Count == 0) return NotApplicable(NoHttp());
            var x = _http.FirstOrDefault(e => e.StatusCode == 206 && e.ContentRange != null);
            if (x == null)
            {
                var any = _http.FirstOrDefault(e => e.StatusCode == 206);
                return Fail(any == null ? T("Check.Partial.None") : F("Check.Partial.NoContentRange", any.ResponseFrame));
            }
            return (LabCheckOutcome.Passed, F("Check.Partial.Evidence", x.Stream, x.Uri, x.Range, x.RequestFrame, x.ReasonPhrase,
                    x.ContentRange, x.BodyLength, x.ResponseFrame),
                new[] { x.RequestFrame, x.ResponseFrame ?? x.RequestFrame }, x.Stream);
        }

        public Outcome Teardown()
        {
            var t = f.Teardown;
            if (t == null)
            {
                var any = f.Teardowns.FirstOrDefault();
                if (any == null) return NotApplicable(_streams.Count == 0 ? NoConnection() : T("Check.Teardown.NoClose"));
                return Fail(F("Check.Teardown.Incomplete", any.Stream, Analysis.AnalysisText.KindName(any.KindValue), any.Explanation));
            }
            string steps = LabText.Join(t.Steps.Select(s => F("Check.Teardown.Step", s.Name, s.Frame, s.FromEndPoint.Port)));
            int fourWay = f.Teardowns.Count(x => x.KindValue == TeardownKind.FourWay);
            int threeWay = f.Teardowns.Count(x => x.KindValue == TeardownKind.ThreeWay);
            string? closer = t.ActiveCloserValue is null ? null : LabText.Role(t.ActiveCloserValue);
            string holder = t.TimeWaitEndPoint?.ToString() ?? t.TimeWaitSide ?? CommonText.Table["None"];
            return (R(t.TimeWaitSide != null), F("Check.Teardown.Evidence", t.Stream, Analysis.AnalysisText.KindName(t.KindValue), steps,
                closer, holder, fourWay, threeWay),
                t.Steps.Select(s => s.Frame).ToArray(), t.Stream);
        }

        public Outcome FinConsumes()
        {
            foreach (var stream in _streams.OrderBy(s => s))
            {
                if (!_a.StreamSegments.TryGetValue(stream, out var segs)) continue;
                var fin = segs.FirstOrDefault(s => (s.Flags & TcpFlags.FIN) != 0 && (s.Flags & TcpFlags.RST) == 0);
                if (fin == null) continue;
                var ack = segs.FirstOrDefault(s => s.Frame > fin.Frame && s.SourcePort != fin.SourcePort && (s.Flags & TcpFlags.ACK) != 0
                    && (int)(s.Ack - fin.Seq - (uint)fin.Len) > 0);
                if (ack == null) continue;
                bool ok = ack.Ack == fin.Seq + (uint)fin.Len + 1;
                string ev = F("Check.FinConsumes.Evidence", stream, fin.Frame, fin.SourcePort, N(fin.Seq), fin.Len, ack.Frame, N(ack.Ack));
                return (R(ok), ev,
                    new[] { fin.Frame, ack.Frame }, stream);
            }
            return NotApplicable(T("Check.FinConsumes.None"));
        }

        public Outcome Abnormal()
        {
            var problems = new List<string>();
            var frames = new List<long>();
            var conns = f.Connections;
            if (conns.Count == 0)
                return NotApplicable(F("Check.Abnormal.NoConnection", _port, _a.TcpSegments, _a.Frames)
                    + (_a.ReadProblem != null ? F("Check.Abnormal.Damaged", _a.ReadProblem) : ""));
            var mine = _a.StreamSegments.Where(kv => _streams.Contains(kv.Key)).Select(kv => kv.Value).ToList();
            void Count(string key, int n, TcpAnalysisFlags flags)
            {
                if (n == 0) return;
                problems.Add(F(key, n));
                foreach (var segs in mine) frames.AddRange(segs.Where(s => (s.Analysis & flags) != 0).Select(s => s.Frame).Take(10));
            }
            Count("Check.Abnormal.Retransmissions", conns.Sum(c => c.Retransmissions),
                TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.FastRetransmission | TcpAnalysisFlags.SpuriousRetransmission);
            Count("Check.Abnormal.Lost", conns.Sum(c => c.LostSegments), TcpAnalysisFlags.PreviousSegmentNotCaptured);
            Count("Check.Abnormal.OutOfOrder", conns.Sum(c => c.OutOfOrder), TcpAnalysisFlags.OutOfOrder);
            Count("Check.Abnormal.DuplicateAcks", conns.Sum(c => c.DuplicateAcks), TcpAnalysisFlags.DuplicateAck);
            if (_a.MalformedFrames.Count > 0)
            {
                problems.Add(F("Check.Abnormal.Malformed", _a.MalformedFrames.Count));
                frames.AddRange(_a.MalformedFrames.Select(m => m.Frame).Take(10));
            }
            int zero = conns.Sum(c => c.ZeroWindows);
            var zeroFrames = mine.SelectMany(s => s).Where(s => (s.Analysis & TcpAnalysisFlags.ZeroWindow) != 0).Select(s => s.Frame)
                .Take(10).ToList();
            frames.AddRange(zeroFrames);
            var resets = f.Teardowns.Where(t => t.KindValue == TeardownKind.Reset).ToList();
            string Reset(TcpTeardown r) => F("Check.Abnormal.Reset", r.Stream,
                LabText.Role(r.ResetByValue, none: ""), r.ResetFrame, Analysis.AnalysisText.ResetReasonName(r.ResetCause));
            string resetText = resets.Count == 0 ? T("Check.Abnormal.NoResets")
                : F("Check.Abnormal.Resets", resets.Count, string.Join(T("List.Semicolon"), resets.Select(Reset)));
            frames.AddRange(resets.Select(r => r.ResetFrame ?? 0).Where(x => x > 0));
            string zeroText = zero == 0 ? "" : F("Check.Abnormal.ZeroWindows", zero, Analysis.AnalysisText.List(zeroFrames));
            bool damaged = _a.ReadProblem != null;
            // a damaged file fails the check; its own message (whole sentences) comes first, then what the frames read show
            string head = problems.Count == 0
                ? F(damaged ? "Check.Abnormal.NothingBeforeDamage" : "Check.Abnormal.Nothing", conns.Count, _port)
                : F(damaged ? "Check.Abnormal.FoundBeforeDamage" : "Check.Abnormal.Found", LabText.Join(problems));
            string evidence = damaged ? F("Check.Abnormal.EvidenceDamaged", head, zeroText, resetText, _a.ReadProblem)
                : F("Check.Abnormal.Evidence", head, zeroText, resetText);
            return (R(problems.Count == 0 && !damaged), evidence,
                frames.Distinct().OrderBy(x => x).ToArray(), null);
        }
    }
}
