using System.Runtime.CompilerServices;
using Lab2Tools.Capture;
using Lab2Tools.Decode;
using Lab2Tools.Model;
using Lab2Tools.Tracking;

namespace Lab2Tools.Pipeline;

/// <summary>A frame that claims to be TCP/IP but could not be decoded; it is skipped.</summary>
public sealed record MalformedFrame(long Frame, string Reason, string Path);

/// <summary>What <see cref="FrameToSegment.Accept"/> made of one frame.</summary>
public enum FrameOutcome
{
    /// <summary>A TCP segment: <see cref="FrameToSegment.Current"/>.</summary>
    Segment,
    /// <summary>TCP/IP that could not be decoded: <see cref="FrameToSegment.CurrentMalformed"/>.</summary>
    Malformed,
    /// <summary>Not TCP (ARP, UDP, ...): skipped and counted by reason.</summary>
    NotTcp,
}

/// <summary>
/// The one frame → segment step: decode (bounds-checked), then tracking (streams, relative numbers, window
/// scaling, the per-segment expert analysis). Capture files (<see cref="TcpSegmentReader"/>) and live capture
/// (<see cref="Capture.Live.LiveCapture"/>) both feed their frames through it, so both give the same
/// segments and report malformed frames the same way.
/// </summary>
public sealed class FrameToSegment
{
    private readonly TcpConversationTracker _tracker = new();
    private readonly bool _includePayload;
    private readonly ulong[]? _payloadPorts;        // without includePayload: keep the payload of segments to or from these ports
    private readonly TcpSegment? _reused;
    private readonly string _source;
    private readonly string? _path;
    private long _firstTimestamp = long.MinValue;
    private readonly Dictionary<string, long> _skipped = new();

    /// <param name="source">The capture's name in reports of malformed frames (a file's path, or an interface).</param>
    /// <param name="path">The capture file each segment comes from (its Path), or null (a live capture to no file).</param>
    /// <param name="includePayload">Keep each segment's payload bytes.</param>
    /// <param name="reuseSegment">
    /// Write every segment into one object, overwritten by the next frame: for consumers that keep no segment.
    /// </param>
    /// <param name="payloadPorts">
    /// Without includePayload: the ports whose segments keep their payload all the same (the analyzers Zeek attaches by
    /// port, whose limits the Zeek port checks); every other segment costs only two bit tests.
    /// </param>
    public FrameToSegment(string source, string? path, bool includePayload = true, bool reuseSegment = false,
        IEnumerable<int>? payloadPorts = null)
    {
        _source = source;
        _path = path;
        _includePayload = includePayload;
        if (reuseSegment) _reused = new TcpSegment();
        if (!includePayload && payloadPorts != null)
            foreach (int p in payloadPorts)
                if (p is >= 0 and <= 65535) (_payloadPorts ??= new ulong[1024])[p >> 6] |= 1UL << (p & 63);
    }

    private bool WantsPayload(in DecodedTcp tcp) =>
        _includePayload || (_payloadPorts != null
            && ((_payloadPorts[tcp.SourcePort >> 6] >> (tcp.SourcePort & 63)) & 1 | (_payloadPorts[tcp.DestinationPort >> 6]
                >> (tcp.DestinationPort & 63)) & 1) != 0);

    public long TcpFrames { get; private set; }
    public long MalformedFrames { get; private set; }
    public long NonTcpFrames { get; private set; }
    public int ConversationCount => _tracker.ConversationCount;
    /// <summary>Why frames were skipped, with counts.</summary>
    public IReadOnlyDictionary<string, long> SkippedReasons => _skipped;

    /// <summary>The segment of the last frame accepted (with reuseSegment: valid until the next one).</summary>
    public TcpSegment? Current { get; private set; }
    public MalformedFrame? CurrentMalformed { get; private set; }

    /// <summary>Decodes and tracks one frame. The first frame's timestamp is time zero of TimeRelative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public FrameOutcome Accept(in CaptureFrame frame, ReadOnlySpan<byte> data)
    {
        Current = null;
        CurrentMalformed = null;
        if (_firstTimestamp == long.MinValue) _firstTimestamp = frame.TimestampNanoseconds;
        switch (PacketDecoder.Decode(frame.LinkType, data, frame.OriginalLength, out var tcp, out var reason))
        {
            case DecodeOutcome.Tcp:
                TcpFrames++;
                Current = _tracker.Track(frame, tcp, data, _firstTimestamp, WantsPayload(tcp), _reused ?? new TcpSegment());
                Current.Path = _path;
                return FrameOutcome.Segment;
            case DecodeOutcome.Malformed:
                MalformedFrames++;
                CurrentMalformed = new MalformedFrame(frame.Number, reason ?? DecodeText.Get("Malformed"), _source);
                return FrameOutcome.Malformed;
            default:
                NonTcpFrames++;
                string key = reason ?? DecodeText.Get("NotTcp");
                _skipped[key] = _skipped.TryGetValue(key, out long n) ? n + 1 : 1;
                return FrameOutcome.NotTcp;
        }
    }
}
