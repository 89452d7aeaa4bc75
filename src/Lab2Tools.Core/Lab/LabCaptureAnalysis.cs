using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Flow;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Model;
using Lab2Tools.Pipeline;

namespace Lab2Tools.Lab;

/// <summary>
/// Everything the lab looks at in one capture, from one pass over it: connections, handshakes, teardowns,
/// state timelines, HTTP exchanges and, for the flow diagrams, the segments of each stream
/// (up to <see cref="MaxSegmentsPerStream"/> each, without payload).
/// </summary>
public sealed class LabCaptureAnalysis
{
    public const int MaxSegmentsPerStream = 400;

    public string Path { get; init; } = "";
    public long Frames { get; init; }
    public long TcpSegments { get; init; }
    public IReadOnlyList<MalformedFrame> MalformedFrames { get; init; } = Array.Empty<MalformedFrame>();
    /// <summary>Why the file could not be read to its end, or null.</summary>
    public string? ReadProblem { get; init; }
    public IReadOnlyList<TcpConnection> Connections { get; init; } = Array.Empty<TcpConnection>();
    public IReadOnlyList<TcpHandshake> Handshakes { get; init; } = Array.Empty<TcpHandshake>();
    public IReadOnlyList<TcpTeardown> Teardowns { get; init; } = Array.Empty<TcpTeardown>();
    public IReadOnlyList<TcpStateTransition> StateTimelines { get; init; } = Array.Empty<TcpStateTransition>();
    public IReadOnlyList<HttpExchange> HttpExchanges { get; init; } = Array.Empty<HttpExchange>();
    /// <summary>
    /// Every segment of each stream (up to the cap), payload not kept. Internal: a dictionary with integer keys
    /// breaks ConvertTo-Json.
    /// </summary>
    internal IReadOnlyDictionary<int, IReadOnlyList<TcpSegment>> StreamSegments { get; init; } =
        new Dictionary<int, IReadOnlyList<TcpSegment>>();
    /// <summary>Streams with more segments than were kept for the diagrams.</summary>
    internal IReadOnlyDictionary<int, int> OmittedSegments { get; init; } = new Dictionary<int, int>();

    /// <summary>Reads and analyses a capture file. Throws <see cref="Capture.CaptureFileException"/> when it cannot be opened.</summary>
    public static LabCaptureAnalysis Analyze(string path, CancellationToken cancel = default)
    {
        using var reader = TcpSegmentReader.Open(path, includePayload: true);
        var a = new LabCaptureAnalyzer();
        string? problem = null;
        try
        {
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                var st = reader.Read();
                if (st == ReadStatus.End) break;
                if (st == ReadStatus.Malformed) a.AddMalformed(reader.CurrentMalformed!);
                else a.Add(reader.Current!);
            }
        }
        catch (Capture.CaptureFileException e)
        {
            problem = e.Message;
        }
        return a.Finish(reader.Path, reader.FramesRead, problem);
    }

    // Per-stream look-ups, indexed on first use: the summary, the report and Show-TcpFlow ask for every stream,
    // and a scan per question made that quadratic in the number of connections.
    private Dictionary<int, TcpConnection>? _connections;
    private Dictionary<int, TcpHandshake>? _handshakes;
    private Dictionary<int, TcpTeardown>? _teardowns;
    private ILookup<int, TcpStateTransition>? _timelines;
    private ILookup<int, HttpExchange>? _exchanges;

    public TcpConnection? Connection(int stream) => (_connections ??= Connections.ToDictionary(c => c.Stream)).GetValueOrDefault(stream);
    public TcpHandshake? Handshake(int stream) => (_handshakes ??= Handshakes.ToDictionary(h => h.Stream)).GetValueOrDefault(stream);
    public TcpTeardown? Teardown(int stream) => (_teardowns ??= Teardowns.ToDictionary(t => t.Stream)).GetValueOrDefault(stream);
    public IEnumerable<TcpStateTransition> Timeline(int stream) => (_timelines ??= StateTimelines.ToLookup(t => t.Stream))[stream];
    public IEnumerable<HttpExchange> Exchanges(int stream) => (_exchanges ??= HttpExchanges.ToLookup(x => x.Stream))[stream];

    /// <summary>The ladder diagram of one stream, or null when the stream is not in the capture.</summary>
    public TcpFlow? Flow(int stream)
    {
        var c = Connection(stream);
        if (c == null) return null;
        var segments = StreamSegments.TryGetValue(stream, out var segs) ? segs : Array.Empty<TcpSegment>();
        return TcpFlow.Build(c, segments, Timeline(stream), Exchanges(stream),
            OmittedSegments.GetValueOrDefault(stream));
    }
}

/// <summary>Builds a <see cref="LabCaptureAnalysis"/> from segments fed one at a time.</summary>
public sealed class LabCaptureAnalyzer
{
    private readonly ConnectionAnalyzer _conns = new();
    private readonly HttpAnalyzer _http = new();
    private readonly List<HttpExchange> _exchanges = new();
    private readonly List<MalformedFrame> _malformed = new();
    private readonly Dictionary<int, List<TcpSegment>> _segments = new();
    private readonly Dictionary<int, int> _omitted = new();
    private long _tcp;

    public void Add(TcpSegment s)
    {
        _tcp++;
        _conns.Add(s);
        _exchanges.AddRange(_http.Add(s));
        if (!_segments.TryGetValue(s.Stream, out var list)) _segments[s.Stream] = list = new List<TcpSegment>();
        if (list.Count < LabCaptureAnalysis.MaxSegmentsPerStream) list.Add(s.Payload.Length == 0 ? s : s.WithoutPayload());
        else _omitted[s.Stream] = _omitted.GetValueOrDefault(s.Stream) + 1;
    }

    public void AddMalformed(MalformedFrame m) => _malformed.Add(m);

    public LabCaptureAnalysis Finish(string path, long frames, string? readProblem)
    {
        _exchanges.AddRange(_http.Finish());
        var records = _conns.Records.ToList();
        return new LabCaptureAnalysis
        {
            Path = path,
            Frames = frames,
            TcpSegments = _tcp,
            MalformedFrames = _malformed.ToList(),
            ReadProblem = readProblem,
            Connections = records.Select(r => r.ToConnection()).ToList(),
            Handshakes = records.Select(r => r.ToHandshake()).Where(h => h != null).Select(h => h!).ToList(),
            Teardowns = records.Select(r => r.ToTeardown()).Where(t => t != null).Select(t => t!).ToList(),
            StateTimelines = records.SelectMany(r => r.ToStateTimeline()).ToList(),
            HttpExchanges = _exchanges.OrderBy(x => x.RequestFrame).ToList(),
            StreamSegments = _segments.ToDictionary(k => k.Key, k => (IReadOnlyList<TcpSegment>)k.Value),
            OmittedSegments = new Dictionary<int, int>(_omitted),
        };
    }
}
