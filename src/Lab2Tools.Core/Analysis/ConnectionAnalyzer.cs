using Lab2Tools.Model;

namespace Lab2Tools.Analysis;

/// <summary>Groups segments by stream into <see cref="ConnectionRecord"/>s, in one pass.</summary>
public sealed class ConnectionAnalyzer
{
    private readonly Dictionary<int, ConnectionRecord> _records = new();

    public void Add(TcpSegment segment)
    {
        if (!_records.TryGetValue(segment.Stream, out var r))
        {
            r = new ConnectionRecord(segment);
            _records[segment.Stream] = r;
        }
        r.Add(segment);
    }

    public int Count => _records.Count;

    /// <summary>The connections in stream order.</summary>
    public IEnumerable<ConnectionRecord> Records => _records.Values.OrderBy(r => r.Stream);

    public void Clear() => _records.Clear();
}
