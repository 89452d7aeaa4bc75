using System.Runtime.CompilerServices;
using Lab2Tools.Capture;
using Lab2Tools.Decode;
using Lab2Tools.Model;

namespace Lab2Tools.Tracking;

/// <summary>
/// Assigns stream indexes and computes relative sequence numbers and scaled windows exactly as Wireshark's
/// TCP dissector does (4.0, default preferences), in a single pass over the frames in file order.
/// State is kept per conversation, never per packet.
/// </summary>
public sealed class TcpConversationTracker
{
    private readonly Dictionary<ConversationKey, TcpConversation> _conversations = new();
    private int _nextStream;
    // One IPAddress object per address, shared by its conversations and segments (a lab capture has a handful of
    // addresses and thousands of conversations); capped so a capture of a scan does not grow it without bound.
    private readonly Dictionary<IpAddr, System.Net.IPAddress> _addresses = new();
    private const int MaxCachedAddresses = 4096;

    public int ConversationCount => _nextStream;

    private readonly record struct ConversationKey(IpAddr A, ushort PortA, IpAddr B, ushort PortB);

    /// <summary>Finds the conversation of a segment (creating it, or a new one on port reuse) and tells which side sent it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public TcpConversation Resolve(in CaptureFrame frame, in DecodedTcp d, out bool fromA)
    {
        int cmp = d.Source.CompareTo(d.Destination);
        if (cmp == 0) cmp = d.SourcePort.CompareTo(d.DestinationPort);
        fromA = cmp <= 0;
        var key = fromA
            ? new ConversationKey(d.Source, d.SourcePort, d.Destination, d.DestinationPort)
            : new ConversationKey(d.Destination, d.DestinationPort, d.Source, d.SourcePort);
        // the previous segment's conversation first: consecutive segments often share one, and the table's generic code
        // runs unoptimised under pwsh for much of a run (tiered compilation)
        var conv = _last != null && key.Equals(_lastKey) ? _last : null;
        if (conv == null && !_conversations.TryGetValue(key, out conv))
        {
            conv = Create(key, frame);
        }
        else if ((d.Flags & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN)
        {
            // Wireshark: a SYN whose seq differs from the base of its direction starts a new conversation.
            var fwd = fromA ? conv.FlowA : conv.FlowB;
            if (fwd.BaseSeqSet && d.Seq != fwd.BaseSeq)
            {
                conv = Create(key, frame);
                conv.ReusedPortsFrame = frame.Number;
            }
        }
        _last = conv;
        _lastKey = key;
        return conv;
    }

    private TcpConversation? _last;
    private ConversationKey _lastKey;

    private TcpConversation Create(ConversationKey key, in CaptureFrame frame)
    {
        var conv = new TcpConversation(_nextStream++, key.A, key.PortA, key.B, key.PortB, Address(key.A), Address(key.B))
        {
            FirstFrame = frame.Number,
            FirstTimestampNanoseconds = frame.TimestampNanoseconds,
            LastFrameTimeNs = frame.TimestampNanoseconds,
        };
        _conversations[key] = conv;
        return conv;
    }

    private System.Net.IPAddress Address(IpAddr a)
    {
        if (_addresses.TryGetValue(a, out var ip)) return ip;
        ip = a.ToIPAddress();
        if (_addresses.Count < MaxCachedAddresses) _addresses[a] = ip;
        return ip;
    }

    /// <summary>Updates the flow state with one segment and returns the segment object.</summary>
    public TcpSegment Track(in CaptureFrame frame, in DecodedTcp d, ReadOnlySpan<byte> frameBytes, long firstTimestampNs,
        bool includePayload) =>
        Track(frame, d, frameBytes, firstTimestampNs, includePayload, new TcpSegment());

    /// <summary>
    /// Updates the flow state with one segment and writes it into <paramref name="into"/>, every property,
    /// so one object can be reused for each segment by a consumer that keeps none of them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public TcpSegment Track(in CaptureFrame frame, in DecodedTcp d, ReadOnlySpan<byte> frameBytes, long firstTimestampNs,
        bool includePayload, TcpSegment into)
    {
        var conv = Resolve(frame, d, out bool fromA);
        var fwd = fromA ? conv.FlowA : conv.FlowB;
        var rev = fromA ? conv.FlowB : conv.FlowA;
        bool syn = (d.Flags & TcpFlags.SYN) != 0;
        bool ack = (d.Flags & TcpFlags.ACK) != 0;

        if (!fwd.BaseSeqSet)
        {
            fwd.BaseSeq = syn ? d.Seq : d.Seq - 1;
            fwd.BaseSeqSet = true;
        }
        if (syn) fwd.SawSyn = true;
        if (!rev.BaseSeqSet && ack)
        {
            rev.BaseSeq = d.Ack - 1;
            rev.BaseSeqSet = true;
        }

        if (d.WindowScaleShift >= 0) fwd.WindowScale = Math.Min(d.WindowScaleShift, 14);
        if (syn && d.Mss >= 0) fwd.Mss = d.Mss;
        if (syn)
        {
            // verify_tcp_window_scaling(): scaling is used only when both SYNs carry the option.
            if (fwd.WindowScale == -1)
            {
                fwd.WindowScale = -2;
                rev.WindowScale = -2;
            }
            else if (ack && rev.WindowScale == -2)
            {
                fwd.WindowScale = -2;
            }
        }

        long now = frame.TimestampNanoseconds;
        // iRTT: from the most recent SYN to the first ACK (without SYN) after it
        if (syn && !ack) conv.LastSynTimeNs = now;
        else if (ack && !syn && conv.LastSynTimeNs != 0 && conv.InitialRttNs == 0)
            conv.InitialRttNs = Math.Max(1, now - conv.LastSynTimeNs);
        var ta = SequenceAnalysis.Analyze(fwd, rev, conv, frame.Number, now, d.Seq, d.Ack, d.PayloadLength, d.Flags, d.Window,
            d.SackCount, d.Sack);
        long timeDelta = now - conv.LastFrameTimeNs;
        conv.LastFrameTimeNs = now;

        long windowSize = d.Window;
        int? scaleFactor = null;
        if (!syn)
        {
            int shift = fwd.WindowScale;
            if (shift >= 0) { windowSize = (long)d.Window << shift; scaleFactor = 1 << shift; }
            else scaleFactor = shift;
        }

        uint seq = d.Seq - fwd.BaseSeq;
        uint ackRel = ack ? d.Ack - rev.BaseSeq : d.Ack;
        uint next = seq + (uint)d.PayloadLength + (syn ? 1u : 0u) + ((d.Flags & TcpFlags.FIN) != 0 ? 1u : 0u);

        SackBlock[] sacks = d.SackCount == 0 ? Array.Empty<SackBlock>() : new SackBlock[d.SackCount];
        for (int i = 0; i < d.SackCount; i++)
        {
            uint l = d.Sack[2 * i], r = d.Sack[2 * i + 1];
            sacks[i] = new SackBlock(l - rev.BaseSeq, r - rev.BaseSeq, l, r);
        }

        var s = into;
        s.Frame = frame.Number;
        s.TimestampNanoseconds = frame.TimestampNanoseconds;
        s.Time = Timestamps.ToUtc(frame.TimestampNanoseconds);
        s.TimeRelative = Timestamps.ToTimeSpan(frame.TimestampNanoseconds - firstTimestampNs);
        s.Stream = conv.Stream;
        s.Source = fromA ? conv.IPAddressA : conv.IPAddressB;
        s.SourcePort = d.SourcePort;
        s.Destination = fromA ? conv.IPAddressB : conv.IPAddressA;
        s.DestinationPort = d.DestinationPort;
        s.Flags = d.Flags;
        s.Seq = seq;
        s.Ack = ackRel;
        s.SeqRaw = d.Seq;
        s.AckRaw = d.Ack;
        s.NextSeq = next;
        s.Len = d.PayloadLength;
        s.HeaderLength = d.HeaderLength;
        s.WindowSizeValue = d.Window;
        s.WindowSize = windowSize;
        s.WindowSizeScalingFactor = scaleFactor;
        s.Mss = d.Mss >= 0 ? d.Mss : null;
        s.WindowScaleShift = d.WindowScaleShift >= 0 ? d.WindowScaleShift : null;
        s.SackPermitted = d.SackPermitted;
        s.TsVal = d.HasTimestamps ? d.TsVal : null;
        s.TsEcr = d.HasTimestamps ? d.TsEcr : null;
        s.SackBlocks = d.SackCount == 0 ? WordList<SackBlock>.Empty : new WordList<SackBlock>(sacks);
        s.IsTruncated = d.IsTruncated;
        s.Integrity = d.Integrity;
        s.OptionsMalformed = d.OptionsMalformed;
        s.FrameLength = frame.OriginalLength;
        s.IpLength = d.IpLength;
        s.IpVersion = d.IpVersion;
        s.Analysis = ta.Flags;
        s.NextExpectedSeq = ta.ExpectedSeqRaw != 0 ? ta.ExpectedSeqRaw - fwd.BaseSeq : null;
        s.AcksFrame = ta.AcksFrame != 0 ? ta.AcksFrame : null;
        s.AckRtt = ta.AcksFrame != 0 ? Timestamps.ToTimeSpan(ta.AckRttNs) : null;
        s.AckRttNanoseconds = ta.AcksFrame != 0 ? ta.AckRttNs : null;
        s.BytesInFlight = ta.BytesInFlight >= 0 ? ta.BytesInFlight : null;
        s.DuplicateAckNumber = ta.DupAckNumber != 0 ? ta.DupAckNumber : null;
        s.DuplicateAckFrame = ta.DupAckNumber != 0 ? ta.DupAckFrame : null;
        s.Rto = ta.RtoFrame != 0 ? Timestamps.ToTimeSpan(ta.RtoNs) : null;
        s.RtoFrame = ta.RtoFrame != 0 ? ta.RtoFrame : null;
        s.InitialRtt = conv.InitialRttNs != 0 ? Timestamps.ToTimeSpan(conv.InitialRttNs) : null;
        s.InitialRttNanoseconds = conv.InitialRttNs != 0 ? conv.InitialRttNs : null;
        s.TimeDelta = Timestamps.ToTimeSpan(timeDelta);
        s.TimeInStream = Timestamps.ToTimeSpan(now - conv.FirstTimestampNanoseconds);
        s.Payload = includePayload && d.CapturedPayloadLength > 0
                ? frameBytes.Slice(d.PayloadOffset, d.CapturedPayloadLength).ToArray()
                : Array.Empty<byte>();
        return s;
    }
}
