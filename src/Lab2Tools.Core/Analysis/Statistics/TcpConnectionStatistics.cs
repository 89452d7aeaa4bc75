using System.Net;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis.Statistics;

/// <summary>
/// tcptrace's long report (tcptrace -l -r) for one direction of one connection, with tcptrace's field names in
/// PascalCase. Durations are numbers with their unit in the name; counts are exact.
/// </summary>
public sealed class TcpDirectionStatistics
{
    /// <summary>tcp.stream of the connection.</summary>
    public int Stream { get; init; }
    /// <summary>a2b (from the connection's first sender, tcptrace's host a) or b2a.</summary>
    public string Direction { get; init; } = "";
    /// <summary>The sender in this direction, e.g. 127.0.0.1:48496.</summary>
    public string Source { get; init; } = "";
    public string Destination { get; init; } = "";
    /// <summary>The capture file the connection was read from.</summary>
    public string? Path { get; init; }
    public long TotalPackets { get; init; }
    public long ResetsSent { get; init; }
    public long AckPacketsSent { get; init; }
    public long PureAcksSent { get; init; }
    public long SackPacketsSent { get; init; }
    public long DsackPacketsSent { get; init; }
    public int MaxSackBlocksPerAck { get; init; }
    /// <summary>Payload bytes sent for the first time (retransmitted bytes and zero-window probes not counted).</summary>
    public long UniqueBytesSent { get; init; }
    public long ActualDataPackets { get; init; }
    public long ActualDataBytes { get; init; }
    public long RetransmittedDataPackets { get; init; }
    public long RetransmittedDataBytes { get; init; }
    public long ZeroWindowProbePackets { get; init; }
    public long ZeroWindowProbeBytes { get; init; }
    public long OutOfOrderPackets { get; init; }
    public long PushedDataPackets { get; init; }
    public long SynPacketsSent { get; init; }
    public long FinPacketsSent { get; init; }
    /// <summary>The window scale option was in this side's SYN (RFC 7323).</summary>
    public bool WindowScaleRequested { get; init; }
    /// <summary>The timestamps option was sent.</summary>
    public bool TimestampsRequested { get; init; }
    /// <summary>The scale shift in effect (0 unless both SYNs carried the option).</summary>
    public int AdvertisedWindowScale { get; init; }
    public bool SackRequested { get; init; }
    /// <summary>Segments with SACK blocks.</summary>
    public long SacksSent { get; init; }
    /// <summary>The MSS option's value (0 when none). tcptrace 6.6.7 prints loopback's 65495 as 4294967255.</summary>
    public int MssRequested { get; init; }
    public int MaxSegmentSize { get; init; }
    public int MinSegmentSize { get; init; }
    /// <summary>
    /// Data bytes / (data packets + 0.001), truncated: tcptrace's arithmetic, one byte short when the bytes divide evenly.
    /// </summary>
    public long AvgSegmentSize { get; init; }
    public long MaxWindowAdvertised { get; init; }
    public long MinWindowAdvertised { get; init; }
    public long ZeroWindowAdvertisements { get; init; }
    public long AvgWindowAdvertised { get; init; }
    /// <summary>Data bytes sent before the first ACK of data from the other side (not retransmissions).</summary>
    public long InitialWindowBytes { get; init; }
    public long InitialWindowPackets { get; init; }
    /// <summary>From the SYN to the FIN (or the last byte when reset); null without a SYN and a FIN.</summary>
    public long? StreamLength { get; init; }
    /// <summary>StreamLength − UniqueBytesSent: bytes never seen in the capture; null without a SYN and a FIN.</summary>
    public long? MissedData { get; init; }
    public long TruncatedDataBytes { get; init; }
    public long TruncatedPackets { get; init; }
    /// <summary>From the first to the last data segment.</summary>
    public double DataTransmitTimeSeconds { get; init; }
    /// <summary>The longest gap between two segments of this direction (null when it sent none).</summary>
    public double? IdleTimeMaxMilliseconds { get; init; }
    /// <summary>UniqueBytesSent / the connection's duration (bytes per second); null for a connection of no duration.</summary>
    public double? ThroughputBytesPerSecond { get; init; }
    /// <summary>RTT samples: ACKs of segments sent once, with no later-sent segment acknowledged before them.</summary>
    public long RttSamples { get; init; }
    public double RttMinMilliseconds { get; init; }
    public double RttMaxMilliseconds { get; init; }
    public double RttAvgMilliseconds { get; init; }
    /// <summary>Sample standard deviation (0 with fewer than three samples, as tcptrace prints it).</summary>
    public double RttStdevMilliseconds { get; init; }
    /// <summary>The RTT of the SYN (this side's SYN to the ACK of it).</summary>
    public double RttFromHandshakeMilliseconds { get; init; }
    /// <summary>The size of the largest segment with an RTT sample (the "full size"), in bytes of sequence space.</summary>
    public long RttFullSizeSegmentBytes { get; init; }
    /// <summary>RTT samples of segments of that size.</summary>
    public long RttFullSizeSamples { get; init; }
    public double RttFullSizeMinMilliseconds { get; init; }
    public double RttFullSizeMaxMilliseconds { get; init; }
    public double RttFullSizeAvgMilliseconds { get; init; }
    public double RttFullSizeStdevMilliseconds { get; init; }
    /// <summary>ACKs from the other side that repeat an ACK (BSD's rule: no data, same window, data outstanding).</summary>
    public long DuplicateAcks { get; init; }
    public long TripleDuplicateAcks { get; init; }
}

/// <summary>
/// Computes tcptrace's per-direction statistics (its -l long report) from the segments of each connection. The
/// definitions are tcptrace 6.6.7's (trace.c, rexmit.c, output.c), reimplemented: a retransmission is a segment
/// that overlaps bytes already sent, an out-of-order segment one that starts and ends before a segment already
/// seen, a zero-window probe a segment sent while the other side's last window was 0; RTT samples come from ACKs
/// that exactly end a segment sent once.
/// </summary>
public sealed class TcpConnectionStatisticsAnalyzer
{
    private sealed class Seg
    {
        public long First, Last;          // unwrapped sequence numbers, inclusive
        public int Retrans, Acked;
        public long TimeMicros;
    }

    private sealed class Dir
    {
        public IPAddress Address = IPAddress.None;
        public int Port;
        public long Packets, Resets, AckPkts, PureAcks, Sacks, Dsacks, UniqueBytes, DataPkts, DataBytes, Rexmit, RexmitBytes;
        public long ZwndProbes, ZwndBytes, OutOfOrder, Pushed, SynCount, FinCount, SacksSent;
        public int MaxSackBlocks, Mss, MaxSeg, MinSeg, WindowScale;
        public bool WsRequested, TsRequested, SackRequested, WindowStatsScaled, DataAcked, HaveLastTime, HaveDataTime;
        public long WinMax, WinMin, WinZero, WinTot, WinScaledPkts, WinLast, InitBytes, InitSegs, TruncBytes, TruncSegs;
        public long FirstDataMicros, LastDataMicros, LastMicros, IdleMax;
        public uint Syn, Fin, LatestSeq, AckSeen;
        public bool HaveAck;
        public long OwinTot;
        public readonly List<Seg> Segs = new();
        public long? Base;
        // RTT
        public long RttCount, RttFullCount, RttFullSize, DupAcks, TripleDupAcks;
        public double RttMin, RttMax, RttSum, RttSum2, RttLast, Rtt3Whs, FullMin, FullMax, FullSum, FullSum2;

        public long Unwrap(uint seq)
        {
            Base ??= seq;
            long d = (int)(seq - (uint)(Base.Value & 0xFFFFFFFF));
            long v = Base.Value + d;
            return v;
        }
    }

    private sealed class Conn
    {
        public int Stream;
        public string? Path;
        public readonly Dir A = new(), B = new();
        public long FirstMicros = -1, LastMicros;
    }

    private readonly Dictionary<int, Conn> _conns = new();

    /// <summary>
    /// For the tests: size a one-byte segment (a SYN or FIN alone) as 2^32 bytes when choosing the "full size", as tcptrace
    /// 6.6.7 does (its size formula takes last == first for a wrapped segment), so every other field can be compared exactly.
    /// </summary>
    internal bool TcptraceFullSizeQuirk { get; set; }

    public void Add(TcpSegment s)
    {
        if (!_conns.TryGetValue(s.Stream, out var c))
        {
            _conns[s.Stream] = c = new Conn { Stream = s.Stream, Path = s.Path };
            c.A.Address = s.Source; c.A.Port = s.SourcePort;
            c.B.Address = s.Destination; c.B.Port = s.DestinationPort;
        }
        long now = s.TimestampNanoseconds / 1000;                 // tcptrace reads microsecond timestamps
        if (c.FirstMicros < 0) c.FirstMicros = now;
        c.LastMicros = now;
        bool ab = s.SourcePort == c.A.Port && s.Source.Equals(c.A.Address);
        var me = ab ? c.A : c.B;
        var other = ab ? c.B : c.A;
        var f = s.Flags;
        bool syn = (f & TcpFlags.SYN) != 0, fin = (f & TcpFlags.FIN) != 0, rst = (f & TcpFlags.RST) != 0, ack = (f & TcpFlags.ACK) != 0;
        if (syn) me.SynCount++;
        if (rst) me.Resets++;
        if (fin) me.FinCount++;

        long effWin = 0;
        if (ack || syn)
        {
            effWin = s.WindowSizeValue;
            if (me.WsRequested && other.WsRequested && !syn) effWin <<= me.WindowScale;
        }
        if (me.HaveLastTime) me.IdleMax = Math.Max(me.IdleMax, now - me.LastMicros);
        me.LastMicros = now; me.HaveLastTime = true;

        int len = s.Len;
        uint start = s.SeqRaw, end = start + (uint)len;

        if (syn)
        {
            me.Syn = start;
            other.AckSeen = start;
        }
        if (fin) me.Fin = start + (uint)len;

        // options
        if (s.Mss is int mss) me.Mss = mss;
        if (s.WindowScaleShift is int ws) { me.WindowScale = ws; me.WsRequested = true; }
        if (s.TsVal != null) me.TsRequested = true;
        if (!syn && (!me.WsRequested || !other.WsRequested)) me.WindowScale = other.WindowScale = 0;
        if (s.SackPermitted) me.SackRequested = true;
        int sackCount = s.SackBlocks.Count;
        if (sackCount > 0) me.SacksSent++;

        if (len > 0)
        {
            me.DataPkts++;
            if ((f & TcpFlags.PSH) != 0) me.Pushed++;
            me.DataBytes += len;
            me.MaxSeg = Math.Max(me.MaxSeg, len);
            if (me.MinSeg == 0 || len < me.MinSeg) me.MinSeg = len;
            if (!me.HaveDataTime) { me.FirstDataMicros = now; me.HaveDataTime = true; }
            me.LastDataMicros = now;
        }
        me.Packets++;
        if (me.WindowStatsScaled) me.WinScaledPkts++;
        me.LatestSeq = end;
        if (len > 0 && s.IsTruncated)
        {
            long missing = len - s.Payload.Length;
            if (missing > 0) { me.TruncBytes += missing; me.TruncSegs++; }
        }

        // retransmissions, probes, out-of-order, unique bytes
        bool probe = false, outOfOrder = false;
        long retransBytes = 0;
        if (syn || fin || len > 0)
        {
            int l = len + (syn ? 1 : 0) + (fin ? 1 : 0);
            long retransCnt = 0;
            if (other.WinLast == 0 && other.Packets > 0 && !syn)
            {
                probe = true;
                me.ZwndProbes++;
                me.ZwndBytes += len;
            }
            else retransCnt = retransBytes = AddSegment(me, me.Unwrap(start), l, now, out outOfOrder);
            if (outOfOrder) me.OutOfOrder++;
            if (syn) { l--; if (me.SynCount > 1) retransCnt--; }
            if (fin) { l--; if (me.FinCount > 1) retransCnt--; }
            if (!probe && retransCnt < l) me.UniqueBytes += l - retransCnt;
        }

        if (ack)
        {
            AckIn(other, me, s.AckRaw, len, effWin, now, TcptraceFullSizeQuirk);
            if (s.AckRaw == other.Syn + 1 && other.SynCount == 1) other.Rtt3Whs = other.RttLast;
        }
        bool retrans = retransBytes > 0;
        if (retrans) { me.Rexmit++; me.RexmitBytes += retransBytes; }

        if (rst)
        {
            if (ack) me.AckPkts++;
            return;
        }

        me.WinLast = effWin;
        if (ack || syn)
        {
            if (effWin > me.WinMax) me.WinMax = effWin;
            if (effWin > 0 && me.WsRequested && other.WsRequested && !syn && !me.WindowStatsScaled)
            {
                me.WindowStatsScaled = true;
                me.WinMin = me.WinMax = effWin;
                me.WinTot = 0;
                me.WinScaledPkts = 1;
            }
            else if (effWin > 0 && (me.WinMin == 0 || effWin < me.WinMin)) me.WinMin = effWin;
            me.WinTot += effWin;
        }
        if (ack)
        {
            if (effWin == 0) me.WinZero++;
            me.AckPkts++;
            if (len == 0 && !syn && !fin) me.PureAcks++;
            if (sackCount > 0)
            {
                me.Sacks++;
                me.MaxSackBlocks = Math.Max(me.MaxSackBlocks, sackCount);
                var b0 = s.SackBlocks[0];
                if (SeqLe(b0.RightEdgeRaw, s.AckRaw)) me.Dsacks++;
                else if (sackCount > 1)
                {
                    var b1 = s.SackBlocks[1];
                    if (SeqLe(b0.RightEdgeRaw, b1.RightEdgeRaw) && SeqGe(b0.LeftEdgeRaw, b1.LeftEdgeRaw)) me.Dsacks++;
                    else if ((SeqLe(b0.LeftEdgeRaw, b1.LeftEdgeRaw) && SeqGt(b0.RightEdgeRaw, b1.LeftEdgeRaw)) ||
                             (SeqGe(b0.RightEdgeRaw, b1.RightEdgeRaw) && SeqLt(b0.LeftEdgeRaw, b1.RightEdgeRaw))) me.Dsacks++;
                }
            }
            me.AckSeen = s.AckRaw;
            me.HaveAck = true;
        }

        // the initial window: data sent before any ACK of data came back
        if (!other.DataAcked && ack && other.Syn + 1 != s.AckRaw) other.DataAcked = true;
        if (len > 0 && !me.DataAcked && !retrans) { me.InitBytes += len; me.InitSegs++; }

        if (!syn && !outOfOrder && !retrans)
        {
            long owin = other.AckSeen == 0 ? (long)(end - start) : (uint)(end - (other.AckSeen - 1));
            me.OwinTot += owin;
        }
    }

    // tcptrace compares raw 32-bit numbers as plain unsigned values
    private static bool SeqLe(uint a, uint b) => a <= b;
    private static bool SeqGe(uint a, uint b) => a >= b;
    private static bool SeqLt(uint a, uint b) => a < b;
    private static bool SeqGt(uint a, uint b) => a > b;

    /// <summary>Adds a sent range to the direction's segment list; returns the bytes it re-sends.</summary>
    private static long AddSegment(Dir d, long first, int len, long now, out bool outOfOrder)
    {
        outOfOrder = false;
        long last = first + len - 1;
        long rexlen = 0;
        bool split = false;
        var list = d.Segs;
        int i = 0;
        if (list.Count > 0 && first > list[^1].Last) i = list.Count;
        for (; i < list.Count; i++)
        {
            var seg = list[i];
            if (first > seg.Last) continue;
            if (first < seg.First)
            {
                if (last < seg.Last) outOfOrder = true;
                var fresh = new Seg { First = first, Last = last, TimeMicros = now };
                list.Insert(i, fresh);
                if (last < seg.First) return rexlen;
                fresh.Last = seg.First - 1;
                first = seg.First;
                len = (int)(last - first + 1);
                i++;                                    // seg is now at i
            }
            if (first >= seg.First)
            {
                seg.Retrans++;
                if (!split) seg.TimeMicros = now;               // a retransmission restarts the segment's clock
                if (last <= seg.Last) { rexlen += len; return rexlen; }
                split = true;
                rexlen += seg.Last - first + 1;
                first = seg.Last + 1;
                len = (int)(last - first + 1);
            }
        }
        list.Add(new Seg { First = first, Last = last, TimeMicros = now });
        return rexlen;
    }

    /// <summary>An ACK arriving for the data of <paramref name="d"/> (sent by <paramref name="acker"/>).</summary>
    private static void AckIn(Dir d, Dir acker, uint ackRaw, int dataLen, long effWin, long now, bool quirk)
    {
        if (d.Base == null) return;
        long ack = d.Unwrap(ackRaw);
        bool changed = false;
        long lastXmit = long.MinValue;
        foreach (var seg in d.Segs)
        {
            if (ack <= seg.First) break;
            if (seg.TimeMicros > lastXmit) lastXmit = seg.TimeMicros;
            if (seg.Acked > 0)
            {
                if (ack == seg.Last + 1 && ackRaw == acker.AckSeen && dataLen == 0 && effWin == acker.WinLast && d.OwinTot > 0)
                {
                    d.DupAcks++;
                    seg.Acked++;
                    if (seg.Acked == 4) d.TripleDupAcks++;
                }
                else seg.Acked = 1;
                continue;
            }
            seg.Acked++;
            changed = true;
            if (ack == seg.Last + 1)
            {
                bool intervening = lastXmit > seg.TimeMicros;
                RttAckIn(d, seg, intervening, now, quirk);
            }
        }
        if (changed) Collapse(d.Segs);
    }

    private static void RttAckIn(Dir d, Seg seg, bool rexmitPrev, long now, bool quirk)
    {
        double rtt = now - seg.TimeMicros;
        if (rexmitPrev) { d.RttLast = 0; return; }
        if (seg.Retrans != 0) { d.RttLast = 0; return; }
        d.RttLast = rtt;
        if (d.RttMin == 0 || d.RttMin > rtt) d.RttMin = rtt;
        if (d.RttMax < rtt) d.RttMax = rtt;
        d.RttSum += rtt; d.RttSum2 += rtt * rtt; d.RttCount++;
        long size = quirk && seg.Last == seg.First ? 1L << 32 : seg.Last - seg.First + 1;
        if (d.RttFullSize == 0 || d.RttFullSize < size)
        {
            d.RttFullSize = size;
            d.FullMin = d.FullMax = d.FullSum = rtt;
            d.FullSum2 = rtt * rtt;
            d.RttFullCount = 1;
        }
        else if (d.RttFullSize == size)
        {
            d.RttFullCount++;
            if (d.FullMin == 0 || d.FullMin > rtt) d.FullMin = rtt;
            if (d.FullMax < rtt) d.FullMax = rtt;
            d.FullSum += rtt; d.FullSum2 += rtt * rtt;
        }
    }

    /// <summary>Acknowledged neighbours that fit together become one segment (the later ACK count, the later time).</summary>
    private static void Collapse(List<Seg> list)
    {
        int i = 0;
        while (i + 1 < list.Count)
        {
            var a = list[i];
            if (a.Acked == 0) break;
            var b = list[i + 1];
            if (b.Acked > 0 && a.Last + 1 == b.First)
            {
                a.Last = b.Last;
                a.Acked = b.Acked;
                if (b.TimeMicros > a.TimeMicros) a.TimeMicros = b.TimeMicros;
                list.RemoveAt(i + 1);
                continue;
            }
            i++;
        }
    }

    private static double Stdev(double sum, double sum2, long n) => n <= 2 ? 0 : Math.Sqrt((sum2 - sum * sum / n) / (n - 1));

    private static string Endpoint(IPAddress a, int port) => Model.Units.Text(a, port);

    /// <summary>Both directions of every connection, in stream order (a2b, then b2a).</summary>
    public IEnumerable<TcpDirectionStatistics> Results()
    {
        foreach (var c in _conns.Values.OrderBy(c => c.Stream))
        {
            double etime = (c.LastMicros - c.FirstMicros) / 1_000_000.0;
            yield return Result(c, c.A, c.B, "a2b", etime);
            yield return Result(c, c.B, c.A, "b2a", etime);
        }
    }

    private static TcpDirectionStatistics Result(Conn c, Dir d, Dir other, string name, double etime)
    {
        long? streamLength = null;
        if (d.SynCount > 0 && d.FinCount > 0)
        {
            uint lastSeq = d.Resets > 0 ? d.LatestSeq : d.Fin;
            streamLength = lastSeq > d.Syn ? (long)lastSeq - d.Syn - 1 : (1L << 32) + lastSeq - d.Syn - 1;
        }
        bool scaled = d.WindowStatsScaled && other.WindowStatsScaled;
        return new TcpDirectionStatistics
        {
            Stream = c.Stream,
            Path = c.Path,
            Direction = name,
            Source = Endpoint(d.Address, d.Port),
            Destination = Endpoint(other.Address, other.Port),
            TotalPackets = d.Packets,
            ResetsSent = d.Resets,
            AckPacketsSent = d.AckPkts,
            PureAcksSent = d.PureAcks,
            SackPacketsSent = d.Sacks,
            DsackPacketsSent = d.Dsacks,
            MaxSackBlocksPerAck = d.MaxSackBlocks,
            UniqueBytesSent = d.UniqueBytes,
            ActualDataPackets = d.DataPkts,
            ActualDataBytes = d.DataBytes,
            RetransmittedDataPackets = d.Rexmit,
            RetransmittedDataBytes = d.RexmitBytes,
            ZeroWindowProbePackets = d.ZwndProbes,
            ZeroWindowProbeBytes = d.ZwndBytes,
            OutOfOrderPackets = d.OutOfOrder,
            PushedDataPackets = d.Pushed,
            SynPacketsSent = d.SynCount,
            FinPacketsSent = d.FinCount,
            WindowScaleRequested = d.WsRequested,
            TimestampsRequested = d.TsRequested,
            AdvertisedWindowScale = d.WindowScale,
            SackRequested = d.SackRequested,
            SacksSent = d.SacksSent,
            MssRequested = d.Mss,
            MaxSegmentSize = d.MaxSeg,
            MinSegmentSize = d.MinSeg,
            AvgSegmentSize = (long)(d.DataBytes / (d.DataPkts + .001)),
            MaxWindowAdvertised = d.WinMax,
            MinWindowAdvertised = d.WinMin,
            ZeroWindowAdvertisements = d.WinZero,
            AvgWindowAdvertised = scaled ? (d.WinScaledPkts == 0 ? 0 : d.WinTot / d.WinScaledPkts) : (d.Packets == 0 ? 0 :
                d.WinTot / d.Packets),
            InitialWindowBytes = d.InitBytes,
            InitialWindowPackets = d.InitSegs,
            StreamLength = streamLength,
            MissedData = streamLength - d.UniqueBytes,
            TruncatedDataBytes = d.TruncBytes,
            TruncatedPackets = d.TruncSegs,
            DataTransmitTimeSeconds = (d.LastDataMicros - d.FirstDataMicros) / 1_000_000.0,
            IdleTimeMaxMilliseconds = d.HaveLastTime ? d.IdleMax / 1000.0 : null,
            ThroughputBytesPerSecond = etime == 0 ? null : d.UniqueBytes / etime,
            RttSamples = d.RttCount,
            RttMinMilliseconds = d.RttMin / 1000,
            RttMaxMilliseconds = d.RttMax / 1000,
            RttAvgMilliseconds = d.RttCount == 0 ? 0 : d.RttSum / d.RttCount / 1000,
            RttStdevMilliseconds = Stdev(d.RttSum, d.RttSum2, d.RttCount) / 1000,
            RttFromHandshakeMilliseconds = d.Rtt3Whs / 1000,
            RttFullSizeSegmentBytes = d.RttFullSize,
            RttFullSizeSamples = d.RttFullCount,
            RttFullSizeMinMilliseconds = d.FullMin / 1000,
            RttFullSizeMaxMilliseconds = d.FullMax / 1000,
            RttFullSizeAvgMilliseconds = d.RttFullCount == 0 ? 0 : d.FullSum / d.RttFullCount / 1000,
            RttFullSizeStdevMilliseconds = Stdev(d.FullSum, d.FullSum2, d.RttFullCount) / 1000,
            DuplicateAcks = d.DupAcks,
            TripleDuplicateAcks = d.TripleDupAcks,
        };
    }
}
