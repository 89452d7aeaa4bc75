using System.Globalization;
using Lab2Tools.Model;
using Lab2Tools.Pipeline;

namespace Lab2Tools.Tests;

/// <summary>
/// Every TCP frame of every committed capture, field by field, against tshark (the Debian package): 100%
/// agreement or the test fails, listing the disagreements.
/// </summary>
public class TsharkAgreementTests
{
    private static readonly string[] Fields =
    {
        "frame.number", "tcp.stream", "tcp.seq", "tcp.ack", "tcp.seq_raw", "tcp.ack_raw", "tcp.nxtseq", "tcp.len",
        "tcp.window_size_value", "tcp.window_size", "tcp.window_size_scalefactor", "tcp.flags",
        "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.options.sack_perm",
        "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr", "tcp.options.sack_le", "tcp.options.sack_re",
        "ip.src", "ipv6.src", "tcp.srcport", "tcp.dstport", "frame.time_epoch", "frame.len",
    };

    public static IEnumerable<object[]> Captures() => TestData.Captures();

    [Theory]
    [MemberData(nameof(Captures))]
    public void EveryTcpFrameMatchesTshark(string file) => AssertAgreesWithTshark(TestData.Path(file));

    /// <summary>Compares every TCP frame of a capture with tshark, field by field.</summary>
    internal static void AssertAgreesWithTshark(string file)
    {
        var expected = TestData.Tshark(file, "tcp", Fields);
        var actual = new List<TcpSegment>();
        using (var reader = TcpSegmentReader.Open(file, includePayload: false))
        {
            ReadStatus s;
            while ((s = reader.Read()) != ReadStatus.End)
            {
                Assert.True(s == ReadStatus.Segment, $"frame {reader.CurrentMalformed?.Frame} reported malformed: {reader.CurrentMalformed?.Reason}");
                actual.Add(reader.Current!);
            }
        }
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, actual.Count);
        var diffs = new List<string>();
        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            void Check(string field, string actualValue)
            {
                if (e[field] != actualValue) diffs.Add($"frame {e["frame.number"]} {field}: tshark '{e[field]}' Lab2Tools '{actualValue}'");
            }
            Check("frame.number", a.Frame.ToString(CultureInfo.InvariantCulture));
            Check("tcp.stream", a.Stream.ToString(CultureInfo.InvariantCulture));
            Check("tcp.seq", a.Seq.ToString(CultureInfo.InvariantCulture));
            Check("tcp.ack", a.Ack.ToString(CultureInfo.InvariantCulture));
            Check("tcp.seq_raw", a.SeqRaw.ToString(CultureInfo.InvariantCulture));
            Check("tcp.ack_raw", a.AckRaw.ToString(CultureInfo.InvariantCulture));
            Check("tcp.nxtseq", a.NextSeq.ToString(CultureInfo.InvariantCulture));
            Check("tcp.len", a.Len.ToString(CultureInfo.InvariantCulture));
            Check("tcp.window_size_value", a.WindowSizeValue.ToString(CultureInfo.InvariantCulture));
            Check("tcp.window_size", a.WindowSize.ToString(CultureInfo.InvariantCulture));
            Check("tcp.window_size_scalefactor", a.WindowSizeScalingFactor?.ToString(CultureInfo.InvariantCulture) ?? "");
            Check("tcp.flags", "0x" + ((ushort)a.Flags).ToString("x4", CultureInfo.InvariantCulture));
            Check("tcp.options.mss_val", a.Mss?.ToString(CultureInfo.InvariantCulture) ?? "");
            Check("tcp.options.wscale.shift", a.WindowScaleShift?.ToString(CultureInfo.InvariantCulture) ?? "");
            if ((e["tcp.options.sack_perm"] != "") != a.SackPermitted)
                diffs.Add($"frame {e["frame.number"]} tcp.options.sack_perm: tshark '{e["tcp.options.sack_perm"]}' Lab2Tools {a.SackPermitted}");
            Check("tcp.options.timestamp.tsval", a.TsVal?.ToString(CultureInfo.InvariantCulture) ?? "");
            Check("tcp.options.timestamp.tsecr", a.TsEcr?.ToString(CultureInfo.InvariantCulture) ?? "");
            Check("tcp.options.sack_le", string.Join(",", a.SackBlocks.Select(b => b.LeftEdge)));
            Check("tcp.options.sack_re", string.Join(",", a.SackBlocks.Select(b => b.RightEdge)));
            Check(a.IpVersion == 4 ? "ip.src" : "ipv6.src", a.Source.ToString());
            Check("tcp.srcport", a.SourcePort.ToString(CultureInfo.InvariantCulture));
            Check("tcp.dstport", a.DestinationPort.ToString(CultureInfo.InvariantCulture));
            Check("frame.len", a.FrameLength.ToString(CultureInfo.InvariantCulture));
            // frame.time_epoch is printed with 9 decimals; compare to the nanosecond
            long sec = Math.DivRem(a.TimestampNanoseconds, 1_000_000_000L, out long ns);
            Check("frame.time_epoch", $"{sec}.{ns:D9}");
            if (diffs.Count > 50) break;
        }
        Assert.True(diffs.Count == 0, $"{diffs.Count} disagreements with tshark in {file}:\n" + string.Join("\n", diffs.Take(50)));
    }
}
