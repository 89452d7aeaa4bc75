using System.Text;

namespace Lab2Tools.Text;

/// <summary>
/// Text measured in terminal cells (a Chinese character takes two, as PowerShell counts them) and broken into lines
/// that fit a table column. PowerShell wraps a cell by words only in a few Western cultures; in zh-CN and the
/// invariant culture it cuts at the column's edge, through numbers and endpoints. A view column that can overflow
/// hands its text to <see cref="Fit"/> with its width, so the lines already fit and PowerShell cuts nothing.
/// </summary>
public static class Cells
{
    // punctuation that must not start a line (it stays with what it follows) or end one (it stays with what comes next)
    private const string NoLineStart = "，。、；：？！）」』】》〉…,.;:?!)]}%";
    private const string NoLineEnd = "（「『【《〈([{";
    // where a single token longer than the column may be broken: after these (an IPv6 endpoint after a colon)
    private const string BreakAfter = ":/,.;-&?=_";

    /// <summary>Cells a character takes: 2 for East Asian wide characters (the ranges PowerShell counts as 2), else 1.</summary>
    public static int Width(char c) =>
        c >= 0x1100 && (c <= 0x115f || c == 0x2329 || c == 0x232a || (c >= 0x2e80 && c <= 0xa4cf && c != 0x303f)
            || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe10 && c <= 0xfe19)
            || (c >= 0xfe30 && c <= 0xfe6f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6)) ? 2 : 1;

    /// <summary>Cells a string takes on one line.</summary>
    public static int Width(string? s)
    {
        int n = 0;
        foreach (char c in s ?? "") n += Width(c);
        return n;
    }

    /// <summary>
    /// The text with line breaks where it must break to fit <paramref name="width"/> cells: between words, between
    /// Chinese characters (never before a closing or after an opening punctuation mark), and never inside a number,
    /// an endpoint or a word unless that alone is longer than the column (then after a colon, slash or comma).
    /// Text that fits is returned as it is; null stays null.
    /// </summary>
    public static string? Fit(string? text, int width)
    {
        if (text == null || width <= 0 || (Width(text) <= width && text.IndexOf('\n') < 0)) return text;
        var sb = new StringBuilder(text.Length + 16);
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (i > 0) sb.Append('\n');
            FitLine(lines[i], width, sb);
        }
        return sb.ToString();
    }

    private static void FitLine(string line, int width, StringBuilder sb)
    {
        int used = 0;
        bool lineEmpty = true;
        foreach (var (unit, spaceBefore) in Units(line))
        {
            int w = Width(unit);
            int need = (spaceBefore && !lineEmpty ? 1 : 0) + w;
            if (used + need <= width)
            {
                if (spaceBefore && !lineEmpty) sb.Append(' ');
                sb.Append(unit);
                used += need;
                lineEmpty = false;
                continue;
            }
            if (!lineEmpty) { sb.Append('\n'); used = 0; lineEmpty = true; }
            // the unit alone is too long for the column: break it after punctuation, else where it must
            string rest = unit;
            while (Width(rest) > width)
            {
                int cut = Cut(rest, width);
                sb.Append(rest, 0, cut).Append('\n');
                rest = rest.Substring(cut);
            }
            sb.Append(rest);
            used = Width(rest);
            lineEmpty = rest.Length == 0;
        }
    }

    /// <summary>How many characters of a too-long unit go on this line.</summary>
    private static int Cut(string s, int width)
    {
        int cells = 0, fit = 0, lastBreak = -1;
        for (int i = 0; i < s.Length; i++)
        {
            cells += Width(s[i]);
            if (cells > width) break;
            fit = i + 1;
            if (BreakAfter.IndexOf(s[i]) >= 0 && i + 1 < s.Length) lastBreak = i + 1;
        }
        return lastBreak > 0 ? lastBreak : Math.Max(1, fit);
    }

    /// <summary>
    /// The unbreakable units of a line and whether a space came before each: a run of narrow characters (a word, a
    /// number, an endpoint) or one wide character, with closing punctuation joined to what precedes it and opening
    /// punctuation to what follows.
    /// </summary>
    private static IEnumerable<(string Unit, bool SpaceBefore)> Units(string line)
    {
        var units = new List<(string Unit, bool SpaceBefore)>();
        int i = 0;
        bool space = false;
        while (i < line.Length)
        {
            char c = line[i];
            if (c == ' ') { space = true; i++; continue; }
            int start = i;
            if (Width(c) == 2) i++;
            else while (i < line.Length && line[i] != ' ' && Width(line[i]) == 1) i++;
            string unit = line.Substring(start, i - start);
            // closing punctuation sticks to the unit before it
            if (!space && units.Count > 0 && NoLineStart.IndexOf(unit[0]) >= 0)
            {
                var (prev, prevSpace) = units[^1];
                units[^1] = (prev + unit, prevSpace);
            }
            // what follows an opening punctuation mark sticks to it
            else if (!space && units.Count > 0 && NoLineEnd.IndexOf(units[^1].Unit[^1]) >= 0)
            {
                var (prev, prevSpace) = units[^1];
                units[^1] = (prev + unit, prevSpace);
            }
            else units.Add((unit, space));
            space = false;
        }
        return units;
    }
}
