using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Lab2Tools.Analysis;
using Lab2Tools.Lab;
using Lab2Tools.Text;
using Xunit;

namespace Lab2Tools.Tests;

/// <summary>
/// What the report, the teardown steps and the checks say agrees with the capture (tshark's view of it), in English
/// and Chinese: the addresses, window scaling, a FIN's Len, DataAfterFirstFin, a damaged file's evidence, and
/// Chinese punctuation and spacing.
/// </summary>
public class ReportWordingTests
{
    private const string Remote = "zeek/traces/tcp/retransmit-fast009.pcap";   // 10.0.88.85 → 192.168.0.27:80, no WS
    private static readonly Lazy<LabCaptureAnalysis> Chromium = new(() => LabCaptureAnalysis.Analyze(TestData.Path("chromium-lab.pcap")));
    private static readonly Lazy<LabCaptureAnalysis> Fast = new(() => LabCaptureAnalysis.Analyze(TestData.Path(Remote)));
    private static readonly CultureInfo Zh = new("zh-CN"), En = new("en-US");

    private static string Report(LabCaptureAnalysis a, CultureInfo c) =>
        LabReport.Build(a, null, null, Array.Empty<Sockets.TcpSocketEntry>(), c).ToMarkdown();

    /// <summary>Section 2 of a report: from its heading to section 3's.</summary>
    private static string Handshake(string md) =>
        Regex.Match(md, @"^## 2\..*?(?=^## 3\.)", RegexOptions.Singleline | RegexOptions.Multiline).Value;

    [Fact]
    public void The_report_names_client_and_server_unless_both_ends_are_one_loopback_address()
    {
        var syn = TestData.Tshark(Remote, "tcp.flags.syn == 1 && tcp.flags.ack == 0", "ip.src", "ip.dst")[0];
        Assert.NotEqual(syn["ip.src"], syn["ip.dst"]);
        string en = Handshake(Report(Fast.Value, En)), zh = Handshake(Report(Fast.Value, Zh));
        Assert.Contains($"The client {syn["ip.src"]} opens stream 0", en);
        Assert.Contains($"to the server {syn["ip.dst"]}, port 80", en);
        Assert.DoesNotContain("loopback", en);
        Assert.Contains($"客户端 {syn["ip.src"]} 从端口", zh);
        Assert.Contains($"向服务器 {syn["ip.dst"]} 的端口 80 建立流 0", zh);
        Assert.DoesNotContain("回环", zh);

        var lo = TestData.Tshark("chromium-lab.pcap", "tcp.flags.syn == 1 && tcp.flags.ack == 0", "ip.src", "ip.dst")[0];
        Assert.Equal(lo["ip.src"], lo["ip.dst"]);
        Assert.Contains($"(loopback: both ends are {lo["ip.src"]})", Handshake(Report(Chromium.Value, En)));
        Assert.Contains($"（采用回环测试，双方的 IP 地址均为 {lo["ip.src"]}）", Handshake(Report(Chromium.Value, Zh)));
    }

    [Fact]
    public void The_report_says_scaled_only_when_both_SYNs_carried_window_scale()
    {
        // tshark: which SYNs of the stream the report shows carry the window scale option
        var fast = TestData.Tshark(Remote, "tcp.stream == 0 && tcp.flags.syn == 1", "frame.number", "tcp.options.wscale.shift");
        Assert.True(fast.Count >= 2);
        Assert.All(fast, r => Assert.Equal("", r["tcp.options.wscale.shift"]));
        var third = TestData.Tshark(Remote, "frame.number == 3", "tcp.window_size_value")[0]["tcp.window_size_value"];
        string en = Handshake(Report(Fast.Value, En)), zh = Handshake(Report(Fast.Value, Zh));
        Assert.Contains($"No window scaling was agreed (it needs the window scale option in both SYNs): `Win={third}`", en);
        Assert.DoesNotContain("now scaled", en);
        Assert.Contains("双方没有协商窗口缩放", zh);
        Assert.DoesNotContain("已经缩放", zh);

        var lab = TestData.Tshark("chromium-lab.pcap", "tcp.stream == 0 && tcp.flags.syn == 1", "frame.number", "tcp.options.wscale.shift");
        Assert.Equal(2, lab.Count);
        Assert.All(lab, r => Assert.NotEqual("", r["tcp.options.wscale.shift"]));
        Assert.Contains("The window is now scaled", Handshake(Report(Chromium.Value, En)));
        Assert.Contains("此时窗口已经缩放", Handshake(Report(Chromium.Value, Zh)));
    }

    [Fact]
    public void A_FIN_that_carries_data_gives_its_Len_in_the_step_and_in_the_report_table()
    {
        var fin = TestData.Tshark("chromium-lab.pcap", "frame.number == 135", "tcp.seq", "tcp.len", "tcp.flags.fin")[0];
        var ack = TestData.Tshark("chromium-lab.pcap", "frame.number == 136", "tcp.ack")[0];
        long seq = long.Parse(fin["tcp.seq"]), len = long.Parse(fin["tcp.len"]);
        Assert.True(len > 0);
        Assert.Equal(seq + len + 1, long.Parse(ack["tcp.ack"]));
        foreach (var (c, words) in new[] { (En, $"FIN with Seq {seq} and Len {len}"), (Zh, $"发送 FIN，Seq {seq}，Len {len}") })
        {
            using var _ = TextCulture.Use(c);
            // the steps' words are chosen when the capture is analysed: analyse it in the language
            var t = LabCaptureAnalysis.Analyze(TestData.Path("chromium-lab.pcap")).Teardowns.Single(x => x.Stream == 7);
            Assert.Equal(135, t.Steps[0].Frame);
            Assert.Contains(words, t.Steps[0].Explanation);
            Assert.Contains($"Seq + Len + 1 = {seq + len + 1}", t.Steps[0].Explanation);
            // the report's section 5 table: Seq, Ack, Len columns of frame 135
            string md = Report(Chromium.Value, c);
            Assert.Matches($@"\| 1 \| 135 \| [^|]+ \| FIN, PSH, ACK \| {seq} \| \d+ \| {len} \|", md);
        }
        // a FIN without data says no Len
        var last = Chromium.Value.Teardowns.Single(x => x.Stream == 7).Steps.Single(s => s.Frame == 137);
        Assert.DoesNotContain("Len", last.Explanation);
    }

    [Fact]
    public void DataAfterFirstFin_counts_the_data_after_the_first_FIN_also_when_the_connection_ends_with_a_reset()
    {
        // stream 6: the client's FIN in frame 108, then the server's data (tshark: the bytes after that FIN)
        var rows = TestData.Tshark("chromium-lab.pcap", "tcp.stream == 6", "frame.number", "tcp.srcport", "tcp.len", "tcp.flags.fin");
        var firstFin = rows.First(r => r["tcp.flags.fin"] is "1" or "True");
        long finFrame = long.Parse(firstFin["frame.number"]);
        long expected = rows.Where(r => long.Parse(r["frame.number"]) > finFrame && r["tcp.srcport"] != firstFin["tcp.srcport"])
            .Sum(r => long.Parse(r["tcp.len"]));
        var t = Chromium.Value.Teardowns.Single(x => x.Stream == 6);
        Assert.Equal(TeardownKind.Reset, t.KindValue);
        Assert.True(expected > 0);
        Assert.Equal(expected, t.DataAfterFirstFin);
        // and for the closes it already counted: stream 7's passive side sent nothing after the FIN
        Assert.Equal(0, Chromium.Value.Teardowns.Single(x => x.Stream == 7).DataAfterFirstFin);
    }

    [Fact]
    public void A_truncated_capture_gives_one_clean_NothingAbnormal_evidence_in_both_languages()
    {
        string dir = Directory.CreateTempSubdirectory("lab2-trunc-").FullName;
        try
        {
            string cut = Path.Combine(dir, "cut.pcap");
            // what `head -c 30000 http-visit.pcap` makes: a frame cut in the middle
            File.WriteAllBytes(cut, File.ReadAllBytes(TestData.Path("http-visit.pcap")).AsSpan(0, 30000).ToArray());
            var a = LabCaptureAnalysis.Analyze(cut);
            Assert.NotNull(a.ReadProblem);
            foreach (var (c, start, damaged) in new[]
                     {
                         (En, "The capture file is damaged, which fails the check: ", "In the frames that were read: "),
                         (Zh, "抓包文件已损坏，因此本检查未通过：", "在已读出的帧中，"),
                     })
            {
                using var _ = TextCulture.Use(c);
                var read = LabCaptureAnalysis.Analyze(cut);
                var check = LabChecks.Run(read).Single(x => x.Name == "NothingAbnormal");
                Assert.Equal(LabCheckOutcome.Failed, check.ResultValue);
                Assert.StartsWith(start + read.ReadProblem, check.Evidence);
                Assert.Contains(damaged, check.Evidence);
                Assert.DoesNotMatch(@"[.。][;；]|Found the file|; ;|\.\.", check.Evidence);
                Assert.Matches(@"[.。]$", check.Evidence);
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void The_Chinese_report_counts_with_measure_words_and_uses_full_width_punctuation()
    {
        string zh = Report(Chromium.Value, Zh);
        var kinds = Chromium.Value.Teardowns.GroupBy(t => t.KindValue).ToDictionary(g => g.Key, g => g.Count());
        Assert.Contains($"{kinds[TeardownKind.ThreeWay]} 条为三次挥手", zh);
        Assert.Contains($"{kinds[TeardownKind.FourWay]} 条为四次挥手", zh);
        Assert.DoesNotMatch(@"[：、]\d+ (三次挥手|四次挥手|复位)", zh);
        Assert.Contains("6764 字节，`ETag: ", zh);
        Assert.Matches(@"\*\*206 PARTIAL CONTENT\*\*，`Content-Range: ", zh);
        Assert.Contains("` 和 `If-Modified-Since", zh);
        // a half-width comma or semicolon next to a Chinese character, outside table cells of header values
        Assert.DoesNotMatch(@"[\u4e00-\u9fff][,;] |[,;] [\u4e00-\u9fff]", zh);

        string remote = Report(Fast.Value, Zh);
        Assert.Contains("流 0 的结束方式为复位 (RST)：", remote);
        using var _ = TextCulture.Use(Zh);
        var notModified = LabChecks.Run(Chromium.Value).Single(x => x.Name == "NotModified").Evidence;
        Assert.Matches(@"带有 If-None-Match: ""[^""]+"" 和 If-Modified-Since", notModified);
    }

    /// <summary>Every Chinese text of Lab/ and Analysis/: no ASCII quotes, no half-width comma or semicolon beside Chinese.</summary>
    [Fact]
    public void The_Chinese_texts_of_the_lab_and_the_analysis_use_full_width_punctuation()
    {
        var files = new[] { "Lab", "Analysis" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(TestData.RepoRoot, "src", "Lab2Tools.Core", d), "*.zh-Hans.resx",
                SearchOption.AllDirectories));
        Assert.NotEmpty(files);
        var bad = new List<string>();
        foreach (var f in files)
            foreach (var d in XDocument.Load(f).Root!.Elements("data"))
            {
                string v = d.Element("value")?.Value ?? "";
                if (Regex.IsMatch(v, @"[\u4e00-\u9fff]") && Regex.IsMatch(v, @"""|[\u4e00-\u9fff][,;] ?|[,;] [\u4e00-\u9fff]|以 \{\d\} 结束"))
                    bad.Add($"{Path.GetFileName(f)} {d.Attribute("name")?.Value}: {v}");
            }
        Assert.Empty(bad);
    }
}
