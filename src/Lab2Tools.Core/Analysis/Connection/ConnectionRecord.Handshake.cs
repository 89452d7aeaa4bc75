using Lab2Tools.Model;
using static Lab2Tools.Analysis.AnalysisText;

namespace Lab2Tools.Analysis;

// The three-way handshake of a record (results in TcpHandshake.cs).
public sealed partial class ConnectionRecord
{
    private TcpHandshakeStep HandshakeStep(int n, string name, SegmentNote s, string explanation) =>
        Step<TcpHandshakeStep>(n, name, s, explanation);

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

    private static string Offered(TcpSynOptions o) => o.ToString() is { Length: > 0 } text ? text : Table["Handshake.NoOptions"];

    /// <summary>The handshake, or null when no SYN was captured.</summary>
    public TcpHandshake? ToHandshake()
    {
        if (_syns.Count == 0) return null;
        var syn = _syns[0];
        CaptureSide c = syn.Side, sv = c.Peer();
        var lastSyn = _syns.All().Where(x => x.SeqRaw == syn.SeqRaw).Last();
        var synAck = _synAcks.All().FirstOrDefault(x => x.Side == sv);
        var synRetrans = _syns.All().Skip(1).Where(x => x.SeqRaw == syn.SeqRaw).Select(x => x.Frame).ToArray();
        var synAckRetrans = synAck == null ? Array.Empty<long>()
            : _synAcks.All().Where(x => x != synAck && x.SeqRaw == synAck.SeqRaw).Select(x => x.Frame).ToArray();
        var co = Options(syn, false);
        var so = synAck != null ? Options(synAck, true) : null;
        bool ws = so != null && co.WindowScaleShift != null && so.WindowScaleShift != null;
        string client = Ep(c).ToString(), server = Ep(sv).ToString();

        var step1 = HandshakeStep(1, "SYN", syn, Say("Handshake.Step.Syn", client, syn.SeqRaw, Offered(co)));
        TcpHandshakeStep? step2 = null, step3 = null;
        if (synAck != null)
            step2 = HandshakeStep(2, "SYN-ACK", synAck, Say("Handshake.Step.SynAck", server, synAck.SeqRaw, synAck.Ack, Offered(so!)));
        if (_thirdAck is SegmentNote third && synAck != null)
            step3 = HandshakeStep(3, "ACK", third, ws
                ? Say("Handshake.Step.AckScaled", client, third.Seq, third.Ack,
                    third.WindowSizeValue, third.WindowSizeScalingFactor, third.WindowSize)
                : Say("Handshake.Step.Ack", client, third.Seq, third.Ack));

        var (verdict, explanation) = HandshakeVerdictOf(c, synAck, syn, synRetrans, step3 != null, client, server);
        TimeSpan? irtt = step3 != null
            ? TimeSpan.FromTicks((_thirdAck!.TimestampNanoseconds - lastSyn.TimestampNanoseconds) / 100) : null;
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

    /// <summary>How the handshake went, and why, from the segments the record kept.</summary>
    private (HandshakeVerdict, string) HandshakeVerdictOf(CaptureSide c, SegmentNote? synAck, SegmentNote syn, long[] synRetrans,
        bool completed, string client, string server)
    {
        var sv = c.Peer();
        string Frames() => List(synRetrans.Prepend(syn.Frame));
        if (_rst != null && _rst.Side == sv && (synAck == null || _rst.Frame < synAck.Frame))
            return (HandshakeVerdict.Rejected, Say("Handshake.Rejected", server, _rst.Frame, End(sv).Port));
        if (synAck == null)
            return (HandshakeVerdict.NoAnswer, synRetrans.Length > 0
                ? Say("Handshake.NoAnswerRetried", synRetrans.Length + 1, Frames())
                : Table["Handshake.NoAnswer"]);
        if (_rst != null && _rst.Side == c && !completed)
            return (HandshakeVerdict.AbortedByClient, Say("Handshake.AbortedByClient", client, _rst.Frame));
        if (!completed)
            return (HandshakeVerdict.FinalAckMissing, Table["Handshake.FinalAckMissing"]);
        if (synRetrans.Length > 0)
            return (HandshakeVerdict.SynRetransmitted, Say("Handshake.SynRetransmitted", synRetrans.Length + 1, Frames()));
        return (HandshakeVerdict.Complete, Table["Handshake.Complete"]);
    }
}
