using Lab2Tools.Analysis;
using Lab2Tools.Fuzzing;
using Lab2Tools.Model;

namespace Lab2Tools.Tests;

/// <summary>
/// A fixed-seed run of the fuzzer (build.ps1 Fuzz runs 100,000 random cases) over every committed capture:
/// damaged captures never throw anything but a file-damage error, and no frame before the damage is lost.
/// </summary>
public class FuzzRegressionTests
{
    private static readonly Lazy<CaptureFuzzer> Fuzzer = new(() =>
        new CaptureFuzzer(Directory.GetFiles(TestData.DataDir, "*.pcap*")));

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Damaged_captures_are_read_up_to_the_damage_and_never_crash(int seed)
    {
        var r = new Random(seed);
        var failures = new List<string>();
        for (int i = 0; i < 400; i++)
        {
            var c = Fuzzer.Value.Next(r);
            var o = Fuzzer.Value.Run(c, full: i % 8 == 0);
            if (o.Crashed) failures.Add($"{c.Seed} {c.Mutation}: {o.Crash}");
            else if (o.LostFrames > 0) failures.Add($"{c.Seed} {c.Mutation}: {o.LostDetail}");
        }
        Assert.Empty(failures);
    }

    /// <summary>
    /// What the per-connection cmdlets do (a file read ahead on a pool thread, one segment object reused for
    /// every packet) must give, on damaged captures too, what plain reads into separate segments give: the same
    /// results and the same end (clean, or the same damage after the same frames).
    /// </summary>
    [Fact]
    public void Damaged_captures_read_ahead_into_one_reused_segment_give_what_plain_reads_give()
    {
        var r = new Random(21);
        var dir = Directory.CreateTempSubdirectory("l2t-fuzz-ahead-").FullName;
        try
        {
            for (int i = 0; i < 150; i++)
            {
                var c = Fuzzer.Value.Next(r);
                var path = Path.Combine(dir, "case.pcap");
                File.WriteAllBytes(path, c.Data);
                var plain = Analyze(() => Pipeline.TcpSegmentReader.Open(new MemoryStream(c.Data, writable: false), path, includePayload: false));
                var ahead = Analyze(() => Pipeline.TcpSegmentReader.Open(path, includePayload: false, reuseSegment: true));
                Assert.True(plain == ahead, $"{c.Seed} {c.Mutation}: {plain.end} / {ahead.end}");
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }

        static (string results, string end) Analyze(Func<Pipeline.TcpSegmentReader> open)
        {
            var a = new ConnectionAnalyzer();
            string end;
            try
            {
                using var reader = open();
                try
                {
                    Pipeline.ReadStatus st;
                    while ((st = reader.Read()) != Pipeline.ReadStatus.End)
                        if (st == Pipeline.ReadStatus.Segment) a.Add(reader.Current!);
                    end = $"end after {reader.FramesRead}";
                }
                catch (Capture.CaptureFileException e)
                {
                    end = $"{e.Problem} at {e.Offset} after {e.FramesRead}";
                }
            }
            catch (Capture.CaptureFileException e)
            {
                end = $"open: {e.Problem}";
            }
            return (ConnectionAnalysisTests.Describe(a), end);
        }
    }

    [Fact]
    public void Every_mutation_kind_is_produced()
    {
        var r = new Random(5);
        var kinds = Enumerable.Range(0, 600).Select(_ => Fuzzer.Value.Next(r).Mutation.Split(' ')[0]).ToHashSet();
        foreach (var k in new[] { "flip", "truncate", "record", "block", "IP", "TCP", "noise", "file" })
            Assert.Contains(k, kinds);
    }

    [Fact]
    public void Following_a_long_stream_keeps_every_byte_in_one_chunk_per_turn()
    {
        // found while fuzzing: merging a turn's bytes re-copied the whole turn for every segment (quadratic);
        // the 2 MB body of loss.pcap is one chunk with all its bytes
        using var reader = Pipeline.TcpSegmentReader.Open(TestData.Path("loss.pcap"));
        var f = new StreamFollower();
        while (reader.Read() is var st && st != Pipeline.ReadStatus.End)
            if (st == Pipeline.ReadStatus.Segment && reader.Current!.Stream == 0) f.Add(reader.Current);
        var content = f.Finish();
        Assert.Equal(content.ServerData.Length, content.Chunks.Where(c => c.DirectionValue == FlowDirection.ServerToClient).Sum(c => c.Data.Length));
        Assert.Equal(content.ClientData.Length, content.Chunks.Where(c => c.DirectionValue == FlowDirection.ClientToServer).Sum(c => c.Data.Length));
        Assert.True(content.ServerData.Length > 2_000_000);
    }
}

public class FuzzFindingTests
{
    private static TcpSegment Seg(long frame, string src, int sport, string dst, int dport, TcpFlags flags, uint seq, uint ack, byte[]? data = null) => new()
    {
        Frame = frame, Stream = 0, Source = System.Net.IPAddress.Parse(src), SourcePort = sport, Destination = System.Net.IPAddress.Parse(dst), DestinationPort = dport,
        Flags = flags, SeqRaw = seq, AckRaw = ack, Len = data?.Length ?? 0, Payload = data ?? Array.Empty<byte>(),
    };

    [Theory]
    [InlineData(0x80000000u)]    // -int.MinValue overflowed: data[negative..] threw (fuzz finding crash-001, midstream.pcap with 8 bit flips)
    [InlineData(0x7FFFFFFFu)]
    [InlineData(0xFFFFFFFFu)]
    public void A_segment_half_the_sequence_space_away_does_not_break_follow_or_http(uint offset)
    {
        var segs = new[]
        {
            Seg(1, "10.0.0.1", 40000, "10.0.0.2", 80, TcpFlags.SYN, 1000, 0),
            Seg(2, "10.0.0.2", 80, "10.0.0.1", 40000, TcpFlags.SYN | TcpFlags.ACK, 5000, 1001),
            Seg(3, "10.0.0.1", 40000, "10.0.0.2", 80, TcpFlags.ACK | TcpFlags.PSH, 1001, 5001, "GET / HTTP/1.1\r\n\r\n"u8.ToArray()),
            Seg(4, "10.0.0.1", 40000, "10.0.0.2", 80, TcpFlags.ACK | TcpFlags.PSH, 1001 + offset, 5001, "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"u8.ToArray()),
            Seg(5, "10.0.0.2", 80, "10.0.0.1", 40000, TcpFlags.ACK | TcpFlags.PSH, 5001, 1019, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray()),
        };
        var f = new StreamFollower();
        var http = new Analysis.Http.HttpAnalyzer();
        var exchanges = new List<Analysis.Http.HttpExchange>();
        foreach (var s in segs) { f.Add(s); exchanges.AddRange(http.Add(s)); }
        exchanges.AddRange(http.Finish());
        var content = f.Finish();
        Assert.StartsWith("GET / HTTP/1.1", System.Text.Encoding.ASCII.GetString(content.ClientData));
        var x = Assert.Single(exchanges);
        Assert.Equal("GET", x.Method);
        Assert.Equal(200, x.StatusCode);
    }
}
