using System.Globalization;

namespace Lab2Tools.Text;

/// <summary>
/// How figures are written in sentences, the same in every language: invariant digits, milliseconds with up to
/// three decimals. The one home of the N()/Ms() helpers that the report, the checks and the expert text share.
/// </summary>
public static class Figures
{
    /// <summary>An integer, no grouping: frame numbers, byte counts in evidence (<c>1448</c>).</summary>
    public static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A quantity with thousands grouping (<c>65,483</c>).</summary>
    public static string Grouped(double value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>A duration in milliseconds with its unit (<c>0.042 ms</c>).</summary>
    public static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + " ms";

    /// <summary>A duration that may be unknown ("?").</summary>
    public static string Ms(TimeSpan? t) => t is TimeSpan v ? Ms(v) : "?";

    /// <summary>Milliseconds with exactly three decimals and no unit (<c>12.500</c>).</summary>
    public static string Ms3(double milliseconds) => milliseconds.ToString("0.000", CultureInfo.InvariantCulture);
}
