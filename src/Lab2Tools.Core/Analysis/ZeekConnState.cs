using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis;

/// <summary>
/// Zeek's per-endpoint TCP states, conn_state() and history string (scripts/base/protocols/conn/main.zeek),
/// driven by the segments of one connection.
/// </summary>
internal struct ZeekConnState
{
    private enum EndpointState { Inactive, SynSent, SynAckSent, Partial, Established, Closed, Reset }

    private Two<EndpointState> _state;       // both Inactive (0)
    // Kept small and inline (one of these per connection, inside its record): the first 16 history letters,
    // letters seen once as a bit mask, the last sequence numbers; counters in an array made on first use.
    private HistoryLetters _letters;     // the first 16 letters, inline (a history is rarely longer)
    private byte _length;
    private string? _longHistory;        // the whole history once it is longer than 16 letters
    private ulong _once;
    private int[]? _counts;
    private LastSeqs _lastSeq;
    private byte _lastSeqSet;
    private Two<long> _size;
    private bool _started;
    /// <summary>0 when the originator is the side Zeek saw first, unless that was a SYN-ACK (flip).</summary>
    private int _origSide;

    private static readonly Regex RstOs0 = new(@"^\^?S[^HAFGIQ]*R", RegexOptions.Compiled);

    /// <summary>side: 0 or 1 (which endpoint sent the segment).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(TcpSegment s, int side)
    {
        bool syn = (s.Flags & TcpFlags.SYN) != 0, ack = (s.Flags & TcpFlags.ACK) != 0;
        bool fin = (s.Flags & TcpFlags.FIN) != 0, rst = (s.Flags & TcpFlags.RST) != 0;
        if (!_started)
        {
            _started = true;
            _origSide = side;
            if (syn && ack)
            {
                _origSide = 1 - side;
                Append('^');
            }
        }
        bool orig = side == _origSide;
        int me = orig ? 0 : 1, peer = 1 - me;

        // history letters, in the order Zeek records them
        if (syn && (fin || rst)) Once('q', orig);
        else if (syn) Repeat(ack ? 'h' : 's', orig, s.SeqRaw);
        if (fin && rst) Once('i', orig);
        if (s.Len > 0) Once('d', orig);
        else if (ack && !syn && !fin && !rst) Once('a', orig);
        if ((s.Analysis & (TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.FastRetransmission | TcpAnalysisFlags.SpuriousRetransmission)) != 0 && s.Len > 0)
            Logarithmic('t', orig);
        if (s.WindowSizeValue == 0 && !syn && !fin && !rst) Logarithmic('w', orig);
        if ((s.Analysis & TcpAnalysisFlags.PreviousSegmentNotCaptured) != 0) Logarithmic('g', orig);
        if (fin) Repeat('f', orig, s.SeqRaw);
        if (rst) Repeat('r', orig, s.SeqRaw);

        // endpoint states
        if (rst)
        {
            _state[me] = EndpointState.Reset;
        }
        else
        {
            switch (_state[me])
            {
                case EndpointState.Inactive:
                    _state[me] = syn ? (ack ? EndpointState.SynAckSent : EndpointState.SynSent)
                        : fin ? EndpointState.Closed : EndpointState.Partial;
                    break;
                case EndpointState.SynSent:
                case EndpointState.SynAckSent:
                    if (fin) _state[me] = EndpointState.Closed;
                    else if (ack && !syn)
                    {
                        _state[me] = EndpointState.Established;
                        if (_state[peer] is EndpointState.SynAckSent or EndpointState.SynSent) _state[peer] = EndpointState.Established;
                    }
                    break;
                case EndpointState.Partial:
                case EndpointState.Established:
                    if (fin) _state[me] = EndpointState.Closed;
                    break;
            }
        }
        _size[me] += s.Len;
    }

    /// <summary>True when the originator is endpoint side 0.</summary>
    public int OriginatorSide => _origSide;

    private static int Bit(char l) => char.IsUpper(l) ? 26 + (l - 'A') : l - 'a';

    private void Once(char c, bool orig)
    {
        char l = orig ? char.ToUpperInvariant(c) : c;
        ulong bit = 1UL << Bit(l);
        if ((_once & bit) != 0) return;
        _once |= bit;
        Append(l);
    }

    private static int SeqSlot(char c) => c switch { 's' => 0, 'h' => 1, 'f' => 2, _ => 3 };   // 'r'

    private void Repeat(char c, bool orig, uint seq)
    {
        int slot = SeqSlot(c) + (orig ? 4 : 0);
        if ((_lastSeqSet & (1 << slot)) != 0 && _lastSeq[slot] == seq) return;
        _lastSeq[slot] = seq;
        _lastSeqSet |= (byte)(1 << slot);
        Append(orig ? char.ToUpperInvariant(c) : c);
    }

    private static int CountSlot(char c) => c switch { 't' => 0, 'w' => 1, _ => 2 };          // 'g'

    private void Logarithmic(char c, bool orig)
    {
        int slot = CountSlot(c) + (orig ? 3 : 0);
        _counts ??= new int[6];
        int n = ++_counts[slot];
        if (n == 1 || n == 10 || n == 100 || n == 1000 || n == 10000 || n == 100000) Append(orig ? char.ToUpperInvariant(c) : c);
    }

    private void Append(char letter)
    {
        if (_longHistory != null) { _longHistory += letter; return; }
        if (_length < 16) { _letters[_length++] = letter; return; }
        _longHistory = new string(((ReadOnlySpan<char>)_letters)[.._length]) + letter;
    }

    public readonly string History => _longHistory ?? new string(((ReadOnlySpan<char>)_letters)[.._length]);

    public string ConnState
    {
        get
        {
            var os = _state[0];
            var rs = _state[1];
            bool oInactive = os is EndpointState.Inactive or EndpointState.Partial;
            bool rInactive = rs is EndpointState.Inactive or EndpointState.Partial;
            if (rs == EndpointState.Reset)
            {
                if (os is EndpointState.SynSent or EndpointState.SynAckSent || (os == EndpointState.Reset && _size[0] == 0 && _size[1] == 0))
                    return "REJ";
                return oInactive ? "RSTRH" : "RSTR";
            }
            if (os == EndpointState.Reset)
            {
                if (rInactive) return RstOs0.IsMatch(History) ? "RSTOS0" : "OTH";
                return "RSTO";
            }
            if (rs == EndpointState.Closed && os == EndpointState.Closed) return "SF";
            if (os == EndpointState.Closed) return rInactive ? "SH" : "S2";
            if (rs == EndpointState.Closed) return oInactive ? "SHR" : "S3";
            if (os == EndpointState.SynSent && rs == EndpointState.Inactive) return "S0";
            if (os == EndpointState.Established && rs == EndpointState.Established) return "S1";
            return "OTH";
        }
    }

    public static string Describe(string state) => state switch
    {
        "S0" => "Connection attempt seen, no reply.",
        "S1" => "Connection established, not terminated.",
        "SF" => "Normal establishment and termination.",
        "REJ" => "Connection attempt rejected.",
        "S2" => "Established and close attempt by originator seen (but no reply from responder).",
        "S3" => "Established and close attempt by responder seen (but no reply from originator).",
        "RSTO" => "Established, originator aborted (sent a RST).",
        "RSTR" => "Responder sent a RST.",
        "RSTOS0" => "Originator sent a SYN followed by a RST, never saw a SYN-ACK from the responder.",
        "RSTRH" => "Responder sent a SYN ACK followed by a RST, never saw a SYN from the (purported) originator.",
        "SH" => "Originator sent a SYN followed by a FIN, never saw a SYN ACK from the responder (hence the connection was \"half\" open).",
        "SHR" => "Responder sent a SYN ACK followed by a FIN, never saw a SYN from the originator.",
        "OTH" => "No SYN seen, just midstream traffic (one example of this is a \"partial connection\" that was not later closed).",
        _ => "",
    };
}

/// <summary>The last sequence number of each repeatable history letter (s, h, f, r per side), inline.</summary>
[InlineArray(8)]
internal struct LastSeqs
{
    private uint _seq;
}

/// <summary>Room for the first 16 letters of a history.</summary>
[InlineArray(16)]
internal struct HistoryLetters
{
    private char _letter;
}
