using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lab2Tools.Fuzzing;

// Usage: Lab2Tools.Fuzz --data <folder> --out <folder> [--cases 100000] [--seconds 600] [--seed 1] [--timeout-ms 5000]
// Mutates every capture in the data folder and runs every analysis on each case, on all cores, with a
// watchdog per case. Findings (crashes, hangs, frames lost before the damage) are saved as .pcap files with
// a .txt beside each, ready to become regression tests. Exit code: 0 clean, 1 findings.
var opt = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
for (int i = 0; i + 1 < args.Length; i += 2) opt[args[i].TrimStart('-')] = args[i + 1];
string data = opt.GetValueOrDefault("data") ?? throw new ArgumentException("--data is required");
string outDir = opt.GetValueOrDefault("out") ?? Path.Combine(Path.GetTempPath(), "lab2tools-fuzz");
long maxCases = long.Parse(opt.GetValueOrDefault("cases") ?? "100000", CultureInfo.InvariantCulture);
double seconds = double.Parse(opt.GetValueOrDefault("seconds") ?? "600", CultureInfo.InvariantCulture);
int seed = int.Parse(opt.GetValueOrDefault("seed") ?? "1", CultureInfo.InvariantCulture);
int timeoutMs = int.Parse(opt.GetValueOrDefault("timeout-ms") ?? "5000", CultureInfo.InvariantCulture);
Directory.CreateDirectory(outDir);

var files = Directory.GetFiles(data, "*.pcap").Concat(Directory.GetFiles(data, "*.pcapng")).ToList();
if (Environment.GetEnvironmentVariable("FUZZ_PROFILE") != null)
{
    foreach (var f in files)
    {
        var bytes = File.ReadAllBytes(f);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < 3; i++) CaptureFuzzer.Signatures(bytes, Path.GetFileName(f), full: false);
        var lite = sw.Elapsed.TotalMilliseconds / 3;
        sw.Restart();
        for (int i = 0; i < 3; i++) CaptureFuzzer.Signatures(bytes, Path.GetFileName(f), full: true);
        Console.WriteLine($"{Path.GetFileName(f),-32} {bytes.Length,9} B  lite {lite,8:0.0} ms  full {sw.Elapsed.TotalMilliseconds / 3,8:0.0} ms");
    }
    return 0;
}
var fuzzer = new CaptureFuzzer(files);
Console.WriteLine($"Fuzzing {fuzzer.SeedCount} captures from {data}: up to {maxCases:N0} cases or {seconds:0} s, seed {seed}, {timeoutMs} ms per case");

long cases = 0, crashes = 0, losses = 0, hangs = 0, segments = 0;
var mutationCounts = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
var clock = Stopwatch.StartNew();
int workers = Math.Max(2, Environment.ProcessorCount);
var started = new long[workers];            // Stopwatch ticks when the current case started, 0 when idle
var current = new FuzzCase?[workers];
object findingsLock = new();
int findingNo = 0;

void Save(string kind, FuzzCase c, string text)
{
    lock (findingsLock)
    {
        int n = ++findingNo;
        if (n > 50) return;                     // enough to work on
        string baseName = Path.Combine(outDir, $"{kind}-{n:000}-{Path.GetFileNameWithoutExtension(c.Seed)}");
        File.WriteAllBytes(baseName + (c.Seed.EndsWith(".pcapng", StringComparison.Ordinal) ? ".pcapng" : ".pcap"), c.Data);
        File.WriteAllText(baseName + ".txt", $"seed file: {c.Seed}\nmutation: {c.Mutation}\ndamage offset: {c.DamageOffset}\n\n{text}\n");
    }
}

var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
{
    var r = new Random(seed * 1000 + w);
    while (true)
    {
        long n = Interlocked.Increment(ref cases);
        if (n > maxCases || clock.Elapsed.TotalSeconds > seconds) { Interlocked.Decrement(ref cases); break; }
        var c = fuzzer.Next(r);
        current[w] = c;
        Volatile.Write(ref started[w], Stopwatch.GetTimestamp());
        var o = fuzzer.Run(c, full: n % 4 == 0 && Environment.GetEnvironmentVariable("FUZZ_LITE") == null);          // flow diagrams, checks and the report on every 4th case
        Volatile.Write(ref started[w], 0);
        mutationCounts.AddOrUpdate(c.Mutation.Split(' ')[0], 1, (_, v) => v + 1);
        Interlocked.Add(ref segments, o.Segments);
        if (o.Crashed) { Interlocked.Increment(ref crashes); Save("crash", c, o.Crash!); }
        else if (o.LostFrames > 0) { Interlocked.Increment(ref losses); Save("loss", c, o.LostDetail!); }
    }
}) { IsBackground = true, Name = $"fuzz-{w}" }).ToList();
threads.ForEach(t => t.Start());

long lastReport = 0;
while (threads.Any(t => t.IsAlive))
{
    Thread.Sleep(200);
    for (int w = 0; w < workers; w++)
    {
        long s = Volatile.Read(ref started[w]);
        if (s != 0 && Stopwatch.GetElapsedTime(s).TotalMilliseconds > timeoutMs && current[w] is FuzzCase c)
        {
            hangs++;
            Save("hang", c, $"no result after {timeoutMs} ms");
            Console.WriteLine($"HANG on {c.Seed}: {c.Mutation}");
            Summary();
            Environment.Exit(1);                // a stuck thread cannot be stopped: report and leave
        }
    }
    if (clock.ElapsedMilliseconds - lastReport > 15000)
    {
        lastReport = clock.ElapsedMilliseconds;
        Console.WriteLine($"  {Interlocked.Read(ref cases):N0} cases, {crashes} crashes, {losses} losses, {clock.Elapsed.TotalSeconds:0} s");
    }
}
Summary();
return crashes + losses + hangs == 0 ? 0 : 1;

void Summary()
{
    var result = new
    {
        Cases = Interlocked.Read(ref cases), Crashes = crashes, Hangs = hangs, Losses = losses,
        Seconds = Math.Round(clock.Elapsed.TotalSeconds, 1), CasesPerSecond = Math.Round(cases / clock.Elapsed.TotalSeconds),
        SegmentsAnalysed = Interlocked.Read(ref segments), Seeds = fuzzer.SeedCount, Seed = seed,
        Mutations = mutationCounts.OrderBy(k => k.Key).ToDictionary(k => k.Key, k => k.Value),
    };
    File.WriteAllText(Path.Combine(outDir, "fuzz-summary.json"), JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
    Console.WriteLine($"Fuzz: {result.Cases:N0} cases in {result.Seconds} s ({result.CasesPerSecond}/s), {result.SegmentsAnalysed:N0} segments analysed: " +
        $"{crashes} crashes, {hangs} hangs, {losses} cases losing frames before the damage. Findings in {outDir}");
}
