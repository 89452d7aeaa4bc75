using System.Text.RegularExpressions;
using Lab2Tools.Lab;
using Lab2Tools.Tests;
using Xunit;

namespace Lab2Tools.Tests;

/// <summary>
/// The report and the checks look at the same things: the handshake and teardown sections describe the streams
/// whose frames the Handshake and Teardown checks give as evidence, on every committed capture.
/// </summary>
public class LabFocusTests
{
    [Theory]
    [MemberData(nameof(TestData.Captures), MemberType = typeof(TestData))]
    public void The_report_describes_the_streams_the_checks_name(string file)
    {
        var a = LabCaptureAnalysis.Analyze(TestData.Path(file));
        var checks = LabChecks.Run(a).ToDictionary(c => c.Name);
        string md = LabReport.Build(a, null, null, Array.Empty<Sockets.TcpSocketEntry>()).ToMarkdown();
        int? Figure(string kind) =>
            Regex.Match(md, $@"\({kind}-stream-(\d+)\.svg\)") is { Success: true } m ? int.Parse(m.Groups[1].Value) : null;
        var handshake = checks["Handshake"];
        if (handshake.ResultValue != LabCheckOutcome.NotApplicable && handshake.Stream != null)
            Assert.Equal(handshake.Stream, Figure("handshake"));
        var teardown = checks["Teardown"];
        if (teardown.Stream != null)
            Assert.Equal(teardown.Stream, Figure("teardown"));
        var page = checks["PageReassembled"];
        if (page.Stream != null)
            Assert.Equal(page.Stream, Figure("flow"));
    }
}

/// <summary>The report and the checks in Chinese: the same figures and frames as in English, English for other cultures.</summary>
public class LabReportCultureTests
{
    private static readonly Lazy<LabCaptureAnalysis> Chromium = new(() => LabCaptureAnalysis.Analyze(TestData.Path("chromium-lab.pcap")));

    private static string Report(string culture) =>
        LabReport.Build(Chromium.Value, null, null, Array.Empty<Sockets.TcpSocketEntry>(), new System.Globalization.CultureInfo(culture))
            .ToMarkdown();

    /// <summary>Every number of the text, in order, leaving out the time the report was generated.</summary>
    private static List<string> Numbers(string md) =>
        Regex.Matches(Regex.Replace(md, @"\d{4}-\d\d-\d\d \d\d:\d\d", ""), @"\d+(?:[.,]\d+)*").Select(m => m.Value).ToList();

    [Fact]
    public void The_Chinese_report_follows_the_seed_with_the_same_frames_and_values()
    {
        string zh = Report("zh-CN"), en = Report("en-US");
        foreach (var h in new[] { "## 1. 搭建WEB服务器", "## 2. 三次握手建立连接", "### 第一次握手：SYN（帧 1）", "## 3. 获取HTML页面",
                     "## 4. 请求解析资源", "## 5. 四次挥手", "## 6. 思考", "### 是否可以使用“两报文握手”建立连接？", "### 为什么要四次挥手？",
                     "2MSL", "TIME_WAIT", "序列号", "确认号", "窗口", "报文段", "重组" })
            Assert.Contains(h, zh);
        // the same figures: every table cell of numbers, and the multiset of numbers in the whole text
        var hs = Chromium.Value.Handshake(0)!;
        Assert.Contains($"初始序列号 (ISN) 为 {hs.ClientIsn}", zh);
        // English numbers the handshake's steps ("Step 1"; Chinese says 第一次握手), writes 2×MSL (Chinese: 2MSL)
        // and repeats the seed's Chinese heading in parentheses
        string enFigures = Regex.Replace(Regex.Replace(en, @"Step \d", ""), @"(?m)^(#+ .*?) \([^()]*\p{IsCJKUnifiedIdeographs}[^()]*\)$", "$1")
            .Replace("2×MSL", "2MSL");
        Assert.Equal(Numbers(enFigures).Order(StringComparer.Ordinal), Numbers(zh).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("fr-FR")]
    [InlineData("en-GB")]
    [InlineData("")]
    public void Every_other_culture_gets_the_English_report(string culture)
    {
        string md = Report(culture);
        Assert.Contains("## 2. The three-way handshake", md);
        Assert.Equal(Regex.Replace(Report("en-US"), @"\d{4}-\d\d-\d\d \d\d:\d\d", ""), Regex.Replace(md, @"\d{4}-\d\d-\d\d \d\d:\d\d", ""));
    }

    [Fact]
    public void The_checks_say_the_same_in_Chinese_with_the_same_frames()
    {
        IReadOnlyList<LabCheckResult> Run(string c)
        {
            using (Text.TextCulture.Use(new System.Globalization.CultureInfo(c))) return LabChecks.Run(Chromium.Value);
        }
        var en = Run("en-US");
        var zh = Run("zh-CN");
        Assert.Equal(en.Select(c => (c.Name, c.Result, c.Stream, string.Join(",", c.Frames))),
            zh.Select(c => (c.Name, c.Result, c.Stream, string.Join(",", c.Frames))));
        Assert.All(zh, c => Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", c.Evidence + c.Explanation + c.ServerPortReason));
        Assert.Equal(en.Select(c => string.Join(" ", Numbers(c.Evidence).Order(StringComparer.Ordinal))),
            zh.Select(c => string.Join(" ", Numbers(c.Evidence).Order(StringComparer.Ordinal))));
    }
}
