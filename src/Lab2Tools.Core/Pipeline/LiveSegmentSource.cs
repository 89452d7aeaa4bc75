using System.Collections.Concurrent;
using Lab2Tools.Capture;
using Lab2Tools.Capture.Live;
using Lab2Tools.Model;

namespace Lab2Tools.Pipeline;

/// <summary>
/// Live capture → <see cref="FrameToSegment"/>: the frames of a <see cref="LiveCapture"/> decoded and tracked
/// on its capture thread, exactly as a capture file's are, into a bounded queue for the pipeline thread
/// (Receive-TcpCapture, Watch-TcpSegment). Malformed frames are kept for reporting, as files report them.
/// </summary>
public sealed class LiveSegmentSource : IFrameSink
{
    /// <summary>Segments kept for the pipeline; beyond this, new ones are dropped and counted (the file has them all).</summary>
    public const int DefaultQueueCapacity = 200_000;
    /// <summary>Malformed frames kept for reporting; the rest are counted.</summary>
    public const int MalformedKept = 1_000;

    private readonly FrameToSegment _frames;
    private readonly BlockingCollection<TcpSegment> _queue;
    private readonly ConcurrentQueue<MalformedFrame> _malformed = new();
    private long _tcp, _queueDropped, _malformedCount;

    private LiveSegmentSource(string source, string? path, int queueCapacity)
    {
        _frames = new FrameToSegment(source, path, includePayload: true);
        _queue = new BlockingCollection<TcpSegment>(new ConcurrentQueue<TcpSegment>(), queueCapacity);
    }

    /// <summary>Starts a live capture whose frames become segments here.</summary>
    public static LiveSegmentSource Start(LiveCaptureOptions options, int queueCapacity = DefaultQueueCapacity)
    {
        var source = new LiveSegmentSource(options.Path ?? options.Interface ?? "the loopback interface", options.Path, queueCapacity);
        source.Capture = LiveCapture.Start(options, source);
        return source;
    }

    public LiveCapture Capture { get; private set; } = null!;
    /// <summary>The segments decoded, in capture order; adding completes when the capture ends.</summary>
    public BlockingCollection<TcpSegment> Segments => _queue;
    public long TcpSegments => Interlocked.Read(ref _tcp);
    /// <summary>Segments not kept for the pipeline because nobody took them in time (the file still has them).</summary>
    public long QueueDropped => Interlocked.Read(ref _queueDropped);
    public long MalformedFrames => Interlocked.Read(ref _malformedCount);

    /// <summary>Takes the next malformed frame not yet reported.</summary>
    public bool TryTakeMalformed(out MalformedFrame frame) => _malformed.TryDequeue(out frame!);

    void IFrameSink.Accept(in CaptureFrame frame, ReadOnlySpan<byte> data)
    {
        switch (_frames.Accept(frame, data))
        {
            case FrameOutcome.Segment:
                Interlocked.Increment(ref _tcp);
                if (!_queue.TryAdd(_frames.Current!)) Interlocked.Increment(ref _queueDropped);
                break;
            case FrameOutcome.Malformed:
                if (Interlocked.Increment(ref _malformedCount) <= MalformedKept) _malformed.Enqueue(_frames.CurrentMalformed!);
                break;
        }
    }

    void IFrameSink.Complete() => _queue.CompleteAdding();
}
