namespace Lab2Tools.Analysis.Zeek;

/// <summary>Zeek's TCP endpoint states (TCP_Endpoint.h EndpointState).</summary>
public enum ZeekEndpointState
{
    Inactive = 0,
    SynSent = 1,
    SynAckSent = 2,
    Partial = 3,
    Established = 4,
    Closed = 5,
    Reset = 6,
}

/// <summary>
/// One side of a Zeek TCP connection: a port of Zeek's TCP_Endpoint (src/analyzer/protocol/tcp/TCP_Endpoint.cc)
/// with the part of its TCP_Reassembler that decides content gaps (which bytes were acknowledged but never seen).
/// Sequence numbers are kept as Zeek keeps them: 32-bit values with wrap counters, relative ones from the start
/// sequence (the ISN, or one before the first byte of a partial connection).
/// </summary>
internal sealed class ZeekTcpEndpoint
{
    private readonly ZeekTcpSession _session;

    public ZeekTcpEndpoint(ZeekTcpSession session, bool isOrig)
    {
        _session = session;
        IsOrig = isOrig;
    }

    public ZeekTcpEndpoint Peer { get; set; } = null!;
    public bool IsOrig { get; set; }
    public ZeekEndpointState State { get; private set; }
    public ZeekEndpointState PrevState { get; private set; }

    public long StartSeqI64 { get; private set; }
    public uint StartSeq => (uint)StartSeqI64;
    public uint LastSeq { get; private set; }
    public uint AckSeq { get; private set; }
    public uint SeqWraps { get; private set; }
    public uint AckWraps { get; private set; }
    public double LastTime { get; set; }
    public int FinCount { get; set; }
    public ulong FinSeq { get; set; }
    public bool DidClose { get; set; }

    public ulong HistLastSyn { get; set; }
    public ulong HistLastFin { get; set; }
    public ulong HistLastRst { get; set; }

    private uint _gapCount, _gapThresh = 1, _rxmtCount, _rxmtThresh = 1, _win0Count, _win0Thresh = 1, _chkCount, _chkThresh = 1;

    public bool IsActive => State != ZeekEndpointState.Inactive && !DidClose;
    public bool HasDoneSomething => LastTime != 0.0;

    public static ulong ToFullSeqSpace(uint seq, uint wraps) => ((ulong)wraps << 32) + seq;
    public ulong ToRelativeSeqSpace(uint seq, uint wraps) => ToFullSeqSpace(seq, wraps) - (ulong)StartSeqI64;

    public void InitStartSeq(long seq) => StartSeqI64 = seq;
    public void InitLastSeq(uint seq) => LastSeq = seq;
    public void InitAckSeq(uint seq) => AckSeq = seq;

    public void UpdateLastSeq(uint seq)
    {
        if (seq < LastSeq) SeqWraps++;
        LastSeq = seq;
    }

    public void UpdateAckSeq(uint seq)
    {
        if (seq < AckSeq) AckWraps++;
        AckSeq = seq;
    }

    /// <summary>True if none of this endpoint's data has been acknowledged (one octet allowed for the SYN).</summary>
    public bool NoDataAcked
    {
        get
        {
            ulong ack = ToFullSeqSpace(AckSeq, AckWraps), start = (ulong)StartSeqI64;
            return ack == start || ack == start + 1;
        }
    }

    private static bool IsHandshake(ZeekEndpointState s) =>
        s is ZeekEndpointState.Inactive or ZeekEndpointState.SynSent or ZeekEndpointState.SynAckSent;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void SetState(ZeekEndpointState newState)
    {
        if (newState == State) return;
        // Finishing the handshake switches the connection to the TCP inactivity timeout.
        if (!IsHandshake(newState) && IsHandshake(State) && IsHandshake(Peer.State))
            _session.HandshakeDone();
        PrevState = State;
        State = newState;
    }

    /// <summary>The payload bytes this endpoint sent, as Zeek counts them from sequence numbers (TCP_Endpoint::Size).</summary>
    public ulong Size
    {
        get
        {
            if (PrevState == ZeekEndpointState.SynSent && State == ZeekEndpointState.Reset
                && Peer.State == ZeekEndpointState.Inactive && !NoDataAcked)
                return 0;
            ulong last = ToFullSeqSpace(LastSeq, LastSeqWrapsForSize), ack = ToFullSeqSpace(AckSeq, AckWraps);
            ulong size = last > ack ? last - (ulong)StartSeqI64 : ack - (ulong)StartSeqI64;
            if (size != 0) size--;
            if (FinCount > 0 && size != 0) size--;
            return size;
        }
    }

    private uint LastSeqWrapsForSize => SeqWraps;

    // ---- history entries scaled by powers of ten (Session::ScaledHistoryEntry) ----

    private void Scaled(char code, ref uint counter, ref uint threshold)
    {
        if (++counter != threshold) return;
        _session.AddHistory(IsOrig ? code : char.ToLowerInvariant(code));
        uint next = threshold * 10;
        if (next <= threshold) counter = 0;
        else threshold = next;
    }

    public void DidRxmit() => Scaled('T', ref _rxmtCount, ref _rxmtThresh);
    public void ZeroWindow() => Scaled('W', ref _win0Count, ref _win0Thresh);
    public void Gap() => Scaled('G', ref _gapCount, ref _gapThresh);
    public void ChecksumError() => Scaled('C', ref _chkCount, ref _chkThresh);

    /// <summary>TCP_Endpoint::CheckHistory: records the letter once per direction; true when it was seen before.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public bool CheckHistory(uint mask, char code)
    {
        if ((code == 'A' || code == 'D') && _session.HistoryIs("H"))
        {
            // A connection that began with a SYN-ACK now sees productive traffic: flip it (TCP_Endpoint.cc).
            _session.FlipRoles();
            _session.ReplaceHistory("^h");
            _session.SetFirstPacketSeen(true);
        }
        if (!IsOrig)
        {
            mask <<= 16;
            code = char.ToLowerInvariant(code);
        }
        return _session.CheckHistory(mask, code);
    }

    public void AddHistory(char code) => _session.AddHistory(IsOrig ? code : char.ToLowerInvariant(code));

    // ---- content tracking (TCP_Reassembler / Reassembler / DataBlockList), for gaps only ----

    // Only bytes above a hole are kept: contiguous data is delivered at once (last_reassem_seq moves past it), and
    // delivered bytes play no part in gaps. Most connections never have a hole, so the list is made on first use.
    private List<(ulong Seq, ulong Upper)>? _blocks;    // sorted, disjoint, above _lastReassemSeq
    private ulong _lastReassemSeq = 1, _trimSeq = 1;
    private bool _skipDeliveries;

    public bool SkipDeliveries => _skipDeliveries;

    /// <summary>Reassembler::NumUndeliveredBytes: from the delivered data to the end of the last kept block.</summary>
    private ulong UndeliveredBytes => _blocks == null ? 0 : _blocks[^1].Upper - _lastReassemSeq;

    /// <summary>DataBlockList::DataSize: bytes held, delivered but not yet acknowledged, and kept above holes.</summary>
    private ulong BufferedBytes
    {
        get
        {
            ulong n = _lastReassemSeq > _trimSeq ? _lastReassemSeq - _trimSeq : 0;
            if (_blocks != null) foreach (var b in _blocks) n += b.Upper - b.Seq;
            return n;
        }
    }

    /// <summary>
    /// TCP_Reassembler::DataSent: payload [seq, seq+len) (relative) was seen. payload: its bytes, for a protocol
    /// analyzer's watcher if the connection has one (empty when the reader left them out).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void DataSent(ulong seq, int len, byte[] payload)
    {
        if (_skipDeliveries) return;
        var w = _session.Watcher;
        if (w == null)
        {
            DataSent(seq, len);
            return;
        }
        w.BeginSegment(IsOrig, seq, payload);
        DataSent(seq, len);
        w.EndSegment();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void DataSent(ulong seq, int len)
    {
        ulong ack = ToRelativeSeqSpace(AckSeq, AckWraps);
        ulong upper = seq + (ulong)len;
        if (seq < ack)
        {
            if (upper <= ack) return;        // already delivered and acknowledged
            seq = ack;
        }
        NewBlock(seq, upper);
        // tcp_max_above_hole_without_any_acks, tcp_excessive_data_without_further_acks: Zeek gives up on the stream
        if ((NoDataAcked && UndeliveredBytes > ZeekTcpSession.MaxAboveHoleWithoutAnyAcks)
            || BufferedBytes > ZeekTcpSession.ExcessiveDataWithoutFurtherAcks)
        {
            _blocks = null;
            _skipDeliveries = true;
            _session.Watcher?.GiveUp();        // the analyzers get nothing more
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void NewBlock(ulong seq, ulong upper)
    {
        if (upper <= _trimSeq) return;
        if (seq < _trimSeq) seq = _trimSeq;
        if (upper <= _lastReassemSeq) return;                 // delivered already
        if (seq <= _lastReassemSeq)
        {
            ulong from = _lastReassemSeq;
            _lastReassemSeq = upper;                           // in order: delivered at once
            _session.Watcher?.Delivered(IsOrig, from, upper);
            DeliverBuffered();
            return;
        }
        _session.Watcher?.Hold(IsOrig, seq, upper);
        // above a hole: keep it, merged with the blocks it touches
        var blocks = _blocks ??= new List<(ulong, ulong)>(2);
        int i = 0;
        while (i < blocks.Count && blocks[i].Upper < seq) i++;
        ulong s = seq, u = upper;
        int j = i;
        while (j < blocks.Count && blocks[j].Seq <= u)
        {
            s = Math.Min(s, blocks[j].Seq);
            u = Math.Max(u, blocks[j].Upper);
            j++;
        }
        blocks.RemoveRange(i, j - i);
        blocks.Insert(i, (s, u));
    }

    /// <summary>Delivers the kept blocks that are now contiguous with the delivered data (BlockInserted).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void DeliverBuffered()
    {
        if (_blocks == null) return;
        while (_blocks.Count > 0 && _blocks[0].Seq <= _lastReassemSeq)
        {
            if (_blocks[0].Upper > _lastReassemSeq)
            {
                ulong from = _lastReassemSeq;
                _lastReassemSeq = _blocks[0].Upper;
                _session.Watcher?.Delivered(IsOrig, from, _lastReassemSeq);
            }
            _blocks.RemoveAt(0);
        }
        if (_blocks.Count == 0) _blocks = null;
    }

    /// <summary>TCP_Reassembler::AckReceived: the peer acknowledged up to seq (relative).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void AckReceived(ulong seq)
    {
        if (FinCount > 0 && seq >= FinSeq) seq = FinSeq - 1;
        if (seq <= _trimSeq) return;
        // DataBlockList::Trim: what is acknowledged beyond the delivered data was never seen
        if (seq > _lastReassemSeq) Undelivered(seq);
        if (_blocks != null)
        {
            while (_blocks.Count > 0 && _blocks[0].Upper <= seq) _blocks.RemoveAt(0);
            if (_blocks.Count > 0 && _blocks[0].Seq < seq) _blocks[0] = (seq, _blocks[0].Upper);
            if (_blocks.Count == 0) _blocks = null;
        }
        DeliverBuffered();
        _trimSeq = seq;
        CheckEof();          // what was delivered may have changed (TCP_Reassembler::AckReceived)
    }

    /// <summary>TCP_Reassembler::Undelivered: bytes up to upTo were acknowledged and some were never seen.</summary>
    private void Undelivered(ulong upTo)
    {
        if (upTo <= 2 && _session.IsPartial)
            return;          // the faked ISN of a partial connection (Zeek leaves last_reassem_seq alone here too)
        if (!_skipDeliveries)
        {
            // each hole before a kept block below upTo is a gap; the block is then delivered
            while (_blocks is { Count: > 0 } && _blocks[0].Seq < upTo)
            {
                ReportGap(_blocks[0].Seq - _lastReassemSeq);
                _session.Watcher?.Gap(IsOrig);        // the analyzers' Undelivered
                _lastReassemSeq = _blocks[0].Seq;
                DeliverBuffered();
            }
            if (upTo > _lastReassemSeq)
            {
                ReportGap(upTo - _lastReassemSeq);
                _session.Watcher?.Gap(IsOrig);
            }
        }
        if (upTo > _lastReassemSeq) _lastReassemSeq = upTo;
    }

    private static bool IsClean(ZeekTcpEndpoint a) =>
        a.State == ZeekEndpointState.Established
        || (a.State == ZeekEndpointState.Closed && a.PrevState == ZeekEndpointState.Established);

    /// <summary>
    /// TCP_Reassembler::Gap: a content gap of len bytes. Zeek counts it (the history's g/G, and the content_gap event
    /// that conn/main.zeek adds to missed_bytes) only while both sides are established or cleanly closing
    /// (report_gaps_for_partial=F).
    /// </summary>
    private void ReportGap(ulong len)
    {
        if (!IsClean(this) || !IsClean(Peer)) return;
        Gap();
        MissedBytes += len;
    }

    /// <summary>The lengths of this side's content gaps that Zeek reports (its share of conn.log's missed_bytes).</summary>
    public ulong MissedBytes { get; private set; }

    /// <summary>TCP_Reassembler::DataPending: delivered data has not reached the last sequence number seen.</summary>
    public bool DataPending
    {
        get
        {
            if (_skipDeliveries) return false;
            ulong delivered = (ulong)StartSeqI64 + _lastReassemSeq;
            ulong last = ToFullSeqSpace(LastSeq, SeqWraps);
            if (last < delivered) return false;
            if (delivered != last - 1 && delivered != last) return true;
            if (State != ZeekEndpointState.Reset && Peer.HasUndeliveredData) return true;
            return false;
        }
    }

    public bool HasUndeliveredData => _blocks != null;

    private bool _didEof;

    /// <summary>TCP_Reassembler::CheckEOF: all data delivered after a FIN or RST.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void CheckEof()
    {
        if (!_didEof && (FinCount > 0 || State == ZeekEndpointState.Closed || State == ZeekEndpointState.Reset) && !DataPending)
        {
            _didEof = true;
            _session.Watcher?.EndOfData(IsOrig);       // the analyzers' EndpointEOF
            _session.EndpointEof(this);
        }
    }
}
