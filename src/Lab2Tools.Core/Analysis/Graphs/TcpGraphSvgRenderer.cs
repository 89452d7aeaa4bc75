using System.Globalization;
using System.Security;
using System.Text;

namespace Lab2Tools.Analysis.Graphs;

/// <summary>
/// Draws a <see cref="TcpStreamGraph"/> as a self-contained SVG: titled axes with units, ticks at 1-2-5 steps,
/// a legend, and every series thinned to what the plot's pixel columns can show (for each series and each
/// pixel column the first, last, lowest and highest point are kept; bars in one column become one bar from
/// the lowest to the highest edge), so a graph of any length stays a few hundred kilobytes.
/// </summary>
public static class TcpGraphSvgRenderer
{
    public const int Width = 960, Height = 540;
    private const int Left = 90, Right = 90, Top = 48, Bottom = 100;
    private const int PlotW = Width - Left - Right, PlotH = Height - Top - Bottom;

    private enum Style { Dots, Line, Step, Bars, Marks }

    private sealed record SeriesStyle(TcpGraphSeries Series, string Color, Style Style, bool RightAxis)
    {
        public string Label => GraphText.Get("Series." + Series);
    }

    private static IReadOnlyList<SeriesStyle> Styles(TcpGraphType type) => type switch
    {
        TcpGraphType.Stevens => new[] { new SeriesStyle(TcpGraphSeries.Sequence, "#1f5fa8", Style.Dots, false) },
        TcpGraphType.TcpTrace => new[]
        {
            new SeriesStyle(TcpGraphSeries.ReceiveWindowEdge, "#b8860b", Style.Step, false),
            new SeriesStyle(TcpGraphSeries.Ack, "#2e8b57", Style.Step, false),
            new SeriesStyle(TcpGraphSeries.Segment, "#1f3f8f", Style.Bars, false),
            new SeriesStyle(TcpGraphSeries.Sack, "#8b3fa8", Style.Bars, false),
            new SeriesStyle(TcpGraphSeries.Sack2, "#d07fe0", Style.Bars, false),
            new SeriesStyle(TcpGraphSeries.DuplicateAck, "#d62728", Style.Marks, false),
            new SeriesStyle(TcpGraphSeries.ZeroWindow, "#ff7f0e", Style.Marks, false),
        },
        TcpGraphType.Throughput => new[]
        {
            new SeriesStyle(TcpGraphSeries.SegmentLength, "#1f5fa8", Style.Dots, false),
            new SeriesStyle(TcpGraphSeries.Throughput, "#b8860b", Style.Line, true),
            new SeriesStyle(TcpGraphSeries.Goodput, "#2e8b57", Style.Line, true),
        },
        TcpGraphType.RoundTripTime => new[]
        {
            new SeriesStyle(TcpGraphSeries.RoundTripTime, "#1f5fa8", Style.Line, false),
        },
        _ => new[]
        {
            new SeriesStyle(TcpGraphSeries.BytesOutstanding, "#1f5fa8", Style.Step, false),
            new SeriesStyle(TcpGraphSeries.ReceiveWindow, "#2e8b57", Style.Step, false),
        },
    };

    private static (string Left, string? Right) AxisTitles(TcpGraphType type) => type switch
    {
        TcpGraphType.Stevens or TcpGraphType.TcpTrace => (GraphText.Get("Axis.RelativeSequence"), null),
        TcpGraphType.Throughput => (GraphText.Get("Axis.SegmentLength"), GraphText.Get("Axis.Throughput")),
        TcpGraphType.RoundTripTime => (GraphText.Get("Axis.RoundTripTime"), null),
        _ => (GraphText.Get("Axis.Bytes"), null),
    };

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string E(string s) => SecurityElement.Escape(s) ?? "";

    public static string Render(TcpStreamGraph graph, string? title = null)
    {
        var styles = Styles(graph.Type);
        var bySeries = styles.ToDictionary(s => s.Series, s => graph.Points.Where(p => p.Series == s.Series.ToString()).ToList());
        var (leftTitle, rightTitle) = AxisTitles(graph.Type);
        bool rtt = graph.Type == TcpGraphType.RoundTripTime;

        double xMin = 0, xMax = 0;
        bool any = false;
        foreach (var list in bySeries.Values)
            foreach (var p in list)
            {
                if (!any) { xMin = xMax = p.X; any = true; }
                xMin = Math.Min(xMin, p.X); xMax = Math.Max(xMax, p.X);
            }
        var (lMin, lMax) = Range(styles.Where(s => !s.RightAxis).SelectMany(s => bySeries[s.Series]));
        var (rMin, rMax) = Range(styles.Where(s => s.RightAxis).SelectMany(s => bySeries[s.Series]));
        if (graph.Type is TcpGraphType.Throughput or TcpGraphType.RoundTripTime or TcpGraphType.WindowScaling)
        {
            lMin = Math.Min(lMin, 0);
            rMin = Math.Min(rMin, 0);
        }

        // time axis: seconds, or milliseconds when the graph is shorter than a second
        double xScale = xMax - xMin < 1 ? 1000 : 1;
        string xTitle = GraphText.Get(xScale == 1000 ? "Axis.TimeMs" : "Axis.TimeS");
        var xTicks = Ticks(xMin * xScale, xMax * xScale);
        double x0 = xTicks.Min / xScale, x1 = xTicks.Max / xScale;
        double yScale = 1;
        if (rtt)
        {
            yScale = lMax < 0.001 ? 1_000_000 : 1000;
            leftTitle = GraphText.Get(yScale == 1000 ? "Axis.RttMs" : "Axis.RttUs");
        }
        var yTicks = Ticks(lMin * yScale, lMax * yScale);
        double y0 = yTicks.Min / yScale, y1 = yTicks.Max / yScale;
        var rTicks = Ticks(rMin, rMax);

        double Px(double x) => Left + (x1 == x0 ? 0 : (x - x0) / (x1 - x0) * PlotW);
        double Py(double y) => Top + PlotH - (y1 == y0 ? 0 : (y - y0) / (y1 - y0) * PlotH);
        double Pr(double y) => Top + PlotH - (rTicks.Max == rTicks.Min ? 0 : (y - rTicks.Min) / (rTicks.Max - rTicks.Min) * PlotH);

        var b = new StringBuilder();
        b.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"tcp-graph\" ")
         .Append($"data-graph=\"{graph.Type}\" width=\"{Width}\" height=\"{Height}\" ")
         .Append($"viewBox=\"0 0 {Width} {Height}\" ")
         .Append("font-family=\"DejaVu Sans, Arial, WenQuanYi Micro Hei, sans-serif\" font-size=\"13\">\n");
        string t = title ?? GraphText.Format("StreamTitle", graph.Title, graph.Stream);
        b.Append($"<title>{E(t)}</title>\n<rect width=\"{Width}\" height=\"{Height}\" fill=\"#fff\"/>\n");
        b.Append($"<text x=\"{Width / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{E(t)}</text>\n");

        // grid and ticks
        b.Append("<g class=\"axis x-axis\">\n");
        foreach (var v in xTicks.Values)
        {
            double px = Px(v / xScale);
            b.Append($"<line x1=\"{F(px)}\" y1=\"{Top}\" x2=\"{F(px)}\" y2=\"{Top + PlotH}\" stroke=\"#e4e4e4\"/>");
            b.Append($"<line x1=\"{F(px)}\" y1=\"{Top + PlotH}\" x2=\"{F(px)}\" y2=\"{Top + PlotH + 5}\" stroke=\"#333\"/>");
            b.Append($"<text class=\"tick\" x=\"{F(px)}\" y=\"{Top + PlotH + 20}\" text-anchor=\"middle\">{Num(v, xTicks.Step)}</text>\n");
        }
        b.Append($"<text class=\"axis-title\" x=\"{Left + PlotW / 2}\" y=\"{Top + PlotH + 42}\" text-anchor=\"middle\">")
         .Append($"{E(xTitle)}</text>\n</g>\n");
        b.Append("<g class=\"axis y-axis\">\n");
        foreach (var v in yTicks.Values)
        {
            double py = Py(v / yScale);
            b.Append($"<line x1=\"{Left}\" y1=\"{F(py)}\" x2=\"{Left + PlotW}\" y2=\"{F(py)}\" stroke=\"#e4e4e4\"/>");
            b.Append($"<line x1=\"{Left - 5}\" y1=\"{F(py)}\" x2=\"{Left}\" y2=\"{F(py)}\" stroke=\"#333\"/>");
            b.Append($"<text class=\"tick\" x=\"{Left - 8}\" y=\"{F(py + 4)}\" text-anchor=\"end\">{Si(v, yTicks.Step)}</text>\n");
        }
        b.Append($"<text class=\"axis-title\" transform=\"translate(22,{Top + PlotH / 2}) rotate(-90)\" text-anchor=\"middle\">")
         .Append($"{E(leftTitle)}</text>\n</g>\n");
        if (rightTitle != null)
        {
            b.Append("<g class=\"axis y2-axis\">\n");
            foreach (var v in rTicks.Values)
            {
                double py = Pr(v);
                b.Append($"<line x1=\"{Left + PlotW}\" y1=\"{F(py)}\" x2=\"{Left + PlotW + 5}\" y2=\"{F(py)}\" stroke=\"#333\"/>");
                b.Append($"<text class=\"tick\" x=\"{Left + PlotW + 8}\" y=\"{F(py + 4)}\">{Si(v, rTicks.Step)}</text>\n");
            }
            b.Append($"<text class=\"axis-title\" transform=\"translate({Width - 16},{Top + PlotH / 2}) rotate(90)\" ")
             .Append($"text-anchor=\"middle\">{E(rightTitle)}</text>\n</g>\n");
        }
        b.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{PlotW}\" height=\"{PlotH}\" fill=\"none\" stroke=\"#333\"/>\n");

        // series
        b.Append($"<clipPath id=\"plot{graph.Stream}{graph.Type}\">")
         .Append($"<rect x=\"{Left - 3}\" y=\"{Top - 3}\" width=\"{PlotW + 6}\" height=\"{PlotH + 6}\"/></clipPath>\n");
        b.Append($"<g clip-path=\"url(#plot{graph.Stream}{graph.Type})\">\n");
        foreach (var s in styles)
        {
            // drawn in x order, as Wireshark's plot keeps its data sorted by key (RTT samples arrive in ACK order)
            var pts = bySeries[s.Series].OrderBy(p => p.X).ToList();
            if (pts.Count == 0) continue;
            Func<double, double> py = s.RightAxis ? Pr : v => Py(v);
            b.Append($"<g class=\"series\" data-series=\"{s.Series}\" data-points=\"{pts.Count}\">");
            var thin = Thin(pts, Px, s.Style == Style.Bars);
            switch (s.Style)
            {
                case Style.Dots:
                    foreach (var p in thin) b.Append($"<circle cx=\"{F(Px(p.X))}\" cy=\"{F(py(p.V))}\" r=\"2\" fill=\"{s.Color}\"/>");
                    break;
                case Style.Marks:
                    foreach (var p in thin)
                    {
                        double cx = Px(p.X), cy = py(p.V);
                        b.Append($"<path d=\"M{F(cx - 4)},{F(cy - 4)}L{F(cx + 4)},{F(cy + 4)}")
                         .Append($"M{F(cx - 4)},{F(cy + 4)}L{F(cx + 4)},{F(cy - 4)}\" ")
                         .Append($"stroke=\"{s.Color}\" stroke-width=\"1.6\"/>");
                    }
                    break;
                case Style.Bars:
                    var d = new StringBuilder();
                    foreach (var p in thin)
                    {
                        double cx = Px(p.X), ya = py(p.Lo), yb = py(p.Hi);
                        if (Math.Abs(ya - yb) < 1) { ya += 0.5; yb -= 0.5; }
                        d.Append($"M{F(cx)},{F(ya)}V{F(yb)}");
                    }
                    b.Append($"<path d=\"{d}\" stroke=\"{s.Color}\" stroke-width=\"1.5\" fill=\"none\"/>");
                    break;
                default:
                    var line = new StringBuilder();
                    double? prevY = null;
                    foreach (var p in thin)
                    {
                        double cx = Px(p.X), cy = py(p.V);
                        if (prevY == null) line.Append($"M{F(cx)},{F(cy)}");
                        else if (s.Style == Style.Step) line.Append($"H{F(cx)}V{F(cy)}");
                        else line.Append($"L{F(cx)},{F(cy)}");
                        prevY = cy;
                    }
                    b.Append($"<path d=\"{line}\" stroke=\"{s.Color}\" stroke-width=\"1.5\" fill=\"none\"/>");
                    break;
            }
            b.Append("</g>\n");
        }
        b.Append("</g>\n");

        // legend, below the plot
        b.Append("<g class=\"legend\">\n");
        double lx = Left, ly = Top + PlotH + 66;
        foreach (var s in styles)
        {
            int n = bySeries[s.Series].Count;
            string label = $"{s.Label}{(s.RightAxis ? " (right axis)" : "")}: {n.ToString("N0", CultureInfo.InvariantCulture)}";
            double w = 30 + label.Length * 7.2;
            if (lx + w > Width - 10) { lx = Left; ly += 20; }
            b.Append($"<g class=\"legend-item\" data-series=\"{s.Series}\">")
             .Append($"<rect x=\"{F(lx)}\" y=\"{F(ly - 9)}\" width=\"18\" height=\"10\" fill=\"{s.Color}\"/>");
            b.Append($"<text x=\"{F(lx + 24)}\" y=\"{F(ly)}\">{E(label)}</text></g>\n");
            lx += w;
        }
        b.Append("</g>\n</svg>\n");
        return b.ToString();
    }

    private static (double Min, double Max) Range(IEnumerable<TcpGraphPoint> points)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var p in points)
        {
            min = Math.Min(min, p.Low ?? p.Value); max = Math.Max(max, p.High ?? p.Value);
        }
        return double.IsInfinity(min) ? (0, 1) : (min, max);
    }

    private readonly record struct Pt(double X, double V, double Lo, double Hi);

    /// <summary>Keeps, for each pixel column, the first, lowest, highest and last point (bars: one bar over the column's extent).</summary>
    private static List<Pt> Thin(List<TcpGraphPoint> pts, Func<double, double> px, bool bars)
    {
        var result = new List<Pt>();
        int i = 0;
        while (i < pts.Count)
        {
            int col = (int)Math.Floor(px(pts[i].X));
            int j = i;
            int lo = i, hi = i;
            double barLo = pts[i].Low ?? pts[i].Value, barHi = pts[i].High ?? pts[i].Value;
            while (j + 1 < pts.Count && (int)Math.Floor(px(pts[j + 1].X)) == col)
            {
                j++;
                if (pts[j].Value < pts[lo].Value) lo = j;
                if (pts[j].Value > pts[hi].Value) hi = j;
                barLo = Math.Min(barLo, pts[j].Low ?? pts[j].Value);
                barHi = Math.Max(barHi, pts[j].High ?? pts[j].Value);
            }
            if (bars) result.Add(new Pt(pts[i].X, pts[i].Value, barLo, barHi));
            else
                foreach (int k in new[] { i, lo, hi, j }.Distinct().OrderBy(k => k))
                    result.Add(new Pt(pts[k].X, pts[k].Value, pts[k].Value, pts[k].Value));
            i = j + 1;
        }
        return result;
    }

    private sealed record TickSet(double Min, double Max, double Step, IReadOnlyList<double> Values);

    /// <summary>About six ticks at 1, 2 or 5 times a power of ten, the range widened to whole steps.</summary>
    private static TickSet Ticks(double min, double max)
    {
        if (max <= min) { max = min + (min == 0 ? 1 : Math.Abs(min) * 0.1); }
        double raw = (max - min) / 6;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 5, 10 }.Select(m => m * mag).First(s => s >= raw);
        double lo = Math.Floor(min / step) * step, hi = Math.Ceiling(max / step) * step;
        var values = new List<double>();
        for (double v = lo; v <= hi + step / 2; v += step) values.Add(Math.Round(v / step) * step);
        return new TickSet(lo, hi, step, values);
    }

    private static string Num(double v, double step)
    {
        int decimals = step >= 1 ? 0 : (int)Math.Ceiling(-Math.Log10(step) - 1e-9);
        return v.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>Tick label with an SI prefix (k, M, G) chosen from the step, e.g. 1.5M.</summary>
    private static string Si(double v, double step)
    {
        if (v == 0) return "0";
        double top = Math.Max(Math.Abs(v), step);
        (double div, string prefix) =
            top >= 1e9 && step >= 1e7 ? (1e9, "G") : top >= 1e6 && step >= 1e4 ? (1e6, "M") : top >= 1e4 && step >= 10 ? (1e3, "k") : (1,
                "");
        return Num(v / div, step / div) + prefix;
    }
}
