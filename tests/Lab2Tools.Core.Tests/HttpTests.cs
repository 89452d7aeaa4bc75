using System.Globalization;
using Lab2Tools.Analysis.Http;

namespace Lab2Tools.Tests;

public class HttpTests
{
    private static List<HttpExchange> Exchanges(string file, bool bodies = false, List<HttpStreamProblem>? problems = null)
    {
        var a = new HttpAnalyzer(bodies);
        var list = new List<HttpExchange>();
        foreach (var s in ConnectionAnalysisTests.Segments(file, payload: true))
        {
            list.AddRange(a.Add(s));
            problems?.AddRange(a.TakeProblems());
        }
        list.AddRange(a.Finish());
        return list;
    }

    /// <summary>
    /// Every HTTP message tshark shows: method, URI, status, Content-Length, the frame the request and the
    /// response are reassembled in. Beyond that, only a response to a pipelined HEAD may be ours alone (tshark 4.0
    /// expects a body after it and swallows the next response).
    /// </summary>
    [Theory]
    [InlineData("chromium-lab.pcap")]
    [InlineData("curl-http.pcap")]
    [InlineData("http-visit.pcap")]
    [InlineData("http-visit-ipv6.pcap")]
    [InlineData("port-reuse.pcap")]
    [InlineData("client-abort.pcap")]
    [InlineData("missing-segment.pcap")]
    public void ExchangesMatchTshark(string file)
    {
        var rows = TestData.Tshark(TestData.Path(file), "http.request || http.response", "frame.number", "http.request.method",
            "http.request.uri", "http.response.code", "http.content_length_header", "http.request_in");
        var ours = Exchanges(file);
        Assert.NotEmpty(rows);
        var diffs = new List<string>();
        foreach (var r in rows)
        {
            long frame = long.Parse(r["frame.number"], CultureInfo.InvariantCulture);
            if (r["http.request.method"] != "")
            {
                var methods = r["http.request.method"].Split(',');
                var uris = r["http.request.uri"].Split(',');
                var mine = ours.Where(x => x.RequestFrame == frame).OrderBy(x => x.Sequence).ToList();
                if (string.Join(",", mine.Select(x => x.Method)) != r["http.request.method"] || string.Join(",", mine.Select(x => x.Uri)) != r["http.request.uri"])
                    diffs.Add($"request frame {frame}: tshark {r["http.request.method"]} {r["http.request.uri"]}, Lab2Tools {string.Join(",", mine.Select(x => x.Method + " " + x.Uri))}");
            }
            if (r["http.response.code"] != "")
            {
                var x = ours.SingleOrDefault(e => e.ResponseFrame == frame && e.StateValue == HttpExchangeState.Complete);
                if (x == null) { diffs.Add($"response frame {frame}: no complete exchange ends there"); continue; }
                if (x.StatusCode.ToString() != r["http.response.code"]) diffs.Add($"response frame {frame}: status tshark {r["http.response.code"]} Lab2Tools {x.StatusCode}");
                if ((x.ContentLength?.ToString(CultureInfo.InvariantCulture) ?? "") != r["http.content_length_header"]) diffs.Add($"response frame {frame}: Content-Length tshark '{r["http.content_length_header"]}' Lab2Tools '{x.ContentLength}'");
                if (r["http.request_in"] != "" && x.RequestFrame.ToString(CultureInfo.InvariantCulture) != r["http.request_in"]) diffs.Add($"response frame {frame}: request in tshark {r["http.request_in"]} Lab2Tools {x.RequestFrame}");
            }
        }
        var tsharkResponses = rows.Where(r => r["http.response.code"] != "").Select(r => long.Parse(r["frame.number"], CultureInfo.InvariantCulture)).ToHashSet();
        foreach (var x in ours.Where(e => e.StateValue == HttpExchangeState.Complete && !tsharkResponses.Contains(e.ResponseFrame!.Value)))
        {
            bool pipelinedHead = x.Method == "HEAD" && ours.Any(o => o.Stream == x.Stream && o.Sequence > x.Sequence && o.RequestFrame == x.RequestFrame);
            if (!pipelinedHead) diffs.Add($"Lab2Tools has a complete exchange tshark does not: stream {x.Stream} {x.Method} {x.Uri} frame {x.ResponseFrame}");
        }
        Assert.True(diffs.Count == 0, string.Join("\n", diffs));
    }

    [Fact]
    public void TheLabVisitAndRevisitAsTheSeedDescribesThem()
    {
        var x = Exchanges("chromium-lab.pcap");
        // the page, the logo, the audio (a range request answered 206), then 304s on the revisit
        Assert.Equal(200, x.First(e => e.Uri == "/").StatusCode);
        Assert.Equal(200, x.First(e => e.Uri == "/static/logo.png").StatusCode);
        var firstAudio = x.First(e => e.Uri == "/static/audio.ogg");
        Assert.Equal(206, firstAudio.StatusCode);
        Assert.Equal("bytes=0-", firstAudio.Range);
        Assert.StartsWith("bytes 0-325221/325222", firstAudio.ContentRange);
        Assert.Equal(2, x.Count(e => e.StatusCode == 304));
        var revalidated = x.Last(e => e.Uri == "/static/logo.png");
        Assert.Equal(revalidated.IfNoneMatch, x.First(e => e.Uri == "/static/logo.png").ETag);
        // one connection per resource (Werkzeug closes after each response), the page split over several segments
        Assert.Equal(x.Count, x.Select(e => e.Stream).Distinct().Count());
        Assert.Contains(x, e => e.ResponseSegmentFrames.Count > 0);
        // Chromium cancels an audio download on the revisit: the client resets the connection mid-body
        var aborted = Assert.Single(x, e => e.StateValue == HttpExchangeState.Aborted);
        Assert.Equal(Analysis.ConnectionRole.Client, aborted.AbortedByValue);
        Assert.True(aborted.BodyLength < aborted.ContentLength);
    }

    [Fact]
    public void BodiesAreByteIdenticalToTheServedFiles()
    {
        var site = Path.Combine(TestData.RepoRoot, "src", "Lab2Tools", "LabSite");
        var x = Exchanges("chromium-lab.pcap", bodies: true);
        Assert.Equal(File.ReadAllBytes(Path.Combine(site, "logo.png")), x.First(e => e.Uri == "/static/logo.png" && e.StatusCode == 200).Body);
        Assert.Equal(File.ReadAllBytes(Path.Combine(site, "audio.ogg")), x.First(e => e.Uri == "/static/audio.ogg" && e.StateValue == HttpExchangeState.Complete && e.Range == "bytes=0-").Body);
        Assert.Equal(File.ReadAllBytes(Path.Combine(site, "index.html")), x.First(e => e.Uri == "/" && e.StatusCode == 200).Body);
    }

    [Fact]
    public void AHoleInTheBodyIsNotComplete()
    {
        var x = Exchanges("missing-segment.pcap").Single(e => e.Stream == 0);
        Assert.Equal(HttpExchangeState.BytesMissing, x.StateValue);
        Assert.Equal(8192, x.BodyMissingBytes);
        Assert.Equal(x.ContentLength, x.BodyLength + x.BodyMissingBytes);
    }

    [Fact]
    public void CurlFeatures()
    {
        var problems = new List<HttpStreamProblem>();
        var x = Exchanges("curl-http.pcap", bodies: true, problems);
        Assert.All(x.Where(e => e.Method == "HEAD"), e => { Assert.Equal(0, e.BodyLength); Assert.Equal(6764, e.ContentLength); });
        Assert.Equal(new[] { 304, 304 }, x.Where(e => e.IfNoneMatch != null || e.IfModifiedSince != null).Select(e => e.StatusCode!.Value));
        Assert.Equal(100, x.Single(e => e.Range == "bytes=0-99").BodyLength);
        Assert.Equal(416, x.Single(e => e.Range == "bytes=0-9,20-29").StatusCode);
        var chunked = x.Single(e => e.Uri == "/chunked");
        Assert.Equal("chunked", chunked.TransferEncoding);
        Assert.Null(chunked.ContentLength);
        var expected = string.Concat(Enumerable.Range(0, 5).Select(i => string.Concat(Enumerable.Repeat($"chunk {i} of the streamed answer\n", 200))));
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(chunked.Body!));
        Assert.Equal(405, x.Single(e => e.Method == "DELETE").StatusCode);
        // keep-alive: two exchanges on one connection; pipelining: three requests in one segment
        Assert.Equal(new[] { 1, 2 }, x.Where(e => e.ServerEndPoint.Port == 5001 && e.Stream == x.First(f => f.ServerEndPoint.Port == 5001).Stream).Select(e => e.Sequence));
        var pipelined = x.Where(e => e.RequestFrame == x.Last().RequestFrame && e.ServerEndPoint.Port == 5001).ToList();
        Assert.Equal(new[] { "GET", "HEAD", "GET" }, pipelined.Select(e => e.Method));
        Assert.All(pipelined, e => Assert.Equal(HttpExchangeState.Complete, e.StateValue));
        // the client that did not speak HTTP: one problem, for its stream only
        var p = Assert.Single(problems);
        Assert.Contains("is not HTTP", p.Message);
        Assert.DoesNotContain(x, e => e.Stream == p.Stream);
    }
}
