using System.Diagnostics;
using System.Globalization;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Pipeline;

// Usage: Lab2Tools.Bench <capture> [rounds]
// Runs each stage of the analysis core over the file, in process, and prints one line per stage:
// stage, frames, best seconds, packets/s, bytes allocated per packet.
if (args.Length < 1) { Console.Error.WriteLine("usage: Lab2Tools.Bench <capture> [rounds]"); return 2; }
string path = args[0];
int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;

var stages = new (string name, bool payload, Func<Action<Lab2Tools.Model.TcpSegment>, Action>? setup)[]
{
    ("read+decode+track", false, null),
    ("connections", false, null),
    ("expert", false, null),
    ("http", true, null),
};

foreach (var (name, payload, _) in stages)
{
    double best = double.MaxValue;
    long frames = 0, allocated = 0;
    double liveMb = 0;
    for (int r = 0; r < rounds + 1; r++)          // the first round warms up the JIT
    {
        GC.Collect();
        long alloc0 = GC.GetTotalAllocatedBytes(true);
        var sw = Stopwatch.StartNew();
        // the connections stage reads as Get-TcpConnection does: payload only to and from the ports of Zeek's analyzers
        using var reader = name == "connections"
            ? TcpSegmentReader.Open(path, Lab2Tools.Analysis.Zeek.ZeekPayload.Ports, reuseSegment: true)
            : TcpSegmentReader.Open(path, payload, reuseSegment: name is "read+decode+track");
        var conns = new ConnectionAnalyzer();
        var expert = new ExpertAnalyzer();
        var http = new HttpAnalyzer();
        long n = 0, sink = 0;
        while (true)
        {
            var st = reader.Read();
            if (st == ReadStatus.End) break;
            if (st != ReadStatus.Segment) continue;
            var s = reader.Current!;
            n++;
            switch (name)
            {
                case "connections": conns.Add(s); break;
                case "expert": foreach (var e in expert.Analyze(s)) sink += e.Frame; break;
                case "http": sink += http.Add(s).Count; break;
            }
        }
        long live = GC.GetTotalMemory(true);
        if (name == "connections") foreach (var c in conns.Records) sink += c.ToConnection().Frames;
        if (name == "http") sink += http.Finish().Count;
        sw.Stop();
        long alloc = GC.GetTotalAllocatedBytes(true) - alloc0;
        if (r == 0) continue;
        if (sw.Elapsed.TotalSeconds < best) { best = sw.Elapsed.TotalSeconds; allocated = alloc; liveMb = live / 1048576.0; }
        frames = reader.FramesRead;
        GC.KeepAlive(sink);
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}\t{frames}\t{best:0.000}\t{frames / best:0}\t{(double)allocated / Math.Max(1, frames):0}\t{liveMb:0.0}"));
}
return 0;
