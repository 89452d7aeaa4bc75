using System.Diagnostics;
using System.Globalization;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Pipeline;

// Usage: Lab2Tools.Bench <capture> [rounds] [stage,stage...]
// Runs each stage of the analysis core (or only the stages named) over the file, in process, and prints one line
// per stage: stage, frames, best seconds, packets/s, bytes allocated per packet, live MB at the end of the pass,
// milliseconds of GC pauses in the pass, and the least CPU time of a pass (all threads: steadier than the clock on a busy
// machine). The clock covers reading, the stage and making its results.
if (args.Length < 1) { Console.Error.WriteLine("usage: Lab2Tools.Bench <capture> [rounds] [stage,stage...]"); return 2; }
string path = args[0];
int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
string[]? only = args.Length > 2 ? args[2].Split(',') : null;
// LAB2TOOLS_BENCH_ALLOC=1: also print which types the passes allocate (the runtime's allocation samples, one per ~100 KB)
using var allocations = Environment.GetEnvironmentVariable("LAB2TOOLS_BENCH_ALLOC") == "1" ? new AllocationSampler() : null;

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
    double liveMb = 0, pauseMs = 0, bestCpu = double.MaxValue;
    for (int r = 0; r < rounds + 1; r++)          // the first round warms up the JIT
    {
        GC.Collect();
        long alloc0 = GC.GetTotalAllocatedBytes(true);
        var pause0 = GC.GetTotalPauseDuration();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
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
        if (name == "connections") foreach (var c in conns.Records) sink += c.ToConnection().Frames;
        if (name == "connections" && r == 0) Console.Error.WriteLine($"{conns.Count} connections");
        if (name == "http") sink += http.Finish().Count;
        sw.Stop();
        long alloc = GC.GetTotalAllocatedBytes(true) - alloc0;
        double pause = (GC.GetTotalPauseDuration() - pause0).TotalMilliseconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        // live memory after the clock stopped: GetTotalMemory(true) forces full collections
        long live = GC.GetTotalMemory(true);
        GC.KeepAlive(conns); GC.KeepAlive(http);
        if (r == 0) continue;
        bestCpu = Math.Min(bestCpu, cpu);
        if (sw.Elapsed.TotalSeconds < best)
        {
            best = sw.Elapsed.TotalSeconds; allocated = alloc; liveMb = live / 1048576.0; pauseMs = pause;
        }
        frames = reader.FramesRead;
        GC.KeepAlive(sink);
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name}\t{frames}\t{best:0.000}\t{frames / best:0}\t{(double)allocated / Math.Max(1, frames):0}\t{liveMb:0.0}\t{pauseMs:0}\t{bestCpu:0.000}"));
}
allocations?.Print();
return 0;

/// <summary>Counts the runtime's GCAllocationTick events by type: which types make up the bytes allocated.</summary>
sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
{
    private readonly Dictionary<string, long> _bytes = new();

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || e.Payload == null) return;
        int i = e.PayloadNames!.IndexOf("TypeName");
        int a = e.PayloadNames.IndexOf("AllocationAmount64");
        string type = i >= 0 ? e.Payload[i] as string ?? "?" : "?";
        long bytes = a >= 0 ? Convert.ToInt64(e.Payload[a], CultureInfo.InvariantCulture) : 100_000;
        lock (_bytes) _bytes[type] = _bytes.GetValueOrDefault(type) + bytes;
    }

    public void Print()
    {
        lock (_bytes)
        {
            long total = _bytes.Values.Sum();
            foreach (var (type, bytes) in _bytes.OrderByDescending(kv => kv.Value).Take(25))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {100.0 * bytes / total,5:0.0}%  {type}"));
        }
    }
}
