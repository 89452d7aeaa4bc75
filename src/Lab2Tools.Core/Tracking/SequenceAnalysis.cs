using System.Runtime.CompilerServices;
using Lab2Tools.Model;

namespace Lab2Tools.Tracking;

/// <summary>The per-segment result of the sequence/ack analysis (Wireshark's struct tcp_acked).</summary>
public struct SegmentAnalysis
{
    public TcpAnalysisFlags Flags;
    public long AcksFrame;          // 0 = none
    public long AckRttNs;           // valid when AcksFrame != 0
    public long BytesInFlight;      // -1 = not computed
    public int DupAckNumber;
    public long DupAckFrame;
    public long RtoNs;              // valid when RtoFrame != 0
    public long RtoFrame;
    public uint ExpectedSeqRaw;     // fwd nextseq before this segment (0 = unknown)
}

/// <summary>An unacknowledged segment (tcp_unacked_t): kept until the other side acknowledges it.</summary>
internal struct UnackedSegment
{
    public long Frame;
    public uint Seq;
    public uint NextSeq;
    public long TimestampNs;
}

/// <summary>
/// Wireshark's tcp_analyze_sequence_number(): the expert flags, acked frame, ACK RTT and bytes in flight of
/// one segment, from the state of both flows, in Wireshark's order and precedence. All numbers are raw
/// (absolute) with wrap-around comparisons, as in the original.
/// </summary>
internal static class SequenceAnalysis
{
    /// <summary>Wireshark caps the unacked list of a flow at 10000 segments (TCP_MAX_UNACKED_SEGMENTS).</summary>
    public const int MaxUnackedSegments = 10000;

    private static bool Gt(uint a, uint b) => (int)(a - b) > 0;
    private static bool Lt(uint a, uint b) => (int)(a - b) < 0;
    private static bool Le(uint a, uint b) => (int)(a - b) <= 0;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SegmentAnalysis Analyze(TcpFlowState fwd, TcpFlowState rev, TcpConversation conv,
        long frame, long nowNs, uint seq, uint ack, int seglen, TcpFlags flags, uint window, int sackBlocks, in Decode.SackEdges sack)
    {
        var ta = new SegmentAnalysis { BytesInFlight = -1, ExpectedSeqRaw = fwd.NextSeq };
        if (conv.ReusedPortsFrame == frame) ta.Flags |= TcpAnalysisFlags.ReusedPorts;
        bool syn = (flags & TcpFlags.SYN) != 0, fin = (flags & TcpFlags.FIN) != 0, rst = (flags & TcpFlags.RST) != 0;
        bool synFinRst = syn || fin || rst;
        uint len = (uint)seglen;

        if ((flags & TcpFlags.ACK) != 0) rev.ValidBif = true;

        bool skipToFinished = false;
        // ZERO WINDOW PROBE
        if (len == 1 && seq == fwd.NextSeq && rev.Window == 0)
        {
            ta.Flags |= TcpAnalysisFlags.ZeroWindowProbe;
            skipToFinished = true;
        }
        if (!skipToFinished)
        {
            // ZERO WINDOW
            if (window == 0 && !synFinRst)
                ta.Flags |= TcpAnalysisFlags.ZeroWindow;

            // LOST PACKET
            if (fwd.NextSeq != 0 && Gt(seq, fwd.NextSeq) && !rst)
            {
                ta.Flags |= TcpAnalysisFlags.PreviousSegmentNotCaptured;
                fwd.ValidBif = false;
            }

            // KEEP ALIVE
            if ((len == 0 || len == 1) && seq == fwd.NextSeq - 1 && !synFinRst)
                ta.Flags |= TcpAnalysisFlags.KeepAlive;

            // WINDOW UPDATE
            if (len == 0 && window != 0 && window != fwd.Window && seq == fwd.NextSeq && ack == fwd.LastAck && !synFinRst)
                ta.Flags |= TcpAnalysisFlags.WindowUpdate;

            // WINDOW FULL
            if (len > 0 && rev.WindowScale != -1
                && seq + len == rev.LastAck + (rev.Window << (rev.WindowScale == -2 ? 0 : rev.WindowScale))
                && !synFinRst)
                ta.Flags |= TcpAnalysisFlags.WindowFull;

            // KEEP ALIVE ACK
            if (len == 0 && window != 0 && window == fwd.Window && seq == fwd.NextSeq && ack == fwd.LastAck
                && (rev.LastSegmentFlags & TcpAnalysisFlags.KeepAlive) != 0 && !synFinRst)
            {
                ta.Flags |= TcpAnalysisFlags.KeepAliveAck;
                skipToFinished = true;
            }
            // ZERO WINDOW PROBE ACK
            else if (len == 0 && window == 0 && window == fwd.Window && seq == fwd.NextSeq && ack == fwd.LastAck
                && (rev.LastSegmentFlags & TcpAnalysisFlags.ZeroWindowProbe) != 0 && !synFinRst)
            {
                ta.Flags |= TcpAnalysisFlags.ZeroWindowProbeAck;
                skipToFinished = true;
            }
            // DUPLICATE ACK
            else if (len == 0 && window != 0 && window == fwd.Window && seq == fwd.NextSeq && ack == fwd.LastAck && !synFinRst)
            {
                fwd.DupAckNum++;
                ta.Flags |= TcpAnalysisFlags.DuplicateAck;
                ta.DupAckNumber = fwd.DupAckNum;
                ta.DupAckFrame = fwd.LastNonDupAck;
            }
        }

        // finished_fwd: the ack number changed, reset the dup-ack counter
        if (ack != fwd.LastAck)
        {
            fwd.LastNonDupAck = frame;
            fwd.DupAckNum = 0;
        }

        // ACKED LOST PACKET
        if (rev.MaxSeqToBeAcked != 0 && Gt(ack, rev.MaxSeqToBeAcked) && (flags & TcpFlags.ACK) != 0)
        {
            ta.Flags |= TcpAnalysisFlags.AckedUnseenSegment;
            rev.MaxSeqToBeAcked = rev.NextSeq;
        }

        // RETRANSMISSION / FAST RETRANSMISSION / OUT-OF-ORDER / SPURIOUS
        if (len > 0 || syn || fin)
        {
            bool seqNotAdvanced = fwd.NextSeq != 0 && Lt(seq, fwd.NextSeq);
            if ((ta.Flags & TcpAnalysisFlags.KeepAlive) == 0)
            {
                if (len > 1 && fwd.NextSeq - 1 == seq) seqNotAdvanced = false;
                long t = nowNs - rev.LastAckTimeNs;
                if (seqNotAdvanced && rev.DupAckNum >= 2 && rev.LastAck == seq && t < 20_000_000)
                {
                    ta.Flags |= TcpAnalysisFlags.FastRetransmission;
                }
                else
                {
                    t = nowNs - fwd.NextSeqTimeNs;
                    long oooThreshold = conv.InitialRttNs > 0 ? conv.InitialRttNs : 3_000_000;
                    if (seqNotAdvanced && t < oooThreshold && fwd.NextSeq != seq + len)
                    {
                        ta.Flags |= TcpAnalysisFlags.OutOfOrder;
                    }
                    else if (len > 0 && rev.LastAck != 0 && Le(seq + len, rev.LastAck))
                    {
                        ta.Flags |= TcpAnalysisFlags.SpuriousRetransmission;
                    }
                    else if (seqNotAdvanced)
                    {
                        ta.Flags |= TcpAnalysisFlags.Retransmission;
                        ta.RtoNs = nowNs - fwd.NextSeqTimeNs;
                        ta.RtoFrame = fwd.NextSeqFrame;
                        // better: the eldest unacked segment, likely the one retransmitted here
                        if (fwd.Unacked is { Count: > 0 })
                        {
                            ta.RtoNs = nowNs - fwd.Unacked[0].TimestampNs;
                            ta.RtoFrame = fwd.Unacked[0].Frame;
                        }
                    }
                }
            }
        }

        // finished_checking_retransmission_type
        uint nextseq = seq + len;
        if (fin) fwd.SentFin = true;
        if ((len > 0 || syn || fin) && (fwd.Unacked?.Count ?? 0) < MaxUnackedSegments)
        {
            if (syn || fin) nextseq += 1;
            (fwd.Unacked ??= new List<UnackedSegment>()).Add(new UnackedSegment { Frame = frame, Seq = seq, NextSeq = nextseq,
                TimestampNs = nowNs });
        }

        bool zwp = (ta.Flags & TcpAnalysisFlags.ZeroWindowProbe) != 0;
        if (Gt(nextseq, fwd.NextSeq) || fwd.NextSeq == 0)
        {
            if (!zwp)
            {
                fwd.NextSeq = nextseq;
                fwd.NextSeqFrame = frame;
                fwd.NextSeqTimeNs = nowNs;
            }
        }
        if (seq == fwd.MaxSeqToBeAcked || fwd.MaxSeqToBeAcked == 0)
        {
            if (!zwp) fwd.MaxSeqToBeAcked = fwd.NextSeq;
        }

        fwd.Window = window;
        fwd.LastAck = ack;
        fwd.LastAckTimeNs = nowNs;
        fwd.LastSegmentFlags = ta.Flags;

        // remove what this ACK acknowledges from the other direction's unacked list, in one compaction pass
        // (Wireshark walks newest first and keeps the last exact match: the oldest one, found first here)
        if (rev.Unacked is { } list)
        {
            int keep = 0;
            bool matched = false;
            for (int i = 0; i < list.Count; i++)
            {
                var u = list[i];
                if (ack == u.NextSeq)
                {
                    if (!matched)
                    {
                        ta.AcksFrame = u.Frame;
                        ta.AckRttNs = nowNs - u.TimestampNs;
                        matched = true;
                    }
                    continue;                                   // acknowledged: drop
                }
                if (Gt(ack, u.Seq) && Le(ack, u.NextSeq)) u.Seq = ack;   // partly acknowledged
                else if (!Gt(u.NextSeq, ack)) continue;                 // old: drop
                list[keep++] = u;
            }
            list.RemoveRange(keep, list.Count - keep);
            if (keep == 0 && rev.SentFin) rev.Unacked = null;   // the direction is closed and all acknowledged: keep nothing
        }

        // bytes in flight after this frame
        if (len != 0 && fwd.Unacked is { Count: > 0 } fl && fwd.ValidBif)
        {
            uint first = fl[^1].Seq - fwd.BaseSeq;
            uint last = fl[^1].NextSeq - fwd.BaseSeq;
            for (int i = fl.Count - 1; i >= 0; i--)
            {
                uint n = fl[i].NextSeq - fwd.BaseSeq;
                uint s = fl[i].Seq - fwd.BaseSeq;
                if (n > last) last = n;
                if (s < first) first = s;
            }
            uint inFlight = last - first;
            // subtract what the receiver reported as SACKed (Wireshark reads its stored blocks at 1..count)
            uint delivered = 0;
            for (int i = 0; i < rev.SackRangeCount; i++)
                delivered += rev.SackRight[i + 1] - rev.SackLeft[i + 1];
            inFlight -= delivered;
            if (inFlight > 0 && inFlight < 2_000_000_000)
                ta.BytesInFlight = inFlight - (syn || fin ? 1 : 0);
        }

        // the options are dissected after the analysis: remember this segment's SACK blocks for later segments
        fwd.SackRangeCount = 0;
        for (int b = 0; b < sackBlocks && b < 4; b++)
        {
            fwd.SackRangeCount = b + 1;
            fwd.SackLeft[b + 1] = sack[2 * b];
            fwd.SackRight[b + 1] = sack[2 * b + 1];
        }
        return ta;
    }
}
