using System.Globalization;
using System.Net;
using System.Text;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis.Flow;

/// <summary>One arrow of a ladder diagram: a segment, with each side's TCP state when this frame changed it.</summary>
public sealed class TcpFlowRow
{
    public int Stream { get; init; }
    public long Frame { get; init; }
    public DateTime Time { get; init; }
    /// <summary>Time as ISO 8601 round-trip text, the same in every culture (for Export-Csv, which writes a DateTime
    /// in the current culture).</summary>
    public string TimeIso => Lab2Tools.Model.Units.Iso(Time);
    /// <summary>Time since the first frame of the stream.</summary>
    public decimal TimeInStreamSeconds => Units.Seconds(TimeInStream);
    internal TimeSpan TimeInStream { get; init; }
    /// <summary>ClientToServer or ServerToClient.</summary>
    public string Direction => DirectionValue.ToString();
    internal FlowDirection DirectionValue { get; init; }
    /// <summary>"->" from the client, "<-" from the server.</summary>
    public string Arrow => DirectionValue == FlowDirection.ClientToServer ? "->" : "<-";
    public string From => Units.Text(FromEndPoint);
    public string To => Units.Text(ToEndPoint);
    internal IPEndPoint FromEndPoint { get; init; } = null!;
    internal IPEndPoint ToEndPoint { get; init; } = null!;
    /// <summary>Flags as Wireshark's Info column lists them, e.g. "SYN, ACK".</summary>
    public string Flags { get; init; } = "";
    public uint Seq { get; init; }
    public uint Ack { get; init; }
    public int Len { get; init; }
    public long Window { get; init; }
    /// <summary>The arrow's label: flags and numbers, like Wireshark's Flow Graph.</summary>
    public string Label { get; init; } = "";
    /// <summary>What the segment carries: the HTTP request or status line, "[TCP segment of a reassembled PDU]", analysis tags.</summary>
    public string Comment { get; init; } = "";
    /// <summary>The client's new state when this frame changed it, otherwise null.</summary>
    public string? ClientState => ClientStateValue?.ToString();
    internal TcpState? ClientStateValue { get; init; }
    /// <summary>The server's new state when this frame changed it, otherwise null.</summary>
    public string? ServerState => ServerStateValue?.ToString();
    internal TcpState? ServerStateValue { get; init; }
    public override string ToString() =>
        $"{Frame} {(DirectionValue == FlowDirection.ClientToServer ? "→" : "←")} {Label} {Comment}".TrimEnd();
}

/// <summary>The ladder diagram of one connection (Wireshark's Flow Graph, TCP flow type, plus each side's state).</summary>
public sealed class TcpFlow
{
    public int Stream { get; init; }
    public string Client => Units.Text(ClientEndPoint);
    public string Server => Units.Text(ServerEndPoint);
    internal IPEndPoint ClientEndPoint { get; init; } = null!;
    internal IPEndPoint ServerEndPoint { get; init; } = null!;
    /// <summary>States before the first frame (e.g. CLOSED and LISTEN).</summary>
    public string? ClientInitialState => ClientInitialStateValue?.ToString();
    public string? ServerInitialState => ServerInitialStateValue?.ToString();
    internal TcpState? ClientInitialStateValue { get; init; }
    internal TcpState? ServerInitialStateValue { get; init; }
    /// <summary>States after the last frame, with what happens after the capture (TIME_WAIT ends 2×MSL later).</summary>
    public string? ClientFinalState => ClientFinalStateValue?.ToString();
    public string? ServerFinalState => ServerFinalStateValue?.ToString();
    internal TcpState? ClientFinalStateValue { get; init; }
    internal TcpState? ServerFinalStateValue { get; init; }
    public LineList<TcpFlowRow> Rows { get; init; } = LineList<TcpFlowRow>.Empty;
    /// <summary>Segments of the stream left out of the diagram.</summary>
    public int OmittedRows { get; init; }
    /// <summary>Notes for after the last frame, e.g. TIME_WAIT's end.</summary>
    public LineList<string> Notes { get; init; } = LineList<string>.Empty;
    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"Stream {Stream}: {Client} ⇄ {Server}, {Rows.Count} segments";

    /// <summary>
    /// Builds the flow of one connection from its segments, its state timeline and the HTTP exchanges that
    /// label its segments.
    /// </summary>
    public static TcpFlow Build(TcpConnection connection, IEnumerable<TcpSegment> segments,
        IEnumerable<TcpStateTransition> timeline, IEnumerable<HttpExchange> exchanges, int omitted = 0)
    {
        var http = new Dictionary<long, string>();
        foreach (var x in exchanges)
        {
            http[x.RequestFrame] = $"{x.Method} {x.Uri} {x.Version}".TrimEnd();
            if (x.ResponseFrame is long rf)
                http[rf] = $"{x.ResponseVersion} {x.StatusCode} {x.ReasonPhrase}".Trim();
            foreach (var f in x.ResponseSegmentFrames) http.TryAdd(f, "[TCP segment of a reassembled PDU]");
            if (x.RequestFirstFrame != x.RequestFrame) http.TryAdd(x.RequestFirstFrame, "[TCP segment of a reassembled PDU]");
        }

        var client = connection.ClientEndPoint;
        var states = timeline.ToList();
        TcpState? clientInitial = null, serverInitial = null, clientFinal = null, serverFinal = null;
        var changes = new Dictionary<long, (TcpState? c, TcpState? s)>();
        var notes = new List<string>();
        foreach (var t in states)
        {
            bool isClient = t.RoleValue == ConnectionRole.Client;
            if (t.Frame is long f)
            {
                changes.TryGetValue(f, out var cur);
                changes[f] = isClient ? (t.ToValue, cur.s) : (cur.c, t.ToValue);
            }
            else if (t.FromValue == null)
            {
                if (isClient) clientInitial = t.ToValue; else serverInitial = t.ToValue;
            }
            else
            {
                notes.Add(AnalysisText.Say(isClient ? "Flow.Note.Client" : "Flow.Note.Server", t.EndPoint, t.From, t.To, t.Cause));
            }
            if (isClient) clientFinal = t.ToValue; else serverFinal = t.ToValue;
        }

        var rows = new List<TcpFlowRow>();
        foreach (var s in segments)
        {
            bool fromClient = s.SourcePort == client.Port && s.Source.Equals(client.Address);
            changes.TryGetValue(s.Frame, out var ch);
            var comment = new StringBuilder();
            if (http.TryGetValue(s.Frame, out var h)) comment.Append(h);
            if (s.Analysis != TcpAnalysisFlags.None)
            {
                if (comment.Length > 0) comment.Append(' ');
                comment.Append('[').Append(s.AnalysisText).Append(']');
            }
            rows.Add(new TcpFlowRow
            {
                Stream = s.Stream, Frame = s.Frame, Time = s.Time, TimeInStream = s.TimeInStream,
                DirectionValue = fromClient ? FlowDirection.ClientToServer : FlowDirection.ServerToClient,
                FromEndPoint = s.SourceIpEndPoint, ToEndPoint = s.DestinationIpEndPoint,
                Flags = s.FlagsText, Seq = s.Seq, Ack = s.Ack, Len = s.Len, Window = s.WindowSize,
                Label = Label(s), Comment = comment.ToString(), ClientStateValue = ch.c, ServerStateValue = ch.s,
            });
        }
        return new TcpFlow
        {
            Stream = connection.Stream, ClientEndPoint = client, ServerEndPoint = connection.ServerEndPoint,
            ClientInitialStateValue = clientInitial, ServerInitialStateValue = serverInitial,
            ClientFinalStateValue = clientFinal, ServerFinalStateValue = serverFinal,
            Rows = rows, OmittedRows = omitted, Notes = notes, Path = connection.Path,
        };
    }

    /// <summary>The arrow label: "[SYN, ACK] Seq=0 Ack=1 Win=65483 Len=0 MSS=65495 SACK_PERM WS=128".</summary>
    public static string Label(TcpSegment s)
    {
        var b = new StringBuilder();
        b.Append('[').Append(s.FlagsText).Append(']');
        b.Append(" Seq=").Append(s.Seq.ToString(CultureInfo.InvariantCulture));
        if ((s.Flags & TcpFlags.ACK) != 0) b.Append(" Ack=").Append(s.Ack.ToString(CultureInfo.InvariantCulture));
        b.Append(" Win=").Append(s.WindowSize.ToString(CultureInfo.InvariantCulture));
        b.Append(" Len=").Append(s.Len.ToString(CultureInfo.InvariantCulture));
        if ((s.Flags & TcpFlags.SYN) != 0)
        {
            if (s.Mss is int mss) b.Append(" MSS=").Append(mss);
            if (s.SackPermitted) b.Append(" SACK_PERM");
            if (s.WindowScaleShift is int ws) b.Append(" WS=").Append(s.WindowScaleMultiplier);
        }
        return b.ToString();
    }
}
