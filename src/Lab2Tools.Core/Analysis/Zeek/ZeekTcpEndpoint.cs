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
    public double StartTime { get; set; }
    public double LastTime { get; set; }
    public int FinCount { get; set; }
    public int RstCount { get; set; }
    public ulong FinSeq { get; set; }
    public bool DidClose { get; set; }
    public int WindowScale { get; set; }

    public ulong HistLastSyn { get; set; }
    public ulong HistLastFin { get; set; }
    public ulong HistLastRst { get; set; }

    private uint _gapCount, _gapThresh = 1, _rxmtCount, _rxmtThresh = 1, _win0Count, _win0Thresh = 1;

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

    /// <summary>TCP_Endpoint::CheckHistory: records the letter once per direction; true when it was seen before.</summary>
    public bool CheckHistory(uint mask, char code)
    {
        if ((code == 'A' || code == 'D') && _session.History == "H")
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

    private readonly List<(ulong Seq, ulong Upper)> _blocks = new();   // sorted, non-overlapping, above _trimSeq
    private ulong _lastReassemSeq = 1, _trimSeq = 1;
    private bool _skipDeliveries;

    public bool SkipDeliveries => _skipDeliveries;

    private ulong UndeliveredBytes
    {
        get
        {
            ulong n = 0;
            foreach (var b in _blocks) if (b.Upper > _lastReassemSeq) n += b.Upper - Math.Max(b.Seq, _lastReassemSeq);
            return n;
        }
    }

    /// <summary>TCP_Reassembler::DataSent: payload [seq, seq+len) (relative) was seen.</summary>
    public void DataSent(ulong seq, int len)
    {
        if (_skipDeliveries) return;
        ulong ack = ToRelativeSeqSpace(AckSeq, AckWraps);
        ulong upper = seq + (ulong)len;
        if (seq < ack)
        {
            if (upper <= ack) return;        // already delivered and acknowledged
            seq = ack;
        }
        NewBlock(seq, upper);
        if (NoDataAcked && UndeliveredBytes > ZeekTcpSession.MaxAboveHoleWithoutAnyAcks)
        {
            _blocks.Clear();
            _skipDeliveries = true;
        }
        else
        {
            ulong buffered = 0;
            foreach (var b in _blocks) buffered += b.Upper - b.Seq;
            if (buffered > ZeekTcpSession.ExcessiveDataWithoutFurtherAcks)
            {
                _blocks.Clear();
                _skipDeliveries = true;
            }
        }
    }

    private void NewBlock(ulong seq, ulong upper)
    {
        if (upper <= seq || upper <= _trimSeq) return;
        if (seq < _trimSeq) seq = _trimSeq;
        // insert the part of [seq, upper) no block covers yet, merging neighbours
        int i = 0;
        while (i < _blocks.Count && _blocks[i].Upper < seq) i++;
        ulong s = seq, u = upper;
        int j = i;
        while (j < _blocks.Count && _blocks[j].Seq <= u)
        {
            s = Math.Min(s, _blocks[j].Seq);
            u = Math.Max(u, _blocks[j].Upper);
            j++;
        }
        _blocks.RemoveRange(i, j - i);
        _blocks.Insert(i, (s, u));
        BlockInserted();
    }

    /// <summary>Delivers what is contiguous from the last delivered byte.</summary>
    private void BlockInserted()
    {
        foreach (var b in _blocks)
        {
            if (b.Seq > _lastReassemSeq) break;
            if (b.Upper > _lastReassemSeq) _lastReassemSeq = b.Upper;
        }
        if (!Peer.HasContents)
            TrimDelivered();
        else if (NoDataAcked && Size > ZeekTcpSession.MaxInitialWindow)
            TrimDelivered();
    }

    private void TrimDelivered() => TrimToSeq(_lastReassemSeq);

    /// <summary>Every endpoint has a reassembler here (Zeek enables reassembly when any analyzer is attached).</summary>
    public bool HasContents => true;

    /// <summary>TCP_Reassembler::AckReceived: the peer acknowledged up to seq (relative).</summary>
    public void AckReceived(ulong seq)
    {
        if (FinCount > 0 && seq >= FinSeq) seq = FinSeq - 1;
        if (seq <= _trimSeq) return;
        TrimToSeq(seq);
    }

    private void TrimToSeq(ulong seq)
    {
        if (seq > _lastReassemSeq) Undelivered(seq);
        while (_blocks.Count > 0 && _blocks[0].Upper <= seq) _blocks.RemoveAt(0);
        if (_blocks.Count > 0 && _blocks[0].Seq < seq) _blocks[0] = (seq, _blocks[0].Upper);
        if (_blocks.Count > 0 && _blocks[0].Seq == _lastReassemSeq) BlockInsertedNoTrim();
        _trimSeq = seq;
    }

    private void BlockInsertedNoTrim()
    {
        foreach (var b in _blocks)
        {
            if (b.Seq > _lastReassemSeq) break;
            if (b.Upper > _lastReassemSeq) _lastReassemSeq = b.Upper;
        }
    }

    /// <summary>TCP_Reassembler::Undelivered: bytes up to upTo were acknowledged and some were never seen.</summary>
    private void Undelivered(ulong upTo)
    {
        if (upTo <= 2 && _session.IsPartial)
            return;          // the faked ISN of a partial connection (Zeek does not move last_reassem_seq here either)
        if (!_skipDeliveries)
        {
            int k = 0;
            while (k < _blocks.Count)
            {
                var b = _blocks[k];
                if (b.Upper <= _lastReassemSeq && b.Seq < _lastReassemSeq) { k++; continue; }
                if (b.Seq < _lastReassemSeq) { k++; continue; }
                if (b.Seq >= upTo) break;
                ReportGap();
                _lastReassemSeq = b.Seq;
                BlockInsertedNoTrim();
                k = 0;
            }
            if (upTo > _lastReassemSeq) ReportGap();
        }
        if (upTo > _lastReassemSeq) _lastReassemSeq = upTo;
    }

    private static bool IsClean(ZeekTcpEndpoint a) =>
        a.State == ZeekEndpointState.Established
        || (a.State == ZeekEndpointState.Closed && a.PrevState == ZeekEndpointState.Established);

    private void ReportGap()
    {
        if (IsClean(this) && IsClean(Peer)) Gap();
    }

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

    public bool HasUndeliveredData => _blocks.Count > 0 && _blocks[^1].Upper > _lastReassemSeq;

    private bool _didEof;

    /// <summary>TCP_Reassembler::CheckEOF: all data delivered after a FIN or RST.</summary>
    public void CheckEof()
    {
        if (!_didEof && (FinCount > 0 || State == ZeekEndpointState.Closed || State == ZeekEndpointState.Reset) && !DataPending)
        {
            _didEof = true;
            _session.EndpointEof(this);
        }
    }
}
