using System.Net;
using System.Text.RegularExpressions;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis.Zeek;

/// <summary>
/// One Zeek TCP connection: a port of Zeek's TCPSessionAdapter (src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc)
/// driving two <see cref="ZeekTcpEndpoint"/>s, with the connection's history (Session::CheckHistory/AddHistory),
/// its timers and conn_state() from scripts/base/protocols/conn/main.zeek. Zeek's defaults are kept.
/// </summary>
internal sealed class ZeekTcpSession
{
    // Zeek's defaults (scripts/base/init-bare.zeek)
    public const double TcpAttemptDelay = 5;          // tcp_attempt_delay
    public const double TcpCloseDelay = 5;            // tcp_close_delay
    public const double TcpResetDelay = 5;            // tcp_reset_delay: armed only with a connection_reset handler
    public const double TcpInactivityTimeout = 300;   // tcp_inactivity_timeout
    public const double UdpInactivityTimeout = 60;    // udp_inactivity_timeout: what a TCP connection starts with
    public const double TcpSynTimeout = 5;            // tcp_SYN_timeout
    public const double TcpSessionTimer = 6;          // tcp_session_timer
    public const double TcpConnectionLinger = 5;      // tcp_connection_linger
    public const ulong MaxInitialWindow = 16384;      // tcp_max_initial_window
    public const ulong MaxAboveHoleWithoutAnyAcks = 16384;            // tcp_max_above_hole_without_any_acks
    public const ulong ExcessiveDataWithoutFurtherAcks = 10 * 1024 * 1024; // tcp_excessive_data_without_further_acks
    private const int TooLargeSeqDelta = 1048576;

    private const uint HistSyn = 0x1, HistFin = 0x2, HistRst = 0x4, HistFinRst = 0x8, HistData = 0x10, HistAck = 0x20,
        HistMultiFlag = 0x40;

    private ZeekTcpEndpoint _orig, _resp;
    private HistoryBuffer _history;       // the letters, inline (a history is rarely longer than 16)
    private uint _histSeen;
    private bool _isPartial;
    private int _firstPacketSeen;     // 1 orig, 2 resp
    private bool _isActive = true;
    private bool _closeDeferred, _deferredGenEvent;
    private double _inactivityTimeout = UdpInactivityTimeout;
    private TimerList _timers;           // a few pending timers, inline

    private enum Timer { Expire, Attempt, ConnDelete }

    private readonly long _startNs;

    public ZeekTcpSession(IPAddress origAddress, int origPort, IPAddress respAddress, int respPort, long ns, long frame, bool flip,
        ZeekOptions? options = null)
    {
        double t = ns / 1e9;
        _startNs = ns;
        _orig = new ZeekTcpEndpoint(this, true);
        _resp = new ZeekTcpEndpoint(this, false);
        _orig.Peer = _resp;
        _resp.Peer = _orig;
        OrigAddress = origAddress; OrigPort = origPort; RespAddress = respAddress; RespPort = respPort;
        StartTime = LastTime = t;
        FirstFrame = LastFrame = frame;
        _timers.Add((t + TcpSynTimeout, Timer.Expire));
        if (flip) FlipRoles();
        // Zeek attaches the analyzers registered for the responder's port when it makes the connection
        // (analyzer::Manager::BuildInitialAnalyzerTree); a later flip does not move them
        options ??= ZeekOptions.Default;
        if (options.AnalyzerPorts.TryGetValue(RespPort, out var analyzer))
            _watcher = Protocols.ZeekAnalyzerWatcher.Create(analyzer, this, options.Limits);
    }

    private Protocols.ZeekAnalyzerWatcher? _watcher;

    /// <summary>The limit watcher of the protocol analyzer Zeek attached by port, while it has something to decide.</summary>
    public Protocols.ZeekAnalyzerWatcher? Watcher => _watcher is { Done: false } w ? w : null;

    /// <summary>Connection::LimitReachedWeird: 'X' (HIST_ANALYZER_LIMIT_REACHED), once per connection.</summary>
    public void AnalyzerLimitReached() => CheckHistory(HistAnalyzerLimitReached, 'X');

    private const uint HistAnalyzerLimitReached = 0x400;

    public IPAddress OrigAddress { get; private set; }
    public int OrigPort { get; private set; }
    public IPAddress RespAddress { get; private set; }
    public int RespPort { get; private set; }
    public double StartTime { get; }
    /// <summary>The connection's last time (Zeek stops updating it once both sides closed).</summary>
    public double LastTime { get; private set; }
    public long FirstFrame { get; }
    public long LastFrame { get; private set; }
    public int Packets { get; private set; }
    /// <summary>Set when Zeek would have removed (logged) the connection: the reason, else null.</summary>
    public string? EndedBy { get; private set; }
    public bool IsPartial => _isPartial;

    /// <summary>Ends the connection (a SYN reused its ports).</summary>
    public void End(string reason) => EndedBy ??= reason;

    public ZeekConnection ToResult() => new()
    {
        StartFrame = FirstFrame,
        LastFrame = LastFrame,
        StartTime = Tracking.Timestamps.ToUtc(_startNs),
        OriginatorEndPoint = new IPEndPoint(OrigAddress, OrigPort),
        ResponderEndPoint = new IPEndPoint(RespAddress, RespPort),
        ConnState = ConnState,
        History = History,
        OriginatorMissedBytes = (long)_orig.MissedBytes,
        ResponderMissedBytes = (long)_resp.MissedBytes,
        Packets = Packets,
        EndedBy = EndedBy,
    };
    public string History => _history.ToString();
    public ZeekEndpointState OrigState => _orig.State;
    public ZeekEndpointState RespState => _resp.State;
    public ulong OrigSize => _orig.Size;
    public ulong RespSize => _resp.Size;

    // ---- history (Session) ----

    public bool CheckHistory(uint mask, char code)
    {
        if ((_histSeen & mask) == 0)
        {
            _histSeen |= mask;
            _history.Append(code);
            return false;
        }
        return true;
    }

    public void AddHistory(char code) => _history.Append(code);

    public void ReplaceHistory(string h) => _history.Set(h);

    public void FlipRoles()
    {
        (OrigAddress, RespAddress) = (RespAddress, OrigAddress);
        (OrigPort, RespPort) = (RespPort, OrigPort);
        (_orig, _resp) = (_resp, _orig);
        _orig.IsOrig = !_orig.IsOrig;
        _resp.IsOrig = !_resp.IsOrig;
        _firstPacketSeen = ((_firstPacketSeen & 1) != 0 ? 2 : 0) | ((_firstPacketSeen & 2) != 0 ? 1 : 0);
        _isPartial = false;
        AddHistory('^');
    }

    public void SetFirstPacketSeen(bool isOrig) => _firstPacketSeen |= isOrig ? 1 : 2;

    public void HandshakeDone() => _inactivityTimeout = TcpInactivityTimeout;

    public bool IsOrigEndpoint(IPAddress source, int port) => port == OrigPort && source.Equals(OrigAddress);

    private bool IsClosed => _orig.DidClose || _resp.DidClose;
    private bool BothClosed => _orig.DidClose && _resp.DidClose;

    // ---- timers ----

    /// <summary>
    /// Runs the timers due by time t (before a packet at t is processed, as Zeek advances its clock first).
    /// Returns true when the connection was removed: a packet at t then starts a new connection.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool RunTimers(double t)
    {
        if (EndedBy != null) return true;
        for (int guard = 0; guard < 100000; guard++)
        {
            // the inactivity timer is kept as a deadline from the last packet
            double inactivityAt = LastTime + _inactivityTimeout;
            int next = -1;
            double at = double.MaxValue;
            for (int i = 0; i < _timers.Count; i++)
                if (_timers[i].At < at) { at = _timers[i].At; next = i; }
            if (inactivityAt <= t && inactivityAt < at)
            {
                EndedBy = "inactivity";
                return true;
            }
            if (next < 0 || at > t) return false;
            var kind = _timers[next].Kind;
            _timers.RemoveAt(next);
            Fire(kind, t);          // Zeek dispatches due timers with the new network time (TimerMgr::DoAdvance)
            if (EndedBy != null) return true;
        }
        return false;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Fire(Timer kind, double t)
    {
        switch (kind)
        {
            case Timer.Attempt:
                if (!_isActive) return;
                if (_orig.State is ZeekEndpointState.SynSent or ZeekEndpointState.SynAckSent && _resp.State == ZeekEndpointState.Inactive)
                {
                    _isActive = false;
                    EndedBy = "tcp_attempt_delay";
                }
                return;
            case Timer.ConnDelete:
                EndedBy = "tcp_close_delay";
                return;
            case Timer.Expire:
                if (!_isActive) return;
                if (LastTime + TcpConnectionLinger < t)
                {
                    if (_orig.DidClose || _resp.DidClose)
                    {
                        if ((_orig.DidClose && _resp.DidClose)
                            || _orig.State == ZeekEndpointState.Reset || _resp.State == ZeekEndpointState.Reset
                            || _orig.State == ZeekEndpointState.Inactive || _resp.State == ZeekEndpointState.Inactive)
                        {
                            _isActive = false;
                            EndedBy = "tcp_connection_linger";
                            return;
                        }
                    }
                    if (_resp.State == ZeekEndpointState.Inactive && _orig.State == ZeekEndpointState.Inactive)
                    {
                        EndedBy = "tcp_connection_linger";
                        return;
                    }
                }
                _timers.Add((t + TcpSessionTimer, Timer.Expire));
                return;
        }
    }

    private void CancelTimers() => _timers.Clear();

    /// <summary>Zeek's pending timers of one connection: rarely more than three, kept inline.</summary>
    private struct TimerList
    {
        private TimerSlots _slots;
        private List<(double At, Timer Kind)>? _more;
        private int _count;

        public readonly int Count => _count;
        public readonly (double At, Timer Kind) this[int i] => i < TimerSlots.Size ? _slots[i] : _more![i - TimerSlots.Size];

        public void Add((double At, Timer Kind) t)
        {
            if (_count < TimerSlots.Size) _slots[_count] = t;
            else (_more ??= new()).Add(t);
            _count++;
        }

        public void RemoveAt(int i)
        {
            for (int k = i; k < _count - 1; k++) Set(k, this[k + 1]);
            _count--;
            if (_more != null && _count >= TimerSlots.Size) _more.RemoveAt(_more.Count - 1);
        }

        private void Set(int i, (double At, Timer Kind) t)
        {
            if (i < TimerSlots.Size) _slots[i] = t;
            else _more![i - TimerSlots.Size] = t;
        }

        public void Clear()
        {
            _count = 0;
            _more = null;
        }
    }

    [System.Runtime.CompilerServices.InlineArray(Size)]
    private struct TimerSlots
    {
        public const int Size = 4;
        private (double At, Timer Kind) _slot;
    }

    /// <summary>A history: up to 16 letters inline, a string beyond.</summary>
    private struct HistoryBuffer
    {
        private Letters _letters;
        private int _length;
        private string? _long;

        public void Append(char c)
        {
            if (_long != null) { _long += c; return; }
            if (_length < Letters.Size) { _letters[_length++] = c; return; }
            _long = new string(((ReadOnlySpan<char>)_letters)[.._length]) + c;
        }

        public void Set(string h)
        {
            _long = null;
            _length = 0;
            foreach (var c in h) Append(c);
        }

        public override readonly string ToString() => _long ?? new string(((ReadOnlySpan<char>)_letters)[.._length]);
        public readonly bool Is(string h) => _long == null ? ((ReadOnlySpan<char>)_letters)[.._length].SequenceEqual(h) : _long == h;
    }

    [System.Runtime.CompilerServices.InlineArray(Size)]
    private struct Letters
    {
        public const int Size = 16;
        private char _c;
    }

    /// <summary>True when the history is exactly h (without making a string).</summary>
    public bool HistoryIs(string h) => _history.Is(h);

    // ---- reuse (TCPSessionAdapter::IsReuse) ----

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool IsReuse(TcpSegment s)
    {
        if (s.HeaderLength < 20) return false;
        var conn_orig = _orig;
        if ((s.Flags & TcpFlags.SYN) == 0) return false;
        if ((s.Flags & TcpFlags.ACK) != 0)
        {
            if (_orig.State != ZeekEndpointState.Inactive) return false;
            conn_orig = _resp;
        }
        if (!IsClosed)
        {
            uint baseSeq = s.SeqRaw;
            if (baseSeq == conn_orig.StartSeq) return false;
            if ((s.Flags & TcpFlags.ACK) == 0 && conn_orig.State == ZeekEndpointState.SynAckSent
                && _resp.State == ZeekEndpointState.Inactive && baseSeq == _resp.StartSeq)
                return false;
        }
        return true;
    }

    // ---- per packet (TCPSessionAdapter::Process) ----

    private static int SeqDelta(uint a, uint b) => (int)(a - b);

    private static bool SeqBetween(uint a, uint low, uint high) =>
        SeqDelta(high, low) >= 0 ? SeqDelta(a, low) >= 0 && SeqDelta(a, high) <= 0 : SeqDelta(a, low) >= 0 || SeqDelta(a, high) <= 0;

    private static int SegmentLength(int payload, TcpFlags f)
    {
        int n = payload;
        if ((f & TcpFlags.SYN) != 0) n++;
        if ((f & TcpFlags.FIN) != 0) n++;
        if ((f & TcpFlags.RST) != 0) n -= payload;
        return n;
    }

    /// <summary>A segment with a bad TCP checksum from the originator (isOrig) or the responder: C/c, scaled.</summary>
    public void ChecksumError(bool isOrig) => (isOrig ? _orig : _resp).ChecksumError();

    /// <summary>Processes one segment at time t; isOrig: it comes from the originator.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Process(TcpSegment s, bool isOrig, double t)
    {
        Packets++;
        LastFrame = s.Frame;
        var flags = s.Flags;
        bool syn = (flags & TcpFlags.SYN) != 0, fin = (flags & TcpFlags.FIN) != 0, rst = (flags & TcpFlags.RST) != 0;
        bool ack = (flags & TcpFlags.ACK) != 0;
        uint baseSeq = s.SeqRaw, ackSeq = s.AckRaw;
        int len = s.Len;
        var endpoint = isOrig ? _orig : _resp;
        var peer = endpoint.Peer;

        SetPartialStatus(flags, endpoint.IsOrig);
        int segLen = SegmentLength(len, flags);
        uint onePast = baseSeq + (uint)segLen;
        InitEndpoint(endpoint, flags, baseSeq, onePast);

        bool seqUnderflow = false;
        ulong relSeq = RelativeSeq(endpoint, baseSeq, endpoint.LastSeq, endpoint.SeqWraps, ref seqUnderflow);

        UpdateHistory(flags, endpoint, relSeq, len);
        UpdateWindow(endpoint, s.WindowSizeValue, flags);

        if (!_orig.DidClose || !_resp.DidClose) LastTime = t;

        if (fin)
        {
            endpoint.FinCount++;
            endpoint.FinSeq = relSeq + (ulong)segLen;
        }

        ulong relAck = 0;
        if (ack)
        {
            if (peer.State == ZeekEndpointState.Inactive)
            {
                relAck = 1;
                peer.InitStartSeq(ackSeq - 1);
                peer.InitAckSeq(ackSeq - 1);
                peer.InitLastSeq(ackSeq - 1);
            }
            else
            {
                bool ackUnderflow = false;
                relAck = RelativeSeq(peer, ackSeq, peer.AckSeq, peer.AckWraps, ref ackUnderflow);
                if (ackUnderflow) relAck = 0;
                else if (!rst) UpdateAckSeq(peer, ackSeq);
            }
        }

        int deltaLast = UpdateLastSeq(endpoint, onePast, flags, len);
        endpoint.LastTime = t;

        UpdateStateMachine(t, endpoint, peer, baseSeq, ackSeq, len, deltaLast, isOrig, flags, out bool doClose, out bool genEvent);

        if (ack) peer.AckReceived(relAck);
        // CheckPIA_FirstPacket: this side's first packet has been seen (SetPartialStatus looks no more at this side)
        SetFirstPacketSeen(isOrig);

        ulong relDataSeq = syn ? relSeq + 1 : relSeq;
        // Zeek hands payload to the reassembler only when all of it was captured (TCP_Endpoint::DataSent).
        if (len > 0 && !rst && !seqUnderflow && !s.IsTruncated)
            endpoint.DataSent(relDataSeq, len, s.Payload);

        endpoint.CheckEof();
        if (doClose) ConnectionClosed(endpoint, peer, genEvent, t);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void SetPartialStatus(TcpFlags flags, bool isOrig)
    {
        bool syn = (flags & TcpFlags.SYN) != 0, ack = (flags & TcpFlags.ACK) != 0;
        if (isOrig)
        {
            if ((_firstPacketSeen & 1) == 0) _isPartial = !syn || ack;
        }
        else if ((_firstPacketSeen & 2) == 0 && !_isPartial)
            _isPartial = !syn;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void InitEndpoint(ZeekTcpEndpoint e, TcpFlags flags, uint firstSeq, uint lastSeq)
    {
        bool syn = (flags & TcpFlags.SYN) != 0;
        switch (e.State)
        {
            case ZeekEndpointState.Inactive:
                if (syn)
                {
                    e.InitAckSeq(firstSeq);
                    e.InitStartSeq(firstSeq);
                }
                else
                {
                    e.InitAckSeq(firstSeq - 1);
                    e.InitStartSeq(firstSeq - 1);
                    lastSeq = firstSeq;
                }
                e.InitLastSeq(lastSeq);
                break;
            case ZeekEndpointState.SynSent:
            case ZeekEndpointState.SynAckSent:
                if (syn && firstSeq != e.StartSeq)
                {
                    e.InitStartSeq(firstSeq);
                    e.InitAckSeq(firstSeq);
                    e.InitLastSeq(lastSeq);
                }
                break;
            case ZeekEndpointState.Established:
            case ZeekEndpointState.Partial:
                if (syn)
                {
                    e.InitStartSeq(firstSeq);
                    e.InitAckSeq(firstSeq);
                    e.InitLastSeq(lastSeq);
                }
                break;
            case ZeekEndpointState.Reset:
                if (syn && e.PrevState == ZeekEndpointState.Inactive)
                {
                    e.InitStartSeq(firstSeq);
                    e.InitAckSeq(firstSeq);
                    e.InitLastSeq(lastSeq);
                }
                break;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static ulong RelativeSeq(ZeekTcpEndpoint e, uint curBase, uint last, uint wraps, ref bool underflow)
    {
        int delta = SeqDelta(curBase, last);
        if (delta < 0)
        {
            if (wraps != 0 && curBase > last) wraps--;
        }
        else if (delta > 0)
        {
            if (curBase < last) wraps++;
        }
        if (wraps == 0)
        {
            delta = SeqDelta(curBase, e.StartSeq);
            if (delta < 0) underflow = true;
            return (ulong)(long)delta;
        }
        return e.ToRelativeSeqSpace(curBase, wraps);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void UpdateHistory(TcpFlags flags, ZeekTcpEndpoint e, ulong relSeq, int len)
    {
        bool syn = (flags & TcpFlags.SYN) != 0, fin = (flags & TcpFlags.FIN) != 0, rst = (flags & TcpFlags.RST) != 0;
        int bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
        if (bits > 1)
        {
            if (fin && rst) e.CheckHistory(HistFinRst, 'I');
            else e.CheckHistory(HistMultiFlag, 'Q');
        }
        else if (bits == 1)
        {
            if (syn)
            {
                char code = (flags & TcpFlags.ACK) != 0 ? 'H' : 'S';
                if (e.CheckHistory(HistSyn, code) && relSeq != e.HistLastSyn) e.AddHistory(code);
                e.HistLastSyn = relSeq;
            }
            if (fin)
            {
                // a FIN's sequence number is taken after its data
                if (e.CheckHistory(HistFin, 'F') && relSeq + (ulong)len != e.HistLastFin) e.AddHistory('F');
                e.HistLastFin = relSeq + (ulong)len;
            }
            if (rst)
            {
                if (e.CheckHistory(HistRst, 'R') && relSeq != e.HistLastRst) e.AddHistory('R');
                e.HistLastRst = relSeq;
            }
        }
        else
        {
            if (len > 0) e.CheckHistory(HistData, 'D');
            else if ((flags & TcpFlags.ACK) != 0) e.CheckHistory(HistAck, 'A');
        }
    }

    private static void UpdateWindow(ZeekTcpEndpoint e, int window, TcpFlags flags)
    {
        // only the zero-window history matters here (window << scale is zero exactly when window is)
        if (window == 0 && (flags & TcpFlags.RST) == 0 && e.Peer.State != ZeekEndpointState.Closed && e.State != ZeekEndpointState.Reset)
            e.ZeroWindow();
    }

    private static void UpdateAckSeq(ZeekTcpEndpoint e, uint ackSeq)
    {
        int delta = SeqDelta(ackSeq, e.AckSeq);
        if (ackSeq == 0 && delta > TooLargeSeqDelta) { }
        else if (delta > 0) e.UpdateAckSeq(ackSeq);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int UpdateLastSeq(ZeekTcpEndpoint e, uint lastSeq, TcpFlags flags, int len)
    {
        int delta = SeqDelta(lastSeq, e.LastSeq);
        bool synOrRst = (flags & (TcpFlags.SYN | TcpFlags.RST)) != 0;
        if (synOrRst && (delta > TooLargeSeqDelta || delta < -TooLargeSeqDelta)) { }
        else if ((flags & TcpFlags.FIN) != 0 && e.LastSeq == e.StartSeq + 1) e.UpdateLastSeq(lastSeq);
        else if (e.State == ZeekEndpointState.Reset) { }
        else if (delta > 0) e.UpdateLastSeq(lastSeq);
        else if (delta <= 0 && len > 0) e.DidRxmit();
        return delta;
    }

    // ---- the state machine ----

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void UpdateStateMachine(double t, ZeekTcpEndpoint endpoint, ZeekTcpEndpoint peer, uint baseSeq, uint ackSeq, int len,
        int deltaLast, bool isOrig, TcpFlags flags, out bool doClose, out bool genEvent)
    {
        doClose = false;
        genEvent = false;
        switch (endpoint.State)
        {
            case ZeekEndpointState.Inactive:
                UpdateInactiveState(t, endpoint, peer, baseSeq, ackSeq, len, isOrig, flags, ref doClose, ref genEvent);
                break;
            case ZeekEndpointState.SynSent:
            case ZeekEndpointState.SynAckSent:
                UpdateSynSentState(endpoint, peer, flags, ref doClose, ref genEvent);
                break;
            case ZeekEndpointState.Established:
            case ZeekEndpointState.Partial:
                UpdateEstablishedState(endpoint, peer, flags, ref doClose, ref genEvent);
                break;
            case ZeekEndpointState.Closed:
                UpdateClosedState(t, endpoint, flags, ref doClose);
                break;
            case ZeekEndpointState.Reset:
                break;        // UpdateResetState only reports weirds
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void UpdateInactiveState(double t, ZeekTcpEndpoint endpoint, ZeekTcpEndpoint peer, uint baseSeq, uint ackSeq, int len,
        bool isOrig, TcpFlags flags, ref bool doClose, ref bool genEvent)
    {
        bool syn = (flags & TcpFlags.SYN) != 0, ack = (flags & TcpFlags.ACK) != 0;
        bool fin = (flags & TcpFlags.FIN) != 0, rst = (flags & TcpFlags.RST) != 0;
        if (syn)
        {
            if (isOrig)
            {
                endpoint.SetState(ack ? ZeekEndpointState.SynAckSent : ZeekEndpointState.SynSent);
                _timers.Add((t + TcpAttemptDelay, Timer.Attempt));
            }
            else
            {
                if (ack) { }
                else if (peer.State == ZeekEndpointState.SynAckSent && baseSeq == endpoint.StartSeq)
                {
                    // a SYN/SYN-ACK reversal: flip the endpoints and establish the connection
                    _isPartial = false;
                    FlipRoles();
                    peer.SetState(ZeekEndpointState.Established);
                    SetFirstPacketSeen(true);
                }
                if (peer.State == ZeekEndpointState.SynSent) peer.SetState(ZeekEndpointState.Established);
                endpoint.SetState(ZeekEndpointState.Established);
            }
        }
        if (fin)
        {
            endpoint.SetState(ZeekEndpointState.Closed);
            doClose = genEvent = true;
        }
        if (rst)
        {
            endpoint.SetState(ZeekEndpointState.Reset);
            bool isReject = false;
            if (isOrig)
            {
                if (peer.State == ZeekEndpointState.Established) isReject = true;
            }
            else if (peer.State is ZeekEndpointState.SynSent or ZeekEndpointState.SynAckSent)
                isReject = true;
            doClose = true;
            genEvent = !isReject;
        }
        if (endpoint.State == ZeekEndpointState.Inactive)
        {
            if (!isOrig && len == 0 && _orig.State == ZeekEndpointState.SynSent)
            {
                // an ACK of the initial SYN before the SYN-ACK: not a partial connection
            }
            else if (ack && peer.State == ZeekEndpointState.Established)
            {
                // SYN-ACK seen without the SYN, and now a pure ACK: establish
                endpoint.SetState(ZeekEndpointState.Established);
                _isPartial = false;
                SetFirstPacketSeen(isOrig);
            }
            else
                endpoint.SetState(ZeekEndpointState.Partial);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void UpdateSynSentState(ZeekTcpEndpoint endpoint, ZeekTcpEndpoint peer, TcpFlags flags,
        ref bool doClose, ref bool genEvent)
    {
        if ((flags & TcpFlags.FIN) != 0)
        {
            endpoint.SetState(ZeekEndpointState.Closed);
            doClose = genEvent = true;
        }
        if ((flags & TcpFlags.RST) != 0)
        {
            endpoint.SetState(ZeekEndpointState.Reset);
            doClose = true;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void UpdateEstablishedState(ZeekTcpEndpoint endpoint, ZeekTcpEndpoint peer, TcpFlags flags,
        ref bool doClose, ref bool genEvent)
    {
        bool syn = (flags & TcpFlags.SYN) != 0, ack = (flags & TcpFlags.ACK) != 0;
        bool fin = (flags & TcpFlags.FIN) != 0, rst = (flags & TcpFlags.RST) != 0;
        if (syn && endpoint.State == ZeekEndpointState.Partial && peer.State == ZeekEndpointState.Inactive && !ack)
            endpoint.SetState(ZeekEndpointState.SynSent);
        if (fin && !rst)
        {
            endpoint.SetState(ZeekEndpointState.Closed);
            // the peer sent FIN then RST: that was a normal termination after all
            if (peer.State == ZeekEndpointState.Reset && peer.PrevState == ZeekEndpointState.Closed)
                peer.SetState(ZeekEndpointState.Closed);
            doClose = genEvent = true;
        }
        if (rst)
        {
            endpoint.SetState(ZeekEndpointState.Reset);
            doClose = true;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void UpdateClosedState(double t, ZeekTcpEndpoint endpoint, TcpFlags flags, ref bool doClose)
    {
        // A RST after this side's FIN changes nothing when the peer has closed too (a FIN exchange was seen).
        if ((flags & TcpFlags.RST) != 0 && endpoint.Peer.State != ZeekEndpointState.Closed)
        {
            endpoint.SetState(ZeekEndpointState.Reset);
            if (!endpoint.DidClose) doClose = true;
            // Zeek arms its ResetTimer (tcp_reset_delay) here only when a script handles connection_reset, and
            // neither the base scripts nor the default policy scripts do: the expire timer ends such a connection.
        }
    }

    // ---- closing (ConnectionClosed, EndpointEOF) ----

    private double _now;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void ConnectionClosed(ZeekTcpEndpoint endpoint, ZeekTcpEndpoint peer, bool genEvent, double t)
    {
        _now = t;
        if (endpoint.DataPending && !endpoint.SkipDeliveries)
        {
            _closeDeferred = true;
            if (!_deferredGenEvent) _deferredGenEvent = genEvent;
            return;
        }
        _closeDeferred = false;
        if (endpoint.DidClose) return;
        endpoint.DidClose = true;
        bool closeComplete = endpoint.State == ZeekEndpointState.Reset || peer.DidClose || peer.State == ZeekEndpointState.Inactive;
        if (closeComplete)
        {
            if (endpoint.PrevState != ZeekEndpointState.Inactive || peer.State != ZeekEndpointState.Inactive)
            {
                if (_deferredGenEvent) { genEvent = true; _deferredGenEvent = false; }
                if (genEvent) _isActive = false;      // ConnectionFinished
            }
            CancelTimers();
            _timers.Add((LastTime + TcpCloseDelay, Timer.ConnDelete));
        }
        else if (endpoint.PrevState != ZeekEndpointState.Inactive)
            _timers.Add((LastTime + TcpSessionTimer, Timer.Expire));
    }

    public void EndpointEof(ZeekTcpEndpoint e)
    {
        if (_closeDeferred)
        {
            _closeDeferred = false;
            ConnectionClosed(e, e.Peer, _deferredGenEvent, _now);
        }
    }

    // ---- conn_state() (scripts/base/protocols/conn/main.zeek) ----

    private static readonly Regex RstOs0 = new(@"^\^?S[^HAFGIQ]*R", RegexOptions.Compiled);

    public string ConnState
    {
        get
        {
            var os = _orig.State;
            var rs = _resp.State;
            bool oInactive = os is ZeekEndpointState.Inactive or ZeekEndpointState.Partial;
            bool rInactive = rs is ZeekEndpointState.Inactive or ZeekEndpointState.Partial;
            if (rs == ZeekEndpointState.Reset)
            {
                if (os is ZeekEndpointState.SynSent or ZeekEndpointState.SynAckSent
                    || (os == ZeekEndpointState.Reset && _orig.Size == 0 && _resp.Size == 0))
                    return "REJ";
                return oInactive ? "RSTRH" : "RSTR";
            }
            if (os == ZeekEndpointState.Reset)
            {
                if (rInactive) return RstOs0.IsMatch(History) ? "RSTOS0" : "OTH";
                return "RSTO";
            }
            if (rs == ZeekEndpointState.Closed && os == ZeekEndpointState.Closed) return "SF";
            if (os == ZeekEndpointState.Closed) return rInactive ? "SH" : "S2";
            if (rs == ZeekEndpointState.Closed) return oInactive ? "SHR" : "S3";
            if (os == ZeekEndpointState.SynSent && rs == ZeekEndpointState.Inactive) return "S0";
            if (os == ZeekEndpointState.Established && rs == ZeekEndpointState.Established) return "S1";
            return "OTH";
        }
    }
}
