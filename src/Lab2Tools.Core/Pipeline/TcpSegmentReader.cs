using System.Runtime.CompilerServices;
using Lab2Tools.Capture;
using Lab2Tools.Decode;
using Lab2Tools.Model;
using Lab2Tools.Tracking;

namespace Lab2Tools.Pipeline;

/// <summary>A frame that claims to be TCP/IP but could not be decoded; it is skipped.</summary>
public sealed record MalformedFrame(long Frame, string Reason, string Path);

public enum ReadStatus
{
    Segment,
    Malformed,
    End,
}

/// <summary>
/// Capture file → decode → tracking, one frame at a time: the source of <see cref="TcpSegment"/> objects
/// for Import-TcpCapture and every analysis. Non-TCP frames are skipped and counted.
/// </summary>
public sealed class TcpSegmentReader : IDisposable
{
    private readonly CaptureFileReader _reader;
    private readonly TcpConversationTracker _tracker = new();
    private readonly bool _includePayload;
    private readonly TcpSegment? _reused;
    private long _firstTimestamp = long.MinValue;
    private readonly Dictionary<string, long> _skipped = new();

    private TcpSegmentReader(CaptureFileReader reader, bool includePayload, bool reuseSegment)
    {
        _reader = reader;
        _includePayload = includePayload;
        if (reuseSegment) _reused = new TcpSegment();
    }

    /// <summary>
    /// Opens a capture file. With <paramref name="reuseSegment"/>, <see cref="Current"/> is one object
    /// overwritten by every <see cref="Read"/>: for consumers that keep no segment (they read its
    /// properties and let it go), it saves allocating an object per packet.
    /// </summary>
    public static TcpSegmentReader Open(string path, bool includePayload = true, bool reuseSegment = false) =>
        new(CaptureFileReader.Open(path), includePayload, reuseSegment);

    public static TcpSegmentReader Open(Stream stream, string name, bool includePayload = true, bool reuseSegment = false) =>
        new(CaptureFileReader.Open(stream, name), includePayload, reuseSegment);

    public string Path => _reader.Path;
    public string Format => _reader.Format;
    public int LinkType => _reader.PrimaryLinkType;
    public long Position => _reader.Position;
    public long Length => _reader.Length;
    public long FramesRead => _reader.FramesRead;
    public long TcpFrames { get; private set; }
    public long MalformedFrames { get; private set; }
    public long NonTcpFrames { get; private set; }
    public int ConversationCount => _tracker.ConversationCount;
    /// <summary>Why frames were skipped, with counts.</summary>
    public IReadOnlyDictionary<string, long> SkippedReasons => _skipped;

    /// <summary>The segment <see cref="Read"/> returned (with reuseSegment: valid until the next Read).</summary>
    public TcpSegment? Current { get; private set; }
    public MalformedFrame? CurrentMalformed { get; private set; }

    /// <summary>Reads up to the next TCP segment or malformed frame. Throws <see cref="CaptureFileException"/> on file damage.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadStatus Read()
    {
        Current = null;
        CurrentMalformed = null;
        while (_reader.ReadNext(out var frame, out var data))
        {
            if (_firstTimestamp == long.MinValue) _firstTimestamp = frame.TimestampNanoseconds;
            var outcome = PacketDecoder.Decode(frame.LinkType, data, frame.OriginalLength, out var tcp, out var reason);
            switch (outcome)
            {
                case DecodeOutcome.Tcp:
                    TcpFrames++;
                    Current = _tracker.Track(frame, tcp, data, _firstTimestamp, _includePayload, _reused ?? new TcpSegment());
                    Current.Path = _reader.Path;
                    return ReadStatus.Segment;
                case DecodeOutcome.Malformed:
                    MalformedFrames++;
                    CurrentMalformed = new MalformedFrame(frame.Number, reason ?? "malformed", _reader.Path);
                    return ReadStatus.Malformed;
                default:
                    NonTcpFrames++;
                    string key = reason ?? "not TCP";
                    _skipped[key] = _skipped.TryGetValue(key, out long n) ? n + 1 : 1;
                    break;
            }
        }
        return ReadStatus.End;
    }

    public void Dispose() => _reader.Dispose();
}
