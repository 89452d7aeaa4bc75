using System.Globalization;
using Lab2Tools.Model;

using static Lab2Tools.Text.Figures;

namespace Lab2Tools.Analysis;

/// <summary>
/// Expert information per segment, like Wireshark's Expert Information (tshark -z expert) for TCP: the
/// tcp.analysis items, the connection markers (SYN, SYN-ACK, FIN, RST, who initiates the close) and D-SACK,
/// each with Wireshark's message and a reason that names the numbers. Streams: keeps one small entry per stream.
/// </summary>
public sealed class ExpertAnalyzer
{
    private readonly Dictionary<int, string> _closeInitiator = new();


    public IEnumerable<TcpExpertEvent> Analyze(TcpSegment s)
    {
        // most segments have nothing to report: no closure, list or text is made for them
        if (s.Analysis == TcpAnalysisFlags.None && (s.Flags & (TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST)) == 0 && s.SackBlocks.Count == 0)
            return Array.Empty<TcpExpertEvent>();
        return AnalyzeSlow(s);
    }

    private List<TcpExpertEvent> AnalyzeSlow(TcpSegment s)
    {
        var list = new List<TcpExpertEvent>(2);
        void Add(ExpertSeverity sev, string field, string message, string reason, string group = "Sequence") =>
            list.Add(new TcpExpertEvent
            {
                Frame = s.Frame, Time = s.Time, Stream = s.Stream, SeverityValue = sev, Group = group, Field = field,
                Message = message, Reason = reason, SourceEndPoint = s.SourceIpEndPoint, DestinationEndPoint = s.DestinationIpEndPoint, Segment = s, Path = s.Path,
            });
        bool syn = (s.Flags & TcpFlags.SYN) != 0, ack = (s.Flags & TcpFlags.ACK) != 0;
        bool fin = (s.Flags & TcpFlags.FIN) != 0, rst = (s.Flags & TcpFlags.RST) != 0;
        string? srcText = null, dstText = null;                  // made only for segments that have an event
        string Src() => srcText ??= s.SourceIpEndPoint.ToString();
        string Dst() => dstText ??= s.DestinationIpEndPoint.ToString();

        foreach (var (flag, _, sevText, message, field) in TcpAnalysisText.All)
        {
            if ((s.Analysis & flag) == 0) continue;
            var sev = sevText switch { "Warning" => ExpertSeverity.Warning, "Chat" => ExpertSeverity.Chat, _ => ExpertSeverity.Note };
            string reason = flag switch
            {
                TcpAnalysisFlags.Retransmission => $"Seq {s.Seq}+{s.Len} is below the next expected {s.NextExpectedSeq}: {Src()} sent these bytes before{(s.RtoFrame != null ? $" (frame {s.RtoFrame}, {Ms(s.Rto)} earlier)" : "")} and sends them again because no ACK came in time.",
                TcpAnalysisFlags.FastRetransmission => $"Seq {s.Seq} was asked for again by duplicate ACKs from {Dst()}, and resent within 20 ms of the last one: fast retransmit (RFC 5681) instead of waiting for the timeout.",
                TcpAnalysisFlags.SpuriousRetransmission => $"Seq {s.Seq}+{s.Len} was already acknowledged by {Dst()}: this retransmission was not needed.",
                TcpAnalysisFlags.OutOfOrder => $"Seq {s.Seq} is below the next expected {s.NextExpectedSeq} and arrived within the iRTT of the segment that set it: it was overtaken, not resent.",
                TcpAnalysisFlags.PreviousSegmentNotCaptured => $"Seq {s.Seq} is above the next expected {s.NextExpectedSeq}: {(long)s.Seq - (long)(s.NextExpectedSeq ?? 0)} bytes before it are not in the capture (lost, or sent before the capture started).",
                TcpAnalysisFlags.AckedUnseenSegment => $"Ack {s.Ack} acknowledges data from {Dst()} that is not in the capture.",
                TcpAnalysisFlags.DuplicateAck => $"Ack {s.Ack} repeats the ACK of frame {s.DuplicateAckFrame} (duplicate #{s.DuplicateAckNumber}) with the same window: {Src()} is still waiting for byte {s.Ack}, so something after it arrived out of order or was lost.",
                TcpAnalysisFlags.ZeroWindow => $"{Src()} advertises a window of 0: its receive buffer is full (the application is not reading), so {Dst()} must stop sending.",
                TcpAnalysisFlags.ZeroWindowProbe => $"One byte at Seq {s.Seq} sent into a zero window: {Src()} probes whether the window has opened.",
                TcpAnalysisFlags.ZeroWindowProbeAck => $"{Src()} answers the probe; its window is still 0.",
                TcpAnalysisFlags.KeepAlive => $"Seq {s.Seq} is one below the next expected {s.NextExpectedSeq} with {s.Len} byte(s): {Src()} checks that the idle peer is still there.",
                TcpAnalysisFlags.KeepAliveAck => $"{Src()} answers the keep-alive: it is still there.",
                TcpAnalysisFlags.WindowUpdate => $"No data, same Seq and Ack, but the window changed to {s.WindowSize}: {Src()} tells {Dst()} it can receive more.",
                TcpAnalysisFlags.WindowFull => $"Seq {s.Seq}+{s.Len} = {s.Seq + (uint)s.Len} reaches the right edge of the window {Dst()} advertised: {Src()} cannot send more until it is acknowledged.",
                TcpAnalysisFlags.ReusedPorts => $"A new SYN on the ports of an earlier connection ({Src()} → {Dst()}) with a different ISN: a new stream.",
                _ => "",
            };
            Add(sev, field, flag == TcpAnalysisFlags.DuplicateAck ? $"Duplicate ACK (#{s.DuplicateAckNumber})" : message, reason);
            if (flag is TcpAnalysisFlags.FastRetransmission or TcpAnalysisFlags.SpuriousRetransmission)
                Add(ExpertSeverity.Note, "tcp.analysis.retransmission", "This frame is a (suspected) retransmission", reason);
        }

        if (syn && !ack)
            Add(ExpertSeverity.Chat, "tcp.connection.syn", $"Connection establish request (SYN): server port {s.DestinationPort}", $"{Src()} opens a connection to port {s.DestinationPort}.");
        else if (syn)
            Add(ExpertSeverity.Chat, "tcp.connection.synack", $"Connection establish acknowledge (SYN+ACK): server port {s.SourcePort}", $"{Src()} accepts the connection.");
        if (fin)
        {
            Add(ExpertSeverity.Chat, "tcp.connection.fin", "Connection finish (FIN)", $"{Src()} has no more data to send.");
            if (!_closeInitiator.TryGetValue(s.Stream, out var initiator))
            {
                initiator = Src();
                _closeInitiator[s.Stream] = Src();
            }
            if (initiator == Src())
                Add(ExpertSeverity.Note, "tcp.connection.fin_active", "This frame initiates the connection closing", $"{Src()} is the first to close (active close).");
            else
                Add(ExpertSeverity.Note, "tcp.connection.fin_passive", "This frame undergoes the connection closing", $"{Src()} closes after the peer did (passive close).");
        }
        if (rst)
            Add(ExpertSeverity.Warning, "tcp.connection.rst", "Connection reset (RST)", $"{Src()} aborts the connection.");
        if (s.SackBlocks.Count > 0 && ack)
        {
            var b0 = s.SackBlocks[0];
            bool dsack = (int)(b0.RightEdgeRaw - s.AckRaw) <= 0
                || (s.SackBlocks.Count > 1 && (int)(b0.LeftEdgeRaw - s.SackBlocks[1].LeftEdgeRaw) >= 0 && (int)(b0.RightEdgeRaw - s.SackBlocks[1].RightEdgeRaw) <= 0);
            if (dsack)
                Add(ExpertSeverity.Warning, "tcp.options.sack.dsack", "D-SACK Sequence", $"The SACK block {b0.LeftEdge}-{b0.RightEdge} reports data {Src()} received twice (RFC 2883).");
        }
        return list;
    }
}
