using System.Globalization;
using System.Text;
using Lab2Tools.Model;
using Lab2Tools.Pipeline;

namespace Lab2Tools.Tests;

/// <summary>
/// The per-segment expert analysis against tshark on every committed capture: each tcp.analysis flag per
/// frame must agree on at least 99% of frames (in practice: all), and every disagreement is written to
/// out/TestResults/tcp-analysis-disagreements.txt. ACK RTT and iRTT must agree to the microsecond.
/// </summary>
public class AnalysisAgreementTests
{
    private static readonly (string Field, TcpAnalysisFlags Flag)[] FlagFields =
    {
        ("tcp.analysis.retransmission", TcpAnalysisFlags.Retransmission | TcpAnalysisFlags.FastRetransmission | TcpAnalysisFlags.SpuriousRetransmission),
        ("tcp.analysis.fast_retransmission", TcpAnalysisFlags.FastRetransmission),
        ("tcp.analysis.spurious_retransmission", TcpAnalysisFlags.SpuriousRetransmission),
        ("tcp.analysis.out_of_order", TcpAnalysisFlags.OutOfOrder),
        ("tcp.analysis.lost_segment", TcpAnalysisFlags.PreviousSegmentNotCaptured),
        ("tcp.analysis.ack_lost_segment", TcpAnalysisFlags.AckedUnseenSegment),
        ("tcp.analysis.duplicate_ack", TcpAnalysisFlags.DuplicateAck),
        ("tcp.analysis.zero_window", TcpAnalysisFlags.ZeroWindow),
        ("tcp.analysis.zero_window_probe", TcpAnalysisFlags.ZeroWindowProbe),
        ("tcp.analysis.zero_window_probe_ack", TcpAnalysisFlags.ZeroWindowProbeAck),
        ("tcp.analysis.keep_alive", TcpAnalysisFlags.KeepAlive),
        ("tcp.analysis.keep_alive_ack", TcpAnalysisFlags.KeepAliveAck),
        ("tcp.analysis.window_update", TcpAnalysisFlags.WindowUpdate),
        ("tcp.analysis.window_full", TcpAnalysisFlags.WindowFull),
        ("tcp.analysis.reused_ports", TcpAnalysisFlags.ReusedPorts),
    };

    private static readonly string[] ValueFields =
    {
        "tcp.analysis.acks_frame", "tcp.analysis.ack_rtt", "tcp.analysis.bytes_in_flight",
        "tcp.analysis.duplicate_ack_num", "tcp.analysis.duplicate_ack_frame", "tcp.analysis.initial_rtt", "tcp.time_delta",
        "tcp.analysis.rto_frame",
    };

    public static IEnumerable<object[]> Captures() => TestData.Captures();

    private static string Micro(long? ns) => ns is long v ? Math.Round(v / 1000.0).ToString(CultureInfo.InvariantCulture) : "";
    private static string MicroFromTshark(string s) =>
        s.Length == 0 ? "" : Math.Round(double.Parse(s, CultureInfo.InvariantCulture) * 1e6).ToString(CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(Captures))]
    public void AnalysisMatchesTshark(string file)
    {
        var fields = new List<string> { "frame.number" };
        fields.AddRange(FlagFields.Select(f => f.Field));
        fields.AddRange(ValueFields);
        var expected = TestData.Tshark(TestData.Path(file), "tcp", fields.ToArray());
        var actual = new List<TcpSegment>();
        using (var r = TcpSegmentReader.Open(TestData.Path(file), includePayload: false))
            while (r.Read() == ReadStatus.Segment) actual.Add(r.Current!);
        Assert.Equal(expected.Count, actual.Count);

        var report = new StringBuilder();
        var perFlagDisagreements = new Dictionary<string, int>();
        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            void Diff(string field, string tshark, string ours)
            {
                if (tshark == ours) return;
                report.AppendLine($"{file} frame {a.Frame} {field}: tshark '{tshark}' Lab2Tools '{ours}' (analysis {a.Analysis})");
                perFlagDisagreements[field] = perFlagDisagreements.GetValueOrDefault(field) + 1;
            }
            foreach (var (field, flag) in FlagFields)
                Diff(field, e[field] != "" ? "1" : "0", (a.Analysis & flag) != 0 ? "1" : "0");
            Diff("tcp.analysis.acks_frame", e["tcp.analysis.acks_frame"], a.AcksFrame?.ToString(CultureInfo.InvariantCulture) ?? "");
            Diff("tcp.analysis.ack_rtt", MicroFromTshark(e["tcp.analysis.ack_rtt"]), Micro(a.AckRttNanoseconds));
            Diff("tcp.analysis.bytes_in_flight", e["tcp.analysis.bytes_in_flight"], a.BytesInFlight?.ToString(CultureInfo.InvariantCulture) ?? "");
            Diff("tcp.analysis.duplicate_ack_num", e["tcp.analysis.duplicate_ack_num"], a.DuplicateAckNumber?.ToString(CultureInfo.InvariantCulture) ?? "");
            Diff("tcp.analysis.duplicate_ack_frame", e["tcp.analysis.duplicate_ack_frame"], a.DuplicateAckFrame?.ToString(CultureInfo.InvariantCulture) ?? "");
            // tshark prints the iRTT only on frames that carry other SEQ/ACK analysis; compare where it does
            if (e["tcp.analysis.initial_rtt"] != "")
                Diff("tcp.analysis.initial_rtt", MicroFromTshark(e["tcp.analysis.initial_rtt"]), Micro(a.InitialRttNanoseconds));
            Diff("tcp.analysis.rto_frame", e["tcp.analysis.rto_frame"], a.RtoFrame?.ToString(CultureInfo.InvariantCulture) ?? "");
            // TimeDelta is a TimeSpan (100 ns ticks): agree to the microsecond
            long tsharkDelta = (long)Math.Round(double.Parse(e["tcp.time_delta"], CultureInfo.InvariantCulture) * 1e9);
            if (Math.Abs(tsharkDelta - a.TimeDelta.Ticks * 100) >= 1000)
                Diff("tcp.time_delta", e["tcp.time_delta"], a.TimeDelta.TotalSeconds.ToString("F7", CultureInfo.InvariantCulture));
        }
        if (report.Length > 0)
        {
            var dir = Path.Combine(TestData.RepoRoot, "out", "TestResults");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, $"tcp-analysis-disagreements-{file}.txt"), report.ToString());
        }
        var worst = perFlagDisagreements.Select(kv => (kv.Key, Share: (double)kv.Value / expected.Count)).ToList();
        Assert.True(worst.All(w => w.Share <= 0.01),
            $"{file}: more than 1% of frames disagree with tshark on " + string.Join(", ", worst.Where(w => w.Share > 0.01).Select(w => $"{w.Key} ({w.Share:P1})"))
            + "\n" + string.Join("\n", report.ToString().Split('\n').Take(40)));
    }
}
