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
    /// <summary>
    /// Zeek's missed_bytes for what this side sent: the bytes of the content gaps Zeek reports (acknowledged by the peer
    /// but never seen, payload cut off by the snaplen included, while both sides are established or cleanly closing),
    /// over the stream's Zeek connections. Get-TcpStream's MissingBytes is the capture's view (every byte of sequence
    /// space the capture lacks).
    /// </summary>
    public long MissedBytes { get; internal set; }
    public int? Mss { get; internal set; }
    public int? WindowScaleShift { get; internal set; }
    public bool SackPermitted { get; internal set; }
    public bool Timestamps { get; internal set; }
    /// <summary>"12 frames, 1448 payload bytes (1448 unique, 0 retransmitted, 0 missed), 2072 IP bytes".</summary>
    public override string ToString() =>
        Text.ShapeText.Table.Format("Direction.Statistics", Frames, PayloadBytes, UniquePayloadBytes, RetransmittedBytes,
            MissedBytes, IpBytes);
}

/// <summary>Counts by name: a dictionary in ConvertTo-Json, "tcp.analysis.retransmission=2, tcp.analysis.duplicate_ack=1" in Export-Csv.</summary>
public sealed class CountTable : System.Collections.ObjectModel.ReadOnlyDictionary<string, int>
{
    public static new readonly CountTable Empty = new(new Dictionary<string, int>());
    public CountTable(IDictionary<string, int> counts) : base(counts) { }
    public override string ToString() => string.Join(", ", this.Select(kv => $"{kv.Key}={kv.Value}"));
}

/// <summary>One TCP connection (one tcp.stream), like a row of Wireshark's Conversations and Zeek's conn.log.</summary>
public sealed class TcpConnection
{
    public int Stream { get; init; }
    /// <summary>The client's address and port, e.g. 127.0.0.1:48496.</summary>
    public string Client => Units.Text(ClientEndPoint);
    public string Server => Units.Text(ServerEndPoint);
    internal IPEndPoint ClientEndPoint { get; init; } = null!;
    internal IPEndPoint ServerEndPoint { get; init; } = null!;
    /// <summary>How the client was decided: Syn, SynAck or PortNumbers.</summary>
    public string RoleSource => RoleSourceValue.ToString();
    internal RoleSource RoleSourceValue { get; init; }
    public DateTime StartTime { get; init; }
    /// <summary>StartTime as ISO 8601 round-trip text, the same in every culture (for Export-Csv, which writes a DateTime
    /// in the current culture).</summary>
    public string StartTimeIso => Lab2Tools.Model.Units.Iso(StartTime);
    /// <summary>Time of the first frame relative to the start of the capture.</summary>
    public decimal RelativeStartSeconds => Units.Seconds(RelativeStart);
    internal TimeSpan RelativeStart { get; init; }
    /// <summary>From the first to the last frame, in seconds.</summary>
    public decimal DurationSeconds => Units.Seconds(Duration);
    internal TimeSpan Duration { get; init; }
    public long FirstFrame { get; init; }
    public long LastFrame { get; init; }
    public long Frames => ClientToServer.Frames + ServerToClient.Frames;
    /// <summary>Payload bytes the client sent (retransmissions included).</summary>
    public long ClientPayloadBytes => ClientToServer.PayloadBytes;
    public long ServerPayloadBytes => ServerToClient.PayloadBytes;
    /// <summary>The MSS each side announced in its SYN.</summary>
    public int? ClientMss => ClientToServer.Mss;
    public int? ServerMss => ServerToClient.Mss;
    public int? ClientWindowScaleShift => ClientToServer.WindowScaleShift;
    public int? ServerWindowScaleShift => ServerToClient.WindowScaleShift;
    public TcpDirectionStatistics ClientToServer { get; init; } = null!;
    public TcpDirectionStatistics ServerToClient { get; init; } = null!;
    /// <summary>
    /// Zeek's conn_state (S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH) of the Zeek connection
    /// that holds this stream's first frame; <see cref="ZeekConnections"/> has every Zeek connection of the stream.
    /// </summary>
    public string ConnState { get; init; } = "";
    /// <summary>
    /// What the ConnState code means; when Zeek would log no connection for the stream (its IP analysis drops every
    /// packet: a bad IPv4 header checksum, an IPv4 total length of 0, an IP length beyond the frame), why.
    /// </summary>
    public string ConnStateDescription =>
        ConnState.Length == 0 && ZeekDropped != SegmentIntegrity.None ? Zeek.ZeekText.NoConnection(ZeekDropped)
            : Zeek.ZeekConnection.Describe(ConnState);
    /// <summary>Why Zeek's IP analysis dropped this stream's packets, when it dropped every one (else None).</summary>
    internal SegmentIntegrity ZeekDropped { get; init; }
    /// <summary>
    /// Zeek's missed_bytes for the whole stream: ClientToServer.MissedBytes + ServerToClient.MissedBytes (the sum of
    /// the MissedBytes of <see cref="ZeekConnections"/>).
    /// </summary>
    public long ZeekMissedBytes => ClientToServer.MissedBytes + ServerToClient.MissedBytes;
    /// <summary>Zeek's history string (uppercase: originator, lowercase: responder) of the same Zeek connection as ConnState.</summary>
    public string History { get; init; } = "";
    /// <summary>
    /// The connections Zeek logs for this stream's frames, in order: one, unless Zeek splits the stream (a new SYN
    /// on a closed connection, tcp_attempt_delay, tcp_close_delay, tcp_connection_linger after a close or reset,
    /// or tcp_inactivity_timeout), each with its start frame, originator, conn_state and history.
    /// </summary>
    public TextList<Zeek.ZeekConnection> ZeekConnections { get; init; } = new(Array.Empty<Zeek.ZeekConnection>());
    /// <summary>True when Zeek logs more than one connection for this stream.</summary>
    public bool ZeekSplit => ZeekConnections.Count > 1;
    /// <summary>Wireshark's tcp.completeness value (the sum of its bits: 1 SYN, 2 SYN-ACK, 4 ACK, 8 data, 16 FIN, 32 RST).</summary>
    public int Completeness => (int)CompletenessFlags;
    internal TcpCompleteness CompletenessFlags { get; init; }
    /// <summary>Wireshark's completeness label, e.g. "Complete, WITH_DATA".</summary>
    public string CompletenessText => CompletenessLabel((int)Completeness);
    /// <summary>Wireshark's iRTT in milliseconds.</summary>
    public decimal? InitialRttMs => Units.Milliseconds(InitialRtt);
    internal TimeSpan? InitialRtt { get; init; }
    /// <summary>Which side sent the first FIN, if any.</summary>
    public string? ClosedFirstBy => ClosedFirstByValue?.ToString();
    internal ConnectionRole? ClosedFirstByValue { get; init; }
    /// <summary>Which side sent the first RST, if any.</summary>
    public string? ResetBy => ResetByValue?.ToString();
    internal ConnectionRole? ResetByValue { get; init; }
    /// <summary>Count of each tcp.analysis flag in the connection.</summary>
    public CountTable ExpertCounts { get; init; } = CountTable.Empty;
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
