using Lab2Tools.Model;
using System.Globalization;
using System.Text;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Server;
using Lab2Tools.Sockets;
using Lab2Tools.Text;

namespace Lab2Tools.Lab;

/// <summary>Who visits the lab page.</summary>
public enum LabBrowser
{
    /// <summary>The module's own browser-like client (<see cref="LabVisitor"/>).</summary>
    BuiltIn,
    /// <summary>Headless Chromium (Debian's chromium package).</summary>
    Chromium,
}

/// <summary>The result of Invoke-LabSession: the capture of the lab, what happened on it, and the lab checks.</summary>
public sealed class LabSession
{
    /// <summary>The capture file (pcap); open it with Wireshark.</summary>
    public string Path { get; init; } = "";
    public string OutputDirectory { get; init; } = "";
    public DateTime StartTime { get; init; }
    /// <summary>StartTime as ISO 8601 round-trip text, the same in every culture (for Export-Csv, which writes a DateTime
    /// in the current culture).</summary>
    public string StartTimeIso => Lab2Tools.Model.Units.Iso(StartTime);
    public decimal DurationSeconds => Units.Seconds(Duration);
    internal TimeSpan Duration { get; init; }
    /// <summary>BuiltIn or Chromium.</summary>
    public string Browser => BrowserValue.ToString();
    internal LabBrowser BrowserValue { get; init; }
    public string ServerUrl { get; init; } = "";
    public int ServerPort { get; init; }
    public string ServerProfile => ServerProfileValue.ToString();
    public string CloseMode => CloseModeValue.ToString();
    internal LabServerProfile ServerProfileValue { get; init; }
    internal LabServerCloseMode CloseModeValue { get; init; }
    public long Packets { get; init; }
    public long KernelDropped { get; init; }
    /// <summary>What the built-in visitor fetched (empty for Chromium: see <see cref="Requests"/>).</summary>
    internal IReadOnlyList<LabFetch> Fetches { get; init; } = Array.Empty<LabFetch>();
    /// <summary>The server's request log.</summary>
    internal IReadOnlyList<RequestLogEntry> Requests { get; init; } = Array.Empty<RequestLogEntry>();
    /// <summary>The system's sockets on the lab port just after the visit (TIME_WAIT sockets of the closed connections).</summary>
    internal IReadOnlyList<TcpSocketEntry> SocketStates { get; init; } = Array.Empty<TcpSocketEntry>();
    internal LabCaptureAnalysis Analysis { get; init; } = null!;
    internal IReadOnlyList<LabCheckResult> Checks { get; init; } = Array.Empty<LabCheckResult>();

    internal IReadOnlyList<TcpConnection> Connections => Analysis.Connections;
    internal IReadOnlyList<TcpHandshake> Handshakes => Analysis.Handshakes;
    internal IReadOnlyList<HttpExchange> HttpExchanges => Analysis.HttpExchanges;
    internal IReadOnlyList<TcpTeardown> Teardowns => Analysis.Teardowns;
    internal IReadOnlyList<TcpStateTransition> StateTimelines => Analysis.StateTimelines;
    public bool Passed => Checks.Count > 0 && Checks.All(c => c.Passed);

    // What a grader reads, as plain values (the session goes whole through ConvertTo-Json and Export-Csv).
    /// <summary>Passed; Failed; Incomplete when no check failed but some had nothing to check (as a grade row).</summary>
    public string Result => LabCaptureGrade.ResultOf(Checks);
    public int ChecksPassed => Checks.Count(c => c.ResultValue == LabCheckOutcome.Passed);
    public int ChecksFailed => Checks.Count(c => c.ResultValue == LabCheckOutcome.Failed);
    public int ChecksNotApplicable => Checks.Count(c => c.ResultValue == LabCheckOutcome.NotApplicable);
    /// <summary>The names of the failed checks, comma-separated.</summary>
    public string FailedChecks => string.Join(", ", Checks.Where(c => c.ResultValue == LabCheckOutcome.Failed).Select(c => c.Name));
    public int ConnectionCount => Connections.Count;
    public int HttpExchangeCount => HttpExchanges.Count;

    // The rich results are methods, so that ConvertTo-Json (default depth 2) and Export-Csv stay flat.
    /// <summary>The nine lab checks.</summary>
    public IReadOnlyList<LabCheckResult> GetChecks() => Checks;
    public IReadOnlyList<TcpConnection> GetConnections() => Connections;
    public IReadOnlyList<TcpHandshake> GetHandshakes() => Handshakes;
    public IReadOnlyList<HttpExchange> GetHttpExchanges() => HttpExchanges;
    public IReadOnlyList<TcpTeardown> GetTeardowns() => Teardowns;
    public IReadOnlyList<TcpStateTransition> GetStateTimelines() => StateTimelines;
    /// <summary>What the built-in visitor fetched (empty for Chromium: see <see cref="GetRequests"/>).</summary>
    public IReadOnlyList<LabFetch> GetFetches() => Fetches;
    /// <summary>The server's request log.</summary>
    public IReadOnlyList<RequestLogEntry> GetRequests() => Requests;
    /// <summary>The system's sockets on the lab port just after the visit.</summary>
    public IReadOnlyList<TcpSocketEntry> GetSocketStates() => SocketStates;
    /// <summary>The one-pass analysis of the capture that the checks and the report read.</summary>
    public LabCaptureAnalysis GetAnalysis() => Analysis;
    /// <summary>A readable summary of the lab (the default view).</summary>
    /// <summary>The language of the summary, the checks' evidence and the report (-Culture; the UI culture by default).</summary>
    public string Culture => CultureValue.Name;
    internal CultureInfo CultureValue { get; init; } = CultureInfo.CurrentUICulture;
    /// <summary>What the lab looked at: the port, the page, the handshake and the teardown (the checks and the report share it).</summary>
    internal LabFocus Focus => _focus ??= LabFocus.Of(Analysis, ServerPort, LabPortReason.Session(ServerPort));
    private LabFocus? _focus;
    public string Summary
    {
        get
        {
            using (TextCulture.Use(CultureValue)) return LabSummary.Build(this);
        }
    }
    public override string ToString()
    {
        using (TextCulture.Use(CultureValue)) return LabText.F("Session.ToString", Path, Connections.Count, LabChecks.Tally(Checks));
    }
}

/// <summary>
/// The text summary of a lab capture: which connection fetched what, the handshake numbers, who closed, who held
/// TIME_WAIT.
/// </summary>
public static class LabSummary
{
    private static string Cut(string s, int n) => s.Length <= n ? s : s.Substring(0, n - 1) + "…";

    /// <summary>Columns of the console: a CJK character takes two.</summary>
    private static int Width(string s) => Cells.Width(s);
    private static string Left(string s, int n) => s + new string(' ', Math.Max(0, n - Width(s)));
    private static string Right(string s, int n) => new string(' ', Math.Max(0, n - Width(s))) + s;

    public static string Build(LabSession s)
    {
        var b = new StringBuilder();
        b.AppendLine(LabText.F("Summary.Head", s.Connections.Count, s.HttpExchanges.Count, LabChecks.Tally(s.Checks)));
        b.AppendLine(LabText.F("Summary.Capture", s.Path, s.Packets, s.KernelDropped));
        b.AppendLine(LabText.F("Summary.Server", s.ServerUrl, s.ServerProfile, s.CloseMode, s.Browser));
        b.AppendLine(LabText.F("Summary.OpenIt", s.Path, s.ServerPort));
        b.AppendLine();
        b.Append(Table(s.Analysis, s.ServerPort));
        if (s.SocketStates.Count > 0)
        {
            var tw = s.SocketStates.Where(x => x.StateValue == TcpState.TIME_WAIT).ToList();
            b.AppendLine();
            int serverSide = tw.Count(x => x.LocalPort == s.ServerPort);
            b.AppendLine(LabText.F("Summary.SocketTable", tw.Count, s.ServerPort, serverSide, tw.Count - serverSide));
        }
        b.AppendLine();
        b.AppendLine(LabText.T("Summary.Checks"));
        foreach (var c in s.Checks)
        {
            b.AppendLine($"  [{c.ResultText}] {c.Name}");
            if (!c.Passed) b.AppendLine($"         {c.Evidence}");
        }
        return b.ToString().TrimEnd();
    }

    /// <summary>One line per connection: what it fetched, its handshake, who closed and who held TIME_WAIT.</summary>
    public static string Table(LabCaptureAnalysis a, int serverPort)
    {
        var b = new StringBuilder();
        var focus = LabFocus.Of(a, serverPort);
        var opts = focus.Handshakes.Select(h => h.ClientOptions.ToString()).Distinct().ToList();
        if (opts.Count > 0) b.AppendLine(LabText.F("Summary.SynOptions", string.Join(" | ", opts)));
        string T(string key) => LabText.T(key);
        var rows = new List<(int Stream, int Port, string Req, string Hs, string Close, string Tw)>();
        foreach (var c in focus.Connections)
        {
            var reqs = a.Exchanges(c.Stream)
                .Select(x => $"{x.Method} {x.Uri} {x.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}").ToList();
            string req = reqs.Count == 0 ? T("Summary.Cell.NoHttp") : string.Join("; ", reqs);
            var h = a.Handshake(c.Stream);
            string hs = h == null ? T("Summary.Cell.Earlier")
                : h.SynAck != null && h.Ack != null ? $"{h.Syn.Frame},{h.SynAck.Frame},{h.Ack.Frame}" : h.Verdict.ToString();
            var t = a.Teardown(c.Stream);
            string close = t == null ? T("Summary.Cell.Open")
                : t.KindValue == TeardownKind.Reset ? LabText.F("Summary.Cell.Reset", Role(t.ResetByValue))
                : t.KindValue == TeardownKind.FourWay ? LabText.F("Summary.Cell.FourWay", Role(t.ActiveCloserValue))
                : t.KindValue == TeardownKind.ThreeWay ? LabText.F("Summary.Cell.ThreeWay", Role(t.ActiveCloserValue))
                : LabText.F("Summary.Cell.Other", Role(t.ActiveCloserValue), AnalysisText.KindName(t.KindValue));
            string tw = LabText.Holder(t?.TimeWaitHeldBy, "-");
            rows.Add((c.Stream, c.ClientEndPoint.Port, Cut(req, 29), Cut(hs, 10), Cut(close, 16), tw));
        }
        // the "closed by" column is as wide as its widest cell (Chinese words take two columns each)
        int closeWidth = rows.Select(r => Width(r.Close)).Append(Width(T("Summary.Col.ClosedBy"))).Append(12).Max();
        b.AppendLine($"  {Right(T("Summary.Col.Stream"), 6)} {Right(T("Summary.Col.Port"), 5)}  {Left(T("Summary.Col.Requests"), 29)} " +
            $"{Left(T("Summary.Col.Handshake"), 10)} {Left(T("Summary.Col.ClosedBy"), closeWidth)} TIME_WAIT");
        foreach (var r in rows)
            b.AppendLine($"  {r.Stream,6} {r.Port,5}  {Left(r.Req, 29)} {Left(r.Hs, 10)} {Left(r.Close, closeWidth)} {r.Tw}".TrimEnd());
        return b.ToString();
    }

    private static string Role(ConnectionRole? role) => LabText.Role(role);
}
