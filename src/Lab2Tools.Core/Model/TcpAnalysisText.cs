namespace Lab2Tools.Model;

/// <summary>Wireshark's names, severities and messages for the analysis flags.</summary>
public static class TcpAnalysisText
{
    /// <summary>(flag, Info-column tag, severity, expert message), in Wireshark's display order.</summary>
    public static readonly (TcpAnalysisFlags Flag, string Tag, string Severity, string Message, string Field)[] All =
    {
        (TcpAnalysisFlags.ReusedPorts, "TCP Port numbers reused", "Note",
            "A new tcp session is started with the same ports as an earlier session in this trace", "tcp.analysis.reused_ports"),
        (TcpAnalysisFlags.PreviousSegmentNotCaptured, "TCP Previous segment not captured", "Warning",
            "Previous segment(s) not captured (common at capture start)", "tcp.analysis.lost_segment"),
        (TcpAnalysisFlags.AckedUnseenSegment, "TCP ACKed unseen segment", "Warning",
            "ACKed segment that wasn't captured (common at capture start)", "tcp.analysis.ack_lost_segment"),
        (TcpAnalysisFlags.KeepAlive, "TCP Keep-Alive", "Note", "TCP keep-alive segment", "tcp.analysis.keep_alive"),
        (TcpAnalysisFlags.KeepAliveAck, "TCP Keep-Alive ACK", "Note", "ACK to a TCP keep-alive segment", "tcp.analysis.keep_alive_ack"),
        (TcpAnalysisFlags.DuplicateAck, "TCP Dup ACK", "Note", "Duplicate ACK", "tcp.analysis.duplicate_ack"),
        (TcpAnalysisFlags.ZeroWindow, "TCP ZeroWindow", "Warning", "TCP Zero Window segment", "tcp.analysis.zero_window"),
        (TcpAnalysisFlags.ZeroWindowProbe, "TCP ZeroWindowProbe", "Note", "TCP Zero Window Probe", "tcp.analysis.zero_window_probe"),
        (TcpAnalysisFlags.ZeroWindowProbeAck, "TCP ZeroWindowProbeAck", "Note",
            "ACK to a TCP Zero Window Probe", "tcp.analysis.zero_window_probe_ack"),
        (TcpAnalysisFlags.OutOfOrder, "TCP Out-Of-Order", "Warning",
            "This frame is a (suspected) out-of-order segment", "tcp.analysis.out_of_order"),
        (TcpAnalysisFlags.FastRetransmission, "TCP Fast Retransmission", "Note",
            "This frame is a (suspected) fast retransmission", "tcp.analysis.fast_retransmission"),
        (TcpAnalysisFlags.SpuriousRetransmission, "TCP Spurious Retransmission", "Note",
            "This frame is a (suspected) spurious retransmission", "tcp.analysis.spurious_retransmission"),
        (TcpAnalysisFlags.Retransmission, "TCP Retransmission", "Note",
            "This frame is a (suspected) retransmission", "tcp.analysis.retransmission"),
        (TcpAnalysisFlags.WindowUpdate, "TCP Window Update", "Chat", "TCP window update", "tcp.analysis.window_update"),
        (TcpAnalysisFlags.WindowFull, "TCP Window Full", "Warning",
            "TCP window specified by the receiver is now completely full", "tcp.analysis.window_full"),
    };

    public static string Tags(TcpSegment s)
    {
        var parts = new List<string>(2);
        foreach (var a in All)
        {
            if ((s.Analysis & a.Flag) == 0) continue;
            parts.Add(a.Flag == TcpAnalysisFlags.DuplicateAck ? $"TCP Dup ACK {s.DuplicateAckFrame}#{s.DuplicateAckNumber}" : a.Tag);
        }
        return string.Join(", ", parts);
    }
}
