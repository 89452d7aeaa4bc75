using System.Net;
using System.Runtime.CompilerServices;
using Lab2Tools.Analysis.Zeek;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis;

/// <summary>
/// What one pass over a connection's segments keeps: counters, the few segments that shape the handshake
/// and the close, Zeek's state and history. Memory is per connection, not per segment.
/// </summary>
public sealed class ConnectionRecord
{
    private const int MaxKept = 32;
    // One object per connection (plus its two direction counters and a few notes): everything that is two of
    // a kind is an inline pair, lists and counters are made on first use, so that tens of thousands of
    // connections stay cheap to keep and to carry through garbage collections.
    private Two<IPAddress> _address;     // shared with the tracker's conversation
    private Two<ushort> _port;
    private Two<TcpDirectionStatistics> _dir;
    private Two<uint> _highestEnd;
    private Two<bool> _dataStarted;
    private Two<SegmentNote?> _fin;
    private Two<SegmentNote?> _finAck;
    private Two<long> _lastDataFrame;   // 0: none (kept as numbers: holding the newest segment of every connection makes each one survive a GC)
    private Two<long> _dataAfterPeerFin;
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

    internal ConnectionRecord(TcpSegment first, ZeekConnectionTracker zeek)
    {
        _zeekTracker = zeek;
        Stream = first.Stream;
        _address[0] = first.Source;
        _port[0] = (ushort)first.SourcePort;
        _address[1] = first.Destination;
        _port[1] = (ushort)first.DestinationPort;
        _dir[0] = new TcpDirectionStatistics();
        _dir[1] = new TcpDirectionStatistics();
        _first = new SegmentNote(first, 0);
        _relativeStart = first.TimeRelative;
        Path = first.Path;
    }

    public int Stream { get; }
    /// <summary>The capture file of the connection's first segment.</summary>
    public string? Path { get; }

    private int SideOf(IPAddress source, int sourcePort) =>
        sourcePort == _port[0] && (ReferenceEquals(source, _address[0]) || source.Equals(_address[0])) ? 0 : 1;

    /// <summary>Side 0's or side 1's endpoint (a new object each time: records keep only the address and port).</summary>
    private IPEndPoint Ep(int side) => new(_address[side], _port[side]);
    private static int SideOf(SegmentNote s) => s.Side;
    private int SideOf(TcpSegment s) => SideOf(s.Source, s.SourcePort);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Add(TcpSegment s)
    {
        int side = SideOf(s), other = 1 - side;
        _lastFrame = s.Frame;
        _lastNs = s.TimestampNanoseconds;
        var d = _dir[side];
        bool syn = (s.Flags & TcpFlags.SYN) != 0, ack = (s.Flags & TcpFlags.ACK) != 0;
        bool fin = (s.Flags & TcpFlags.FIN) != 0, rst = (s.Flags & TcpFlags.RST) != 0;

        d.Frames++;
        d.FrameBytes += s.FrameLength;
        d.IpBytes += s.IpLength;
        d.PayloadBytes += s.Len;
        const TcpAnalysisFlags retrans = TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.FastRetransmission | TcpAnalysisFlags.SpuriousRetransmission;
        if ((s.Analysis & retrans) != 0) d.RetransmittedBytes += s.Len;
        if (s.Len > 0)
        {
            uint start = s.Seq, end = s.Seq + (uint)s.Len;
            if (!_dataStarted[side]) { _dataStarted[side] = true; _highestEnd[side] = start; }
            uint hi = _highestEnd[side];
            if ((int)(start - hi) > 0) d.MissedBytes += start - hi;           // a gap in sequence space
            if ((int)(end - hi) > 0)
            {
                uint from = (int)(start - hi) > 0 ? start : hi;
                d.UniquePayloadBytes += end - from;
                _highestEnd[side] = end;
            }
            else if ((s.Analysis & retrans) == 0 && (s.Analysis & TcpAnalysisFlags.OutOfOrder) != 0 && d.MissedBytes > 0)
            {
                long fill = Math.Min(d.MissedBytes, s.Len);                    // an out-of-order segment fills a gap
                d.MissedBytes -= fill;
                d.UniquePayloadBytes += fill;
            }
            _lastDataFrame[side] = s.Frame;
            if (_fin[other] != null) _dataAfterPeerFin[side] += s.Len;
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

        _zeek.Add(_zeekTracker.Add(s, _zeek.Last));
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
        else if (ack && _thirdAck == null && _synAcks.Count > 0 && SideOf(_synAcks[0]) == other && !rst)
            _thirdAck = Note();

        // close
        if (ack && _fin[other] is SegmentNote peerFin && _finAck[other] == null && (int)(s.Ack - peerFin.NextSeq) >= 0)
            _finAck[other] = Note();
        if (fin && _fin[side] == null) _fin[side] = Note();
        if (rst && _rst == null)
        {
            _rst = Note();
            _finsDoneBeforeRst = _finAck[0] != null && _finAck[1] != null;
        }
    }

    private int Count(TcpAnalysisFlags f) => _expert == null ? 0 : _expert[System.Numerics.BitOperations.TrailingZeroCount((uint)f)];

    // ---- roles ----------------------------------------------------------------------------------

    private (int client, RoleSource source) Roles()
    {
        if (_syns.Count > 0) return (SideOf(_syns[0]), RoleSource.Syn);
        if (_synAcks.Count > 0) return (1 - SideOf(_synAcks[0]), RoleSource.SynAck);
        return (_port[0] >= _port[1] ? 0 : 1, RoleSource.PortNumbers);
    }

    private ConnectionRole RoleOf(int side) => side == Roles().client ? ConnectionRole.Client : ConnectionRole.Server;

    // ---- results --------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public TcpConnection ToConnection()
    {
        var (c, source) = Roles();
        var first = _first!;
        ConnectionRole? closedFirst = null;
        if (_fin[0] != null || _fin[1] != null)
        {
            int fs = _fin[1] == null || (_fin[0] != null && _fin[0]!.Frame < _fin[1]!.Frame) ? 0 : 1;
            closedFirst = RoleOf(fs);
        }
        CountTable counts = CountTable.Empty;   // shared: most connections have none
        if (_expert != null)
        {
            var d = new Dictionary<string, int>();
            foreach (var a in TcpAnalysisText.All)
                if (Count(a.Flag) > 0) d[a.Field] = Count(a.Flag);
            counts = new CountTable(d);
        }
        return new TcpConnection
        {
            Stream = Stream, Path = Path,
            ClientEndPoint = Ep(c),
            ServerEndPoint = Ep(1 - c),
            RoleSourceValue = source,
            StartTime = first.Time,
            RelativeStart = _relativeStart,
            Duration = TimeSpan.FromTicks((_lastNs - first.TimestampNanoseconds) / 100),
            FirstFrame = first.Frame,
            LastFrame = _lastFrame,
            ClientToServer = _dir[c],
            ServerToClient = _dir[1 - c],
            ConnState = _zeek.First?.ConnState ?? "",
            History = _zeek.First?.History ?? "",
            ZeekConnections = new(_zeek.Results()),
            CompletenessFlags = (TcpCompleteness)_completeness,
            InitialRtt = _irtt,
            ClosedFirstByValue = closedFirst,
            ResetByValue = _rst != null ? RoleOf(SideOf(_rst)) : null,
            ExpertCounts = counts,
            Retransmissions = Count(TcpAnalysisFlags.Retransmission) + Count(TcpAnalysisFlags.FastRetransmission) + Count(TcpAnalysisFlags.SpuriousRetransmission),
            DuplicateAcks = Count(TcpAnalysisFlags.DuplicateAck),
            ZeroWindows = Count(TcpAnalysisFlags.ZeroWindow),
            OutOfOrder = Count(TcpAnalysisFlags.OutOfOrder),
            LostSegments = Count(TcpAnalysisFlags.PreviousSegmentNotCaptured),
            ReusedPorts = _reused,
        };
    }

    private TcpHandshakeStep Step(int n, string name, SegmentNote s, string explanation) => new()
    {
        Step = n,
        Name = name,
        Frame = s.Frame,
        Time = s.Time,
        FromEndPoint = Ep(s.Side),
        ToEndPoint = Ep(1 - s.Side),
        Flags = s.FlagsText,
        Seq = s.Seq,
        Ack = s.Ack,
        SeqRaw = s.SeqRaw,
        AckRaw = s.AckRaw,
        Explanation = explanation,
    };

    private static TcpSynOptions Options(SegmentNote s, bool synAck) => new()
    {
        Mss = s.Mss,
        WindowScaleShift = s.WindowScaleShift,
        SackPermitted = s.SackPermitted,
        Timestamps = s.HasTimestamps,
        Ecn = synAck ? (s.Flags & (TcpFlags.ECE | TcpFlags.CWR)) == TcpFlags.ECE
                     : (s.Flags & (TcpFlags.ECE | TcpFlags.CWR)) == (TcpFlags.ECE | TcpFlags.CWR),
        Window = s.WindowSizeValue,
    };

    /// <summary>The handshake, or null when no SYN was captured.</summary>
    public TcpHandshake? ToHandshake()
    {
        if (_syns.Count == 0) return null;
        var syn = _syns[0];
        int c = SideOf(syn), sv = 1 - c;
        var lastSyn = _syns.All().Where(x => x.SeqRaw == syn.SeqRaw).Last();
        var synAck = _synAcks.All().FirstOrDefault(x => SideOf(x) == sv);
        var synRetrans = _syns.All().Skip(1).Where(x => x.SeqRaw == syn.SeqRaw).Select(x => x.Frame).ToArray();
        var synAckRetrans = synAck == null ? Array.Empty<long>() : _synAcks.All().Where(x => x != synAck && x.SeqRaw == synAck.SeqRaw).Select(x => x.Frame).ToArray();
        var co = Options(syn, false);
        var so = synAck != null ? Options(synAck, true) : null;
        bool ws = so != null && co.WindowScaleShift != null && so.WindowScaleShift != null;
        string client = Ep(c).ToString(), server = Ep(sv).ToString();

        var step1 = Step(1, "SYN", syn, $"{client} asks to open a connection: SYN carries its initial sequence number (ISN {syn.SeqRaw}, shown as relative Seq 0) and offers {(co.ToString() is { Length: > 0 } o ? o : "no options")}. The SYN consumes one sequence number.");
        TcpHandshakeStep? step2 = null, step3 = null;
        if (synAck != null)
            step2 = Step(2, "SYN-ACK", synAck, $"{server} accepts: its SYN carries its own ISN ({synAck.SeqRaw}, relative Seq 0) and its ACK acknowledges ISN+1 (relative Ack {synAck.Ack}), because the client's SYN consumed one sequence number. It offers {(so!.ToString() is { Length: > 0 } o2 ? o2 : "no options")}.");
        if (_thirdAck != null && synAck != null)
            step3 = Step(3, "ACK", _thirdAck, $"{client} acknowledges the server's SYN: Seq {_thirdAck.Seq} (ISN+1) and Ack {_thirdAck.Ack} (server ISN+1). Both sides now know the other receives them: the connection is ESTABLISHED.{(ws ? $" From here on windows are scaled: {_thirdAck.WindowSizeValue} × {_thirdAck.WindowSizeScalingFactor} = {_thirdAck.WindowSize} bytes." : "")}");

        HandshakeVerdict verdict;
        string explanation;
        bool serverRst = _rst != null && SideOf(_rst) == sv && (synAck == null || _rst.Frame < synAck.Frame);
        if (serverRst)
        {
            verdict = HandshakeVerdict.Rejected;
            explanation = $"{server} answered the SYN with RST (frame {_rst!.Frame}): nothing listens on port {_port[sv]}, so the connection is refused.";
        }
        else if (synAck == null)
        {
            verdict = HandshakeVerdict.NoAnswer;
            explanation = $"No answer to the SYN{(synRetrans.Length > 0 ? $" (sent {synRetrans.Length + 1} times: frames {syn.Frame}, {string.Join(", ", synRetrans)}; the kernel doubles the wait each time)" : "")}: the server is unreachable or a firewall drops the SYN.";
        }
        else if (_rst != null && SideOf(_rst) == c && step3 == null)
        {
            verdict = HandshakeVerdict.AbortedByClient;
            explanation = $"{client} reset the connection (frame {_rst.Frame}) before completing the handshake.";
        }
        else if (step3 == null)
        {
            verdict = HandshakeVerdict.FinalAckMissing;
            explanation = "SYN and SYN-ACK were captured but not the client's ACK: the server stays in SYN_RECEIVED and will retransmit its SYN-ACK.";
        }
        else if (synRetrans.Length > 0)
        {
            verdict = HandshakeVerdict.SynRetransmitted;
            explanation = $"The handshake completed after the SYN was sent {synRetrans.Length + 1} times (frames {syn.Frame}, {string.Join(", ", synRetrans)}).";
        }
        else
        {
            verdict = HandshakeVerdict.Complete;
            explanation = "Three messages: each side sends its ISN in a SYN and has it acknowledged; the third message proves to the server that the client received the SYN-ACK, so an old duplicate SYN cannot open a connection.";
        }
        TimeSpan? irtt = step3 != null ? TimeSpan.FromTicks((_thirdAck!.TimestampNanoseconds - lastSyn.TimestampNanoseconds) / 100) : null;
        return new TcpHandshake
        {
            Stream = Stream, Path = Path,
            ClientEndPoint = Ep(c),
            ServerEndPoint = Ep(sv),
            Syn = step1,
            SynAck = step2,
            Ack = step3,
            SynRetransmissions = synRetrans,
            SynAckRetransmissions = synAckRetrans,
            ClientIsn = syn.SeqRaw,
            ServerIsn = synAck?.SeqRaw,
            ClientOptions = co,
            ServerOptions = so,
            WindowScaling = ws,
            ClientWindowMultiplier = ws ? co.WindowScaleMultiplier!.Value : 1,
            ServerWindowMultiplier = ws ? so!.WindowScaleMultiplier!.Value : 1,
            SackPermitted = co.SackPermitted && so?.SackPermitted == true,
            Timestamps = co.Timestamps && so?.Timestamps == true,
            Ecn = co.Ecn && so?.Ecn == true,
            ClientMaxSegment = so?.Mss,
            ServerMaxSegment = co.Mss,
            InitialRtt = irtt,
            VerdictValue = verdict,
            Explanation = explanation,
        };
    }

    /// <summary>How the connection ended, or null when it did not (no FIN, no RST).</summary>
    public TcpTeardown? ToTeardown()
    {
        if (_fin[0] == null && _fin[1] == null && _rst == null) return null;
        var (c, _) = Roles();
        string Name(int side) => $"{RoleOf(side).ToString().ToLowerInvariant()} {Ep(side)}";
        var steps = new List<TcpHandshakeStep>();

        if (_rst != null && !_finsDoneBeforeRst)
        {
            int x = SideOf(_rst), y = 1 - x;
            string reason;
            string explanation;
            bool noSynAck = _synAcks.Count == 0 && _syns.Count > 0;
            if (noSynAck && x != SideOf(_syns[0]))
            {
                reason = "ConnectionRefused";
                explanation = $"The {Name(x)} answered the SYN with RST: nothing listens on port {_port[x]}.";
            }
            else if (_fin[x] != null && _fin[x]!.Frame < _rst.Frame && _lastDataFrame[y] > _fin[x]!.Frame)
            {
                reason = "DataAfterClose";
                explanation = $"The {Name(x)} had closed (FIN in frame {_fin[x]!.Frame}), but data kept arriving (frame {_lastDataFrame[y]}); a closed socket cannot deliver it, so the kernel answered with RST.";
            }
            else if (_lastDataFrame[y] > 0 && _fin[y] == null)
            {
                reason = "ClosedWithDataInFlight";
                explanation = $"The {Name(x)} closed while the {Name(y)} was still sending (last data in frame {_lastDataFrame[y]}). Closing a socket with unread or still-arriving data makes the kernel send RST instead of FIN: the typical trace of a browser that cancels a download it no longer needs.";
            }
            else
            {
                reason = "Abort";
                explanation = $"The {Name(x)} aborted the connection with RST (an abortive close, e.g. SO_LINGER with a zero timeout, or an error).";
            }
            if (_fin[0] != null) steps.Add(Step(steps.Count + 1, "FIN", _fin[0]!, $"FIN from the {Name(0)} before the reset."));
            if (_fin[1] != null) steps.Add(Step(steps.Count + 1, "FIN", _fin[1]!, $"FIN from the {Name(1)} before the reset."));
            steps.Add(Step(steps.Count + 1, "RST", _rst, $"RST from the {Name(x)}: both sides drop the connection at once, no acknowledgement and no TIME_WAIT. Unsent and unread data is lost."));
            steps.Sort((a, b) => a.Frame.CompareTo(b.Frame));
            return new TcpTeardown
            {
                Stream = Stream, Path = Path, ClientEndPoint = Ep(c), ServerEndPoint = Ep(1 - c), KindValue = TeardownKind.Reset,
                ActiveCloserValue = RoleOf(x), ActiveCloserIpEndPoint = Ep(x), PassiveCloserValue = RoleOf(y),
                Steps = steps, ResetByValue = RoleOf(x), ResetFrame = _rst.Frame, ResetReason = reason, Explanation = explanation,
            };
        }

        int a = _fin[1] == null || (_fin[0] != null && _fin[0]!.Frame < _fin[1]!.Frame) ? 0 : 1, b = 1 - a;
        var finA = _fin[a]!;
        var finB = _fin[b];
        steps.Add(Step(1, "FIN", finA, $"The {Name(a)} closes first (active close): FIN with Seq {finA.Seq}. It has nothing more to send and moves to FIN_WAIT_1. The FIN consumes one sequence number."));
        TeardownKind kind;
        string text;
        string? timeWait = null;
        IPEndPoint? timeWaitEp = null;
        if (finB == null)
        {
            if (_finAck[a] != null) steps.Add(Step(2, "ACK", _finAck[a]!, $"The {Name(b)} acknowledges the FIN (Ack {_finAck[a]!.Ack} = FIN's Seq + 1); it may still send data (CLOSE_WAIT)."));
            kind = TeardownKind.Incomplete;
            text = $"Only the {Name(a)} closed; the {Name(b)} has not sent its FIN in the capture.";
        }
        else
        {
            bool simultaneous = (finB.Flags & TcpFlags.ACK) == 0 || (int)(finB.Ack - finA.NextSeq) < 0;
            long after = _dataAfterPeerFin[b];
            if (simultaneous)
            {
                kind = TeardownKind.Simultaneous;
                steps.Add(Step(2, "FIN", finB, $"The {Name(b)} sends its own FIN before receiving the first one (Ack {finB.Ack} does not cover it): a simultaneous close."));
                if (_finAck[a] != null) steps.Add(Step(steps.Count + 1, "ACK", _finAck[a]!, $"The {Name(b)} acknowledges the first FIN."));
                if (_finAck[b] != null) steps.Add(Step(steps.Count + 1, "ACK", _finAck[b]!, $"The {Name(a)} acknowledges the second FIN."));
                steps.Sort((p, q) => p.Frame.CompareTo(q.Frame));
                text = "Both sides closed at the same time: each goes FIN_WAIT_1 → CLOSING → TIME_WAIT.";
                timeWait = "Both";
            }
            else
            {
                bool combined = _finAck[a] == finB;
                if (!combined && _finAck[a] != null)
                    steps.Add(Step(2, "ACK", _finAck[a]!, $"The {Name(b)} acknowledges the FIN (Ack {_finAck[a]!.Ack} = FIN's Seq + 1) and enters CLOSE_WAIT: its application may still send; the {Name(a)} waits in FIN_WAIT_2."));
                steps.Add(Step(steps.Count + 1, "FIN", finB, combined
                    ? $"The {Name(b)} acknowledges the FIN and closes in the same segment (FIN+ACK, Ack {finB.Ack}): three segments instead of four."
                    : $"The {Name(b)} has finished too and sends its FIN (Seq {finB.Seq}), moving to LAST_ACK."));
                if (_finAck[b] != null)
                    steps.Add(Step(steps.Count + 1, "ACK", _finAck[b]!, $"The {Name(a)} acknowledges the last FIN (Ack {_finAck[b]!.Ack}) and enters TIME_WAIT for 2×MSL; the {Name(b)} is CLOSED when this ACK arrives."));
                kind = after > 0 ? TeardownKind.HalfClose : combined ? TeardownKind.ThreeWay : TeardownKind.FourWay;
                text = kind switch
                {
                    TeardownKind.HalfClose => $"Half-close: after the first FIN the {Name(b)} still sent {after} bytes (a FIN only closes one direction), then closed.",
                    TeardownKind.ThreeWay => "Three segments: the passive side had nothing left to send, so it acknowledged and closed at once.",
                    _ => "Four segments: each direction is closed separately (FIN, ACK from each side) because TCP is full duplex: the passive side may still send after acknowledging the first FIN.",
                };
                timeWait = RoleOf(a).ToString();
                timeWaitEp = Ep(a);
            }
            if (_finAck[b] == null && kind != TeardownKind.Simultaneous)
            {
                kind = TeardownKind.Incomplete;
                text = "Both sides sent FIN, but the last ACK is not in the capture.";
            }
        }
        return new TcpTeardown
        {
            Stream = Stream, Path = Path, ClientEndPoint = Ep(c), ServerEndPoint = Ep(1 - c), KindValue = kind,
            ActiveCloserValue = RoleOf(a), ActiveCloserIpEndPoint = Ep(a), PassiveCloserValue = RoleOf(b),
            Steps = steps, TimeWaitSide = timeWait, TimeWaitIpEndPoint = timeWaitEp,
            DataAfterFirstFin = _dataAfterPeerFin[b], Explanation = text,
        };
    }

    /// <summary>The RFC 9293 state of each endpoint, changed by the frames that cause each change.</summary>
    public IReadOnlyList<TcpStateTransition> ToStateTimeline()
    {
        var (c, _) = Roles();
        var list = new List<TcpStateTransition>();
        var state = new TcpState?[2];
        void Set(int side, TcpState to, SegmentNote? at, string cause, string explanation)
        {
            if (state[side] == to) return;
            list.Add(new TcpStateTransition
            {
                Stream = Stream, Path = Path, IpEndPoint = Ep(side), RoleValue = RoleOf(side), FromValue = state[side], ToValue = to,
                Frame = at?.Frame, Time = at?.Time, Cause = cause, Explanation = explanation,
            });
            state[side] = to;
        }

        if (_syns.Count > 0)
        {
            var syn = _syns[0];
            int sv = 1 - c;
            var synAck = _synAcks.All().FirstOrDefault(x => SideOf(x) == sv);
            bool refused = synAck == null && _rst != null && SideOf(_rst) == sv;
            Set(c, TcpState.CLOSED, null, "before the capture", "No connection yet.");
            if (refused)
                Set(sv, TcpState.CLOSED, null, "before the capture", $"Nothing listens on port {_port[sv]} (the SYN is answered with RST).");
            else if (synAck != null)
                Set(sv, TcpState.LISTEN, null, "before the capture", "A server socket waits for connections (passive open).");
            Set(c, TcpState.SYN_SENT, syn, "sent SYN", "Active open: the client sent its SYN and waits for the SYN-ACK.");
            if (synAck != null)
            {
                Set(sv, TcpState.SYN_RECEIVED, syn, "received SYN", $"The server received the SYN and answered with SYN-ACK (frame {synAck.Frame}).");
                Set(c, TcpState.ESTABLISHED, synAck, "received SYN-ACK", "The client's SYN is acknowledged and it has the server's ISN: it answers with ACK and may send data.");
                if (_thirdAck != null)
                    Set(sv, TcpState.ESTABLISHED, _thirdAck, "received ACK", "The server's SYN is acknowledged: the handshake is complete.");
            }
        }
        else if (_first != null)
        {
            Set(0, TcpState.ESTABLISHED, _first, "first frame", "The handshake happened before the capture started: the connection is taken as established.");
            Set(1, TcpState.ESTABLISHED, _first, "first frame", "The handshake happened before the capture started: the connection is taken as established.");
        }

        // the close: events in frame order, acknowledgements before FINs within one frame
        var events = new List<(long frame, int order, Action act)>();
        for (int x = 0; x < 2; x++)
        {
            int sx = x, sy = 1 - x;
            if (_fin[sx] is SegmentNote f)
            {
                // when did the peer receive this FIN? at the FIN, unless the peer sent its own FIN first (simultaneous)
                var peerFin = _fin[sy];
                bool simultaneous = peerFin != null && peerFin.Frame > f.Frame && ((peerFin.Flags & TcpFlags.ACK) == 0 || (int)(peerFin.Ack - f.NextSeq) < 0);
                events.Add((f.Frame, 1, () =>
                {
                    var from = state[sx];
                    if (from == TcpState.CLOSE_WAIT) Set(sx, TcpState.LAST_ACK, f, "sent FIN", "Passive close: having received the peer's FIN, it sends its own and waits for the last ACK.");
                    else if (from is TcpState.ESTABLISHED or TcpState.SYN_RECEIVED) Set(sx, TcpState.FIN_WAIT_1, f, "sent FIN", "Active close: it has no more data to send; it waits for the FIN to be acknowledged.");
                    else if (from == TcpState.SYN_SENT) Set(sx, TcpState.CLOSED, f, "sent FIN", "Closed before the connection was established.");
                }));
                var receiveAt = simultaneous && _finAck[sx] != null ? _finAck[sx]! : f;
                events.Add((receiveAt.Frame, 2, () =>
                {
                    var from = state[sy];
                    if (from is TcpState.ESTABLISHED or TcpState.SYN_RECEIVED) Set(sy, TcpState.CLOSE_WAIT, f, "received FIN", "The peer will send no more data; this side acknowledges and may still send until its application closes.");
                    else if (from == TcpState.FIN_WAIT_1) Set(sy, TcpState.CLOSING, receiveAt, "received FIN", "Simultaneous close: the peer's FIN arrived before this side's FIN was acknowledged.");
                    else if (from == TcpState.FIN_WAIT_2) Set(sy, TcpState.TIME_WAIT, f, "received FIN", "Both directions are closed; it acknowledges the FIN and waits 2×MSL in case that last ACK is lost and the FIN is retransmitted, and so that old segments of this connection die out.");
                }));
            }
            if (_finAck[sx] is SegmentNote fa)
            {
                events.Add((fa.Frame, 0, () =>
                {
                    var from = state[sx];
                    if (from == TcpState.FIN_WAIT_1) Set(sx, TcpState.FIN_WAIT_2, fa, "received ACK of its FIN", "Its direction is closed; it waits for the peer's FIN.");
                    else if (from == TcpState.CLOSING) Set(sx, TcpState.TIME_WAIT, fa, "received ACK of its FIN", "Both FINs are acknowledged; it waits 2×MSL.");
                    else if (from == TcpState.LAST_ACK) Set(sx, TcpState.CLOSED, fa, "received ACK of its FIN", "The last ACK arrived: the connection is closed on this side, without TIME_WAIT.");
                }));
            }
        }
        if (_rst != null)
        {
            int x = SideOf(_rst), y = 1 - x;
            var r = _rst;
            events.Add((r.Frame, 3, () =>
            {
                if (state[x] != null && state[x] != TcpState.CLOSED) Set(x, TcpState.CLOSED, r, "sent RST", "Abortive close: the connection is dropped at once.");
                if (state[y] is TcpState s && s != TcpState.CLOSED && s != TcpState.LISTEN)
                    Set(y, TcpState.CLOSED, r, "received RST", s == TcpState.SYN_SENT ? "Connection refused." : "The peer reset the connection; pending data is discarded.");
            }));
        }
        foreach (var e in events.OrderBy(e => e.frame).ThenBy(e => e.order)) e.act();
        for (int side = 0; side < 2; side++)
            if (state[side] == TcpState.TIME_WAIT)
                Set(side, TcpState.CLOSED, null, "2×MSL later (not in the capture)", "TIME_WAIT ends after twice the maximum segment lifetime (60 s on Linux); the socket table (ss -tan) shows it meanwhile.");
        return list;
    }
}

/// <summary>
/// The fields of a segment that the handshake, teardown and state results need: a fifth of a
/// <see cref="TcpSegment"/> (the endpoints are the record's, named by <see cref="Side"/>), so keeping a few
/// per connection stays cheap with many connections.
/// </summary>
internal sealed class SegmentNote
{
    public SegmentNote(TcpSegment s, int side)
    {
        Frame = s.Frame; TimestampNanoseconds = s.TimestampNanoseconds; Side = (byte)side;
        Flags = s.Flags; Seq = s.Seq; Ack = s.Ack; SeqRaw = s.SeqRaw; AckRaw = s.AckRaw; NextSeq = s.NextSeq;
        WindowSizeValue = (ushort)s.WindowSizeValue;
        _scale = s.WindowSizeScalingFactor ?? int.MinValue;
        _mss = s.Mss ?? -1;
        _shift = (sbyte)(s.WindowScaleShift ?? -1);
        SackPermitted = s.SackPermitted; HasTimestamps = s.TsVal != null;
    }
    private readonly int _scale;
    private readonly int _mss;
    private readonly sbyte _shift;
    public long Frame { get; }
    public long TimestampNanoseconds { get; }
    public DateTime Time => Tracking.Timestamps.ToUtc(TimestampNanoseconds);
    /// <summary>The side (0 or 1 of the record's endpoints) that sent the segment.</summary>
    public byte Side { get; }
    public TcpFlags Flags { get; }
    public uint Seq { get; }
    public uint Ack { get; }
    public uint SeqRaw { get; }
    public uint AckRaw { get; }
    public uint NextSeq { get; }
    public ushort WindowSizeValue { get; }
    /// <summary>The window after scaling, as the segment had it (the raw value times a known scale factor).</summary>
    public long WindowSize => _scale > 0 ? (long)WindowSizeValue * _scale : WindowSizeValue;
    public int? WindowSizeScalingFactor => _scale == int.MinValue ? null : _scale;
    public int? Mss => _mss < 0 ? null : _mss;
    public int? WindowScaleShift => _shift < 0 ? null : _shift;
    public bool SackPermitted { get; }
    public bool HasTimestamps { get; }
    public string FlagsText => TcpFlagsText.ToListString(Flags);
}

/// <summary>Two of a kind, stored inline (side 0 and side 1 of a connection).</summary>
[InlineArray(2)]
internal struct Two<T>
{
    private T _element;
}

/// <summary>The SYNs (or SYN-ACKs) of a connection: almost always one, so the first is kept inline and a list is made for more.</summary>
internal struct NoteList
{
    private SegmentNote? _firstNote;
    private List<SegmentNote>? _more;

    public readonly int Count => _firstNote == null ? 0 : 1 + (_more?.Count ?? 0);
    public readonly SegmentNote this[int i] => i == 0 ? _firstNote! : _more![i - 1];

    public void Add(SegmentNote n)
    {
        if (_firstNote == null) _firstNote = n;
        else (_more ??= new List<SegmentNote>()).Add(n);
    }

    public readonly IEnumerable<SegmentNote> All()
    {
        if (_firstNote == null) yield break;
        yield return _firstNote;
        if (_more != null) foreach (var n in _more) yield return n;
    }
}
