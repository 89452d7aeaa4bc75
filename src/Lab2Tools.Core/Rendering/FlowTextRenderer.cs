using System.Globalization;
using System.Text;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Flow;
using static Lab2Tools.Analysis.AnalysisText;

namespace Lab2Tools.Rendering;

/// <summary>
/// Draws a <see cref="TcpFlow"/> as a text ladder: client on the left, server on the right, one arrow per
/// segment, each side's state where a frame changed it.
/// </summary>
public static class FlowTextRenderer
{
    private const int StateWidth = 12;
    private const int MinArrow = 30;
    private const int MaxArrow = 96;

    /// <summary>
    /// The diagram as lines of text. With <paramref name="width"/> (0: no limit) every line fits in that many
    /// columns: the arrows are shortened, a label that does not fit is shortened on its arrow and written in full
    /// below it, and comments that do not fit beside a row go on the lines after it. The headings and notes are
    /// in the current language (<see cref="Text.TextCulture"/>); labels and states are as Wireshark and RFC 9293
    /// write them.
    /// </summary>
    public static IReadOnlyList<string> Render(TcpFlow flow, bool unicode = true, int width = 0)
    {
        // frame, time, client state, arrow (its width + 1 for the head), server state: 6+1+10+1 + 12+1 + arrow+1 + 1+12
        int maxArrow = width > 0 ? Math.Max(MinArrow, Math.Min(MaxArrow, width - 46)) : MaxArrow;
        int widest = flow.Rows.Count == 0 ? 0 : flow.Rows.Max(r => r.Label.Length);
        int arrow = Math.Clamp(flow.Rows.Count == 0 ? MinArrow : widest + 8, MinArrow, maxArrow);
        string bar = unicode ? "│" : "|";
        var lines = new List<string>();
        string lead = new(' ', 6 + 1 + 10 + 1);
        string clientHead = Say("Flow.ClientHeading", flow.Client);
        string serverHead = Say("Flow.ServerHeading", flow.Server);
        lines.Add(Say("Flow.Title", flow.Stream, flow.Client, flow.Server, unicode ? "⇄" : "<->"));
        lines.Add(Header(lead, clientHead, serverHead, arrow));
        lines.Add(LifeLines(lead, flow.ClientInitialStateValue, flow.ServerInitialStateValue, bar, arrow, trim: false));
        foreach (var r in flow.Rows)
        {
            string a = Arrow(r.Label, arrow, r.DirectionValue == FlowDirection.ClientToServer, unicode);
            var line = new StringBuilder();
            line.Append(r.Frame.ToString(CultureInfo.InvariantCulture).PadLeft(6)).Append(' ');
            line.Append(Seconds(r.TimeInStream).PadRight(10)).Append(' ');
            line.Append(State(r.ClientStateValue)).Append(' ').Append(a).Append(' ').Append(State(r.ServerStateValue));
            string comment = r.Comment;
            if (r.Label.Length + 2 > arrow - 3) comment = (r.Label + (comment.Length > 0 ? "; " + comment : "")).Trim();
            if (comment.Length > 0 && (width <= 0 || Columns(line.ToString()) + 1 + Columns(comment) <= width))
            {
                line.Append(' ').Append(comment);
                comment = "";
            }
            lines.Add(line.ToString().TrimEnd());
            if (comment.Length > 0) lines.AddRange(Wrap(comment, lead.Length + StateWidth + 3, width));
        }
        if (flow.OmittedRows > 0)
        {
            string omitted = "... " + Say("Flow.Omitted", flow.OmittedRows) + " ...";
            lines.Add($"{lead}{new string(' ', StateWidth)} {bar}{Center(omitted, arrow)}{bar}");
        }
        lines.Add(LifeLines(lead, flow.ClientFinalStateValue, flow.ServerFinalStateValue, bar, arrow, trim: true));
        foreach (var n in flow.Notes) lines.Add(lead + n);
        if (!unicode)
            for (int i = 0; i < lines.Count; i++) lines[i] = lines[i].Replace("→", "->").Replace("…", "...").Replace("×", "x");
        return lines;
    }

    private static string Header(string lead, string client, string server, int arrow)
    {
        // client name centred over its life line, server name after the right one
        // widths in columns: a Chinese character takes two
        string frame = Table["Flow.FrameColumn"], time = Table["Flow.TimeColumn"];
        string left = Pad(frame, 6, left: true) + " " + Pad(time, 10, left: false) + " ";
        int clientLine = lead.Length + StateWidth + 1;
        string head = left + new string(' ', Math.Max(0, clientLine - Columns(left) - Columns(client) / 2)) + client;
        int serverLine = clientLine + arrow + 1;
        int pad = serverLine - Columns(head) - Columns(server) / 2;
        return head + new string(' ', Math.Max(1, pad)) + server;
    }

    private static string State(TcpState? s) => (s?.ToString() ?? "").PadRight(StateWidth);

    /// <summary>The two life lines with the states beside them (before the first row: only the server state trimmed).</summary>
    private static string LifeLines(string lead, TcpState? client, TcpState? server, string bar, int arrow, bool trim)
    {
        string line = lead + State(client) + " " + bar + new string(' ', arrow) + bar + " ";
        return trim ? (line + State(server)).TrimEnd() : line + State(server).TrimEnd();
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture);

    /// <summary>The columns a terminal gives <paramref name="text"/>: two for each East Asian wide character.</summary>
    internal static int Columns(string text)
    {
        int n = 0;
        foreach (char ch in text) n += IsWide(ch) ? 2 : 1;
        return n;
    }

    private static bool IsWide(char ch) =>
        ch is >= '\u1100' and <= '\u115F' or >= '\u2E80' and <= '\uA4CF' or >= '\uAC00' and <= '\uD7A3'
            or >= '\uF900' and <= '\uFAFF' or >= '\uFE30' and <= '\uFE4F' or >= '\uFF00' and <= '\uFF60'
            or >= '\uFFE0' and <= '\uFFE6';

    private static string Pad(string text, int columns, bool left)
    {
        string pad = new(' ', Math.Max(0, columns - Columns(text)));
        return left ? pad + text : text + pad;
    }

    /// <summary>
    /// Text wrapped at spaces into lines of at most <paramref name="width"/> columns, each indented by
    /// <paramref name="indent"/>.
    /// </summary>
    private static IEnumerable<string> Wrap(string text, int indent, int width)
    {
        int room = Math.Max(20, width - indent);
        string pad = new(' ', Math.Max(0, Math.Min(indent, width - room)));
        var words = text.Split(' ');
        var cur = new StringBuilder();
        foreach (var w0 in words)
        {
            string w = w0;
            while (w.Length > room)
            {
                if (cur.Length > 0) { yield return pad + cur; cur.Clear(); }
                yield return pad + w[..room];
                w = w[room..];
            }
            if (cur.Length > 0 && cur.Length + 1 + w.Length > room) { yield return pad + cur; cur.Clear(); }
            if (cur.Length > 0) cur.Append(' ');
            cur.Append(w);
        }
        if (cur.Length > 0) yield return pad + cur;
    }

    private static string Center(string text, int width)
    {
        if (text.Length >= width) return text.Substring(0, width);
        int left = (width - text.Length) / 2;
        return new string(' ', left) + text + new string(' ', width - left - text.Length);
    }

    private static string Arrow(string label, int width, bool right, bool unicode)
    {
        string shaft = unicode ? "─" : "-";
        string bar = unicode ? "│" : "|";
        string text = " " + label + " ";
        if (text.Length > width - 3) text = text.Substring(0, width - 4) + "… ";
        int left = (width - 1 - text.Length) / 2;
        int rest = width - 1 - text.Length - left;
        var b = new StringBuilder(bar);
        if (!right) b.Append(unicode ? "◄" : "<");
        b.Append(string.Concat(Enumerable.Repeat(shaft, left))).Append(text);
        b.Append(string.Concat(Enumerable.Repeat(shaft, rest)));
        if (right) b.Append(unicode ? "►" : ">");
        return b.Append(bar).ToString();
    }
}
