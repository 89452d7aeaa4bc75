using System.Net;
using System.Text.RegularExpressions;
using System.Xml;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Flow;
using Lab2Tools.Lab;
using Lab2Tools.Rendering;
using Lab2Tools.Server;

namespace Lab2Tools.Tests;

/// <summary>The lab layer: checks, flow diagrams, the report and the built-in visitor, on real captures and real sockets.</summary>
public class LabTests
{
    private static readonly Lazy<LabCaptureAnalysis> Chromium = new(() => LabCaptureAnalysis.Analyze(TestData.Path("chromium-lab.pcap")));

    [Fact]
    public void Every_check_passes_on_the_recorded_Chromium_lab()
    {
        var results = LabChecks.Run(Chromium.Value);
        Assert.Equal(LabChecks.Names, results.Select(r => r.Name));
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Name}: {r.Evidence}"));
        Assert.All(results, r => Assert.Equal(5000, r.ServerPort));
        var nothing = results.Single(r => r.Name == "NothingAbnormal");
        Assert.Contains("reset", nothing.Evidence);          // the client RST is listed, not failed
        Assert.Contains(110L, nothing.Frames);
    }

    [Fact]
    public void Check_evidence_names_the_frames_tshark_finds()
    {
        var results = LabChecks.Run(Chromium.Value).ToDictionary(r => r.Name);
        var syn = TestData.Tshark("chromium-lab.pcap", "tcp.stream == 0 && tcp.flags.syn == 1", "frame.number");
        Assert.Equal(long.Parse(syn[0]["frame.number"]), results["Handshake"].Frames[0]);
        var notModified = TestData.Tshark("chromium-lab.pcap", "http.response.code == 304", "frame.number", "http.request_in");
        Assert.Contains(long.Parse(notModified[0]["frame.number"]), results["NotModified"].Frames);
        Assert.Contains(long.Parse(notModified[0]["http.request_in"]), results["NotModified"].Frames);
        var partial = TestData.Tshark("chromium-lab.pcap", "http.response.code == 206", "frame.number");
        Assert.Contains(long.Parse(partial[0]["frame.number"]), results["PartialContent"].Frames);
        var reassembled = TestData.Tshark("chromium-lab.pcap", "tcp.stream == 0 && http.response.code == 200", "frame.number", "tcp.segment");
        var segs = reassembled[0]["tcp.segment"].Split(',').Select(long.Parse).ToList();
        Assert.True(segs.Count > 1);
        Assert.Equal(segs.Append(long.Parse(reassembled[0]["frame.number"])).Distinct().OrderBy(x => x),
            results["PageReassembled"].Frames.Skip(1).OrderBy(x => x));
    }

    [Theory]
    [InlineData("refused.pcap", "Handshake")]
    [InlineData("syn-no-answer.pcap", "Handshake")]
    [InlineData("curl-http.pcap", "PageReassembled")]
    [InlineData("loss.pcap", "NothingAbnormal")]
    [InlineData("midstream.pcap", "Handshake")]
    public void A_capture_that_misses_a_goal_fails_that_check_and_says_why(string file, string check)
    {
        var r = LabChecks.Run(LabCaptureAnalysis.Analyze(TestData.Path(file))).Single(x => x.Name == check);
        Assert.False(r.Passed);
        Assert.False(string.IsNullOrWhiteSpace(r.Evidence));
        Assert.False(string.IsNullOrWhiteSpace(r.Explanation));
    }

    [Fact]
    public void Flow_rows_are_the_streams_segments_with_Wiresharks_info_numbers()
    {
        var a = Chromium.Value;
        // tshark's Info column for plain TCP frames, without ports, timestamps and analysis tags
        var rows = TestData.Tshark("chromium-lab.pcap", "tcp", "frame.number", "tcp.stream", "_ws.col.Protocol", "_ws.col.Info");
        var info = new Dictionary<long, string>();
        foreach (var r in rows.Where(r => r["_ws.col.Protocol"] == "TCP"))
        {
            string s = r["_ws.col.Info"];
            s = Regex.Replace(s, @"^(\[TCP [^\]]+\] )+", "");
            s = Regex.Replace(s, @"^\d+ → \d+ ", "");
            s = Regex.Replace(s, @" TSval=\d+ TSecr=\d+", "");
            s = Regex.Replace(s, @" \[TCP segment of a reassembled PDU\]$", "");
            if (s.StartsWith('[')) info[long.Parse(r["frame.number"])] = s;
        }
        int compared = 0;
        foreach (var c in a.Connections)
        {
            var flow = a.Flow(c.Stream)!;
            Assert.Equal(rows.Count(r => r["tcp.stream"] == c.Stream.ToString()), flow.Rows.Count);
            foreach (var row in flow.Rows)
                if (info.TryGetValue(row.Frame, out var expected)) { Assert.Equal(expected, row.Label); compared++; }
        }
        Assert.True(compared > 100, $"only {compared} rows compared");
    }

    [Fact]
    public void Flow_states_follow_a_server_first_close()
    {
        var flow = Chromium.Value.Flow(0)!;
        Assert.Equal(TcpState.CLOSED, flow.ClientInitialStateValue);
        Assert.Equal(TcpState.LISTEN, flow.ServerInitialStateValue);
        Assert.Equal(TcpState.SYN_SENT, flow.Rows[0].ClientStateValue);
        Assert.Equal(TcpState.SYN_RECEIVED, flow.Rows[0].ServerStateValue);
        Assert.Equal(TcpState.ESTABLISHED, flow.Rows[1].ClientStateValue);
        Assert.Equal(TcpState.ESTABLISHED, flow.Rows[2].ServerStateValue);
        var fin = flow.Rows.First(r => r.Flags.Contains("FIN"));
        Assert.Equal(FlowDirection.ServerToClient, fin.DirectionValue);
        Assert.Equal(TcpState.FIN_WAIT_1, fin.ServerStateValue);
        Assert.Equal(TcpState.CLOSE_WAIT, fin.ClientStateValue);
        Assert.Equal(TcpState.CLOSED, flow.ClientFinalStateValue);
        Assert.Equal(TcpState.CLOSED, flow.ServerFinalStateValue);
        Assert.Contains(flow.Notes, n => n.Contains("TIME_WAIT"));
        Assert.Contains(flow.Rows, r => r.Comment == "GET / HTTP/1.1");
        Assert.Contains(flow.Rows, r => r.Comment == "[TCP segment of a reassembled PDU]");
        Assert.Contains(flow.Rows, r => r.Comment == "HTTP/1.1 200 OK");
    }

    [Fact]
    public void Flow_text_and_svg_draw_every_row()
    {
        var flow = Chromium.Value.Flow(2)!;
        var lines = FlowTextRenderer.Render(flow);
        foreach (var r in flow.Rows)
            Assert.Contains(lines, l => l.TrimStart().StartsWith(r.Frame + " ") && l.Contains(r.Label));
        Assert.All(FlowTextRenderer.Render(flow, unicode: false), l => Assert.True(l.All(ch => ch < 128), l));
        var svg = new XmlDocument();
        svg.LoadXml(FlowSvgRenderer.Render(flow));
        var ns = new XmlNamespaceManager(svg.NameTable);
        ns.AddNamespace("s", "http://www.w3.org/2000/svg");
        Assert.Equal(flow.Rows.Count, svg.SelectNodes("//s:line[@marker-end]", ns)!.Count);
    }

    [Fact]
    public void The_report_follows_the_seed_and_is_filled_from_the_capture()
    {
        var a = Chromium.Value;
        var doc = LabReport.Build(a, null, null, Array.Empty<Sockets.TcpSocketEntry>());
        string md = doc.ToMarkdown();
        foreach (var h in new[] { "## 1. Building the web server", "## 2. The three-way handshake", "## 3. Getting the HTML page", "## 4. The page's resources",
                     "## 5. The four-way teardown", "## 6. Questions", "### Why not a two-message handshake", "### Why four teardown messages", "### Why wait 2MSL", "## 7. Lab checks" })
            Assert.Contains(h, md);
        var hs = a.Handshake(0)!;
        Assert.Contains($"ISN) is {hs.ClientIsn}", md);
        Assert.Contains("Step 1: SYN (frame 1)", md);
        Assert.Contains("304 Not Modified", md);
        Assert.Contains("Content-Range: bytes 0-325221/325222", md);
        Assert.DoesNotMatch(@"[ =(]\?[ ).,;]", md);   // no unknown values
        Assert.Equal(3 + 2, doc.Figures.Count);   // the ladder diagrams and the audio's two TCP graphs (section 8)
        string html = doc.ToHtml();
        var x = new XmlDocument();
        foreach (var svg in doc.Figures.Values) { x.LoadXml(svg); Assert.Contains(svg.Trim(), html); }
        Assert.Equal(9, Regex.Matches(html, "<td class=\"pass\">PASS</td>").Count);
    }

    [Fact]
    public void Report_text_is_escaped_for_markdown_tables_and_html()
    {
        var doc = new ReportDocument("T <b>").P("a `x<y` and **b**").T(new[] { "h|1" }, new[] { new[] { "c|<i>" } });
        Assert.Contains("| h\\|1 |", doc.ToMarkdown());
        string html = doc.ToHtml();
        Assert.Contains("<code>x&lt;y</code>", html);
        Assert.Contains("<strong>b</strong>", html);
        Assert.Contains("c|&lt;i&gt;", html);
        Assert.DoesNotContain("<i>", html);
    }

    [Fact]
    public async Task The_visitor_fetches_page_resources_and_revalidates_like_a_browser()
    {
        string root = Path.Combine(TestData.RepoRoot, "src", "Lab2Tools", "LabSite");
        using var server = new LabHttpServer(new LabServerOptions { Port = 0, Root = root });
        server.Start();
        var page = new Uri($"http://127.0.0.1:{server.EndPoint!.Port}/");
        var v = new LabVisitor();
        var first = await v.VisitAsync(page, 1, CancellationToken.None);
        Assert.Equal(new[] { "/", "/static/logo.png", "/static/audio.ogg" }, first.Select(f => new Uri(f.Url).AbsolutePath));
        Assert.Equal(new int?[] { 200, 200, 206 }, first.Select(f => f.StatusCode));
        Assert.Equal("bytes=0-", first[2].RequestRange);
        Assert.Equal(new FileInfo(Path.Combine(root, "audio.ogg")).Length, first[2].BodyBytes);
        Assert.Equal(3, first.Select(f => f.LocalEndPoint!.Port).Distinct().Count());      // a connection each
        Assert.All(first, f => Assert.Equal("Server", f.ClosedFirstBy));
        var second = await v.VisitAsync(page, 2, CancellationToken.None);
        Assert.Equal(new int?[] { 304, 304, 206 }, second.Select(f => f.StatusCode));
        Assert.Contains(second[0].Validators, x => x.StartsWith("If-None-Match: \""));
        Assert.Contains(second[1].Validators, x => x.StartsWith("If-Modified-Since: "));
        var log = server.Log;
        Assert.Equal(6, log.Count);
        Assert.Equal(6, log.Select(l => l.ConnectionId).Distinct().Count());
    }

    [Fact]
    public async Task The_visitor_closes_first_when_the_server_keeps_the_connection()
    {
        string root = Path.Combine(TestData.RepoRoot, "src", "Lab2Tools", "LabSite");
        using var server = new LabHttpServer(new LabServerOptions { Port = 0, Root = root, Profile = LabServerProfile.KeepAlive });
        server.Start();
        var fetches = await new LabVisitor().VisitAsync(new Uri($"http://127.0.0.1:{server.EndPoint!.Port}/"), 1, CancellationToken.None);
        Assert.All(fetches, f => Assert.Equal("Client", f.ClosedFirstBy));
        Assert.All(fetches, f => Assert.Null(f.Error));
    }

    [Fact]
    public async Task The_visitor_reports_a_refused_connection_as_an_error_not_an_exception()
    {
        var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        var f = await new LabVisitor().VisitAsync(new Uri($"http://127.0.0.1:{port}/"), 1, CancellationToken.None);
        Assert.Single(f);
        Assert.NotNull(f[0].Error);
        Assert.Null(f[0].StatusCode);
    }

    [Fact]
    public void APageRequestWithNoHttpAnswerSaysSoInsteadOfAnEmptyStatus()
    {
        // Zeek's trace of a GET sent to an SSH server: the answer is an SSH banner, not an HTTP response
        var a = LabCaptureAnalysis.Analyze(TestData.Path("zeek/traces/http/get-to-ssh-server.pcap"));
        var page = LabChecks.Run(a).Single(r => r.Name == "PageReassembled");
        Assert.Equal("Failed", page.Result);
        Assert.Contains("got no HTTP response", page.Evidence);
        Assert.DoesNotContain("frame )", page.Evidence);
    }

    [Fact]
    public void AFinThatCarriesDataIsAcknowledgedAtSeqPlusLenPlusOne()
    {
        var t = Chromium.Value.Teardowns.Single(x => x.Stream == 7);
        var ack = t.Steps.First(s => s.Name == "ACK");
        Assert.Contains("Seq + Len + 1", ack.Explanation);
    }
}
