using System.Net;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis.Graphs;

/// <summary>Wireshark's five TCP stream graphs (Statistics &gt; TCP Stream Graphs).</summary>
public enum TcpGraphType
{
    /// <summary>Time-sequence graph (Stevens): one point per segment of the graphed direction.</summary>
    Stevens,
    /// <summary>
    /// Time-sequence graph (tcptrace): segments as bars, the ACK and receive-window lines, SACK blocks, duplicate ACKs, zero windows.
    /// </summary>
    TcpTrace,
    /// <summary>Segment length, throughput and goodput (1-second moving average).</summary>
    Throughput,
    /// <summary>Round-trip time of each acknowledged segment, against time and against sequence number.</summary>
    RoundTripTime,
    /// <summary>The receive window advertised by the other side and the bytes outstanding.</summary>
    WindowScaling,
}

/// <summary>Which direction of a connection a graph shows (the direction of the data; ACKs come the other way).</summary>
public enum TcpGraphDirection
{
    /// <summary>The direction that carried more payload bytes (ties: server to client).</summary>
    Auto,
    ClientToServer,
    ServerToClient,
}

/// <summary>The series of the graphs, named after Wireshark's legend entries.</summary>
public enum TcpGraphSeries
{
    /// <summary>Stevens: the sequence number of each segment.</summary>
    Sequence,
    /// <summary>tcptrace: a data segment, Low = Seq, High = Seq + Len.</summary>
    Segment,
    /// <summary>tcptrace: the acknowledgement number of each ACK from the other side.</summary>
    Ack,
    /// <summary>tcptrace: ACK + the scaled receive window (the highest sequence number the receiver accepts).</summary>
    ReceiveWindowEdge,
    /// <summary>tcptrace: the first SACK block of an ACK, Low = left edge, High = right edge.</summary>
    Sack,
    /// <summary>tcptrace: the other SACK blocks of an ACK.</summary>
    Sack2,
    /// <summary>tcptrace: an ACK that repeats the previous ACK number and window edge.</summary>
    DuplicateAck,
    /// <summary>tcptrace: a segment of the graphed direction that advertises a zero window.</summary>
    ZeroWindow,
    /// <summary>Throughput: each segment's payload length.</summary>
    SegmentLength,
    /// <summary>Throughput: bits per second sent in the last second (moving average).</summary>
    Throughput,
    /// <summary>Throughput: bits per second acknowledged in the last second (moving average, SACKed bytes counted once).</summary>
    Goodput,
    /// <summary>RoundTripTime: the RTT of a segment (X = the segment's time).</summary>
    RoundTripTime,
    /// <summary>RoundTripTime: the same samples against the segment's relative sequence number (X = Seq).</summary>
    RoundTripTimeBySequence,
    /// <summary>WindowScaling: bytes sent and not yet acknowledged (highest next Seq − latest ACK).</summary>
    BytesOutstanding,
    /// <summary>WindowScaling: the scaled receive window the other side advertises.</summary>
    ReceiveWindow,
}

/// <summary>One point of a TCP stream graph.</summary>
public sealed class TcpGraphPoint
{
    /// <summary>tcp.stream of the graphed connection.</summary>
    public int Stream { get; init; }
    /// <summary>
    /// The graph type's name (a <see cref="TcpGraphType"/> name: Stevens, TcpTrace, ...), a string so JSON and CSV show the name.
    /// </summary>
    public string Graph { get; init; } = "";
    /// <summary>The series' name (a <see cref="TcpGraphSeries"/> name: Segment, Ack, ...).</summary>
    public string Series { get; init; } = "";
    /// <summary>The frame the point comes from (for RTT samples: the ACK; for moving averages: the newest segment in the window).</summary>
    public long Frame { get; init; }
    /// <summary>Seconds since the connection's first segment, to the microsecond (Wireshark's time origin "connection").</summary>
    public double TimeSeconds { get; init; }
    /// <summary>The x coordinate: TimeSeconds, or the relative sequence number for RoundTripTimeBySequence.</summary>
    public double X { get; init; }
    /// <summary>The y value, in <see cref="Unit"/>. For bars (Segment, Sack, Sack2) the middle of the bar.</summary>
    public double Value { get; init; }
    /// <summary>Lower end of a bar (Segment, Sack, Sack2), else null.</summary>
    public double? Low { get; init; }
    /// <summary>Upper end of a bar, else null.</summary>
    public double? High { get; init; }
    /// <summary>Unit of Value, Low and High: bytes (sequence numbers and windows), bits/s, or s.</summary>
    public string Unit { get; init; } = "bytes";
    /// <summary>The sender of the graphed data, e.g. 127.0.0.1:5000.</summary>
    public string Source { get; init; } = "";
    /// <summary>The receiver of the graphed data (the sender of the ACKs).</summary>
    public string Destination { get; init; } = "";
    /// <summary>The capture file the point was read from.</summary>
    public string? Path { get; init; }

    public override string ToString() => $"{Graph}/{Series} frame {Frame} t={TimeSeconds:0.000000} {Value} {Unit}";
    /// <summary>The value as the view shows it: seconds with six decimals, other units with at most one.</summary>
    public string ValueText => Value.ToString(Unit == "s" ? "0.000000" : "0.#", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A computed graph: its points and how to label it.</summary>
public sealed class TcpStreamGraph
{
    public int Stream { get; init; }
    public TcpGraphType Type { get; init; }
    public string Source { get; init; } = "";
    public string Destination { get; init; } = "";
    public IReadOnlyList<TcpGraphPoint> Points { get; init; } = Array.Empty<TcpGraphPoint>();
    /// <summary>Wireshark's dialog title, e.g. "Sequence Numbers (Stevens) for 127.0.0.1:5000 → 127.0.0.1:48496".</summary>
    public string Title { get; init; } = "";
}

/// <summary>
/// Collects segments per connection and computes Wireshark's TCP stream graphs from them, following the
/// algorithms of Wireshark's ui/qt/tcp_stream_dialog.cpp (fillStevens, fillTcptrace, fillThroughput with its
/// 1-second moving average, fillRoundTripTime, fillWindowScale). Sequence and acknowledgement numbers are
/// relative, windows are scaled, times are microseconds since the connection's first segment.
/// </summary>
public sealed class TcpStreamGraphBuilder
{
    internal struct Seg
    {
        public long Frame;
        public long Micros;          // floor(frame.time_relative in µs), as Wireshark's tap keeps it
        public uint Seq, Ack;
        public long Win;
        public int Len;
        public TcpFlags Flags;
        public byte Side;            // 0: the stream's first source, 1: the other endpoint
        public SackBlock[]? Sacks;
    }

    internal sealed class StreamData
    {
        public IPAddress Address0 = IPAddress.None;
        public int Port0;
        public IPAddress Address1 = IPAddress.None;
        public int Port1;
        public int ClientSide = -1;
        public long Bytes0, Bytes1;
        public string? Path;
        public readonly List<Seg> Segs = new();
    }

    private readonly Dictionary<int, StreamData> _streams = new();

    /// <summary>The streams seen so far, in order.</summary>
    public IEnumerable<int> Streams => _streams.Keys.OrderBy(k => k);

    /// <summary>Copies what the graphs need from a segment (the segment object may be reused afterwards).</summary>
    public void Add(TcpSegment s)
    {
        if (!_streams.TryGetValue(s.Stream, out var d))
        {
            _streams[s.Stream] = d = new StreamData
            {
                Address0 = s.Source, Port0 = s.SourcePort, Address1 = s.Destination, Port1 = s.DestinationPort, Path = s.Path,
            };
        }
        byte side = s.SourcePort == d.Port0 && s.Source.Equals(d.Address0) ? (byte)0 : (byte)1;
        if (d.ClientSide < 0 && (s.Flags & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN) d.ClientSide = side;
        if (side == 0) d.Bytes0 += s.Len; else d.Bytes1 += s.Len;
        d.Segs.Add(new Seg
        {
            Frame = s.Frame,
            Micros = s.TimeRelative.Ticks / 10,
            Seq = s.Seq,
            Ack = s.Ack,
            Win = s.WindowSize,
            Len = s.Len,
            Flags = s.Flags,
            Side = side,
            Sacks = s.SackBlocks.Count == 0 ? null : s.SackBlocks.ToArray(),
        });
    }

    /// <summary>The graph of one stream, or null when the stream has no segment.</summary>
    public TcpStreamGraph? Build(int stream, TcpGraphType type, TcpGraphDirection direction = TcpGraphDirection.Auto)
    {
        if (!_streams.TryGetValue(stream, out var d) || d.Segs.Count == 0) return null;
        int client = d.ClientSide < 0 ? 0 : d.ClientSide;
        int fwd = direction switch
        {
            TcpGraphDirection.ClientToServer => client,
            TcpGraphDirection.ServerToClient => 1 - client,
            _ => d.Bytes0 == d.Bytes1 ? 1 - client : d.Bytes0 > d.Bytes1 ? 0 : 1,
        };
        string src = Endpoint(fwd == 0 ? d.Address0 : d.Address1, fwd == 0 ? d.Port0 : d.Port1);
        string dst = Endpoint(fwd == 0 ? d.Address1 : d.Address0, fwd == 0 ? d.Port1 : d.Port0);
        var ctx = new Context(stream, type, src, dst, d.Segs, (byte)fwd, d.Path);
        switch (type)
        {
            case TcpGraphType.Stevens: ctx.Stevens(); break;
            case TcpGraphType.TcpTrace: ctx.TcpTrace(); break;
            case TcpGraphType.Throughput: ctx.Throughput(); break;
            case TcpGraphType.RoundTripTime: ctx.RoundTripTime(); break;
            case TcpGraphType.WindowScaling: ctx.WindowScaling(); break;
        }
        string name = GraphText.Get("Name." + type);
        return new TcpStreamGraph { Stream = stream, Type = type, Source = src, Destination = dst, Points = ctx.Points,
            Title = GraphText.Format("Title", name, src, dst) };
    }

    private static string Endpoint(IPAddress a, int port) => Model.Units.Text(a, port);

    private static bool SeqBefore(uint a, uint b) => (int)(a - b) < 0;
    private static bool SeqAfter(uint a, uint b) => (int)(b - a) < 0;
    private static bool SeqEqOrAfter(uint a, uint b) => !SeqBefore(a, b);

    private sealed class Context
    {
        private readonly int _stream;
        private readonly TcpGraphType _type;
        private readonly string _typeName;
        private static readonly string[] SeriesNames = Enum.GetNames<TcpGraphSeries>();
        private readonly string _src, _dst;
        private readonly List<Seg> _segs;
        private readonly byte _fwd;
        private readonly long _origin;
        private readonly string? _path;
        public readonly List<TcpGraphPoint> Points = new();

        public Context(int stream, TcpGraphType type, string src, string dst, List<Seg> segs, byte fwd, string? path)
        {
            _stream = stream; _type = type; _typeName = type.ToString(); _src = src; _dst = dst; _segs = segs; _fwd = fwd;
            _path = path;
            _origin = segs[0].Micros;
        }

        private double T(in Seg s) => (s.Micros - _origin) / 1_000_000.0;
        private double T(long micros) => (micros - _origin) / 1_000_000.0;

        private void Add(TcpGraphSeries series, long frame, double time, double value, double? low = null, double? high = null,
            string unit = "bytes", double? x = null) =>
            Points.Add(new TcpGraphPoint
            {
                Stream = _stream, Graph = _typeName, Series = SeriesNames[(int)series], Frame = frame, TimeSeconds = time, X = x ?? time,
                    Value = value,
                Low = low, High = high, Unit = unit, Source = _src, Destination = _dst, Path = _path,
            });

        public void Stevens()
        {
            foreach (var s in _segs)
                if (s.Side == _fwd) Add(TcpGraphSeries.Sequence, s.Frame, T(s), s.Seq);
        }

        public void TcpTrace()
        {
            bool haveAck = false;
            double lastAck = 0, lastRwin = 0;
            foreach (var s in _segs)
            {
                double ts = T(s);
                if (s.Side == _fwd)
                {
                    double half = s.Len / 2.0;
                    double center = s.Seq + half;
                    if (s.Len > 0) Add(TcpGraphSeries.Segment, s.Frame, ts, center, s.Seq, (double)s.Seq + s.Len);
                    if (s.Win == 0 && (s.Flags & (TcpFlags.RST | TcpFlags.FIN | TcpFlags.SYN)) == 0)
                        Add(TcpGraphSeries.ZeroWindow, s.Frame, ts, center);
                    continue;
                }
                if ((s.Flags & TcpFlags.ACK) == 0) continue;
                double ack = s.Ack;
                if (s.Sacks != null)
                    for (int i = 0; i < s.Sacks.Length; i++)
                    {
                        var b = s.Sacks[i];
                        double h = (b.RightEdge - b.LeftEdge) / 2.0;
                        Add(i == 0 ? TcpGraphSeries.Sack : TcpGraphSeries.Sack2, s.Frame, ts, b.LeftEdge + h, b.LeftEdge, b.LeftEdge +
                            2 * h);
                    }
                double rwin = ack + s.Win;
                if (haveAck && lastAck == ack && lastRwin == rwin) Add(TcpGraphSeries.DuplicateAck, s.Frame, ts, ack);
                Add(TcpGraphSeries.Ack, s.Frame, ts, ack);
                Add(TcpGraphSeries.ReceiveWindowEdge, s.Frame, ts, rwin);
                haveAck = true; lastAck = ack; lastRwin = rwin;
            }
        }

        /// <summary>Wireshark's 1-second moving average (MA_1_SECOND): throughput of the data, goodput of the ACKs.</summary>
        public void Throughput()
        {
            const double window = 1.0;
            uint lastAck = 0;
            foreach (var s in _segs)
                if (s.Side != _fwd && (s.Flags & TcpFlags.ACK) != 0) { lastAck = s.Ack; break; }
            var fwd = new MovingAverage(this, TcpGraphSeries.Throughput, window);
            var rev = new MovingAverage(this, TcpGraphSeries.Goodput, window);
            var oldSacks = new List<(uint L, uint R)>();
            var newSacks = new List<(uint L, uint R)>();
            foreach (var s in _segs)
            {
                double ts = T(s);
                if (s.Side == _fwd)
                {
                    Add(TcpGraphSeries.SegmentLength, s.Frame, ts, s.Len);
                    fwd.Add(s.Frame, ts, s.Len);
                    continue;
                }
                long seglen = 0;
                if ((s.Flags & TcpFlags.ACK) != 0 && SeqEqOrAfter(s.Ack, lastAck))
                {
                    uint len = s.Ack - lastAck;
                    lastAck = s.Ack;
                    newSacks.Clear();
                    if (s.Sacks != null)
                        foreach (var b in s.Sacks) newSacks.Add((b.LeftEdge, b.RightEdge));
                    newSacks.Sort((a, b) => SeqBefore(a.L, b.L) ? -1 : SeqBefore(b.L, a.L) ? 1 : 0);
                    AdjustForSacks(ref len, lastAck, newSacks, oldSacks);
                    seglen = len;
                }
                rev.Add(s.Frame, ts, seglen);
            }
        }

        /// <summary>Goodput counts SACKed bytes when they are SACKed and not again when the cumulative ACK covers them.</summary>
        private static void AdjustForSacks(ref uint seglen, uint lastAck, List<(uint L, uint R)> news, List<(uint L, uint R)> olds)
        {
            int acked = 0;
            for (; acked < olds.Count; acked++)
            {
                var o = olds[acked];
                if (SeqBefore(lastAck, o.R))
                {
                    if (SeqAfter(lastAck, o.L)) { seglen -= lastAck - o.L; olds[acked] = (lastAck, o.R); }
                    break;
                }
                seglen -= o.R - o.L;
            }
            olds.RemoveRange(0, acked);
            int n = 0;
            while (n < news.Count)
            {
                if (SeqBefore(lastAck, news[n].R))
                {
                    if (SeqBefore(news[n].L, lastAck)) news[n] = (lastAck, news[n].R);
                    break;
                }
                n++;
            }
            int k = 0;
            while (n < news.Count && k < olds.Count)
            {
                var nw = news[n];
                var o = olds[k];
                if (SeqBefore(o.R, nw.L)) { k++; continue; }                     // old block entirely before
                if (SeqBefore(nw.R, o.L))                                          // new block entirely before
                {
                    seglen += nw.R - nw.L;
                    olds.Insert(k, nw);
                    k++; n++;
                    continue;
                }
                // overlapping or adjacent: count only the new bytes, merge into the old block
                if (SeqBefore(nw.L, o.L)) { seglen += o.L - nw.L; o.L = nw.L; }
                if (SeqAfter(nw.R, o.R))
                {
                    // the new block reaches beyond the old one: absorb the following old blocks it covers
                    uint right = nw.R;
                    int j = k + 1;
                    uint covered = o.R;
                    while (j < olds.Count && !SeqBefore(right, olds[j].L))
                    {
                        seglen += olds[j].L - covered;
                        covered = olds[j].R;
                        if (SeqAfter(olds[j].R, right)) right = olds[j].R;
                        j++;
                    }
                    if (SeqAfter(right, covered)) seglen += right - covered;
                    o.R = right;
                    olds.RemoveRange(k + 1, j - k - 1);
                }
                olds[k] = o;
                n++;
            }
            for (; n < news.Count; n++)
            {
                seglen += news[n].R - news[n].L;
                olds.Add(news[n]);
            }
        }

        private sealed class MovingAverage
        {
            private readonly Context _c;
            private readonly TcpGraphSeries _series;
            private readonly double _window;
            private readonly List<double> _times = new();
            private readonly List<long> _lens = new();
            private int _oldest;
            private long _sum;
            private double _lastTime = double.NegativeInfinity;
            private int _lastIndex = -1;

            public MovingAverage(Context c, TcpGraphSeries series, double window) { _c = c; _series = series; _window = window; }

            public void Add(long frame, double ts, long len)
            {
                _times.Add(ts);
                _lens.Add(len);
                while (_oldest < _times.Count && ts - _times[_oldest] > _window)
                {
                    _sum -= _lens[_oldest];
                    Emit(frame, _times[_oldest] + _window, _sum * 8.0 / _window, false);
                    _oldest++;
                }
                _sum += len;
                Emit(frame, ts, _sum * 8.0 / _window, true);
            }

            private void Emit(long frame, double ts, double value, bool replaceSameTime)
            {
                if (replaceSameTime && _lastIndex >= 0 && ts <= _lastTime)
                {
                    var p = _c.Points[_lastIndex];
                    _c.Points[_lastIndex] = new TcpGraphPoint
                    {
                        Stream = p.Stream, Graph = p.Graph, Series = p.Series, Frame = frame, TimeSeconds = p.TimeSeconds, X = p.X,
                        Value = value, Unit = p.Unit, Source = p.Source, Destination = p.Destination, Path = p.Path,
                    };
                    return;
                }
                _c.Add(_series, frame, ts, value, unit: "bits/s");
                _lastIndex = _c.Points.Count - 1;
                _lastTime = ts;
            }
        }

        private sealed class Unacked
        {
            public long Micros;
            public uint Seq, End;
            public long Frame;
        }

        /// <summary>
        /// RTT samples as Wireshark's "All Data Packets" sampling: every segment acknowledged (cumulatively, partly or by SACK), no
        /// Karn filter.
        /// </summary>
        public void RoundTripTime()
        {
            uint seqBase = 0;
            foreach (var s in _segs)
                if (s.Side == _fwd) { seqBase = s.Seq; break; }
            var unacked = new List<Unacked>();
            foreach (var s in _segs)
            {
                if (s.Side == _fwd)
                {
                    uint seqno = s.Seq - seqBase;
                    if (s.Len > 0 && !IsRetransmission(unacked, seqno))
                        unacked.Add(new Unacked { Micros = s.Micros, Seq = seqno, End = seqno + (uint)s.Len, Frame = s.Frame });
                    continue;
                }
                uint ackNo = s.Ack - seqBase;
                for (int i = 0; i < unacked.Count; i++)
                {
                    var u = unacked[i];
                    if (SeqAfter(ackNo, u.Seq))
                    {
                        if (!SeqBefore(ackNo, u.End))
                        {
                            Sample(s, u, u.Seq + seqBase);
                            unacked.RemoveAt(i--);
                            continue;
                        }
                        Sample(s, u, u.Seq + seqBase);
                        u.Seq = ackNo;                           // partly acknowledged: the rest waits
                    }
                    if (s.Sacks == null) continue;
                    foreach (var b in s.Sacks)
                    {
                        uint left = b.LeftEdge - seqBase, right = b.RightEdge - seqBase;
                        if (!SeqBefore(left, right)) continue;
                        if (!SeqBefore(u.Seq, right) || !SeqBefore(left, u.End)) continue;
                        bool leftAcked = SeqEqOrAfter(u.Seq, left), rightAcked = SeqEqOrAfter(right, u.End);
                        if (leftAcked && rightAcked)
                        {
                            Sample(s, u, u.Seq + seqBase);
                            unacked.RemoveAt(i--);
                            break;
                        }
                        if (leftAcked) { Sample(s, u, u.Seq + seqBase); u.Seq = right; continue; }
                        Sample(s, u, left + seqBase);
                        if (rightAcked) { u.End = left; continue; }
                        unacked.Insert(i + 1, new Unacked { Micros = u.Micros, Seq = right, End = u.End, Frame = u.Frame });
                        u.End = left;
                    }
                }
            }
        }

        private static bool IsRetransmission(List<Unacked> list, uint seqno)
        {
            foreach (var u in list)
                if (SeqEqOrAfter(seqno, u.Seq) && SeqBefore(seqno, u.End)) return true;
            return false;
        }

        private void Sample(in Seg ack, Unacked u, uint seq)
        {
            double rtt = (ack.Micros - u.Micros) / 1_000_000.0;
            Add(TcpGraphSeries.RoundTripTime, ack.Frame, T(u.Micros), rtt, unit: "s");
            Add(TcpGraphSeries.RoundTripTimeBySequence, ack.Frame, T(u.Micros), rtt, unit: "s", x: seq);
        }

        public void WindowScaling()
        {
            uint lastAck = 0, maxNextSeq = 0;
            bool haveAck = false;
            foreach (var s in _segs)
            {
                double ts = T(s);
                if (s.Side == _fwd)
                {
                    uint end = s.Seq + (uint)s.Len;
                    if (SeqEqOrAfter(end, maxNextSeq)) maxNextSeq = end;
                    if (haveAck && SeqEqOrAfter(end, lastAck))
                        Add(TcpGraphSeries.BytesOutstanding, s.Frame, ts, maxNextSeq - lastAck);
                    continue;
                }
                if ((s.Flags & (TcpFlags.SYN | TcpFlags.RST)) == 0) Add(TcpGraphSeries.ReceiveWindow, s.Frame, ts, s.Win);
                if ((s.Flags & TcpFlags.ACK) != 0 && (!haveAck || SeqEqOrAfter(s.Ack, lastAck)))
                {
                    lastAck = s.Ack;
                    haveAck = true;
                }
            }
        }
    }
}
