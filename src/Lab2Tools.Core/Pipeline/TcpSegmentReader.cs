using System.Runtime.CompilerServices;
using Lab2Tools.Capture;
using Lab2Tools.Model;

namespace Lab2Tools.Pipeline;

public enum ReadStatus
{
    Segment,
    Malformed,
    End,
}

/// <summary>
/// Capture file → <see cref="FrameToSegment"/>, one frame at a time: the source of <see cref="TcpSegment"/>
/// objects for Import-TcpCapture and every analysis. Non-TCP frames are skipped and counted.
/// </summary>
public sealed class TcpSegmentReader : IDisposable
{
    private readonly CaptureFileReader _reader;
    private readonly FrameToSegment _frames;

    private TcpSegmentReader(CaptureFileReader reader, bool includePayload, bool reuseSegment, IEnumerable<int>? payloadPorts = null)
    {
        _reader = reader;
        _frames = new FrameToSegment(reader.Path, reader.Path, includePayload, reuseSegment, payloadPorts);
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

    /// <summary>
    /// Opens a capture file keeping the payload only of segments to or from <paramref name="payloadPorts"/> (the ports of
    /// the analyzers Zeek attaches, whose limits the Zeek port checks: <see cref="Analysis.Zeek.ZeekPayload.Ports"/>).
    /// </summary>
    public static TcpSegmentReader Open(string path, IEnumerable<int> payloadPorts, bool reuseSegment = false) =>
        new(CaptureFileReader.Open(path), false, reuseSegment, payloadPorts);

    /// <inheritdoc cref="Open(string, IEnumerable{int}, bool)"/>
    public static TcpSegmentReader Open(Stream stream, string name, IEnumerable<int> payloadPorts, bool reuseSegment = false) =>
        new(CaptureFileReader.Open(stream, name), false, reuseSegment, payloadPorts);

    public string Path => _reader.Path;
    public string Format => _reader.Format;
    public int LinkType => _reader.PrimaryLinkType;
    public long Position => _reader.Position;
    public long Length => _reader.Length;
    public long FramesRead => _reader.FramesRead;
    public long TcpFrames => _frames.TcpFrames;
    public long MalformedFrames => _frames.MalformedFrames;
    public long NonTcpFrames => _frames.NonTcpFrames;
    public int ConversationCount => _frames.ConversationCount;
    /// <summary>Why frames were skipped, with counts.</summary>
    public IReadOnlyDictionary<string, long> SkippedReasons => _frames.SkippedReasons;

    /// <summary>The segment <see cref="Read"/> returned (with reuseSegment: valid until the next Read).</summary>
    public TcpSegment? Current => _frames.Current;
    public MalformedFrame? CurrentMalformed => _frames.CurrentMalformed;

    /// <summary>Reads up to the next TCP segment or malformed frame. Throws <see cref="CaptureFileException"/> on file damage.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadStatus Read()
    {
        while (_reader.ReadNext(out var frame, out var data))
        {
            switch (_frames.Accept(frame, data))
            {
                case FrameOutcome.Segment: return ReadStatus.Segment;
                case FrameOutcome.Malformed: return ReadStatus.Malformed;
            }
        }
        return ReadStatus.End;
    }

    public void Dispose() => _reader.Dispose();
}
