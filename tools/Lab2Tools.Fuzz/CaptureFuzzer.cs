using System.Buffers.Binary;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Capture;
using Lab2Tools.Lab;
using Lab2Tools.Model;
using Lab2Tools.Pipeline;
using Lab2Tools.Rendering;

namespace Lab2Tools.Fuzzing;

/// <summary>Where one frame's record sits in a capture file, and where its packet data starts.</summary>
public readonly record struct FrameSpan(long RecordStart, long RecordEnd, long DataStart, int CapturedLength);

/// <summary>One mutated capture: what was done, and the first byte it changed (frames that end before it must be read unchanged).</summary>
public sealed record FuzzCase(string Seed, string Mutation, byte[] Data, long DamageOffset);

/// <summary>What a run of every analysis over one case gave.</summary>
public sealed record FuzzOutcome(bool Crashed, string? Crash, int LostFrames, string? LostDetail, long Segments);

/// <summary>
/// Mutation fuzzing of the capture readers and of every analysis a cmdlet runs on what they read: bit flips,
/// truncation, damaged record and block lengths, IP and TCP length fields, TCP option lengths 0 and 1, absurd
/// header lengths. A case passes when nothing but <see cref="CaptureFileException"/> escapes and every frame
/// that ends before the damage is read exactly as from the intact file.
/// </summary>
public sealed class CaptureFuzzer
{
    private sealed class Seed
    {
        public string Name = "";
        public byte[] Bytes = Array.Empty<byte>();
        public bool BigEndian;
        public bool PcapNg;
        public int LinkType;
        public List<FrameSpan> Frames = new();
        public List<(long start, long length)> Blocks = new();       // pcapng blocks
        public Dictionary<long, string> Baseline = new();             // frame → signature
        public List<long> FrameEnds = new();
    }

    private readonly List<Seed> _seeds = new();
    public const int MaxSeedBytes = 512 * 1024;

    public CaptureFuzzer(IEnumerable<string> files)
    {
        foreach (var f in files.OrderBy(f => f, StringComparer.Ordinal))
        {
            var s = new Seed { Name = Path.GetFileName(f), Bytes = File.ReadAllBytes(f) };
            if (!Layout(s)) continue;
            if (s.Bytes.Length > MaxSeedBytes && s.Frames.Count > 0)
            {
                // a large capture is fuzzed through its first half-megabyte (cut on a record boundary): cases stay fast
                long cut = s.Frames.Where(x => x.RecordEnd <= MaxSeedBytes).Select(x => x.RecordEnd).DefaultIfEmpty(s.Frames[0].RecordEnd).Max();
                s = new Seed { Name = s.Name, Bytes = s.Bytes.AsSpan(0, (int)cut).ToArray() };
                Layout(s);
            }
            var (sigs, _) = Signatures(s.Bytes, s.Name);
            s.Baseline = sigs;
            _seeds.Add(s);
        }
        if (_seeds.Count == 0) throw new InvalidOperationException("No capture to fuzz.");
    }

    public int SeedCount => _seeds.Count;

    // ---- layout of the intact files ------------------------------------------------------------

    private static bool Layout(Seed s)
    {
        var b = s.Bytes;
        if (b.Length < 24) return false;
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(b);
        if (magic is 0xA1B2C3D4 or 0xA1B23C4D or 0xD4C3B2A1 or 0x4D3CB2A1)
        {
            s.BigEndian = magic is 0xD4C3B2A1 or 0x4D3CB2A1;
            s.LinkType = (int)U32(s, 20);
            long p = 24;
            while (p + 16 <= b.Length)
            {
                int cap = (int)U32(s, p + 8);
                if (cap < 0 || p + 16 + cap > b.Length) break;
                s.Frames.Add(new FrameSpan(p, p + 16 + cap, p + 16, cap));
                p += 16 + cap;
            }
            return true;
        }
        if (magic == 0x0A0D0D0A)
        {
            s.PcapNg = true;
            long p = 0;
            while (p + 12 <= b.Length)
            {
                uint type = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)p));
                uint len = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)p + 4));
                if (len < 12 || p + len > b.Length) break;
                s.Blocks.Add((p, len));
                if (type == 1 && s.LinkType == 0) s.LinkType = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)p + 8));
                if (type == 6)
                {
                    int cap = (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)p + 20));
                    s.Frames.Add(new FrameSpan(p, p + len, p + 28, cap));
                }
                p += len;
            }
            return true;
        }
        return false;
    }

    private static uint U32(Seed s, long at) =>
        s.BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s.Bytes.AsSpan((int)at)) : BinaryPrimitives.ReadUInt32LittleEndian(s.Bytes.AsSpan((int)at));

    private static void W32(Seed s, byte[] d, long at, uint v)
    {
        if (s.BigEndian) BinaryPrimitives.WriteUInt32BigEndian(d.AsSpan((int)at), v);
        else BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan((int)at), v);
    }

    private static int LinkHeader(int linkType, byte[] d, long dataStart) => linkType switch
    {
        1 => dataStart + 14 <= d.Length && d[dataStart + 12] == 0x81 && d[dataStart + 13] == 0x00 ? 18 : 14,
        0 or 108 => 4,
        113 => 16,
        276 => 20,
        _ => 0,
    };

    // ---- mutations --------------------------------------------------------------------------------

    private static readonly uint[] AbsurdLengths = { 0, 1, 15, 16, 17, 65535, 262145, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF };

    public FuzzCase Next(Random r)
    {
        var s = _seeds[r.Next(_seeds.Count)];
        var d = (byte[])s.Bytes.Clone();
        int kind = r.Next(8);
        FrameSpan? f = s.Frames.Count > 0 ? s.Frames[r.Next(s.Frames.Count)] : null;
        switch (kind)
        {
            case 0:   // bit flips
            {
                int n = 1 + r.Next(8);
                long first = long.MaxValue;
                for (int i = 0; i < n; i++)
                {
                    int at = r.Next(d.Length);
                    d[at] ^= (byte)(1 << r.Next(8));
                    first = Math.Min(first, at);
                }
                return new FuzzCase(s.Name, $"flip {n} bit(s), first at {first}", d, first);
            }
            case 1:   // truncation anywhere, often inside a record header or a frame's headers
            {
                long cut = f is FrameSpan fs && r.Next(2) == 0 ? fs.RecordStart + r.Next((int)Math.Min(80, fs.RecordEnd - fs.RecordStart)) : r.Next(d.Length);
                return new FuzzCase(s.Name, $"truncate at {cut}", d.AsSpan(0, (int)cut).ToArray(), cut);
            }
            case 2:   // record / block lengths
            {
                uint v = AbsurdLengths[r.Next(AbsurdLengths.Length)];
                if (!s.PcapNg)
                {
                    if (f is not FrameSpan fs) goto case 0;
                    long at = fs.RecordStart + (r.Next(2) == 0 ? 8 : 12);    // caplen or origlen
                    if (r.Next(3) == 0) v = (uint)(fs.CapturedLength + r.Next(-3, 4));
                    W32(s, d, at, v);
                    return new FuzzCase(s.Name, $"record length at {at} = {v}", d, at);
                }
                var (bs, bl) = s.Blocks[r.Next(s.Blocks.Count)];
                long where = r.Next(3) switch { 0 => bs + 4, 1 => bs + bl - 4, _ => bs + 20 };   // total length, trailing length, EPB caplen
                if (r.Next(3) == 0) v = (uint)(bl + r.Next(-5, 6));
                BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan((int)where), v);
                return new FuzzCase(s.Name, $"block length at {where} = {v}", d, where);
            }
            case 3:   // IP header: version/IHL, total length, IPv6 payload length
            {
                if (f is not FrameSpan fs) goto case 0;
                long ip = fs.DataStart + LinkHeader(s.LinkType, d, fs.DataStart);
                if (ip + 20 > fs.RecordEnd) goto case 0;
                bool v6 = (d[ip] >> 4) == 6;
                long at;
                switch (r.Next(3))
                {
                    case 0: at = ip; d[at] = (byte)((d[at] & 0xF0) | r.Next(16)); break;                                      // IHL 0..15
                    case 1: at = v6 ? ip + 4 : ip + 2; BinaryPrimitives.WriteUInt16BigEndian(d.AsSpan((int)at), (ushort)r.Next(65536)); break;
                    default: at = ip + (v6 ? 6 : 9); d[at] = (byte)r.Next(256); break;                                          // protocol / next header
                }
                return new FuzzCase(s.Name, $"IP field at {at}", d, at);
            }
            case 4:   // TCP data offset
            {
                if (!Tcp(s, d, f, out long tcp, out _)) goto case 0;
                long at = tcp + 12;
                d[at] = (byte)((r.Next(16) << 4) | (d[at] & 0x0F));
                return new FuzzCase(s.Name, $"TCP data offset at {at} = {d[at] >> 4}", d, at);
            }
            case 5:   // TCP option lengths 0 and 1, absurd lengths
            {
                if (!Tcp(s, d, f, out long tcp, out int hl) || hl <= 20) goto case 0;
                long opt = tcp + 20 + r.Next(hl - 20);
                if (opt + 1 >= d.Length) goto case 0;
                byte[] kinds = { 2, 3, 4, 5, 8, 30, 254 };
                d[opt] = kinds[r.Next(kinds.Length)];
                d[opt + 1] = (byte)(r.Next(3) switch { 0 => 0, 1 => 1, _ => r.Next(256) });
                return new FuzzCase(s.Name, $"TCP option kind {d[opt]} length {d[opt + 1]} at {opt}", d, opt);
            }
            case 6:   // a frame's bytes overwritten with noise
            {
                if (f is not FrameSpan fs || fs.CapturedLength == 0) goto case 0;
                long at = fs.DataStart + r.Next(fs.CapturedLength);
                int n = Math.Min(1 + r.Next(40), (int)(fs.RecordEnd - at));
                r.NextBytes(d.AsSpan((int)at, n));
                return new FuzzCase(s.Name, $"noise {n} bytes at {at}", d, at);
            }
            default:  // the file header: magic, version, snaplen, link type
            {
                int at = r.Next(Math.Min(24, d.Length));
                d[at] = (byte)r.Next(256);
                return new FuzzCase(s.Name, $"file header byte {at}", d, at);
            }
        }
    }

    private static bool Tcp(Seed s, byte[] d, FrameSpan? frame, out long tcp, out int headerLength)
    {
        tcp = 0; headerLength = 0;
        if (frame is not FrameSpan f) return false;
        long ip = f.DataStart + LinkHeader(s.LinkType, d, f.DataStart);
        if (ip + 40 > f.RecordEnd) return false;
        int ver = d[ip] >> 4;
        if (ver == 4) { if (d[ip + 9] != 6) return false; tcp = ip + (d[ip] & 0x0F) * 4; }
        else if (ver == 6) { if (d[ip + 6] != 6) return false; tcp = ip + 40; }
        else return false;
        if (tcp + 20 > f.RecordEnd) return false;
        headerLength = (d[tcp + 12] >> 4) * 4;
        return headerLength >= 20 && tcp + headerLength <= f.RecordEnd;
    }

    // ---- running every analysis ---------------------------------------------------------------

    private static string Signature(TcpSegment s) =>
        $"{s.Stream}|{s.SeqRaw}|{s.AckRaw}|{s.Seq}|{s.Ack}|{s.Len}|{s.FlagsString}|{s.WindowSize}|{s.AnalysisText}|{s.Mss}|{s.WindowScaleShift}";

    /// <summary>Reads a capture and runs what every capture-reading cmdlet runs on it; returns each read frame's signature.</summary>
    public static (Dictionary<long, string> signatures, long segments) Signatures(byte[] data, string name, bool full = true)
    {
        var sigs = new Dictionary<long, string>();
        var conns = new ConnectionAnalyzer();
        var expert = new ExpertAnalyzer();
        var http = new HttpAnalyzer(keepBodies: true);
        var followers = new Dictionary<int, StreamFollower>();
        var lab = new LabCaptureAnalyzer();
        var graphs = new Analysis.Graphs.TcpStreamGraphBuilder();
        var rtt = new Analysis.Statistics.RttEstimator();
        var stats = new Analysis.Statistics.TcpConnectionStatisticsAnalyzer();
        long frames = 0, segments = 0;
        try
        {
            using var reader = TcpSegmentReader.Open(new MemoryStream(data, writable: false), name);
            try
            {
                while (true)
                {
                    var st = reader.Read();
                    if (st == ReadStatus.End) break;
                    if (st == ReadStatus.Malformed) { lab.AddMalformed(reader.CurrentMalformed!); continue; }
                    var s = reader.Current!;
                    segments++;
                    sigs[s.Frame] = Signature(s);
                    conns.Add(s);                                     // Get-TcpConnection, -Handshake, -Teardown, -StateTimeline
                    foreach (var e in expert.Analyze(s)) _ = e.Reason; // Get-TcpExpertInfo
                    http.Add(s);                                      // Get-HttpExchange, Export-HttpObject
                    http.TakeProblems();
                    if (!followers.TryGetValue(s.Stream, out var fo)) followers[s.Stream] = fo = new StreamFollower();
                    fo.Add(s);                                        // Get-TcpStream
                    lab.Add(s);                                       // Test-LabCapture, Show-TcpFlow, Export-LabReport
                    graphs.Add(s);                                    // Get-TcpStreamGraph
                    _ = rtt.Add(s);                                   // Get-TcpRttEstimate
                    stats.Add(s);                                     // Measure-TcpConnection
                }
            }
            catch (CaptureFileException)
            {
                // file damage: reading stops here, what came before is kept (the cmdlets report it as an error)
            }
            frames = reader.FramesRead;
        }
        catch (CaptureFileException)
        {
            return (sigs, 0);                                        // not a capture any more: nothing to analyse
        }
        foreach (var r in conns.Records)
        {
            _ = r.ToConnection();
            _ = r.ToHandshake();
            _ = r.ToTeardown();
            _ = r.ToStateTimeline();
        }
        http.Finish();
        foreach (var fo in followers.Values) _ = fo.Finish().Text;
        foreach (var d in stats.Results()) _ = d.MissedData;
        foreach (int stream in graphs.Streams)
            foreach (var type in Enum.GetValues<Analysis.Graphs.TcpGraphType>())
                foreach (var dir in Enum.GetValues<Analysis.Graphs.TcpGraphDirection>())
                {
                    var g = graphs.Build(stream, type, dir)!;
                    if (full && dir == Analysis.Graphs.TcpGraphDirection.Auto) _ = Analysis.Graphs.TcpGraphSvgRenderer.Render(g);
                }
        if (full)
        {
            var a = lab.Finish(name, frames, null);
            _ = LabChecks.Run(a);
            foreach (var c in a.Connections)
            {
                var flow = a.Flow(c.Stream)!;
                _ = FlowTextRenderer.Render(flow);
                _ = FlowSvgRenderer.Render(flow);
            }
            var doc = LabReport.Build(a, null, null, Array.Empty<Sockets.TcpSocketEntry>());
            _ = doc.ToMarkdown();
            _ = doc.ToHtml();
        }
        return (sigs, segments);
    }

    /// <summary>Runs one case: crash (anything but file damage escaping), or frames before the damage lost or changed.</summary>
    public FuzzOutcome Run(FuzzCase c, bool full)
    {
        Dictionary<long, string> got;
        long segments;
        try
        {
            (got, segments) = Signatures(c.Data, c.Seed, full);
        }
        catch (Exception e)
        {
            return new FuzzOutcome(true, e.ToString(), 0, null, 0);
        }
        var seed = _seeds.First(s => s.Name == c.Seed);
        int lost = 0;
        string? detail = null;
        long frameNumber = 0;
        foreach (var fs in seed.Frames)
        {
            frameNumber++;
            if (fs.RecordEnd > c.DamageOffset) break;
            if (!seed.Baseline.TryGetValue(frameNumber, out var want)) continue;   // not a TCP frame
            if (!got.TryGetValue(frameNumber, out var have) || have != want)
            {
                lost++;
                detail ??= $"frame {frameNumber} (ends at {fs.RecordEnd}, damage at {c.DamageOffset}): expected {want}, got {have ?? "nothing"}";
            }
        }
        return new FuzzOutcome(false, null, lost, detail, segments);
    }
}
