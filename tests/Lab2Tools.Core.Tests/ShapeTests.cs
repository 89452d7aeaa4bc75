using System.Globalization;
using Lab2Tools.Model;
using Lab2Tools.Text;
using Xunit;

namespace Lab2Tools.Tests;

/// <summary>
/// The display properties the views show (computed here rather than in the format file) say what tshark says,
/// and the public surface holds text and numbers.
/// </summary>
public class ShapeTests
{
    [Theory]
    [InlineData("http-visit.pcap")]
    [InlineData("midstream.pcap")]
    [InlineData("curl-http.pcap")]
    [InlineData("loss.pcap")]
    [InlineData("zero-window.pcap")]
    public void WindowText_and_Info_agree_with_tshark(string file)
    {
        var segments = ConnectionAnalysisTests.Segments(file);
        var rows = TestData.RunTool("tshark", "-n", "-r", TestData.Path(file), "-Y", "tcp",
                "-T", "fields", "-E", "separator=/t",
                "-e", "frame.number", "-e", "tcp.window_size", "-e", "tcp.window_size_value", "-e", "tcp.window_size_scalefactor",
                "-e", "_ws.col.Info")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToDictionary(f => long.Parse(f[0], CultureInfo.InvariantCulture));
        using var _ = TextCulture.Use(CultureInfo.InvariantCulture);
        Assert.NotEmpty(segments);
        foreach (var s in segments)
        {
            var t = rows[s.Frame];
            string expected = t[3] switch
            {
                "" => $"{t[1]} (SYN: never scaled)",
                "-1" => $"{t[1]} (scale unknown: the SYN was not captured)",
                "-2" => $"{t[1]} (no window scaling)",
                var f => $"{t[1]} = {t[2]} × {f}",
            };
            Assert.Equal(expected, s.WindowText);
            // without payload (no application dissector takes the Info column), tshark's Info holds the same flags
            // and, for analysed segments, starts with the same tags
            if (s.Len == 0)
            {
                Assert.Contains($"[{s.FlagsText}]", t[4]);
                if (s.AnalysisText.Length > 0) Assert.StartsWith($"[{s.AnalysisText}]", t[4]);
            }
            Assert.StartsWith($"[{s.FlagsText}]", s.Info);
        }
    }

    [Fact]
    public void The_scale_factor_words_have_one_home_in_both_languages()
    {
        using (TextCulture.Use(CultureInfo.InvariantCulture))
        {
            Assert.Equal("65535 (no window scaling)", TcpSegment.DescribeWindow(65535, 65535, -2));
            Assert.Equal("512 (scale unknown: the SYN was not captured)", TcpSegment.DescribeWindow(512, 512, -1));
        }
        using (TextCulture.Use(new CultureInfo("zh-CN")))
        {
            Assert.Equal("65535（未使用窗口缩放）", TcpSegment.DescribeWindow(65535, 65535, -2));
            Assert.Equal("65536 = 64 × 1024", TcpSegment.DescribeWindow(65536, 64, 1024));
        }
    }

    [Fact]
    public void Results_expose_text_endpoints_enum_names_and_durations_with_units()
    {
        var a = Lab2Tools.Lab.LabCaptureAnalysis.Analyze(TestData.Path("http-visit.pcap"));
        var c = a.Connections[0];
        Assert.Matches(@"^127\.0\.0\.1:\d+$", c.Client);
        Assert.Equal("127.0.0.1:5000", c.Server);
        Assert.Equal("Syn", c.RoleSource);
        Assert.Equal(c.Duration.Ticks / 10_000_000m, c.DurationSeconds);
        Assert.Equal((decimal)c.InitialRtt!.Value.TotalMilliseconds, c.InitialRttMs!.Value);
        var h = a.Handshakes[0];
        Assert.Equal("Complete", h.Verdict);
        Assert.Equal($"{h.Syn.Frame},{h.SynAck!.Frame},{h.Ack!.Frame}", h.Frames);
        Assert.Equal(3, h.StepExplanations.Split('\n').Length);
        Assert.Equal(string.Join("\n", h.Steps.Select(s => s.ToString())), h.Steps.ToString());
        var t = a.Teardowns[0];
        Assert.Equal(t.KindValue.ToString(), t.Kind);
        Assert.StartsWith("FIN:", t.Frames);
    }
}
