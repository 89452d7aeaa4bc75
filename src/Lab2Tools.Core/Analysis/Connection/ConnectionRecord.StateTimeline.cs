using Lab2Tools.Model;
using static Lab2Tools.Analysis.AnalysisText;

namespace Lab2Tools.Analysis;

// The RFC 9293 state timeline of a record's two endpoints (results in TcpStateTransition.cs).
public sealed partial class ConnectionRecord
{
    /// <summary>The RFC 9293 state of each endpoint, changed by the frames that cause each change.</summary>
    public IReadOnlyList<TcpStateTransition> ToStateTimeline()
    {
        var (c, _) = Roles();
        var list = new List<TcpStateTransition>();
        var state = new TcpState?[2];
        // one change of one endpoint: the cause and the explanation are keys of AnalysisText
        void Set(CaptureSide side, TcpState to, SegmentNote? at, string cause, string explanation)
        {
            if (state[(int)side] == to) return;
            list.Add(new TcpStateTransition
            {
                Stream = Stream, Path = Path, IpEndPoint = Ep(side), RoleValue = RoleOf(side), FromValue = state[(int)side],
                ToValue = to,
                Frame = at?.Frame, Time = at?.Time, Cause = Table["State.Cause." + cause], Explanation = explanation,
            });
            state[(int)side] = to;
        }
        TcpState? StateOf(CaptureSide side) => state[(int)side];

        Opening(c, Set);

        // the close: events in frame order, acknowledgements before FINs within one frame
        var events = new List<(long frame, int order, Action act)>();
        foreach (var sx in new[] { CaptureSide.FirstSender, CaptureSide.FirstReceiver })
        {
            var sy = sx.Peer();
            if (End(sx).Fin is SegmentNote f)
            {
                // when did the peer receive this FIN? at the FIN, unless the peer sent its own FIN first (simultaneous)
                var peerFin = End(sy).Fin;
                bool simultaneous = peerFin != null && peerFin.Frame > f.Frame
                    && ((peerFin.Flags & TcpFlags.ACK) == 0 || (int)(peerFin.Ack - f.NextSeq) < 0);
                events.Add((f.Frame, 1, () =>
                {
                    var from = StateOf(sx);
                    if (from == TcpState.CLOSE_WAIT) Set(sx, TcpState.LAST_ACK, f, "SentFin", Table["State.LastAck"]);
                    else if (from is TcpState.ESTABLISHED or TcpState.SYN_RECEIVED)
                        Set(sx, TcpState.FIN_WAIT_1, f, "SentFin", Table["State.FinWait1"]);
                    else if (from == TcpState.SYN_SENT) Set(sx, TcpState.CLOSED, f, "SentFin", Table["State.ClosedBeforeEstablished"]);
                }));
                var receiveAt = simultaneous && End(sx).FinAcked is SegmentNote acked ? acked : f;
                events.Add((receiveAt.Frame, 2, () =>
                {
                    var from = StateOf(sy);
                    if (from is TcpState.ESTABLISHED or TcpState.SYN_RECEIVED)
                        Set(sy, TcpState.CLOSE_WAIT, f, "ReceivedFin", Table["State.CloseWait"]);
                    else if (from == TcpState.FIN_WAIT_1) Set(sy, TcpState.CLOSING, receiveAt, "ReceivedFin", Table["State.Closing"]);
                    else if (from == TcpState.FIN_WAIT_2) Set(sy, TcpState.TIME_WAIT, f, "ReceivedFin", Table["State.TimeWait"]);
                }));
            }
            if (End(sx).FinAcked is SegmentNote fa)
            {
                events.Add((fa.Frame, 0, () =>
                {
                    var from = StateOf(sx);
                    if (from == TcpState.FIN_WAIT_1) Set(sx, TcpState.FIN_WAIT_2, fa, "FinAcked", Table["State.FinWait2"]);
                    else if (from == TcpState.CLOSING) Set(sx, TcpState.TIME_WAIT, fa, "FinAcked", Table["State.TimeWaitAfterClosing"]);
                    else if (from == TcpState.LAST_ACK) Set(sx, TcpState.CLOSED, fa, "FinAcked", Table["State.ClosedAfterLastAck"]);
                }));
            }
        }
        if (_rst is SegmentNote r)
        {
            CaptureSide x = r.Side, y = x.Peer();
            events.Add((r.Frame, 3, () =>
            {
                if (StateOf(x) is TcpState sx && sx != TcpState.CLOSED) Set(x, TcpState.CLOSED, r, "SentRst", Table["State.ResetSent"]);
                if (StateOf(y) is TcpState sy && sy != TcpState.CLOSED && sy != TcpState.LISTEN)
                    Set(y, TcpState.CLOSED, r, "ReceivedRst", Table[sy == TcpState.SYN_SENT ? "State.Refused" : "State.ResetReceived"]);
            }));
        }
        foreach (var e in events.OrderBy(e => e.frame).ThenBy(e => e.order)) e.act();
        foreach (var side in new[] { CaptureSide.FirstSender, CaptureSide.FirstReceiver })
            if (StateOf(side) == TcpState.TIME_WAIT)
                Set(side, TcpState.CLOSED, null, "TimeWaitExpired", Table["State.TimeWaitEnds"]);
        return list;
    }

    /// <summary>The states before the capture and through the handshake (or ESTABLISHED when it was not captured).</summary>
    private void Opening(CaptureSide c, Action<CaptureSide, TcpState, SegmentNote?, string, string> set)
    {
        if (_syns.Count == 0)
        {
            set(CaptureSide.FirstSender, TcpState.ESTABLISHED, _first, "FirstFrame", Table["State.EstablishedBeforeCapture"]);
            set(CaptureSide.FirstReceiver, TcpState.ESTABLISHED, _first, "FirstFrame", Table["State.EstablishedBeforeCapture"]);
            return;
        }
        var syn = _syns[0];
        var sv = c.Peer();
        var synAck = _synAcks.All().FirstOrDefault(x => x.Side == sv);
        bool refused = synAck == null && _rst != null && _rst.Side == sv;
        set(c, TcpState.CLOSED, null, "BeforeCapture", Table["State.NoConnectionYet"]);
        if (refused)
            set(sv, TcpState.CLOSED, null, "BeforeCapture", Say("State.NothingListens", End(sv).Port));
        else if (synAck != null)
            set(sv, TcpState.LISTEN, null, "BeforeCapture", Table["State.Listen"]);
        set(c, TcpState.SYN_SENT, syn, "SentSyn", Table["State.SynSent"]);
        if (synAck == null) return;
        set(sv, TcpState.SYN_RECEIVED, syn, "ReceivedSyn", Say("State.SynReceived", synAck.Frame));
        set(c, TcpState.ESTABLISHED, synAck, "ReceivedSynAck", Table["State.ClientEstablished"]);
        if (_thirdAck != null)
            set(sv, TcpState.ESTABLISHED, _thirdAck, "ReceivedAck", Table["State.ServerEstablished"]);
    }
}
