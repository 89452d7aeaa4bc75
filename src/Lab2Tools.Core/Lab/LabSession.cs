using Lab2Tools.Model;
using System.Globalization;
using System.Text;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Server;
using Lab2Tools.Sockets;

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
    public double DurationSeconds => Units.Seconds(Duration);
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
    public string Summary => LabSummary.Build(this);
    public override string ToString() => $"Lab session {Path}: {Connections.Count} connections, {LabChecks.Tally(Checks)}";
}

/// <summary>The text summary of a lab capture: which connection fetched what, the handshake numbers, who closed, who held TIME_WAIT.</summary>
public static class LabSummary
{
    private static string Cut(string s, int n) => s.Length <= n ? s : s.Substring(0, n - 1) + "…";

    public static string Build(LabSession s)
    {
        var b = new StringBuilder();
        b.AppendLine($"Lab 2 session: {s.Connections.Count} TCP connections, {s.HttpExchanges.Count} HTTP exchanges, " +
                     LabChecks.Tally(s.Checks));
        b.AppendLine($"  Capture : {s.Path} ({s.Packets} packets, {s.KernelDropped} dropped)");
        b.AppendLine($"  Server  : {s.ServerUrl} ({s.ServerProfile}, {s.CloseMode}); visitor: {s.Browser}");
        b.AppendLine($"  Open it : wireshark -r '{s.Path}' -Y 'tcp.port == {s.ServerPort}'");
        b.AppendLine();
        b.Append(Table(s.Analysis, s.ServerPort));
        if (s.SocketStates.Count > 0)
        {
            var tw = s.SocketStates.Where(x => x.StateValue == TcpState.TIME_WAIT).ToList();
            b.AppendLine();
            int serverSide = tw.Count(x => x.LocalPort == s.ServerPort);
            b.AppendLine($"  Socket table after the visit: {tw.Count} socket(s) in TIME_WAIT on port {s.ServerPort}: {serverSide} on the server's side, {tw.Count - serverSide} on the client's.");
        }
        b.AppendLine();
        b.AppendLine("  Checks (details: $session.GetChecks() | Format-List)");
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
        var conns = a.Connections.Where(c => c.ServerEndPoint.Port == serverPort).ToList();
        var opts = a.Handshakes.Where(h => h.ServerEndPoint.Port == serverPort).Select(h => h.ClientOptions.ToString()).Distinct().ToList();
        if (opts.Count > 0) b.AppendLine($"  SYN options: {string.Join(" | ", opts)}");
        b.AppendLine($"  {"Stream",6} {"Port",5}  {"Requests",-29} {"Handshake",-10} {"Closed by",-12} {"TIME_WAIT"}");
        foreach (var c in conns)
        {
            var reqs = a.Exchanges(c.Stream).Select(x => $"{x.Method} {x.Uri} {x.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}").ToList();
            string req = reqs.Count == 0 ? "(no HTTP)" : string.Join("; ", reqs);
            var h = a.Handshake(c.Stream);
            string hs = h == null ? "(earlier)" : h.SynAck != null && h.Ack != null ? $"{h.Syn.Frame},{h.SynAck.Frame},{h.Ack.Frame}" : h.Verdict.ToString();
            var t = a.Teardown(c.Stream);
            string close = t == null ? "(open)" : t.KindValue == TeardownKind.Reset ? $"RST {t.ResetBy?.ToString().ToLowerInvariant()}"
                : $"{t.ActiveCloser?.ToString().ToLowerInvariant()} {t.KindValue switch { TeardownKind.FourWay => "4-way", TeardownKind.ThreeWay => "3-way", var k => k.ToString() }}";
            string tw = t?.TimeWaitSide?.ToLowerInvariant() ?? "-";
            b.AppendLine($"  {c.Stream,6} {c.ClientEndPoint.Port,5}  {Cut(req, 29),-29} {Cut(hs, 10),-10} {Cut(close, 12),-12} {tw}".TrimEnd());
        }
        return b.ToString();
    }
}
