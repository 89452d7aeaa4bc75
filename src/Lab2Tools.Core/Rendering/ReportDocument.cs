using System.Net;
using System.Text;

namespace Lab2Tools.Rendering;

/// <summary>A small document model that renders to Markdown and to a self-contained HTML page.</summary>
public sealed class ReportDocument
{
    private abstract record Block;
    /// <param name="Id">The HTML anchor (stable across languages); the Markdown anchor is the text's own slug, as GitHub makes it.</param>
    private sealed record Heading(int Level, string Text, string Id) : Block;
    private sealed record Paragraph(string Text) : Block;
    private sealed record Items(IReadOnlyList<string> List, bool Ordered) : Block;
    private sealed record Table(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows) : Block;
    private sealed record Code(string Text) : Block;
    private sealed record Figure(string FileName, string Svg, string Caption) : Block;

    private readonly List<Block> _blocks = new();
    private readonly Dictionary<string, string> _figures = new(StringComparer.Ordinal);

    public string Title { get; }
    /// <summary>The document's language (a BCP 47 tag, e.g. "en" or "zh-CN"), for the HTML page's lang attribute.</summary>
    public string Language { get; }

    public ReportDocument(string title, string? language = null)
    {
        Title = title;
        Language = string.IsNullOrEmpty(language) ? "en" : language;
    }

    /// <summary>The SVG files the Markdown refers to (file name → content).</summary>
    public IReadOnlyDictionary<string, string> Figures => _figures;

    public ReportDocument H(int level, string text, string? id = null)
    {
        _blocks.Add(new Heading(level, text, id ?? Slug(text)));
        return this;
    }

    public ReportDocument P(string text) { _blocks.Add(new Paragraph(text)); return this; }
    public ReportDocument List(IEnumerable<string> items, bool ordered = false)
    {
        _blocks.Add(new Items(items.ToList(), ordered));
        return this;
    }

    public ReportDocument T(IEnumerable<string> headers, IEnumerable<IEnumerable<string>> rows)
    {
        _blocks.Add(new Table(headers.ToList(), rows.Select(r => (IReadOnlyList<string>)r.ToList()).ToList()));
        return this;
    }

    public ReportDocument Pre(string text) { _blocks.Add(new Code(text)); return this; }
    public ReportDocument Svg(string fileName, string svg, string caption)
    {
        _figures[fileName] = svg;
        _blocks.Add(new Figure(fileName, svg, caption));
        return this;
    }

    private static string Slug(string text)
    {
        var b = new StringBuilder();
        foreach (char c in text.ToLowerInvariant())
            if (char.IsLetterOrDigit(c)) b.Append(c);
            else if ((c == ' ' || c == '-') && b.Length > 0 && b[^1] != '-') b.Append('-');
        return b.ToString().Trim('-');
    }

    // Inline markup in the text: `code` and **bold**, rendered for each format.
    private static string MdCell(string s) => s.Replace("|", "\\|").Replace("\n", " ");

    public string ToMarkdown()
    {
        var b = new StringBuilder();
        b.Append("# ").AppendLine(Title).AppendLine();
        var toc = _blocks.OfType<Heading>().Where(h => h.Level == 2).ToList();
        if (toc.Count > 0)
        {
            foreach (var h in toc) b.AppendLine($"- [{h.Text}](#{Slug(h.Text)})");
            b.AppendLine();
        }
        foreach (var block in _blocks)
        {
            switch (block)
            {
                case Heading h: b.Append(new string('#', h.Level)).Append(' ').AppendLine(h.Text); break;
                case Paragraph p: b.AppendLine(p.Text); break;
                case Items l:
                    int i = 1;
                    foreach (var item in l.List) b.AppendLine((l.Ordered ? $"{i++}. " : "- ") + item);
                    break;
                case Table t:
                    b.AppendLine("| " + string.Join(" | ", t.Headers.Select(MdCell)) + " |");
                    b.AppendLine("|" + string.Concat(t.Headers.Select(_ => " --- |")));
                    foreach (var r in t.Rows) b.AppendLine("| " + string.Join(" | ", r.Select(MdCell)) + " |");
                    break;
                case Code c: b.AppendLine("```").AppendLine(c.Text.TrimEnd()).AppendLine("```"); break;
                case Figure f: b.AppendLine($"![{f.Caption}]({f.FileName})").AppendLine().AppendLine($"*{f.Caption}*"); break;
            }
            b.AppendLine();
        }
        return b.ToString();
    }

    private static string Inline(string text)
    {
        // HTML-encode, then turn `code` and **bold** into tags
        var enc = WebUtility.HtmlEncode(text);
        var b = new StringBuilder();
        bool code = false, bold = false;
        for (int i = 0; i < enc.Length; i++)
        {
            if (enc[i] == '`') { b.Append(code ? "</code>" : "<code>"); code = !code; continue; }
            if (!code && enc[i] == '*' && i + 1 < enc.Length && enc[i + 1] == '*')
            {
                b.Append(bold ? "</strong>" : "<strong>");
                bold = !bold;
                i++;
                continue;
            }
            b.Append(enc[i]);
        }
        if (code) b.Append("</code>");
        if (bold) b.Append("</strong>");
        return b.ToString();
    }

    private static string Cell(string c) =>
        c == "PASS" ? "<td class=\"pass\">PASS</td>" : c == "FAIL" ? "<td class=\"fail\">FAIL</td>" : $"<td>{Inline(c)}</td>";

    public string ToHtml()
    {
        var b = new StringBuilder();
        b.AppendLine("<!doctype html>");
        b.AppendLine($"<html lang=\"{WebUtility.HtmlEncode(Language)}\"><head><meta charset=\"utf-8\">");
        b.AppendLine($"<title>{WebUtility.HtmlEncode(Title)}</title>");
        b.AppendLine("<style>");
        // the CJK fonts after the Latin ones: Latin text keeps its look, Chinese text finds its glyphs
        b.AppendLine("body{font-family:'DejaVu Sans',Arial,'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif;" +
            "max-width:1180px;margin:2em auto;padding:0 1em;line-height:1.5;color:#222}");
        b.AppendLine("h1{color:#1d4e89;border-bottom:2px solid #1d4e89}h2{color:#1d4e89;margin-top:2em;border-bottom:1px solid #ccd}" +
            "h3{color:#333}");
        b.AppendLine("table{border-collapse:collapse;margin:.5em 0;font-size:.9em}" +
            "th,td{border:1px solid #bbc;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#e8eefc}");
        b.AppendLine("code{background:#eef;padding:0 .2em}" +
            "pre{background:#f6f6fa;border:1px solid #ddd;padding:.6em;overflow-x:auto;font-size:.85em}");
        b.AppendLine("figure{margin:1em 0;overflow-x:auto}figcaption{color:#555;font-style:italic}" +
            "nav{background:#f6f6fa;padding:.5em 1em;border:1px solid #ddd}");
        b.AppendLine("td.pass{color:#1e7b34;font-weight:bold}td.fail{color:#c0392b;font-weight:bold}");
        b.AppendLine("</style></head><body>");
        b.AppendLine($"<h1>{WebUtility.HtmlEncode(Title)}</h1>");
        var toc = _blocks.OfType<Heading>().Where(h => h.Level == 2).ToList();
        if (toc.Count > 0)
        {
            b.AppendLine("<nav><ul>");
            foreach (var h in toc) b.AppendLine($"<li><a href=\"#{h.Id}\">{WebUtility.HtmlEncode(h.Text)}</a></li>");
            b.AppendLine("</ul></nav>");
        }
        foreach (var block in _blocks)
        {
            switch (block)
            {
                case Heading h: b.AppendLine($"<h{h.Level} id=\"{h.Id}\">{WebUtility.HtmlEncode(h.Text)}</h{h.Level}>"); break;
                case Paragraph p: b.AppendLine($"<p>{Inline(p.Text)}</p>"); break;
                case Items l:
                    string tag = l.Ordered ? "ol" : "ul";
                    b.AppendLine($"<{tag}>");
                    foreach (var item in l.List) b.AppendLine($"<li>{Inline(item)}</li>");
                    b.AppendLine($"</{tag}>");
                    break;
                case Table t:
                    b.AppendLine("<table><thead><tr>" + string.Concat(t.Headers.Select(h => $"<th>{WebUtility.HtmlEncode(h)}</th>"))
                        + "</tr></thead><tbody>");
                    foreach (var r in t.Rows)
                        b.AppendLine("<tr>" + string.Concat(r.Select(Cell)) + "</tr>");
                    b.AppendLine("</tbody></table>");
                    break;
                case Code c: b.AppendLine($"<pre>{WebUtility.HtmlEncode(c.Text.TrimEnd())}</pre>"); break;
                case Figure f:
                    b.AppendLine("<figure>");
                    b.AppendLine(f.Svg.TrimEnd());
                    b.AppendLine($"<figcaption>{WebUtility.HtmlEncode(f.Caption)}</figcaption></figure>");
                    break;
            }
        }
        b.AppendLine("</body></html>");
        return b.ToString();
    }
}
