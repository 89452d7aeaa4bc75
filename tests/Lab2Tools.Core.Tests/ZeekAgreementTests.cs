using System.Globalization;
using System.Net;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Zeek;
using Lab2Tools.Pipeline;
using Xunit;
using Xunit.Abstractions;

namespace Lab2Tools.Tests;

/// <summary>
/// ConnState and History against Zeek's own regression suite: the traces of zeek/zeek's testing/btest/Traces and the
/// conn.log baselines Zeek produced from them (tests/data/zeek/manifest.tsv names the btest of each).
/// </summary>
public class ZeekAgreementTests
{
    private readonly ITestOutputHelper _out;
    public ZeekAgreementTests(ITestOutputHelper output) => _out = output;

    private static string ZeekDir => System.IO.Path.Combine(TestData.DataDir, "zeek");

    internal sealed record Entry(string Trace, string Btest, string Baseline);

    internal static List<Entry> Manifest() =>
        File.ReadAllLines(System.IO.Path.Combine(ZeekDir, "manifest.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(f => new Entry(f[0], f[1], f[2]))
            .ToList();

    internal sealed record ZeekRow(string Ts, string OrigH, int OrigP, string RespH, int RespP, string ConnState, string History);

    /// <summary>The TCP rows of a conn.log (Zeek's ASCII format: #fields names the columns).</summary>
    internal static List<ZeekRow> ReadConnLog(string path)
    {
        string[]? fields = null;
        var rows = new List<ZeekRow>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith("#fields\t")) { fields = line.Split('\t')[1..]; continue; }
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (fields == null) throw new InvalidDataException($"{path}: no #fields line before the data");
            var v = line.Split('\t');
            string F(string name) => v[Array.IndexOf(fields, name)];
            if (F("proto") != "tcp") continue;
            rows.Add(new ZeekRow(F("ts"), F("id.orig_h"), int.Parse(F("id.orig_p")), F("id.resp_h"), int.Parse(F("id.resp_p")),
                F("conn_state"), F("history") == "-" ? "" : F("history")));
        }
        return rows;
    }

    /// <summary>Every Zeek connection Lab2Tools finds in a trace (from every stream, without repeats).</summary>
    internal static List<ZeekConnection> OurConnections(string trace)
    {
        var a = new ConnectionAnalyzer();
        using (var r = TcpSegmentReader.Open(System.IO.Path.Combine(ZeekDir, "traces", trace), includePayload: false, reuseSegment: true))
            while (r.Read() is var st && st != ReadStatus.End)
                if (st == ReadStatus.Segment) a.Add(r.Current!);
        return a.Records.SelectMany(rec => rec.ToConnection().ZeekConnections)
            .DistinctBy(z => z.StartFrame).OrderBy(z => z.StartFrame).ToList();
    }

    internal sealed record Comparison(Entry Entry, ZeekRow Zeek, ZeekConnection? Ours)
    {
        public bool StateAgrees => Ours != null && Ours.ConnState == Zeek.ConnState && SameOrientation;
        public bool HistoryAgrees => Ours != null && Ours.History == Zeek.History && SameOrientation;
        public bool SameOrientation => Ours != null && Ours.Originator.Address.Equals(IPAddress.Parse(Zeek.OrigH)) && Ours.Originator.Port == Zeek.OrigP;
        public override string ToString() =>
            $"{Entry.Trace} ({Entry.Btest}) {Zeek.OrigH}:{Zeek.OrigP} -> {Zeek.RespH}:{Zeek.RespP}: Zeek {Zeek.ConnState} {Zeek.History}, " +
            (Ours == null ? "no such connection here" :
                $"here {Ours.ConnState} {Ours.History}{(SameOrientation ? "" : $" (originator {Ours.Originator})")} from frame {Ours.StartFrame}");
    }

    /// <summary>
    /// Matches each Zeek row with a connection between the same endpoints. btest canonifies the timestamps away,
    /// so connections between the same endpoints (a split) are matched in order: Zeek logs them as it removes them,
    /// which for one pair of endpoints is the order they started in.
    /// </summary>
    internal static List<Comparison> Compare(Entry e, out List<ZeekConnection> extra)
    {
        var ours = OurConnections(e.Trace);
        var rows = ReadConnLog(System.IO.Path.Combine(ZeekDir, e.Baseline));
        var used = new HashSet<ZeekConnection>(ReferenceEqualityComparer.Instance);
        var result = new List<Comparison>();
        foreach (var row in rows)
        {
            var a = (IPAddress.Parse(row.OrigH), row.OrigP);
            var b = (IPAddress.Parse(row.RespH), row.RespP);
            bool Same(ZeekConnection z) =>
                (z.Originator.Address.Equals(a.Item1) && z.Originator.Port == a.Item2 && z.Responder.Address.Equals(b.Item1) && z.Responder.Port == b.Item2)
                || (z.Originator.Address.Equals(b.Item1) && z.Originator.Port == b.Item2 && z.Responder.Address.Equals(a.Item1) && z.Responder.Port == a.Item2);
            var match = ours.FirstOrDefault(z => !used.Contains(z) && Same(z));
            if (match != null) used.Add(match);
            result.Add(new Comparison(e, row, match));
        }
        extra = ours.Where(z => !used.Contains(z)).ToList();
        return result;
    }

    /// <summary>
    /// The agreement over every TCP connection Zeek logs in the committed traces: at least 99% on ConnState and on
    /// History. Prints the figures and every disagreement (README lists them with their reasons).
    /// </summary>
    [Fact]
    public void ConnStateAndHistoryAgreeWithZeeksBaselines()
    {
        var all = new List<Comparison>();
        foreach (var e in Manifest())
        {
            var c = Compare(e, out var extra);
            all.AddRange(c);
            foreach (var x in extra)
                _out.WriteLine($"EXTRA {e.Trace}: here a connection {x.Originator} -> {x.Responder} {x.ConnState} {x.History} from frame {x.StartFrame} that Zeek does not log");
        }
        int n = all.Count, state = all.Count(c => c.StateAgrees), history = all.Count(c => c.HistoryAgrees);
        _out.WriteLine($"Zeek TCP connections: {n} in {Manifest().Count} traces");
        _out.WriteLine($"ConnState agrees: {state}/{n} = {100.0 * state / n:F2}%");
        _out.WriteLine($"History agrees:   {history}/{n} = {100.0 * history / n:F2}%");
        foreach (var c in all.Where(c => !c.StateAgrees || !c.HistoryAgrees))
            _out.WriteLine("DIFF " + c);
        Assert.True(n >= 160, $"expected the committed traces to hold at least 160 TCP connections Zeek logs, found {n}");
        Assert.True(state * 100 >= n * 99, $"ConnState agrees on {state}/{n}");
        Assert.True(history * 100 >= n * 99, $"History agrees on {history}/{n}");
    }

    /// <summary>Every committed trace is named in the manifest with its licence beside it, and every baseline is there.</summary>
    [Fact]
    public void EveryTraceHasAManifestEntryAndTheLicence()
    {
        Assert.True(File.Exists(System.IO.Path.Combine(ZeekDir, "COPYING")));
        var named = Manifest().Select(e => e.Trace.Replace('/', System.IO.Path.DirectorySeparatorChar)).ToHashSet();
        var root = System.IO.Path.Combine(ZeekDir, "traces");
        foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            Assert.Contains(System.IO.Path.GetRelativePath(root, f), named);
        foreach (var e in Manifest())
            Assert.True(File.Exists(System.IO.Path.Combine(ZeekDir, e.Baseline)), e.Baseline);
    }
}
