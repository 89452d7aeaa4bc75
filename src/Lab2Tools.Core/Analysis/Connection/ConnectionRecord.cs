using System.Net;
using System.Runtime.CompilerServices;
using Lab2Tools.Analysis.Zeek;
using Lab2Tools.Model;
using Lab2Tools.Text;

namespace Lab2Tools.Analysis;

/// <summary>
/// What one pass over a connection's segments keeps: counters, the few segments that shape the handshake
/// and the close, Zeek's state and history. Memory is per connection, not per segment.
/// This file accumulates; the results are built in ConnectionRecord.Handshake.cs, ConnectionRecord.Teardown.cs
/// and ConnectionRecord.StateTimeline.cs, next to their result types.
/// </summary>
public sealed partial class ConnectionRecord
{
    private const int MaxKept = 32;
    // One object per connection (plus its two direction counters and a few notes): the two endpoints are an
    // inline pair, lists and counters are made on first use, so that tens of thousands of connections stay
    // cheap to keep and to carry through garbage collections.
    private EndpointPair _ends;          // indexed by CaptureSide
    private ZeekStreamView _zeek;       // the Zeek connections of this stream (a mutable struct, updated in place)
    private readonly ZeekConnectionTracker _zeekTracker;
    private int[]? _expert;             // per tcp.analysis flag bit, made at the first flag
    private NoteList _syns;
    private NoteList _synAcks;
    private SegmentNote? _thirdAck;
    private SegmentNote? _rst;
    private readonly SegmentNote _first;
    private readonly TimeSpan _relativeStart;
    private long _lastFrame;
    private long _lastNs;
    private int _completeness;
    private bool _reused;
    private TimeSpan? _irtt;
    private bool _finsDoneBeforeRst;
    private SegmentIntegrity _zeekDropped;   // the integrity flags of the segments Zeek's IP analysis dropped

    internal ConnectionRecord(TcpSegment first, ZeekConnectionTracker zeek)
    {
        _zeekTracker = zeek;
        Stream = first.Stream;
        ref var sender = ref _ends[(int)CaptureSide.FirstSender];
        sender.Address = first.Source;
        sender.Port = (ushort)first.SourcePort;
        sender.Sent = new TcpDirectionStatistics();
        ref var receiver = ref _ends[(int)CaptureSide.FirstReceiver];
        receiver.Address = first.Destination;
        receiver.Port = (ushort)first.DestinationPort;
        receiver.Sent = new TcpDirectionStatistics();
        _first = new SegmentNote(first, CaptureSide.FirstSender);
        _relativeStart = first.TimeRelative;
        Path = first.Path;
    }

    public int Stream { get; }
    /// <summary>The capture file of the connection's first segment.</summary>
    public string? Path { get; }

    /// <summary>One endpoint's state, by capture order.</summary>
    private ref ConnectionEndpoint End(CaptureSide side) => ref _ends[(int)side];

    private CaptureSide SideOf(TcpSegment s) =>
        _ends[0].Is(s.Source, s.SourcePort) ? CaptureSide.FirstSender : CaptureSide.FirstReceiver;

    /// <summary>An endpoint as an IPEndPoint (a new object each time: records keep only the address and port).</summary>
    private IPEndPoint Ep(CaptureSide side) => _ends[(int)side].EndPoint;

    /// <summary>A handshake or teardown step made of one noted segment, sent by its side to the other.</summary>
    private T Step<T>(int n, string name, SegmentNote s, string explanation) where T : TcpConnectionStep, new() => new()
    {
        Step = n, Name = name, Frame = s.Frame, Time = s.Time, FromEndPoint = Ep(s.Side), ToEndPoint = Ep(s.Side.Peer()),
        Flags = s.FlagsText, Seq = s.Seq, Ack = s.Ack, SeqRaw = s.SeqRaw, AckRaw = s.AckRaw, Explanation = explanation,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Add(TcpSegment s)
    {
        var side = SideOf(s);
        var other = side.Peer();
        ref var me = ref End(side);
        ref var peer = ref End(other);
        _lastFrame = s.Frame;
        _lastNs = s.TimestampNanoseconds;
        var d = me.Sent;
        bool syn = (s.Flags & TcpFlags.SYN) != 0, ack = (s.Flags & TcpFlags.ACK) != 0;
        bool fin = (s.Flags & TcpFlags.FIN) != 0, rst = (s.Flags & TcpFlags.RST) != 0;

        d.Frames++;
        d.FrameBytes += s.FrameLength;
        d.IpBytes += s.IpLength;
        d.PayloadBytes += s.Len;
        const TcpAnalysisFlags retrans =
            TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.FastRetransmission | TcpAnalysisFlags.SpuriousRetransmission;
        if ((s.Analysis & retrans) != 0) d.RetransmittedBytes += s.Len;
        if (s.Len > 0)
        {
            uint start = s.Seq, end = s.Seq + (uint)s.Len;
            if (!me.DataStarted) { me.DataStarted = true; me.HighestEnd = start; }
            uint hi = me.HighestEnd;
            if ((int)(start - hi) > 0) me.Holes += start - hi;                 // a gap in sequence space
            if ((int)(end - hi) > 0)
            {
                uint from = (int)(start - hi) > 0 ? start : hi;
                d.UniquePayloadBytes += end - from;
                me.HighestEnd = end;
            }
            else if ((s.Analysis & retrans) == 0 && (s.Analysis & TcpAnalysisFlags.OutOfOrder) != 0 && me.Holes > 0)
            {
                long fill = Math.Min(me.Holes, s.Len);                         // an out-of-order segment fills a gap
                me.Holes -= fill;
                d.UniquePayloadBytes += fill;
            }
            me.LastDataFrame = s.Frame;
            if (peer.Fin != null) me.DataAfterPeerFin += s.Len;
        }
        if (syn)
        {
            if (s.Mss != null) d.Mss = s.Mss;
            if (s.WindowScaleShift != null) d.WindowScaleShift = s.WindowScaleShift;
            d.SackPermitted |= s.SackPermitted;
            d.Timestamps |= s.TsVal != null;
        }

        // Wireshark's completeness bits
        if (syn) _completeness |= ack ? 2 : 1;
        else if (ack) _completeness |= 4;
        if (s.Len > 0) _completeness |= 8;
        if (fin) _completeness |= 16;
        if (rst) _completeness |= 32;

        var zeekLast = _zeek.Last;
        var zeek = _zeekTracker.Add(s, zeekLast);
        if (!ReferenceEquals(zeek, zeekLast)) _zeek.Add(zeek);      // a segment of the same Zeek connection adds nothing
        else if (zeek == null) _zeekDropped |= s.Integrity;         // dropped by Zeek's IP analysis: remember why
        if (s.Analysis != TcpAnalysisFlags.None)
        {
            _expert ??= new int[15];             // one per flag bit (0x0001 .. 0x4000)
            for (uint bits = (uint)s.Analysis & 0x7FFF; bits != 0; bits &= bits - 1)
                _expert[System.Numerics.BitOperations.TrailingZeroCount(bits)]++;
        }
        if ((s.Analysis & TcpAnalysisFlags.ReusedPorts) != 0) _reused = true;
        if (s.InitialRtt != null) _irtt = s.InitialRtt;

        // handshake
        SegmentNote? note = null;
        // one note per segment (notes are compared by reference); the first segment's note is the one made for it
        SegmentNote Note() => note ??= s.Frame == _first.Frame ? _first : new SegmentNote(s, side);
        if (syn && !ack) { if (_syns.Count < MaxKept) _syns.Add(Note()); }
        else if (syn && ack) { if (_synAcks.Count < MaxKept) _synAcks.Add(Note()); }
        else if (ack && _thirdAck == null && _synAcks.Count > 0 && _synAcks[0].Side == other && !rst)
            _thirdAck = Note();

        // close: this segment may acknowledge the peer's FIN, and may be this endpoint's FIN or the RST
        if (ack && peer.Fin is SegmentNote peerFin && peer.FinAcked == null && (int)(s.Ack - peerFin.NextSeq) >= 0)
            peer.FinAcked = Note();
        if (fin && me.Fin == null) me.Fin = Note();
        if (rst && _rst == null)
        {
            _rst = Note();
            _finsDoneBeforeRst = _ends[0].FinAcked != null && _ends[1].FinAcked != null;
        }
    }

    private int Count(TcpAnalysisFlags f) =>
        _expert == null ? 0 : _expert[System.Numerics.BitOperations.TrailingZeroCount((uint)f)];

    // ---- roles ----------------------------------------------------------------------------------

    /// <summary>Which endpoint is the client, and how that was decided.</summary>
    private (CaptureSide client, RoleSource source) Roles()
    {
        if (_syns.Count > 0) return (_syns[0].Side, RoleSource.Syn);
        if (_synAcks.Count > 0) return (_synAcks[0].Side.Peer(), RoleSource.SynAck);
        return (_ends[0].Port >= _ends[1].Port ? CaptureSide.FirstSender : CaptureSide.FirstReceiver, RoleSource.PortNumbers);
    }

    private ConnectionRole RoleOf(CaptureSide side) => side == Roles().client ? ConnectionRole.Client : ConnectionRole.Server;

    /// <summary>"client 127.0.0.1:48496" in the current language: the two arguments of the texts' "{0} {1}".</summary>
    private (string role, string endpoint) Who(CaptureSide side) =>
        (CommonText.Role(RoleOf(side) == ConnectionRole.Client), Ep(side).ToString());

    /// <summary>The endpoint whose FIN came first (the active closer), when any FIN was sent.</summary>
    private CaptureSide? FirstFinSide()
    {
        var a = _ends[0].Fin;
        var b = _ends[1].Fin;
        if (a == null && b == null) return null;
        return b == null || (a != null && a.Frame < b.Frame) ? CaptureSide.FirstSender : CaptureSide.FirstReceiver;
    }

    // ---- the connection -------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public TcpConnection ToConnection()
    {
        var (c, source) = Roles();
        var first = _first!;
        ConnectionRole? closedFirst = FirstFinSide() is CaptureSide fs ? RoleOf(fs) : null;
        CountTable counts = CountTable.Empty;   // shared: most connections have none
        if (_expert != null)
        {
            var d = new Dictionary<string, int>();
            foreach (var a in TcpAnalysisText.All)
                if (Count(a.Flag) > 0) d[a.Field] = Count(a.Flag);
            counts = new CountTable(d);
        }
        var zeek = new TextList<ZeekConnection>(_zeek.Results());
        // Zeek's missed_bytes per direction: the content gaps of what each side sent, over the stream's Zeek connections
        long clientMissed = 0, serverMissed = 0;
        var clientEp = End(c);
        foreach (var z in zeek)
        {
            bool origIsClient = clientEp.Is(z.OriginatorEndPoint.Address, z.OriginatorEndPoint.Port);
            clientMissed += origIsClient ? z.OriginatorMissedBytes : z.ResponderMissedBytes;
            serverMissed += origIsClient ? z.ResponderMissedBytes : z.OriginatorMissedBytes;
        }
        End(c).Sent.MissedBytes = clientMissed;
        End(c.Peer()).Sent.MissedBytes = serverMissed;
        return new TcpConnection
        {
            Stream = Stream, Path = Path,
            ClientEndPoint = Ep(c),
            ServerEndPoint = Ep(c.Peer()),
            RoleSourceValue = source,
            StartTime = first.Time,
            RelativeStart = _relativeStart,
            Duration = TimeSpan.FromTicks((_lastNs - first.TimestampNanoseconds) / 100),
            FirstFrame = first.Frame,
            LastFrame = _lastFrame,
            ClientToServer = End(c).Sent,
            ServerToClient = End(c.Peer()).Sent,
            ConnState = _zeek.First?.ConnState ?? "",
            History = _zeek.First?.History ?? "",
            ZeekConnections = zeek,
            ZeekDropped = _zeek.First == null ? _zeekDropped & ZeekText.DroppedByIp : SegmentIntegrity.None,
            CompletenessFlags = (TcpCompleteness)_completeness,
            InitialRtt = _irtt,
            ClosedFirstByValue = closedFirst,
            ResetByValue = _rst != null ? RoleOf(_rst.Side) : null,
            ExpertCounts = counts,
            Retransmissions = Count(TcpAnalysisFlags.Retransmission) + Count(TcpAnalysisFlags.FastRetransmission)
                + Count(TcpAnalysisFlags.SpuriousRetransmission),
            DuplicateAcks = Count(TcpAnalysisFlags.DuplicateAck),
            ZeroWindows = Count(TcpAnalysisFlags.ZeroWindow),
            OutOfOrder = Count(TcpAnalysisFlags.OutOfOrder),
            LostSegments = Count(TcpAnalysisFlags.PreviousSegmentNotCaptured),
            ReusedPorts = _reused,
        };
    }
}
