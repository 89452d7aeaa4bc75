using System.Management.Automation;
using Lab2Tools.Analysis;
using Lab2Tools.Commands.Internal;
using Lab2Tools.Model;

namespace Lab2Tools.Commands;

/// <summary>Base of the cmdlets that write per-connection results of a <see cref="ConnectionAnalyzer"/>.</summary>
public abstract class ConnectionAnalysisCmdlet : SegmentAnalysisCmdlet
{
    private readonly List<int> _missing = new();
    private ConnectionAnalyzer _analyzer = new();

    protected override bool KeepsSegments => false;      // a ConnectionRecord copies what it needs
    // Zeek's analyzer limits ('X' in History) read the payload of the ports Zeek attaches those analyzers to
    protected override IEnumerable<int>? PayloadPorts => Analysis.Zeek.ZeekPayload.Ports;
    protected override void BeginAnalysis() => _analyzer = new ConnectionAnalyzer();
    protected override void AnalyzeSegment(TcpSegment segment) => _analyzer.Add(segment);

    protected override void EndAnalysis()
    {
        _missing.Clear();
        foreach (var r in _analyzer.TakeRecords())
            foreach (var o in Results(r)) WriteResult(o);
        if (_missing.Count > 0 && MissingWarning(Text.CommonText.Join(_missing)) is string warning) WriteWarning(warning);
    }

    /// <summary>The results of one connection.</summary>
    protected abstract IEnumerable<object> Results(ConnectionRecord record);

    /// <summary>The result, or nothing, with the stream remembered for <see cref="MissingWarning"/>.</summary>
    protected IEnumerable<object> OneOrMissing(object? result, ConnectionRecord record)
    {
        if (result != null) return new[] { result };
        _missing.Add(record.Stream);
        return Array.Empty<object>();
    }

    /// <summary>What to warn about the streams that gave no result (null: nothing).</summary>
    protected virtual string? MissingWarning(string streams) => null;
}

/// <summary>Get-TcpConnection: one object per TCP connection, with Zeek's conn_state and history.</summary>
[Cmdlet(VerbsCommon.Get, "TcpConnection", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TcpConnection))]
public sealed class GetTcpConnectionCommand : ConnectionAnalysisCmdlet
{
    private readonly List<int> _noZeek = new();
    private string? _noZeekPath;

    protected override IEnumerable<object> Results(ConnectionRecord record)
    {
        var c = record.ToConnection();
        if (c.ZeekConnections.Count == 0 && c.ZeekDropped != SegmentIntegrity.None)
        {
            _noZeek.Add(c.Stream);
            _noZeekPath ??= c.Path;
        }
        return new object[] { c };
    }

    /// <summary>
    /// Once per file: the streams Zeek would log no connection for (every packet dropped by its IP analysis), whose
    /// ConnState and History are empty; ConnStateDescription says why.
    /// </summary>
    protected override void EndAnalysis()
    {
        _noZeek.Clear();
        _noZeekPath = null;
        base.EndAnalysis();
        if (_noZeek.Count == 0) return;
        var streams = Text.CommonText.Join(_noZeek);
        WriteWarning(_noZeekPath == null ? Analysis.Zeek.ZeekText.Table.Format("Warning.NoConnection", streams)
            : Analysis.Zeek.ZeekText.Table.Format("Warning.NoConnectionInFile", streams, _noZeekPath));
    }
}

/// <summary>Get-TcpHandshake: the three-way handshake of every connection that has a SYN.</summary>
[Cmdlet(VerbsCommon.Get, "TcpHandshake", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TcpHandshake))]
public sealed class GetTcpHandshakeCommand : ConnectionAnalysisCmdlet
{
    protected override IEnumerable<object> Results(ConnectionRecord record) => OneOrMissing(record.ToHandshake(), record);

    protected override string MissingWarning(string streams) => Say.Format("Warning.NoHandshake", streams);
}

/// <summary>Get-TcpTeardown: how every connection that ends was closed.</summary>
[Cmdlet(VerbsCommon.Get, "TcpTeardown", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TcpTeardown))]
public sealed class GetTcpTeardownCommand : ConnectionAnalysisCmdlet
{
    protected override IEnumerable<object> Results(ConnectionRecord record) => OneOrMissing(record.ToTeardown(), record);

    protected override string MissingWarning(string streams) => Say.Format("Warning.NoTeardown", streams);
}

/// <summary>Get-TcpStateTimeline: each endpoint's RFC 9293 state changes, with the frame that caused each.</summary>
[Cmdlet(VerbsCommon.Get, "TcpStateTimeline", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TcpStateTransition))]
public sealed class GetTcpStateTimelineCommand : ConnectionAnalysisCmdlet
{
    /// <summary>Only the client's or only the server's states.</summary>
    [Parameter]
    public ConnectionRole? Role { get; set; }

    protected override IEnumerable<object> Results(ConnectionRecord record) =>
        record.ToStateTimeline().Where(t => Role == null || t.RoleValue == Role);
}

/// <summary>Get-TcpExpertInfo: one event per expert item (like tshark -z expert), as the segments are read.</summary>
[Cmdlet(VerbsCommon.Get, "TcpExpertInfo", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TcpExpertEvent))]
public sealed class GetTcpExpertInfoCommand : SegmentAnalysisCmdlet
{
    private ExpertAnalyzer _analyzer = new();

    /// <summary>The lowest severity to report (Chat reports everything; Warning only warnings and errors).</summary>
    [Parameter]
    public ExpertSeverity Severity { get; set; } = ExpertSeverity.Chat;

    protected override void BeginAnalysis() => _analyzer = new ExpertAnalyzer();
    protected override void AnalyzeSegment(TcpSegment segment)
    {
        foreach (var e in _analyzer.Analyze(segment))
            if (e.SeverityValue >= Severity) WriteResult(e);
    }
    protected override void EndAnalysis() { }
}

/// <summary>Get-TcpStream: the payload of each direction of a connection in sequence order (Follow TCP Stream).</summary>
[Cmdlet(VerbsCommon.Get, "TcpStream", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TcpStreamContent), typeof(string))]
public sealed class GetTcpStreamCommand : SegmentAnalysisCmdlet
{
    private Dictionary<int, StreamFollower> _followers = new();

    /// <summary>Write the conversation as text (like tshark -z follow,tcp,ascii) instead of objects.</summary>
    [Parameter]
    public SwitchParameter AsText { get; set; }

    protected override bool NeedsPayload => true;
    protected override void BeginAnalysis() => _followers = new Dictionary<int, StreamFollower>();
    protected override void AnalyzeSegment(TcpSegment segment)
    {
        if (!_followers.TryGetValue(segment.Stream, out var f))
            _followers[segment.Stream] = f = new StreamFollower();
        f.Add(segment);
    }
    protected override void EndAnalysis()
    {
        foreach (var kv in _followers.OrderBy(k => k.Key))
        {
            var content = kv.Value.Finish();
            if (AsText) WriteObject(content.Text);
            else WriteResult(content);
        }
        _followers.Clear();
    }
}
