using System.Globalization;
using System.Text.RegularExpressions;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Lab;
using Lab2Tools.Rendering;
using Lab2Tools.Text;

namespace Lab2Tools.Tests;

/// <summary>
/// The analyses' words under each culture, from real captures: under zh-CN (zh-SG, zh-Hans) every explanation,
/// cause, reason, note and heading is Chinese, with no English sentence, and carries the same figures (frames,
/// sequence numbers, ports, byte counts) as its English twin; every other culture gets the English.
/// </summary>
public class AnalysisTranslationTests
{
    public static IEnumerable<object[]> Files() => new[]
    {
        "http-visit.pcap", "client-abort.pcap", "half-close.pcap", "refused.pcap", "syn-no-answer.pcap", "loss.pcap",
        "zero-window.pcap", "keepalive.pcap", "port-reuse.pcap", "midstream.pcap", "curl-http.pcap", "chromium-lab.pcap",
    }.Select(f => new object[] { f });

    /// <summary>One text of an analysis, with where it came from (for messages).</summary>
    private sealed record Said(string Where, string Text);

    /// <summary>Every sentence the analyses say about a capture, in a fixed order, in <paramref name="culture"/>.</summary>
    private static List<Said> Texts(string file, string culture)
    {
        using var scope = TextCulture.Use(new CultureInfo(culture));
        var said = new List<Said>();
        var conns = new ConnectionAnalyzer();
        var expert = new ExpertAnalyzer();
        var http = new HttpAnalyzer();
        foreach (var s in ConnectionAnalysisTests.Segments(file, payload: true))
        {
            conns.Add(s);
            foreach (var e in expert.Analyze(s)) said.Add(new($"expert {e.Field} frame {e.Frame}", e.Reason));
            http.Add(s);
            foreach (var p in http.TakeProblems()) said.Add(new($"http stream {p.Stream}", p.Message));
        }
        http.Finish();
        foreach (var r in conns.Records)
        {
            if (r.ToHandshake() is TcpHandshake h)
            {
                said.Add(new($"handshake {h.Stream}", h.Explanation));
                foreach (var step in h.Steps) said.Add(new($"handshake {h.Stream} frame {step.Frame}", step.Explanation));
            }
            if (r.ToTeardown() is TcpTeardown t)
            {
                said.Add(new($"teardown {t.Stream}", t.Explanation));
                foreach (var step in t.Steps) said.Add(new($"teardown {t.Stream} frame {step.Frame}", step.Explanation));
            }
            foreach (var x in r.ToStateTimeline())
            {
                said.Add(new($"state {x.Stream} {x.Role} {x.To} cause", x.Cause));
                said.Add(new($"state {x.Stream} {x.Role} {x.To}", x.Explanation));
            }
        }
        var lab = LabCaptureAnalysis.Analyze(TestData.Path(file));
        foreach (var c in lab.Connections)
        {
            var flow = lab.Flow(c.Stream)!;
            foreach (var n in flow.Notes) said.Add(new($"flow {c.Stream} note", n));
            var lines = FlowTextRenderer.Render(flow);
            said.Add(new($"flow {c.Stream} title", lines[0]));
            said.Add(new($"flow {c.Stream} heading", lines[1]));
        }
        return said;
    }

    private static readonly Regex Number = new(@"\d+(?:\.\d+)?", RegexOptions.Compiled);
    private static readonly Regex Han = new(@"\p{IsCJKUnifiedIdeographs}", RegexOptions.Compiled);
    // three words in a row, each with a lower-case letter: the start of an English sentence ("is not in", "the
    // capture started"); protocol tokens (SYN-ACK, SACK_PERM, FIN_WAIT_1, Seq 0, ss -tan) do not make one
    private static readonly Regex EnglishWords = new(
        @"\b[A-Za-z]*[a-z][A-Za-z]*\b(?:[ ,;:]+\b[A-Za-z]*[a-z][A-Za-z]*\b){2,}", RegexOptions.Compiled);
    // data quoted from the capture itself (an HTTP line that was not HTTP) is the capture's, not ours
    private static readonly Regex Quoted = new(@"“[^”]*”|'[^']*'", RegexOptions.Compiled);

    private static string Figures(string text) =>
        string.Join(" ", Number.Matches(Quoted.Replace(text, "")).Select(m => m.Value).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Files))]
    public void UnderZhCnEverySentenceIsChineseWithTheSameFigures(string file)
    {
        var en = Texts(file, "en-US");
        var zh = Texts(file, "zh-CN");
        Assert.NotEmpty(en);
        Assert.Equal(en.Select(s => s.Where), zh.Select(s => s.Where));
        for (int i = 0; i < en.Count; i++)
        {
            string e = en[i].Text, z = zh[i].Text, where = en[i].Where;
            Assert.True(Han.IsMatch(z), $"{file}, {where}: no Chinese in '{z}'");
            Assert.False(Han.IsMatch(e), $"{file}, {where}: Chinese in the English '{e}'");
            var english = EnglishWords.Match(Quoted.Replace(z, ""));
            Assert.False(english.Success, $"{file}, {where}: English '{english.Value}' in '{z}'");
            Assert.True(Figures(e) == Figures(z), $"{file}, {where}: figures differ:\n  {e}\n  {z}");
        }
    }

    [Theory]
    [InlineData("zh-SG")]
    [InlineData("zh-Hans")]
    public void EveryChineseCultureSaysTheSame(string culture)
    {
        foreach (var file in new[] { "http-visit.pcap", "client-abort.pcap", "half-close.pcap", "refused.pcap" })
            Assert.Equal(Texts(file, "zh-CN"), Texts(file, culture));
    }

    [Theory]
    [InlineData("fr-FR")]
    [InlineData("de-DE")]
    [InlineData("")]
    public void EveryOtherCultureGetsTheEnglish(string culture)
    {
        foreach (var file in new[] { "http-visit.pcap", "client-abort.pcap", "half-close.pcap", "refused.pcap" })
            Assert.Equal(Texts(file, "en-US"), Texts(file, culture));
    }

    [Fact]
    public void TheChineseLadderKeepsItsColumns()
    {
        // the headings hold Chinese (two columns a character): the client's heading still sits over its life line
        var lab = LabCaptureAnalysis.Analyze(TestData.Path("http-visit.pcap"));
        var flow = lab.Flow(0)!;
        IReadOnlyList<string> en, zh;
        using (TextCulture.Use(new CultureInfo("en-US"))) en = FlowTextRenderer.Render(flow, width: 120);
        using (TextCulture.Use(new CultureInfo("zh-CN"))) zh = FlowTextRenderer.Render(flow, width: 120);
        int rows = en.Count - 2 - flow.Notes.Count;          // the rows between the headings and the notes
        Assert.Equal(en.Skip(2).Take(rows), zh.Skip(2).Take(rows));
        int bar = zh[2].IndexOf('│');
        static int centre(string heading, string line) =>
            FlowTextRenderer.Columns(line[..line.IndexOf(heading)]) + FlowTextRenderer.Columns(heading) / 2;
        string zhClient = "客户端 " + flow.Client, enClient = "client " + flow.Client;
        Assert.InRange(centre(zhClient, zh[1]) - bar, -1, 1);
        Assert.InRange(centre(enClient, en[1]) - bar, -1, 1);
    }
}
