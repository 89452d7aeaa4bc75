using System.Globalization;
using System.Security;
using System.Text;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Flow;
using static Lab2Tools.Analysis.AnalysisText;

namespace Lab2Tools.Rendering;

/// <summary>
/// Draws a <see cref="TcpFlow"/> as an SVG ladder diagram (self-contained, no scripts, no external fonts), with its
/// headings and notes in the current language.
/// </summary>
public static class FlowSvgRenderer
{
    private const int Top = 64, RowHeight = 30, ClientX = 250, ServerX = 750, Width = 1120;

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string E(string s) => SecurityElement.Escape(s) ?? "";

    public static string Render(TcpFlow flow, string? title = null)
    {
        int rows = flow.Rows.Count + (flow.OmittedRows > 0 ? 1 : 0);
        int height = Top + RowHeight * (rows + 1) + 28 + 16 * flow.Notes.Count;
        var b = new StringBuilder();
        b.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" ")
            .Append($"viewBox=\"0 0 {Width} {height}\" font-family=\"DejaVu Sans Mono, Consolas, monospace\" font-size=\"11\">\n");
        b.Append($"<title>{E(title ?? Say("Flow.SvgTitle", flow.Stream, flow.Client, flow.Server))}</title>\n");
        b.Append("<defs><marker id=\"h\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\">")
            .Append("<path d=\"M0,0 L10,4 L0,8 z\" fill=\"#333\"/></marker></defs>\n");
        b.Append($"<rect width=\"{Width}\" height=\"{height}\" fill=\"#fff\"/>\n");
        string heading = title ?? Say("Flow.SvgHeading", flow.Stream);
        b.Append($"<text x=\"10\" y=\"18\" font-size=\"13\" font-weight=\"bold\">{E(heading)}</text>\n");
        b.Append($"<text x=\"10\" y=\"{Top - 22}\" fill=\"#555\">{E(Table["Flow.FrameColumn"])}</text>")
            .Append($"<text x=\"60\" y=\"{Top - 22}\" fill=\"#555\">{E(Table["Flow.TimeColumn"])}</text>\n");
        string client = E(Say("Flow.ClientHeading", flow.Client)), server = E(Say("Flow.ServerHeading", flow.Server));
        b.Append($"<text x=\"{ClientX}\" y=\"{Top - 22}\" text-anchor=\"middle\" font-weight=\"bold\">{client}</text>\n");
        b.Append($"<text x=\"{ServerX}\" y=\"{Top - 22}\" text-anchor=\"middle\" font-weight=\"bold\">{server}</text>\n");
        int bottom = Top + RowHeight * (rows + 1);
        LifeLine(b, ClientX, bottom);
        LifeLine(b, ServerX, bottom);
        State(b, flow.ClientInitialStateValue, ClientX, Top - 4, true);
        State(b, flow.ServerInitialStateValue, ServerX, Top - 4, false);

        int y = Top + RowHeight;
        foreach (var r in flow.Rows)
        {
            bool right = r.DirectionValue == FlowDirection.ClientToServer;
            int x1 = right ? ClientX : ServerX, x2 = right ? ServerX - 2 : ClientX + 2;
            string color = r.Flags.Contains("RST") ? "#c0392b" : r.Flags.Contains("SYN") ? "#1d6fb8"
                : r.Flags.Contains("FIN") ? "#8e44ad" : r.Len > 0 ? "#1e7b34" : "#333";
            string seconds = r.TimeInStream.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture);
            b.Append($"<text x=\"10\" y=\"{y + 4}\">{r.Frame}</text><text x=\"60\" y=\"{y + 4}\">{seconds}</text>\n");
            b.Append($"<line x1=\"{x1}\" y1=\"{y - 4}\" x2=\"{x2}\" y2=\"{y + 6}\" stroke=\"{color}\" stroke-width=\"1.5\" ")
                .Append("marker-end=\"url(#h)\"/>\n");
            b.Append($"<text x=\"{(ClientX + ServerX) / 2}\" y=\"{y - 8}\" text-anchor=\"middle\" fill=\"{color}\">")
                .Append($"{E(r.Label)}</text>\n");
            if (r.ClientStateValue is TcpState cs) State(b, cs, ClientX, y + 4, true);
            if (r.ServerStateValue is TcpState ss) State(b, ss, ServerX, y + 4, false);
            if (r.Comment.Length > 0)
                b.Append($"<text x=\"{ServerX + 122}\" y=\"{y + 4}\" fill=\"#444\">{E(r.Comment)}</text>\n");
            y += RowHeight;
        }
        if (flow.OmittedRows > 0)
        {
            string omitted = E(Say("Flow.Omitted", flow.OmittedRows));
            b.Append($"<text x=\"{(ClientX + ServerX) / 2}\" y=\"{y}\" text-anchor=\"middle\" fill=\"#777\">… {omitted} …</text>\n");
            y += RowHeight;
        }
        State(b, flow.ClientFinalStateValue, ClientX, y, true);
        State(b, flow.ServerFinalStateValue, ServerX, y, false);
        y += 28;
        foreach (var n in flow.Notes)
        {
            b.Append($"<text x=\"10\" y=\"{y}\" fill=\"#555\">{E(n)}</text>\n");
            y += 16;
        }
        b.Append("</svg>\n");
        return b.ToString();
    }

    private static void LifeLine(StringBuilder b, int x, int bottom) =>
        b.Append($"<line x1=\"{x}\" y1=\"{Top - 14}\" x2=\"{x}\" y2=\"{bottom}\" stroke=\"#888\" stroke-width=\"2\"/>\n");

    private static void State(StringBuilder b, TcpState? state, int lineX, int y, bool leftOfLine)
    {
        if (state is not TcpState s) return;
        string text = s.ToString();
        double w = text.Length * 6.7 + 10;
        double x = leftOfLine ? lineX - 8 - w : lineX + 8;
        string fill = s switch
        {
            TcpState.ESTABLISHED => "#dff0d8",
            TcpState.TIME_WAIT => "#fcf3cf",
            TcpState.CLOSED => "#eeeeee",
            TcpState.LISTEN => "#e8eefc",
            _ => "#f6e4f8",
        };
        b.Append($"<rect x=\"{F(x)}\" y=\"{y - 12}\" width=\"{F(w)}\" height=\"16\" rx=\"3\" fill=\"{fill}\" stroke=\"#999\"/>");
        b.Append($"<text x=\"{F(x + 5)}\" y=\"{y}\">{text}</text>\n");
    }
}
