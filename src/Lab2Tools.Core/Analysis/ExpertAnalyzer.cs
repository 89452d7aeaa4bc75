using System.Globalization;
using Lab2Tools.Model;

using static Lab2Tools.Analysis.AnalysisText;
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
        if (s.Analysis == TcpAnalysisFlags.None && (s.Flags & (TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST)) == 0
            && s.SackBlocks.Count == 0)
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
                Message = message, Reason = reason, SourceEndPoint = s.SourceIpEndPoint,
                DestinationEndPoint = s.DestinationIpEndPoint, Segment = s, Path = s.Path,
            });
        bool syn = (s.Flags & TcpFlags.SYN) != 0, ack = (s.Flags & TcpFlags.ACK) != 0;
        bool fin = (s.Flags & TcpFlags.FIN) != 0, rst = (s.Flags & TcpFlags.RST) != 0;
        string? srcText = null, dstText = null;                  // made only for segments that have an event
        string Src() => srcText ??= s.SourceIpEndPoint.ToString();
        string Dst() => dstText ??= s.DestinationIpEndPoint.ToString();

        foreach (var (flag, _, sevText, message, field) in TcpAnalysisText.All)
        {
            if ((s.Analysis & flag) == 0) continue;
            var sev = sevText switch
            {
                "Warning" => ExpertSeverity.Warning, "Chat" => ExpertSeverity.Chat, _ => ExpertSeverity.Note,
            };
            string reason = Reason(flag, s, Src, Dst);
            Add(sev, field, flag == TcpAnalysisFlags.DuplicateAck ? $"Duplicate ACK (#{s.DuplicateAckNumber})" : message, reason);
            if (flag is TcpAnalysisFlags.FastRetransmission or TcpAnalysisFlags.SpuriousRetransmission)
                Add(ExpertSeverity.Note, "tcp.analysis.retransmission", "This frame is a (suspected) retransmission", reason);
        }

        // Wireshark's messages (compared with tshark) stay as Wireshark writes them; the reasons are ours
        if (syn && !ack)
            Add(ExpertSeverity.Chat, "tcp.connection.syn", $"Connection establish request (SYN): server port {s.DestinationPort}",
                Say("Expert.Syn", Src(), s.DestinationPort));
        else if (syn)
            Add(ExpertSeverity.Chat, "tcp.connection.synack", $"Connection establish acknowledge (SYN+ACK): server port {s.SourcePort}",
                Say("Expert.SynAck", Src()));
        if (fin)
        {
            Add(ExpertSeverity.Chat, "tcp.connection.fin", "Connection finish (FIN)", Say("Expert.Fin", Src()));
            if (!_closeInitiator.TryGetValue(s.Stream, out var initiator))
            {
                initiator = Src();
                _closeInitiator[s.Stream] = Src();
            }
            if (initiator == Src())
                Add(ExpertSeverity.Note, "tcp.connection.fin_active", "This frame initiates the connection closing",
                    Say("Expert.FinActive", Src()));
            else
                Add(ExpertSeverity.Note, "tcp.connection.fin_passive", "This frame undergoes the connection closing",
                    Say("Expert.FinPassive", Src()));
        }
        if (rst)
            Add(ExpertSeverity.Warning, "tcp.connection.rst", "Connection reset (RST)", Say("Expert.Rst", Src()));
        if (s.SackBlocks.Count > 0 && ack)
        {
            var b0 = s.SackBlocks[0];
            bool dsack = (int)(b0.RightEdgeRaw - s.AckRaw) <= 0
                || (s.SackBlocks.Count > 1 && (int)(b0.LeftEdgeRaw - s.SackBlocks[1].LeftEdgeRaw) >= 0
                    && (int)(b0.RightEdgeRaw - s.SackBlocks[1].RightEdgeRaw) <= 0);
            if (dsack)
                Add(ExpertSeverity.Warning, "tcp.options.sack.dsack", "D-SACK Sequence",
                    Say("Expert.DSack", b0.LeftEdge, b0.RightEdge, Src()));
        }
        return list;
    }

    /// <summary>Why Wireshark raised <paramref name="flag"/> on this segment, with its numbers.</summary>
    private static string Reason(TcpAnalysisFlags flag, TcpSegment s, Func<string> src, Func<string> dst) => flag switch
    {
        TcpAnalysisFlags.Retransmission => s.RtoFrame != null
            ? Say("Expert.RetransmissionAfterRto", s.Seq, s.Len, s.NextExpectedSeq, src(), s.RtoFrame, Ms(s.Rto))
            : Say("Expert.Retransmission", s.Seq, s.Len, s.NextExpectedSeq, src()),
        TcpAnalysisFlags.FastRetransmission => Say("Expert.FastRetransmission", s.Seq, dst()),
        TcpAnalysisFlags.SpuriousRetransmission => Say("Expert.SpuriousRetransmission", s.Seq, s.Len, dst()),
        TcpAnalysisFlags.OutOfOrder => Say("Expert.OutOfOrder", s.Seq, s.NextExpectedSeq),
        TcpAnalysisFlags.PreviousSegmentNotCaptured =>
            Say("Expert.LostSegment", s.Seq, s.NextExpectedSeq, (long)s.Seq - (long)(s.NextExpectedSeq ?? 0)),
        TcpAnalysisFlags.AckedUnseenSegment => Say("Expert.AckedUnseenSegment", s.Ack, dst()),
        TcpAnalysisFlags.DuplicateAck =>
            Say("Expert.DuplicateAck", s.Ack, s.DuplicateAckFrame, s.DuplicateAckNumber, src()),
        TcpAnalysisFlags.ZeroWindow => Say("Expert.ZeroWindow", src(), dst()),
        TcpAnalysisFlags.ZeroWindowProbe => Say("Expert.ZeroWindowProbe", s.Seq, src()),
        TcpAnalysisFlags.ZeroWindowProbeAck => Say("Expert.ZeroWindowProbeAck", src()),
        TcpAnalysisFlags.KeepAlive => Say("Expert.KeepAlive", s.Seq, s.NextExpectedSeq, s.Len, src()),
        TcpAnalysisFlags.KeepAliveAck => Say("Expert.KeepAliveAck", src()),
        TcpAnalysisFlags.WindowUpdate => Say("Expert.WindowUpdate", s.WindowSize, src(), dst()),
        TcpAnalysisFlags.WindowFull => Say("Expert.WindowFull", s.Seq, s.Len, s.Seq + (uint)s.Len, dst(), src()),
        TcpAnalysisFlags.ReusedPorts => Say("Expert.ReusedPorts", src(), dst()),
        _ => "",
    };
}
