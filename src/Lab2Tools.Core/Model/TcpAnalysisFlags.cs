namespace Lab2Tools.Model;

/// <summary>Wireshark's tcp.analysis flags (bit values as TCP_A_* in packet-tcp.c).</summary>
[Flags]
public enum TcpAnalysisFlags : uint
{
    None = 0,
    /// <summary>tcp.analysis.retransmission</summary>
    Retransmission = 0x0001,
    /// <summary>tcp.analysis.lost_segment: "Previous segment(s) not captured".</summary>
    PreviousSegmentNotCaptured = 0x0002,
    /// <summary>tcp.analysis.ack_lost_segment: "ACKed segment that wasn't captured".</summary>
    AckedUnseenSegment = 0x0004,
    /// <summary>tcp.analysis.keep_alive</summary>
    KeepAlive = 0x0008,
    /// <summary>tcp.analysis.duplicate_ack</summary>
    DuplicateAck = 0x0010,
    /// <summary>tcp.analysis.zero_window</summary>
    ZeroWindow = 0x0020,
    /// <summary>tcp.analysis.zero_window_probe</summary>
    ZeroWindowProbe = 0x0040,
    /// <summary>tcp.analysis.zero_window_probe_ack</summary>
    ZeroWindowProbeAck = 0x0080,
    /// <summary>tcp.analysis.keep_alive_ack</summary>
    KeepAliveAck = 0x0100,
    /// <summary>tcp.analysis.out_of_order</summary>
    OutOfOrder = 0x0200,
    /// <summary>tcp.analysis.fast_retransmission</summary>
    FastRetransmission = 0x0400,
    /// <summary>tcp.analysis.window_update</summary>
    WindowUpdate = 0x0800,
    /// <summary>tcp.analysis.window_full</summary>
    WindowFull = 0x1000,
    /// <summary>tcp.analysis.reused_ports</summary>
    ReusedPorts = 0x2000,
    /// <summary>tcp.analysis.spurious_retransmission</summary>
    SpuriousRetransmission = 0x4000,
}
