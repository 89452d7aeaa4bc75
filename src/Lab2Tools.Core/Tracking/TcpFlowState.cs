using Lab2Tools.Model;

namespace Lab2Tools.Tracking;

/// <summary>What is known about one direction of a conversation (Wireshark's tcp_flow_t).</summary>
public sealed class TcpFlowState
{
    /// <summary>True once <see cref="BaseSeq"/> is known.</summary>
    public bool BaseSeqSet { get; internal set; }
    /// <summary>
    /// The sequence number relative numbers count from: the ISN when the SYN was seen, else the first seen seq − 1, or the peer's first
    /// ack − 1.
    /// </summary>
    public uint BaseSeq { get; internal set; }
    /// <summary>True when the SYN (or SYN-ACK) of this direction was seen.</summary>
    public bool SawSyn { get; internal set; }
    /// <summary>Window scale shift: -1 unknown, -2 scaling not used, else 0..14.</summary>
    public int WindowScale { get; internal set; } = -1;
    /// <summary>MSS offered in this direction's SYN, or -1.</summary>
    public int Mss { get; internal set; } = -1;

    // Sequence analysis state (Wireshark's tcp_analyze_seq_flow_info_t); raw numbers.
    internal uint NextSeq;
    internal long NextSeqFrame;
    internal long NextSeqTimeNs;
    internal uint MaxSeqToBeAcked;
    internal uint LastAck;
    internal long LastAckTimeNs;
    internal long LastNonDupAck;
    internal int DupAckNum;
    internal uint Window = uint.MaxValue;
    internal bool ValidBif = true;
    internal TcpAnalysisFlags LastSegmentFlags;
    /// <summary>Segments not yet acknowledged; made at the first one, let go once empty after this direction's FIN.</summary>
    internal List<UnackedSegment>? Unacked;
    internal bool SentFin;
    // The last SACK blocks this direction sent, stored at 1..count as Wireshark does (for bytes in flight).
    internal int SackRangeCount;
    internal SackSlots SackLeft;
    internal SackSlots SackRight;
}

/// <summary>Five SACK edges stored inline (Wireshark keeps them at 1..4).</summary>
[System.Runtime.CompilerServices.InlineArray(5)]
internal struct SackSlots
{
    private uint _edge;
}
