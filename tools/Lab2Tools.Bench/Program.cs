using System.Diagnostics;
using System.Globalization;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Pipeline;

// Usage: Lab2Tools.Bench <capture> [rounds] [stage,stage...]
// Runs each stage of the analysis core (or only the stages named) over the file, in process, and prints one line
// per stage: stage, frames, best seconds, packets/s, bytes allocated per packet, live MB at the end of the pass,
// milliseconds of GC pauses in the pass. The clock covers reading, the stage and making its results.
if (args.Length < 1) { Console.Error.WriteLine("usage: Lab2Tools.Bench <capture> [rounds] [stage,stage...]"); return 2; }
string path = args[0];
int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
string[]? only = args.Length > 2 ? args[2].Split(',') : null;

var stages = new (string name, bool payload, Func<Action<Lab2Tools.Model.TcpSegment>, Action>? setup)[]
{
    ("read+decode+track", false, null),
    ("connections", false, null),
    ("expert", false, null),
    ("http", true, null),
};

foreach (var (name, payload, _) in stages)
{
    if (only != null && !only.Contains(name)) continue;
    double best = double.MaxValue;
    long frames = 0, allocated = 0;
    double liveMb = 0, pauseMs = 0;
    for (int r = 0; r < rounds + 1; r++)          // the first round warms up the JIT
    {
        GC.Collect();
        long alloc0 = GC.GetTotalAllocatedBytes(true);
        var pause0 = GC.GetTotalPauseDuration();
        var sw = Stopwatch.StartNew();
        using var reader = TcpSegmentReader.Open(path, payload, reuseSegment: name is "read+decode+track" or "connections");
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
        if (name == "connections") foreach (var c in conns.Records) sink += c.ToConnection().Frames;
        if (name == "http") sink += http.Finish().Count;
        sw.Stop();
        long alloc = GC.GetTotalAllocatedBytes(true) - alloc0;
        double pause = (GC.GetTotalPauseDuration() - pause0).TotalMilliseconds;
        // live memory after the clock stopped: GetTotalMemory(true) forces full collections
        long live = GC.GetTotalMemory(true);
        GC.KeepAlive(conns); GC.KeepAlive(http);
        if (r == 0) continue;
        if (sw.Elapsed.TotalSeconds < best)
        {
            best = sw.Elapsed.TotalSeconds; allocated = alloc; liveMb = live / 1048576.0; pauseMs = pause;
        }
        frames = reader.FramesRead;
        GC.KeepAlive(sink);
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}\t{frames}\t{best:0.000}\t{frames / best:0}\t{(double)allocated / Math.Max(1, frames):0}\t{liveMb:0.0}\t{pauseMs:0}"));
}
return 0;
