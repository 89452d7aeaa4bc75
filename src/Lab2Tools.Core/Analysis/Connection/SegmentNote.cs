using Lab2Tools.Model;

namespace Lab2Tools.Analysis;

/// <summary>
/// The fields of a segment that the handshake, teardown and state results need: a fifth of a
/// <see cref="TcpSegment"/> (the endpoints are the record's, named by <see cref="Side"/>), so keeping a few
/// per connection stays cheap with many connections.
/// </summary>
internal sealed class SegmentNote
{
    public SegmentNote(TcpSegment s, CaptureSide side)
    {
        Frame = s.Frame; TimestampNanoseconds = s.TimestampNanoseconds; Side = side;
        Flags = s.Flags; Seq = s.Seq; Ack = s.Ack; SeqRaw = s.SeqRaw; AckRaw = s.AckRaw; NextSeq = s.NextSeq;
        WindowSizeValue = (ushort)s.WindowSizeValue;
        _scale = s.WindowSizeScalingFactor ?? int.MinValue;
        _mss = s.Mss ?? -1;
        _shift = (sbyte)(s.WindowScaleShift ?? -1);
        SackPermitted = s.SackPermitted; HasTimestamps = s.TsVal != null;
    }
    private readonly int _scale;
    private readonly int _mss;
    private readonly sbyte _shift;
    public long Frame { get; }
    public long TimestampNanoseconds { get; }
    public DateTime Time => Tracking.Timestamps.ToUtc(TimestampNanoseconds);
    /// <summary>The endpoint of the record that sent the segment.</summary>
    public CaptureSide Side { get; }
    public TcpFlags Flags { get; }
    public uint Seq { get; }
    public uint Ack { get; }
    public uint SeqRaw { get; }
    public uint AckRaw { get; }
    public uint NextSeq { get; }
    public ushort WindowSizeValue { get; }
    /// <summary>The window after scaling, as the segment had it (the raw value times a known scale factor).</summary>
    public long WindowSize => _scale > 0 ? (long)WindowSizeValue * _scale : WindowSizeValue;
    public int? WindowSizeScalingFactor => _scale == int.MinValue ? null : _scale;
    public int? Mss => _mss < 0 ? null : _mss;
    public int? WindowScaleShift => _shift < 0 ? null : _shift;
    public bool SackPermitted { get; }
    public bool HasTimestamps { get; }
    public string FlagsText => TcpFlagsText.ToListString(Flags);
}

/// <summary>
/// The SYNs (or SYN-ACKs) of a connection: almost always one, so the first is kept inline and a list is made for more.
/// </summary>
internal struct NoteList
{
    private SegmentNote? _firstNote;
    private List<SegmentNote>? _more;

    public readonly int Count => _firstNote == null ? 0 : 1 + (_more?.Count ?? 0);
    public readonly SegmentNote this[int i] => i == 0 ? _firstNote! : _more![i - 1];

    public void Add(SegmentNote n)
    {
        if (_firstNote == null) _firstNote = n;
        else (_more ??= new List<SegmentNote>()).Add(n);
    }

    public readonly IEnumerable<SegmentNote> All()
    {
        if (_firstNote == null) yield break;
        yield return _firstNote;
        if (_more != null) foreach (var n in _more) yield return n;
    }
}
