using System.Net;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis.Statistics;

/// <summary>
/// One row of the RTT estimate table: an RTT sample (an acknowledged segment, Wireshark's tcp.analysis.ack_rtt)
/// and the sender's estimates after it, as RFC 6298 defines them (α = 1/8, β = 1/4, K = 4).
/// </summary>
public sealed class TcpRttEstimate
{
    public int Stream { get; init; }
    /// <summary>The sender of the acknowledged data (whose timer these estimates drive), e.g. 127.0.0.1:5000.</summary>
    public string Sender { get; init; } = "";
    /// <summary>The receiver, which sent the ACK.</summary>
    public string Receiver { get; init; } = "";
    /// <summary>1 for the sender's first sample, 2 for the next...</summary>
    public int Sample { get; init; }
    /// <summary>The frame of the acknowledged segment (tcp.analysis.acks_frame).</summary>
    public long SegmentFrame { get; init; }
    /// <summary>The frame of the ACK.</summary>
    public long AckFrame { get; init; }
    /// <summary>When the ACK arrived, seconds since the connection's first segment.</summary>
    public double TimeSeconds { get; init; }
    /// <summary>SampleRTT (R): from the segment to its ACK.</summary>
    public double SampleRttMilliseconds { get; init; }
    /// <summary>EstimatedRTT (SRTT): R for the first sample, then (1 − α)·SRTT + α·R.</summary>
    public double EstimatedRttMilliseconds { get; init; }
    /// <summary>
    /// DevRTT (RTTVAR): R/2 for the first sample, then (1 − β)·RTTVAR + β·|SRTT − R| (with the SRTT before this sample).
    /// </summary>
    public double DevRttMilliseconds { get; init; }
    /// <summary>The textbook TimeoutInterval: EstimatedRTT + 4·DevRTT.</summary>
    public double TimeoutIntervalMilliseconds { get; init; }
    /// <summary>RFC 6298's RTO: SRTT + max(G, 4·RTTVAR), rounded up to the minimum RTO (1 s in RFC 6298 §2.4).</summary>
    public double RtoMilliseconds { get; init; }
    /// <summary>The capture file the ACK was read from.</summary>
    public string? Path { get; init; }
}

/// <summary>
/// Feeds RTT samples through RFC 6298's estimator, one estimator per connection and direction. The samples are
/// Wireshark's ack_rtt values; following Karn's algorithm (RFC 6298 §3), an ACK of a retransmitted segment
/// gives no sample.
/// </summary>
public sealed class RttEstimator
{
    public const double Alpha = 1.0 / 8, Beta = 1.0 / 4, K = 4;
    private readonly double _granularityMs, _minimumRtoMs;
    private readonly Dictionary<(int Stream, string Sender), State> _states = new();
    private readonly Dictionary<int, HashSet<long>> _retransmitted = new();
    private readonly Dictionary<int, long> _firstMicros = new();

    private sealed class State
    {
        public int Count;
        public double Srtt, RttVar;
    }

    /// <param name="clockGranularityMilliseconds">G in RFC 6298 (Linux: 1 ms timers at HZ=1000; 0 ignores it).</param>
    /// <param name="minimumRtoMilliseconds">The lower bound of the RTO (RFC 6298: 1000 ms; Linux uses 200 ms).</param>
    public RttEstimator(double clockGranularityMilliseconds = 1, double minimumRtoMilliseconds = 1000)
    {
        _granularityMs = clockGranularityMilliseconds;
        _minimumRtoMs = minimumRtoMilliseconds;
    }

    private static string Endpoint(IPAddress a, int port) => Model.Units.Text(a, port);

    /// <summary>The row this segment adds to the table, or null (no RTT sample, or Karn's rule).</summary>
    public TcpRttEstimate? Add(TcpSegment s)
    {
        long micros = s.TimeRelative.Ticks / 10;
        if (!_firstMicros.ContainsKey(s.Stream)) _firstMicros[s.Stream] = micros;
        const TcpAnalysisFlags retransmissions =
            TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.FastRetransmission | TcpAnalysisFlags.SpuriousRetransmission;
        if ((s.Analysis & retransmissions) != 0)
        {
            if (!_retransmitted.TryGetValue(s.Stream, out var set)) _retransmitted[s.Stream] = set = new HashSet<long>();
            set.Add(s.Frame);
        }
        if (s.AckRtt is not TimeSpan rtt || s.AcksFrame is not long acked) return null;
        if (_retransmitted.TryGetValue(s.Stream, out var re) && re.Contains(acked)) return null;
        double r = s.AckRttNanoseconds is long ns ? ns / 1_000_000.0 : rtt.TotalMilliseconds;
        string sender = Endpoint(s.Destination, s.DestinationPort);
        if (!_states.TryGetValue((s.Stream, sender), out var st)) _states[(s.Stream, sender)] = st = new State();
        if (st.Count == 0)
        {
            st.Srtt = r;
            st.RttVar = r / 2;
        }
        else
        {
            st.RttVar = (1 - Beta) * st.RttVar + Beta * Math.Abs(st.Srtt - r);
            st.Srtt = (1 - Alpha) * st.Srtt + Alpha * r;
        }
        st.Count++;
        return new TcpRttEstimate
        {
            Stream = s.Stream,
            Path = s.Path,
            Sender = sender,
            Receiver = Endpoint(s.Source, s.SourcePort),
            Sample = st.Count,
            SegmentFrame = acked,
            AckFrame = s.Frame,
            TimeSeconds = (micros - _firstMicros[s.Stream]) / 1_000_000.0,
            SampleRttMilliseconds = r,
            EstimatedRttMilliseconds = st.Srtt,
            DevRttMilliseconds = st.RttVar,
            TimeoutIntervalMilliseconds = st.Srtt + K * st.RttVar,
            RtoMilliseconds = Math.Max(_minimumRtoMs, st.Srtt + Math.Max(_granularityMs, K * st.RttVar)),
        };
    }
}
