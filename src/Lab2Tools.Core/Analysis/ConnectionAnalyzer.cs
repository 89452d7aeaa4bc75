using System.Runtime.CompilerServices;
using Lab2Tools.Analysis.Zeek;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis;

/// <summary>Groups segments by stream into <see cref="ConnectionRecord"/>s, in one pass.</summary>
public sealed class ConnectionAnalyzer
{
    // indexed by tcp.stream: streams are numbered densely from 0, so a list needs no hashing and is in order
    private readonly List<ConnectionRecord?> _records = new();
    private int _count;
    private ZeekConnectionTracker _zeek;   // Zeek's connections, keyed by ports across streams
    private readonly ZeekOptions? _zeekOptions;

    public ConnectionAnalyzer() => _zeek = new ZeekConnectionTracker();

    /// <summary>With Zeek settings other than its defaults (to reproduce a zeek run with -C or -b).</summary>
    internal ConnectionAnalyzer(ZeekOptions zeekOptions)
    {
        _zeekOptions = zeekOptions;
        _zeek = new ZeekConnectionTracker(zeekOptions);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(TcpSegment segment)
    {
        int stream = segment.Stream;
        while (_records.Count <= stream) _records.Add(null);
        var r = _records[stream];
        if (r == null)
        {
            r = new ConnectionRecord(segment, _zeek);
            _records[stream] = r;
            _count++;
        }
        r.Add(segment);
    }

    public int Count => _count;

    /// <summary>The connections in stream order.</summary>
    public IEnumerable<ConnectionRecord> Records
    {
        get
        {
            foreach (var r in _records)
                if (r != null) yield return r;
        }
    }

    /// <summary>The connections in stream order, each let go once returned (for writing results while memory is freed).</summary>
    public IEnumerable<ConnectionRecord> TakeRecords()
    {
        for (int i = 0; i < _records.Count; i++)
        {
            var r = _records[i];
            if (r == null) continue;
            _records[i] = null;
            _count--;
            yield return r;
        }
        _records.Clear();
    }

    public void Clear()
    {
        _records.Clear();
        _count = 0;
        _zeek = new ZeekConnectionTracker(_zeekOptions);
    }
}
