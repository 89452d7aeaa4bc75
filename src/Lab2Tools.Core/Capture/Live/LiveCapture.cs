using SharpPcap;
using SharpPcap.LibPcap;

namespace Lab2Tools.Capture.Live;

public enum CaptureState { Starting, Running, Stopped, Failed }

/// <summary>What goes wrong when starting a live capture, for precise errors.</summary>
public enum CaptureProblem { LibPcapMissing, PermissionDenied, InterfaceNotFound, InvalidFilter, CannotOpen, CannotWriteFile }

public sealed class LiveCaptureException : Exception
{
    public LiveCaptureException(CaptureProblem problem, string message, object? target, Exception? inner = null) : base(message, inner)
    {
        Problem = problem;
        Target = target;
    }
    public CaptureProblem Problem { get; }
    public object? Target { get; }
}

/// <summary>An interface libpcap can capture on.</summary>
public sealed class CaptureInterface
{
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    public string? FriendlyName { get; init; }
    public bool IsLoopback { get; init; }
    public Model.WordList<string> Addresses { get; init; } = Model.WordList<string>.Empty;
    /// <summary>
    /// The link type libpcap reports when the interface is opened (null when it cannot be opened, e.g. without privileges).
    /// </summary>
    public string? LinkType { get; init; }
    public override string ToString() => Name;
}

public sealed class LiveCaptureOptions
{
    /// <summary>Interface name (or description); null picks the loopback interface.</summary>
    public string? Interface { get; set; }
    public string Filter { get; set; } = "tcp port " + Model.LabDefaults.Port;
    /// <summary>The pcap file to write; null writes none.</summary>
    public string? Path { get; set; }
    public TimeSpan? Duration { get; set; }
    public long? Count { get; set; }
    public int Snaplen { get; set; } = 262144;
    /// <summary>libpcap's kernel buffer in bytes.</summary>
    public int BufferSize { get; set; } = 64 * 1024 * 1024;
    /// <summary>Immediate mode: each packet handed over at once (a live view). Off: libpcap hands over blocks of
    /// packets (TPACKET_V3), which keeps up with far higher rates; stopping still drains every block.</summary>
    public bool Immediate { get; set; }
}

/// <summary>
/// A live capture on its own thread: libpcap (through SharpPcap), every packet written to a nanosecond pcap
/// with its exact header and handed to an <see cref="IFrameSink"/> (the pipeline's
/// <see cref="Pipeline.LiveSegmentSource"/>, which decodes and tracks it as Import-TcpCapture does a file).
/// The kernel's drops are counted with libpcap's own struct layout. Stopping drains what libpcap still holds,
/// then closes the file.
/// </summary>
public sealed class LiveCapture : IDisposable
{
    private readonly LiveCaptureOptions _o;
    private readonly LibPcapLiveDevice _device;
    private readonly PcapWriter? _writer;
    private readonly IFrameSink? _sink;
    private readonly Thread _thread;
    private volatile bool _stopRequested;
    private long _packets, _bytes;
    private LibPcapStats.PcapStat _lastStats;
    private readonly object _statsGate = new();
    private volatile bool _deviceOpen = true;

    private LiveCapture(LiveCaptureOptions o, LibPcapLiveDevice device, PcapWriter? writer, IFrameSink? sink)
    {
        _o = o;
        _device = device;
        _writer = writer;
        _sink = sink;
        _thread = new Thread(Loop) { IsBackground = true, Name = "Lab2Tools capture " + device.Name };
    }

    public string Interface => _device.Name;
    public string Filter => _o.Filter;
    public string? Path => _writer?.Path;
    public int LinkType { get; private set; }
    public DateTime StartTime { get; private set; }
    public DateTime? StopTime { get; private set; }
    public CaptureState State { get; private set; } = CaptureState.Starting;
    public Exception? Error { get; private set; }
    public long Packets => Interlocked.Read(ref _packets);
    public long Bytes => Interlocked.Read(ref _bytes);
    /// <summary>libpcap's ps_recv (on Linux lo each packet is counted for both its copies, one of which libpcap discards).</summary>
    public long KernelReceived { get { RefreshStats(); return _lastStats.Received; } }
    /// <summary>libpcap's ps_drop: packets the kernel dropped because the capture buffer was full.</summary>
    public long KernelDropped { get { RefreshStats(); return _lastStats.Dropped; } }
    public long InterfaceDropped { get { RefreshStats(); return _lastStats.InterfaceDropped; } }

    public static IReadOnlyList<CaptureInterface> ListInterfaces(bool probeLinkType = true)
    {
        var list = new List<CaptureInterface>();
        foreach (var d in Devices())
        {
            string? link = null;
            if (probeLinkType)
            {
                try
                {
                    d.Open(new DeviceConfiguration { Snaplen = 256, ReadTimeout = 10 });
                    link = d.LinkType.ToString();
                }
                catch (Exception e) when (e is PcapException or InvalidOperationException or PlatformNotSupportedException) { }
                finally { try { d.Close(); } catch (Exception) { } }
            }
            list.Add(new CaptureInterface
            {
                Name = d.Name,
                Description = d.Description ?? "",
                FriendlyName = d.Interface?.FriendlyName,
                IsLoopback = d.Loopback,
                Addresses = d.Addresses.Select(a => a.Addr?.ipAddress).OfType<System.Net.IPAddress>().Select(a => a.ToString()).ToArray(),
                LinkType = link,
            });
        }
        return list;
    }

    private static List<LibPcapLiveDevice> Devices()
    {
        try
        {
            return LibPcapLiveDeviceList.New().ToList();
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            throw new LiveCaptureException(CaptureProblem.LibPcapMissing,
                "libpcap could not be loaded (the library's own message says 'wpcap', which is its Windows name).", null, e);
        }
    }

    /// <summary>
    /// Opens the interface, sets the filter, creates the file and starts capturing; each frame then goes to
    /// <paramref name="sink"/> (none: the file only).
    /// </summary>
    public static LiveCapture Start(LiveCaptureOptions o, IFrameSink? sink = null)
    {
        var devices = Devices();
        LibPcapLiveDevice? device = o.Interface == null
            ? devices.FirstOrDefault(d => d.Loopback) ?? devices.FirstOrDefault(d => d.Name is "lo" or "lo0")
            : devices.FirstOrDefault(d => d.Name == o.Interface)
              ?? devices.FirstOrDefault(d => d.Description == o.Interface || d.Interface?.FriendlyName == o.Interface);
        if (device == null)
            throw new LiveCaptureException(CaptureProblem.InterfaceNotFound,
                o.Interface == null ? CaptureText.Table["Live.NoLoopback"] : CaptureText.Format("Live.NoInterface", o.Interface),
                o.Interface);
        var config = new DeviceConfiguration
        {
            Mode = DeviceModes.None,
            Snaplen = o.Snaplen,
            ReadTimeout = 100,
            Immediate = o.Immediate,              // a live view wants each packet at once; a file capture wants throughput
            BufferSize = o.BufferSize,
            TimestampResolution = TimestampResolution.Nanosecond,
        };
        config.ConfigurationFailed += (_, _) => { };   // a setting the platform lacks (e.g. nanosecond stamps) is not fatal
        try
        {
            device.Open(config);
        }
        catch (PcapException e)
        {
            bool perm = e.Message.Contains("permi", StringComparison.OrdinalIgnoreCase)
                        || e.Message.Contains("not permitted", StringComparison.OrdinalIgnoreCase);
            throw new LiveCaptureException(perm ? CaptureProblem.PermissionDenied : CaptureProblem.CannotOpen,
                CaptureText.Format("Live.CannotOpen", device.Name, e.Message), device.Name, e);
        }
        try
        {
            device.Filter = o.Filter;
        }
        catch (PcapException e)
        {
            device.Close();
            throw new LiveCaptureException(CaptureProblem.InvalidFilter,
                CaptureText.Format("Live.InvalidFilter", o.Filter, e.Message), o.Filter, e);
        }
        PcapWriter? writer = null;
        if (o.Path != null)
        {
            try
            {
                writer = new PcapWriter(o.Path, (int)device.LinkType, o.Snaplen);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                device.Close();
                throw new LiveCaptureException(CaptureProblem.CannotWriteFile,
                    CaptureText.Format("Live.CannotWrite", o.Path, e.Message), o.Path, e);
            }
        }
        var c = new LiveCapture(o, device, writer, sink) { LinkType = (int)device.LinkType, StartTime = DateTime.UtcNow };
        c.State = CaptureState.Running;
        c._thread.Start();
        return c;
    }

    private void Loop()
    {
        long lastFlush = Environment.TickCount64;
        long deadline = _o.Duration is TimeSpan d ? Environment.TickCount64 + (long)d.TotalMilliseconds : long.MaxValue;
        try
        {
            while (true)
            {
                bool ending = _stopRequested || Environment.TickCount64 >= deadline || (_o.Count is long n && Packets >= n);
                var status = _device.GetNextPacket(out PacketCapture e);
                if (status == GetPacketStatus.PacketRead)
                {
                    if (_o.Count is long max && Packets >= max) break;
                    Handle(e);
                }
                else if (status == GetPacketStatus.ReadTimeout)
                {
                    if (ending) break;          // nothing left in libpcap's buffer: every packet seen is written
                }
                else break;
                if (ending && status != GetPacketStatus.PacketRead) break;
                long now = Environment.TickCount64;
                if (_writer != null && now - lastFlush >= 100)
                {
                    _writer.Flush();
                    lastFlush = now;
                }
            }
        }
        catch (Exception ex)
        {
            Error = ex;
        }
        finally
        {
            RefreshStats();                      // the last reading, while the handle is open
            lock (_statsGate) _deviceOpen = false;
            try { _writer?.Dispose(); } catch (IOException ex) { Error ??= ex; }
            try { _device.Close(); } catch (Exception) { }
            StopTime = DateTime.UtcNow;
            State = Error == null ? CaptureState.Stopped : CaptureState.Failed;
            _sink?.Complete();
        }
    }

    private void Handle(in PacketCapture e)
    {
        var h = (PcapHeader)e.Header;
        long ns = (long)(h.Timeval.Value * 1_000_000_000m);
        var data = e.Data;
        int orig = (int)h.PacketLength;
        Interlocked.Increment(ref _packets);
        Interlocked.Add(ref _bytes, orig);
        _writer?.Write(ns, data, orig);
        _sink?.Accept(new CaptureFrame(Packets, ns, data.Length, Math.Max(orig, data.Length), LinkType, 0), data);
    }

    private void RefreshStats()
    {
        lock (_statsGate)
        {
            if (!_deviceOpen) return;     // the handle is closed once the capture ends: keep the last reading
            try
            {
                if (_device.Handle is { IsInvalid: false, IsClosed: false } handle && LibPcapStats.TryRead(handle, out var s))
                    _lastStats = s;
            }
            catch (Exception ex) when (ex is ObjectDisposedException or DllNotFoundException or InvalidOperationException) { }
        }
    }

    /// <summary>Stops: what libpcap still holds is written, then the file and the device are closed. Returns when done.</summary>
    public void Stop(TimeSpan? wait = null)
    {
        RefreshStats();
        _stopRequested = true;
        if (_thread.IsAlive) _thread.Join(wait ?? TimeSpan.FromSeconds(5));
    }

    /// <summary>Waits for a capture with -Duration or -Count to end by itself.</summary>
    public bool Wait(TimeSpan timeout) => _thread.Join(timeout);

    public void Dispose() => Stop();
}
