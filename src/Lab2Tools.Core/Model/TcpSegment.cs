using System.Net;
using Lab2Tools.Text;

namespace Lab2Tools.Model;

/// <summary>
/// One TCP segment as read from a capture, with the numbers Wireshark shows for it. Property names follow
/// Wireshark's field names (frame.number, tcp.stream, tcp.seq, ...) in PascalCase.
/// </summary>
public sealed class TcpSegment
{
    /// <summary>frame.number: 1-based position of the frame in the capture, counting every frame.</summary>
    public long Frame { get; internal set; }
    /// <summary>frame.time, in UTC.</summary>
    public DateTime Time { get; internal set; }
    /// <summary>Time as ISO 8601 round-trip text, the same in every culture (for Export-Csv, which writes a DateTime
    /// in the current culture).</summary>
    public string TimeIso => Lab2Tools.Model.Units.Iso(Time);
    /// <summary>Nanoseconds since the Unix epoch (keeps the full precision of nanosecond captures).</summary>
    public long TimestampNanoseconds { get; internal set; }
    /// <summary>frame.time_relative: time since the first frame of the capture.</summary>
    internal TimeSpan TimeRelative { get; set; }
    /// <summary>frame.time_relative in seconds.</summary>
    public decimal TimeRelativeSeconds => Units.Seconds(TimeRelative);
    /// <summary>tcp.stream: 0-based conversation index.</summary>
    public int Stream { get; internal set; }
    internal IPAddress Source { get; set; } = IPAddress.None;
    /// <summary>ip.src / ipv6.src, e.g. 127.0.0.1.</summary>
    public string SourceAddress => Source.ToString();
    public int SourcePort { get; internal set; }
    internal IPAddress Destination { get; set; } = IPAddress.None;
    /// <summary>ip.dst / ipv6.dst.</summary>
    public string DestinationAddress => Destination.ToString();
    public int DestinationPort { get; internal set; }
    internal TcpFlags Flags { get; set; }
    /// <summary>tcp.flags.str, e.g. "·······A··S·".</summary>
    public string FlagsString => TcpFlagsText.ToWiresharkString(Flags);
    /// <summary>The flags as Wireshark's Info column lists them, e.g. "SYN, ACK".</summary>
    public string FlagsText => TcpFlagsText.ToListString(Flags);
    /// <summary>tcp.seq: sequence number relative to the flow's initial sequence number.</summary>
    public uint Seq { get; internal set; }
    /// <summary>
    /// tcp.ack: acknowledgment number relative to the other flow's initial sequence number (the raw value when ACK is not set).
    /// </summary>
    public uint Ack { get; internal set; }
    public uint SeqRaw { get; internal set; }
    public uint AckRaw { get; internal set; }
    /// <summary>tcp.nxtseq: Seq + Len, plus one for SYN and for FIN.</summary>
    public uint NextSeq { get; internal set; }
    /// <summary>tcp.len: payload length from the IP header (not the captured bytes).</summary>
    public int Len { get; internal set; }
    /// <summary>tcp.hdr_len in bytes.</summary>
    public int HeaderLength { get; internal set; }
    /// <summary>tcp.window_size_value: the raw 16-bit window field.</summary>
    public int WindowSizeValue { get; internal set; }
    /// <summary>tcp.window_size: the window after scaling (SYN segments are never scaled).</summary>
    public long WindowSize { get; internal set; }
    /// <summary>
    /// tcp.window_size_scalefactor: -1 unknown (no SYN seen), -2 scaling not used, else the multiplier. Null on SYN segments, as in
    /// Wireshark.
    /// </summary>
    public int? WindowSizeScalingFactor { get; internal set; }
    /// <summary>tcp.options.mss_val, or null.</summary>
    public int? Mss { get; internal set; }
    /// <summary>tcp.options.wscale.shift, or null.</summary>
    public int? WindowScaleShift { get; internal set; }
    /// <summary>tcp.options.wscale.multiplier, or null.</summary>
    public int? WindowScaleMultiplier => WindowScaleShift is int s ? 1 << Math.Min(s, 14) : null;
    /// <summary>True when the segment carries the SACK_PERM option.</summary>
    public bool SackPermitted { get; internal set; }
    /// <summary>tcp.options.timestamp.tsval, or null.</summary>
    public uint? TsVal { get; internal set; }
    /// <summary>tcp.options.timestamp.tsecr, or null.</summary>
    public uint? TsEcr { get; internal set; }
    /// <summary>SACK blocks (tcp.options.sack_le / sack_re), relative to the acknowledged flow.</summary>
    public WordList<SackBlock> SackBlocks { get; internal set; } = WordList<SackBlock>.Empty;
    /// <summary>True when the frame was captured shorter than its TCP header plus payload (snaplen).</summary>
    public bool IsTruncated { get; internal set; }
    /// <summary>Checksums and IP lengths as the decoder found them (what Zeek's packet analysis checks).</summary>
    internal SegmentIntegrity Integrity { get; set; }
    /// <summary>True when the TCP options could not be parsed to the end (bad option length).</summary>
    public bool OptionsMalformed { get; internal set; }
    /// <summary>frame.len: the frame's original length on the wire.</summary>
    public int FrameLength { get; internal set; }
    /// <summary>IP total length (IPv4) or 40 + payload length (IPv6).</summary>
    public int IpLength { get; internal set; }
    /// <summary>4 or 6.</summary>
    public int IpVersion { get; internal set; }
    /// <summary>Wireshark's tcp.analysis flags for this segment (retransmission, duplicate ACK, zero window...).</summary>
    internal TcpAnalysisFlags Analysis { get; set; }
    /// <summary>The analysis flags as Wireshark's Info column tags, e.g. "TCP Dup ACK 12#2".</summary>
    public string AnalysisText => Analysis == TcpAnalysisFlags.None ? string.Empty : TcpAnalysisText.Tags(this);
    /// <summary>The next sequence number Wireshark expected in this direction before this segment (relative), when known.</summary>
    public uint? NextExpectedSeq { get; internal set; }
    /// <summary>tcp.analysis.acks_frame: the frame whose segment this ACK acknowledges.</summary>
    public long? AcksFrame { get; internal set; }
    /// <summary>tcp.analysis.ack_rtt: time from that segment to this ACK.</summary>
    internal TimeSpan? AckRtt { get; set; }
    /// <summary>tcp.analysis.ack_rtt in milliseconds.</summary>
    public decimal? AckRttMs => Units.Milliseconds(AckRtt);
    public long? AckRttNanoseconds { get; internal set; }
    /// <summary>tcp.analysis.bytes_in_flight: unacknowledged bytes in this direction after this segment.</summary>
    public long? BytesInFlight { get; internal set; }
    /// <summary>tcp.analysis.duplicate_ack_num: 1 for the first duplicate of an ACK, 2 for the second...</summary>
    public int? DuplicateAckNumber { get; internal set; }
    /// <summary>tcp.analysis.duplicate_ack_frame: the frame with the original ACK.</summary>
    public long? DuplicateAckFrame { get; internal set; }
    /// <summary>tcp.analysis.rto: time since the segment that set the next expected sequence number (retransmissions).</summary>
    internal TimeSpan? Rto { get; set; }
    /// <summary>tcp.analysis.rto in milliseconds.</summary>
    public decimal? RtoMs => Units.Milliseconds(Rto);
    /// <summary>tcp.analysis.rto_frame</summary>
    public long? RtoFrame { get; internal set; }
    /// <summary>tcp.analysis.initial_rtt: SYN to the ACK that completed the handshake, once known.</summary>
    internal TimeSpan? InitialRtt { get; set; }
    /// <summary>tcp.analysis.initial_rtt in milliseconds.</summary>
    public decimal? InitialRttMs => Units.Milliseconds(InitialRtt);
    public long? InitialRttNanoseconds { get; internal set; }
    /// <summary>tcp.time_delta: time since the previous frame of this stream.</summary>
    internal TimeSpan TimeDelta { get; set; }
    /// <summary>tcp.time_delta in seconds.</summary>
    public decimal TimeDeltaSeconds => Units.Seconds(TimeDelta);
    /// <summary>tcp.time_relative: time since the first frame of this stream.</summary>
    internal TimeSpan TimeInStream { get; set; }
    /// <summary>tcp.time_relative in seconds.</summary>
    public decimal TimeInStreamSeconds => Units.Seconds(TimeInStream);
    /// <summary>The captured payload bytes (shorter than Len when the frame was truncated).</summary>
    internal byte[] Payload { get => _payload; set => _payload = value; }
    /// <summary>The captured payload bytes (a method, so that Export-Csv and ConvertTo-Json leave them out).</summary>
    public byte[] GetPayload() => _payload;
    private byte[] _payload = Array.Empty<byte>();

    /// <summary>The capture file the segment was read from (for a live capture, the pcap it is written to; null without one).</summary>
    public string? Path { get; internal set; }

    /// <summary>A copy of this segment without its payload bytes (for keeping many segments cheaply).</summary>
    public TcpSegment WithoutPayload()
    {
        var c = (TcpSegment)MemberwiseClone();
        c._payload = Array.Empty<byte>();
        return c;
    }
    /// <summary>Source address and port, e.g. 127.0.0.1:5000 or [::1]:5000.</summary>
    public string SourceEndPoint => SourceIpEndPoint.ToString();
    internal IPEndPoint SourceIpEndPoint => new(Source, SourcePort);
    /// <summary>Destination address and port.</summary>
    public string DestinationEndPoint => DestinationIpEndPoint.ToString();
    internal IPEndPoint DestinationIpEndPoint => new(Destination, DestinationPort);

    /// <summary>Wireshark's Info column for TCP: the flags and the analysis tags, e.g. "[ACK] [TCP Dup ACK 12#1]".</summary>
    public string Info => Analysis == TcpAnalysisFlags.None ? $"[{FlagsText}]" : $"[{FlagsText}] [{AnalysisText}]";

    /// <summary>How the window was computed ("65536 = 64 × 1024"), or why it was not scaled.</summary>
    public string WindowText => DescribeWindow(WindowSize, WindowSizeValue, WindowSizeScalingFactor);

    /// <summary>The one home of the scale-factor words: null on a SYN, -1 unknown (no SYN seen), -2 not scaled.</summary>
    public static string DescribeWindow(long windowSize, int windowSizeValue, int? scalingFactor) => scalingFactor switch
    {
        null => ShapeText.Table.Format("Window.Syn", windowSize),
        -1 => ShapeText.Table.Format("Window.Unknown", windowSize),
        -2 => ShapeText.Table.Format("Window.NotScaled", windowSize),
        int f => ShapeText.Table.Format("Window.Scaled", windowSize, windowSizeValue, f),
    };

    /// <summary>The TCP options, e.g. "MSS=65495 WS=128 (shift 7) SACK_PERM TSval=1 TSecr=0".</summary>
    public string OptionsText
    {
        get
        {
            var o = new List<string>();
            if (Mss != null) o.Add($"MSS={Mss}");
            if (WindowScaleShift != null) o.Add(ShapeText.Table.Format("Options.WindowScale", WindowScaleMultiplier, WindowScaleShift));
            if (SackPermitted) o.Add("SACK_PERM");
            if (TsVal != null) o.Add($"TSval={TsVal} TSecr={TsEcr}");
            if (SackBlocks.Count > 0) o.Add("SACK " + SackBlocks);
            return string.Join(" ", o);
        }
    }

    public override string ToString() =>
        $"{Frame} {Source}:{SourcePort} → {Destination}:{DestinationPort} [{FlagsText}] Seq={Seq} Ack={Ack} Win={WindowSize} Len={Len}";
}
