using System.Collections;
using System.Globalization;

namespace Lab2Tools.Model;

/// <summary>
/// A read-only list whose text is its items' text, joined: Export-Csv (which writes ToString()) shows
/// "12 13 15" instead of a .NET type name, and ConvertTo-Json, which enumerates it, writes an array.
/// </summary>
public class TextList<T> : IReadOnlyList<T>
{
    private readonly IReadOnlyList<T> _items;
    private readonly string _separator;

    /// <summary>Items written on one line, separated by "; ".</summary>
    public TextList(IReadOnlyList<T>? items) : this(items, "; ") { }

    public TextList(IReadOnlyList<T>? items, string separator)
    {
        _items = items ?? Array.Empty<T>();
        _separator = separator;
    }

    public T this[int index] => _items[index];
    public int Count => _items.Count;
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public override string ToString() =>
        string.Join(_separator, _items.Select(i => i is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : i?.ToString()));
}

/// <summary>Frame numbers, written "12, 13, 15".</summary>
public sealed class FrameList : TextList<long>
{
    public static readonly FrameList Empty = new(Array.Empty<long>());
    public FrameList(IReadOnlyList<long>? frames) : base(frames, ", ") { }
    public FrameList(IEnumerable<long> frames) : base(frames as IReadOnlyList<long> ?? frames.ToArray(), ", ") { }
    public static implicit operator FrameList(long[] frames) => new(frames);
    public static implicit operator FrameList(List<long> frames) => new(frames);
}

/// <summary>Items written one per line (steps, notes, headers): "1. SYN ...\n2. SYN, ACK ...".</summary>
public sealed class LineList<T> : TextList<T>
{
    public static readonly LineList<T> Empty = new(Array.Empty<T>());
    public LineList(IReadOnlyList<T>? items) : base(items, "\n") { }
    public static implicit operator LineList<T>(T[] items) => new(items);
    public static implicit operator LineList<T>(List<T> items) => new(items);
}

/// <summary>Items written on one line, separated by a space (SACK blocks, addresses).</summary>
public sealed class WordList<T> : TextList<T>
{
    public static readonly WordList<T> Empty = new(Array.Empty<T>());
    public WordList(IReadOnlyList<T>? items) : base(items, " ") { }
    public static implicit operator WordList<T>(T[] items) => new(items);
    public static implicit operator WordList<T>(List<T> items) => new(items);
}

/// <summary>Shared conversions of the public surface: durations as numbers with their unit, endpoints as text.</summary>
public static class Units
{
    /// <summary>
    /// Milliseconds, exact to the tick (100 ns, at most 4 decimals). A decimal, not a double: its text (Export-Csv
    /// writes ToString()) is never "4.8E-05" nor 17 digits, and it keeps exactly the capture's precision.
    /// </summary>
    public static decimal Milliseconds(TimeSpan t) => t.Ticks / 10_000m;
    public static decimal? Milliseconds(TimeSpan? t) => t is TimeSpan v ? Milliseconds(v) : null;
    /// <summary>Seconds, exact to the tick (100 ns, at most 7 decimals), as a decimal for the same reason.</summary>
    public static decimal Seconds(TimeSpan t) => t.Ticks / 10_000_000m;
    public static decimal? Seconds(TimeSpan? t) => t is TimeSpan v ? Seconds(v) : null;
    /// <summary>A time as ISO 8601 round-trip text, the same in every culture ("2026-11-25T02:46:32.0000150Z").</summary>
    public static string Iso(DateTime t) => t.ToString("o", System.Globalization.CultureInfo.InvariantCulture);
    public static string? Iso(DateTime? t) => t is DateTime v ? Iso(v) : null;
    /// <summary>"127.0.0.1:5000" or "[::1]:5000".</summary>
    public static string Text(System.Net.IPEndPoint? e) => e?.ToString() ?? "";
    /// <summary>An address and a port as one endpoint's text, the same as <see cref="Text(System.Net.IPEndPoint?)"/>.</summary>
    public static string Text(System.Net.IPAddress a, int port) =>
        a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{a}]:{port}" : $"{a}:{port}";
    public static string? Name<TEnum>(TEnum? v) where TEnum : struct, Enum => v?.ToString();
}
