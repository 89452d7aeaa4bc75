using System.Net;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis;

/// <summary>How the client (the side that opened the connection) was decided.</summary>
public enum RoleSource
{
    /// <summary>It sent the SYN.</summary>
    Syn,
    /// <summary>No SYN was captured; it received the SYN-ACK.</summary>
    SynAck,
    /// <summary>No SYN or SYN-ACK was captured: the side with the higher port is taken as the client.</summary>
    PortNumbers,
}

public enum ConnectionRole { Client, Server }

/// <summary>Wireshark's tcp.completeness bits.</summary>
[Flags]
public enum TcpCompleteness
{
    None = 0,
    Syn = 1,
    SynAck = 2,
    Ack = 4,
    Data = 8,
    Fin = 16,
    Rst = 32,
}

/// <summary>Counters for one direction of a connection.</summary>
public sealed class TcpDirectionStatistics
{
    public long Frames { get; internal set; }
    /// <summary>Sum of frame lengths (what Wireshark's Conversations dialog counts as bytes).</summary>
    public long FrameBytes { get; internal set; }
    /// <summary>Sum of IP lengths (Zeek's orig_ip_bytes / resp_ip_bytes).</summary>
    public long IpBytes { get; internal set; }
    /// <summary>All payload bytes sent, retransmissions included.</summary>
    public long PayloadBytes { get; internal set; }
    /// <summary>Payload bytes that covered new sequence space.</summary>
    public long UniquePayloadBytes { get; internal set; }
    /// <summary>Payload bytes in segments Wireshark flags as (fast, spurious) retransmissions.</summary>
    public long RetransmittedBytes { get; internal set; }
    /// <summary>Bytes never seen in sequence space that was skipped over (content gaps, Zeek's missed_bytes).</summary>
    public long MissedBytes { get; internal set; }
    public int? Mss { get; internal set; }
    public int? WindowScaleShift { get; internal set; }
    public bool SackPermitted { get; internal set; }
    public bool Timestamps { get; internal set; }
    public override string ToString() => $"{Frames} frames, {PayloadBytes} payload bytes";
}

/// <summary>One TCP connection (one tcp.stream), like a row of Wireshark's Conversations and Zeek's conn.log.</summary>
public sealed class TcpConnection
{
    public int Stream { get; init; }
    public IPEndPoint Client { get; init; } = null!;
    public IPEndPoint Server { get; init; } = null!;
    public RoleSource RoleSource { get; init; }
    public DateTime StartTime { get; init; }
    /// <summary>Time of the first frame relative to the start of the capture.</summary>
    public TimeSpan RelativeStart { get; init; }
    public TimeSpan Duration { get; init; }
    public long FirstFrame { get; init; }
    public long LastFrame { get; init; }
    public long Frames => ClientToServer.Frames + ServerToClient.Frames;
    public TcpDirectionStatistics ClientToServer { get; init; } = null!;
    public TcpDirectionStatistics ServerToClient { get; init; } = null!;
    /// <summary>
    /// Zeek's conn_state (S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH) of the Zeek connection
    /// that holds this stream's first frame; <see cref="ZeekConnections"/> has every Zeek connection of the stream.
    /// </summary>
    public string ConnState { get; init; } = "";
    /// <summary>What the ConnState code means.</summary>
    public string ConnStateDescription => Zeek.ZeekConnection.Describe(ConnState);
    /// <summary>Zeek's history string (uppercase: originator, lowercase: responder) of the same Zeek connection as ConnState.</summary>
    public string History { get; init; } = "";
    /// <summary>
    /// The connections Zeek logs for this stream's frames, in order: one, unless Zeek splits the stream (a new SYN
    /// on a closed connection, tcp_attempt_delay, tcp_close_delay, tcp_connection_linger after a close or reset,
    /// or tcp_inactivity_timeout), each with its start frame, originator, conn_state and history.
    /// </summary>
    public IReadOnlyList<Zeek.ZeekConnection> ZeekConnections { get; init; } = Array.Empty<Zeek.ZeekConnection>();
    /// <summary>True when Zeek logs more than one connection for this stream.</summary>
    public bool ZeekSplit => ZeekConnections.Count > 1;
    /// <summary>Wireshark's tcp.completeness bits.</summary>
    public TcpCompleteness Completeness { get; init; }
    /// <summary>Wireshark's completeness label, e.g. "Complete, WITH_DATA".</summary>
    public string CompletenessText => CompletenessLabel((int)Completeness);
    public TimeSpan? InitialRtt { get; init; }
    /// <summary>Which side sent the first FIN, if any.</summary>
    public ConnectionRole? ClosedFirstBy { get; init; }
    /// <summary>Which side sent the first RST, if any.</summary>
    public ConnectionRole? ResetBy { get; init; }
    /// <summary>Count of each tcp.analysis flag in the connection.</summary>
    public IReadOnlyDictionary<string, int> ExpertCounts { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, int>.Empty;
    public int Retransmissions { get; init; }
    public int DuplicateAcks { get; init; }
    public int ZeroWindows { get; init; }
    public int OutOfOrder { get; init; }
    public int LostSegments { get; init; }
    public bool ReusedPorts { get; init; }

    internal static string CompletenessLabel(int c) => c switch
    {
        1 => "Incomplete, SYN_SENT",
        3 => "Incomplete, CLIENT_ESTABLISHED",
        7 => "Incomplete, ESTABLISHED",
        15 => "Incomplete, DATA",
        31 or 47 or 63 => "Complete, WITH_DATA",
        23 or 39 or 55 => "Complete, NO_DATA",
        _ => "Incomplete",
    };

    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"Stream {Stream}: {Client} → {Server} {ConnState} {History}";
}

/// <summary>One step of the three-way handshake.</summary>
public sealed class TcpHandshakeStep
{
    public int Step { get; init; }
    public string Name { get; init; } = "";
    public long Frame { get; init; }
    public DateTime Time { get; init; }
    public IPEndPoint From { get; init; } = null!;
    public IPEndPoint To { get; init; } = null!;
    public string Flags { get; init; } = "";
    public uint Seq { get; init; }
    public uint Ack { get; init; }
    public uint SeqRaw { get; init; }
    public uint AckRaw { get; init; }
    public string Explanation { get; init; } = "";
    public override string ToString() => $"{Step}. {Name} frame {Frame}: Seq={Seq} Ack={Ack}";
}

/// <summary>The options one side offered in its SYN or SYN-ACK.</summary>
public sealed class TcpSynOptions
{
    public int? Mss { get; init; }
    public int? WindowScaleShift { get; init; }
    public int? WindowScaleMultiplier => WindowScaleShift is int s ? 1 << Math.Min(s, 14) : null;
    public bool SackPermitted { get; init; }
    public bool Timestamps { get; init; }
    /// <summary>ECN-setup: SYN with ECE and CWR, or SYN-ACK with ECE.</summary>
    public bool Ecn { get; init; }
    /// <summary>The raw window of the SYN (never scaled).</summary>
    public int Window { get; init; }
    public override string ToString()
    {
        var parts = new List<string>();
        if (Mss != null) parts.Add($"MSS={Mss}");
        if (WindowScaleShift != null) parts.Add($"WS={WindowScaleMultiplier}");
        if (SackPermitted) parts.Add("SACK_PERM");
        if (Timestamps) parts.Add("TS");
        if (Ecn) parts.Add("ECN");
        return string.Join(" ", parts);
    }
}

public enum HandshakeVerdict
{
    /// <summary>SYN, SYN-ACK, ACK.</summary>
    Complete,
    /// <summary>Completed, but the SYN had to be sent more than once.</summary>
    SynRetransmitted,
    /// <summary>The server answered the SYN with RST: nothing listens on that port.</summary>
    Rejected,
    /// <summary>SYN(s) with no answer in the capture.</summary>
    NoAnswer,
    /// <summary>SYN and SYN-ACK, but no ACK from the client in the capture.</summary>
    FinalAckMissing,
    /// <summary>The client reset the connection during the handshake.</summary>
    AbortedByClient,
}

/// <summary>The three-way handshake of one connection.</summary>
public sealed class TcpHandshake
{
    public int Stream { get; init; }
    public IPEndPoint Client { get; init; } = null!;
    public IPEndPoint Server { get; init; } = null!;
    public TcpHandshakeStep Syn { get; init; } = null!;
    public TcpHandshakeStep? SynAck { get; init; }
    public TcpHandshakeStep? Ack { get; init; }
    /// <summary>Frames of SYNs sent again (same ISN).</summary>
    public IReadOnlyList<long> SynRetransmissions { get; init; } = Array.Empty<long>();
    public IReadOnlyList<long> SynAckRetransmissions { get; init; } = Array.Empty<long>();
    public uint ClientIsn { get; init; }
    public uint? ServerIsn { get; init; }
    public TcpSynOptions ClientOptions { get; init; } = null!;
    public TcpSynOptions? ServerOptions { get; init; }
    /// <summary>Window scaling is in effect only when both SYN and SYN-ACK carry the option (RFC 7323).</summary>
    public bool WindowScaling { get; init; }
    /// <summary>Multiplier applied to the client's advertised windows (1 when scaling is not in effect).</summary>
    public int ClientWindowMultiplier { get; init; }
    public int ServerWindowMultiplier { get; init; }
    public bool SackPermitted { get; init; }
    public bool Timestamps { get; init; }
    public bool Ecn { get; init; }
    /// <summary>The largest segment the client may send (the server's MSS) and the server may send (the client's MSS).</summary>
    public int? ClientMaxSegment { get; init; }
    public int? ServerMaxSegment { get; init; }
    /// <summary>Wireshark's iRTT: from the (last) SYN to the ACK that completed the handshake.</summary>
    public TimeSpan? InitialRtt { get; init; }
    public HandshakeVerdict Verdict { get; init; }
    public string Explanation { get; init; } = "";
    public IReadOnlyList<TcpHandshakeStep> Steps => new[] { Syn, SynAck, Ack }.Where(s => s != null).Select(s => s!).ToArray();
    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"Stream {Stream}: {Verdict} ({Client} → {Server})";
}

public enum TeardownKind
{
    /// <summary>FIN, ACK, FIN, ACK: four segments.</summary>
    FourWay,
    /// <summary>FIN, FIN+ACK, ACK: the passive side acknowledged and closed in one segment.</summary>
    ThreeWay,
    /// <summary>Both sides sent FIN before receiving the other's.</summary>
    Simultaneous,
    /// <summary>The passive side kept sending data after the first FIN, then closed.</summary>
    HalfClose,
    /// <summary>The connection ended with RST.</summary>
    Reset,
    /// <summary>A FIN was sent but the close did not finish in the capture.</summary>
    Incomplete,
}

/// <summary>How a connection ended.</summary>
public sealed class TcpTeardown
{
    public int Stream { get; init; }
    public IPEndPoint Client { get; init; } = null!;
    public IPEndPoint Server { get; init; } = null!;
    public TeardownKind Kind { get; init; }
    /// <summary>The side that sent the first FIN (or the RST).</summary>
    public ConnectionRole? ActiveCloser { get; init; }
    public IPEndPoint? ActiveCloserEndPoint { get; init; }
    public ConnectionRole? PassiveCloser { get; init; }
    /// <summary>The segments of the close, in order, with relative numbers.</summary>
    public IReadOnlyList<TcpHandshakeStep> Steps { get; init; } = Array.Empty<TcpHandshakeStep>();
    /// <summary>The side that ends in TIME_WAIT (both after a simultaneous close; none after a reset).</summary>
    public string? TimeWaitSide { get; init; }
    public IPEndPoint? TimeWaitEndPoint { get; init; }
    /// <summary>Payload bytes the passive side sent after receiving the first FIN.</summary>
    public long DataAfterFirstFin { get; init; }
    public ConnectionRole? ResetBy { get; init; }
    public long? ResetFrame { get; init; }
    /// <summary>For resets: what was happening when the RST was sent.</summary>
    public string? ResetReason { get; init; }
    public string Explanation { get; init; } = "";
    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"Stream {Stream}: {Kind}";
}

/// <summary>RFC 9293 connection states.</summary>
public enum TcpState
{
    CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK,
}

/// <summary>One state change of one endpoint, with the frame that caused it.</summary>
public sealed class TcpStateTransition
{
    public int Stream { get; init; }
    public IPEndPoint EndPoint { get; init; } = null!;
    public ConnectionRole Role { get; init; }
    public TcpState? From { get; init; }
    public TcpState To { get; init; }
    /// <summary>The frame that caused the change (null for changes the capture cannot show, such as TIME_WAIT expiring).</summary>
    public long? Frame { get; init; }
    public DateTime? Time { get; init; }
    public string Cause { get; init; } = "";
    public string Explanation { get; init; } = "";
    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"{Role} {From}→{To} ({Cause})";
}

public enum ExpertSeverity { Chat, Note, Warning, Error }

/// <summary>One expert-information item, like a line of Wireshark's Expert Information dialog.</summary>
public sealed class TcpExpertEvent
{
    public long Frame { get; init; }
    public DateTime Time { get; init; }
    public int Stream { get; init; }
    public ExpertSeverity Severity { get; init; }
    public string Group { get; init; } = "Sequence";
    /// <summary>The display filter field, e.g. tcp.analysis.retransmission.</summary>
    public string Field { get; init; } = "";
    /// <summary>Wireshark's message.</summary>
    public string Message { get; init; } = "";
    /// <summary>Why, with the numbers from this capture.</summary>
    public string Reason { get; init; } = "";
    public IPEndPoint Source { get; init; } = null!;
    public IPEndPoint Destination { get; init; } = null!;
    public TcpSegment Segment { get; init; } = null!;
    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"{Frame} {Severity} {Message}";
}
