using System.Collections.Concurrent;
using Lab2Tools.Capture.Live;

namespace Lab2Tools.Pipeline;

/// <summary>A background capture as Start-TcpCapture returns it.</summary>
public sealed class TcpCaptureSession
{
    internal TcpCaptureSession(int id, string name, LiveSegmentSource source)
    {
        Id = id; Name = name; Source = source;
    }
    public int Id { get; }
    public string Name { get; }
    /// <summary>The capture's segments (and malformed frames) for the pipeline.</summary>
    internal LiveSegmentSource Source { get; }
    internal LiveCapture Capture => Source.Capture;
    public string Interface => Capture.Interface;
    public string Filter => Capture.Filter;
    public string? Path => Capture.Path;
    /// <summary>Running, Stopped or Failed.</summary>
    public string State => Capture.State.ToString();
    internal CaptureState StateValue => Capture.State;
    public DateTime StartTime => Capture.StartTime;
    public DateTime? StopTime => Capture.StopTime;
    /// <summary>StartTime as ISO 8601 round-trip text, the same in every culture (for Export-Csv).</summary>
    public string StartTimeIso => Lab2Tools.Model.Units.Iso(StartTime);
    /// <summary>StopTime as ISO 8601 round-trip text (empty while capturing).</summary>
    public string? StopTimeIso => Lab2Tools.Model.Units.Iso(StopTime);
    public long Packets => Capture.Packets;
    public long Bytes => Capture.Bytes;
    public long TcpSegments => Source.TcpSegments;
    public long MalformedFrames => Source.MalformedFrames;
    public long KernelDropped => Capture.KernelDropped;
    public long InterfaceDropped => Capture.InterfaceDropped;
    public long QueueDropped => Source.QueueDropped;
    /// <summary>Packets lost: dropped by the kernel and by the queue to the pipeline.</summary>
    public long Dropped => KernelDropped + QueueDropped;
    public string? Error => Capture.Error?.Message;
    /// <summary>Set once the failure has been reported to the user (so it is reported once).</summary>
    public bool ErrorReported { get; set; }
    /// <summary>Waits until the capture stops (by -Count, -DurationSec, Stop-TcpCapture or an error); false on timeout.</summary>
    public bool Wait(TimeSpan timeout) => Capture.Wait(timeout);
    public override string ToString() => $"{Name} on {Interface} ({State}, {Packets} packets)";
}

/// <summary>The captures of this process; all are stopped (files closed) when the process exits.</summary>
public static class CaptureRegistry
{
    private static readonly ConcurrentDictionary<int, TcpCaptureSession> Sessions = new();
    private static int s_nextId;
    private static int s_hooked;

    public static IEnumerable<TcpCaptureSession> All => Sessions.Values.OrderBy(s => s.Id);

    public static TcpCaptureSession Start(LiveCaptureOptions options, string? name)
    {
        if (Interlocked.Exchange(ref s_hooked, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
        var c = LiveSegmentSource.Start(options);
        int id = Interlocked.Increment(ref s_nextId);
        var s = new TcpCaptureSession(id, string.IsNullOrEmpty(name) ? $"Capture{id}" : name, c);
        Sessions[id] = s;
        return s;
    }

    public static void Stop(TcpCaptureSession s) => s.Capture.Stop();

    /// <summary>Forgets a stopped session.</summary>
    public static void Remove(TcpCaptureSession s) => Sessions.TryRemove(s.Id, out _);

    public static void StopAll()
    {
        foreach (var s in Sessions.Values.ToArray()) s.Capture.Stop();
    }
}
