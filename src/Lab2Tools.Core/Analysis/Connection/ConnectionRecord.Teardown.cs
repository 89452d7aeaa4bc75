using System.Net;
using Lab2Tools.Model;
using static Lab2Tools.Analysis.AnalysisText;

namespace Lab2Tools.Analysis;

// How a record's connection ended (results in TcpTeardown.cs).
public sealed partial class ConnectionRecord
{
    private TcpTeardownStep TeardownStep(int n, string name, SegmentNote s, string explanation) =>
        Step<TcpTeardownStep>(n, name, s, explanation);

    /// <summary>The bytes of data a FIN carries (its NextSeq counts the data, the FIN and a SYN).</summary>
    private static long FinLen(SegmentNote s) => (uint)(s.NextSeq - s.Seq) - 1 - ((s.Flags & TcpFlags.SYN) != 0 ? 1 : 0);

    /// <summary>A FIN step's text: the key, or its "Data" twin with the FIN's Len when the FIN carries data.</summary>
    private string SayFin(string key, CaptureSide side, SegmentNote fin, object? number) =>
        FinLen(fin) is long len && len > 0 ? SayAbout(key + "Data", side, number, len, fin.NextSeq) : SayAbout(key, side, number);

    /// <summary>A teardown text about endpoints: each one given as its two arguments, role and address.</summary>
    private string SayAbout(string key, CaptureSide first, params object?[] more) => SayAboutPair(key, first, null, more);

    private string SayAboutPair(string key, CaptureSide first, CaptureSide? second, params object?[] more)
    {
        var args = new List<object?>();
        var (role, ep) = Who(first);
        args.Add(role);
        args.Add(ep);
        if (second is CaptureSide s2)
        {
            var (role2, ep2) = Who(s2);
            args.Add(role2);
            args.Add(ep2);
        }
        args.AddRange(more);
        return Say(key, args.ToArray());
    }

    /// <summary>How the connection ended, or null when it did not (no FIN, no RST).</summary>
    public TcpTeardown? ToTeardown()
    {
        if (FirstFinSide() is not CaptureSide a)
            return _rst != null ? ResetTeardown(_rst) : null;
        if (_rst != null && !_finsDoneBeforeRst) return ResetTeardown(_rst);

        var (c, _) = Roles();
        CaptureSide b = a.Peer();
        ref readonly var active = ref End(a);
        ref readonly var passive = ref End(b);
        var finA = active.Fin!;
        var finB = passive.Fin;
        var steps = new List<TcpTeardownStep>
        {
            TeardownStep(1, "FIN", finA, SayFin("Teardown.Step.FirstFin", a, finA, finA.Seq)),
        };
        TeardownKind kind;
        string text;
        TimeWaitHolder? timeWait = null;
        IPEndPoint? timeWaitEp = null;
        if (finB == null)
        {
            if (active.FinAcked is SegmentNote acked)
                steps.Add(TeardownStep(2, "ACK", acked, SayAbout("Teardown.Step.FinAckedOnly", b, acked.Ack)));
            kind = TeardownKind.Incomplete;
            text = SayAboutPair("Teardown.OnlyOneClosed", a, b);
        }
        else
        {
            bool simultaneous = (finB.Flags & TcpFlags.ACK) == 0 || (int)(finB.Ack - finA.NextSeq) < 0;
            long after = passive.DataAfterPeerFin;
            if (simultaneous)
            {
                kind = TeardownKind.Simultaneous;
                steps.Add(TeardownStep(2, "FIN", finB, SayAbout("Teardown.Step.SimultaneousFin", b, finB.Ack)));
                if (active.FinAcked is SegmentNote ackA)
                    steps.Add(TeardownStep(steps.Count + 1, "ACK", ackA, SayAbout("Teardown.Step.AcksFirstFin", b)));
                if (passive.FinAcked is SegmentNote ackB)
                    steps.Add(TeardownStep(steps.Count + 1, "ACK", ackB, SayAbout("Teardown.Step.AcksSecondFin", a)));
                steps.Sort((p, q) => p.Frame.CompareTo(q.Frame));
                text = Table["Teardown.Simultaneous"];
                timeWait = TimeWaitHolder.Both;
            }
            else
            {
                bool combined = active.FinAcked == finB;
                if (!combined && active.FinAcked is SegmentNote ackA)
                    steps.Add(TeardownStep(2, "ACK", ackA, SayAboutPair("Teardown.Step.FinAcked", b, a, ackA.Ack)));
                steps.Add(TeardownStep(steps.Count + 1, "FIN", finB, combined
                    ? SayFin("Teardown.Step.FinAckCombined", b, finB, finB.Ack)
                    : SayFin("Teardown.Step.SecondFin", b, finB, finB.Seq)));
                if (passive.FinAcked is SegmentNote ackB)
                    steps.Add(TeardownStep(steps.Count + 1, "ACK", ackB, SayAboutPair("Teardown.Step.LastAck", a, b, ackB.Ack)));
                kind = after > 0 ? TeardownKind.HalfClose : combined ? TeardownKind.ThreeWay : TeardownKind.FourWay;
                text = kind switch
                {
                    TeardownKind.HalfClose => SayAbout("Teardown.HalfClose", b, after),
                    TeardownKind.ThreeWay => Table["Teardown.ThreeWay"],
                    _ => Table["Teardown.FourWay"],
                };
                timeWait = RoleOf(a) == ConnectionRole.Client ? TimeWaitHolder.Client : TimeWaitHolder.Server;
                timeWaitEp = Ep(a);
            }
            if (passive.FinAcked == null && kind != TeardownKind.Simultaneous)
            {
                kind = TeardownKind.Incomplete;
                text = Table["Teardown.LastAckMissing"];
            }
        }
        return new TcpTeardown
        {
            Stream = Stream, Path = Path, ClientEndPoint = Ep(c), ServerEndPoint = Ep(c.Peer()), KindValue = kind,
            ActiveCloserValue = RoleOf(a), ActiveCloserIpEndPoint = Ep(a), PassiveCloserValue = RoleOf(b),
            Steps = steps, TimeWaitHeldBy = timeWait, TimeWaitIpEndPoint = timeWaitEp,
            DataAfterFirstFin = passive.DataAfterPeerFin, Explanation = text,
        };
    }

    /// <summary>A connection that ended with RST (before both FINs were acknowledged).</summary>
    private TcpTeardown ResetTeardown(SegmentNote rst)
    {
        var (c, _) = Roles();
        CaptureSide x = rst.Side, y = x.Peer();
        ref readonly var resetter = ref End(x);
        ref readonly var peer = ref End(y);
        TcpResetReason reason;
        string explanation;
        if (_synAcks.Count == 0 && _syns.Count > 0 && x != _syns[0].Side)
        {
            reason = TcpResetReason.ConnectionRefused;
            explanation = SayAbout("Teardown.Refused", x, resetter.Port);
        }
        else if (resetter.Fin is SegmentNote fin && fin.Frame < rst.Frame && peer.LastDataFrame > fin.Frame)
        {
            reason = TcpResetReason.DataAfterClose;
            explanation = SayAbout("Teardown.DataAfterClose", x, fin.Frame, peer.LastDataFrame);
        }
        else if (peer.LastDataFrame > 0 && peer.Fin == null)
        {
            reason = TcpResetReason.ClosedWithDataInFlight;
            explanation = SayAboutPair("Teardown.ClosedWithDataInFlight", x, y, peer.LastDataFrame);
        }
        else
        {
            reason = TcpResetReason.Abort;
            explanation = SayAbout("Teardown.Abort", x);
        }
        var steps = new List<TcpTeardownStep>();
        foreach (var side in new[] { CaptureSide.FirstSender, CaptureSide.FirstReceiver })
            if (End(side).Fin is SegmentNote f)
                steps.Add(TeardownStep(steps.Count + 1, "FIN", f, SayAbout("Teardown.Step.FinBeforeReset", side)));
        steps.Add(TeardownStep(steps.Count + 1, "RST", rst, SayAbout("Teardown.Step.Rst", x)));
        steps.Sort((p, q) => p.Frame.CompareTo(q.Frame));
        return new TcpTeardown
        {
            Stream = Stream, Path = Path, ClientEndPoint = Ep(c), ServerEndPoint = Ep(c.Peer()), KindValue = TeardownKind.Reset,
            ActiveCloserValue = RoleOf(x), ActiveCloserIpEndPoint = Ep(x), PassiveCloserValue = RoleOf(y),
            Steps = steps, ResetByValue = RoleOf(x), ResetFrame = rst.Frame, ResetCause = reason, Explanation = explanation,
            // counted for every kind: the data the other side sent after the first FIN (0 when no FIN was sent)
            DataAfterFirstFin = FirstFinSide() is CaptureSide first ? End(first.Peer()).DataAfterPeerFin : 0,
        };
    }
}
