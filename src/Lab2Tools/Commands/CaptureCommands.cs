using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using Lab2Tools.Capture.Live;
using Lab2Tools.Commands.Internal;
using Lab2Tools.Model;
using Lab2Tools.Pipeline;

namespace Lab2Tools.Commands;

/// <summary>Completes interface names for -Interface.</summary>
public sealed class CaptureInterfaceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<CaptureInterface> list;
        try { list = LiveCapture.ListInterfaces(probeLinkType: false); }
        catch (LiveCaptureException) { yield break; }
        var pattern = WildcardPattern.Get(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        foreach (var i in list.Where(i => pattern.IsMatch(i.Name)))
        {
            string tip = i.IsLoopback ? Say.Format("Tip.LoopbackInterface", i.Name, i.Description) : $"{i.Name} {i.Description}";
            yield return new CompletionResult(i.Name.Contains(' ') ? $"'{i.Name}'" : i.Name, i.Name, CompletionResultType.ParameterValue,
                tip.Trim());
        }
    }
}

/// <summary>Get-CaptureInterface: the interfaces libpcap can capture on.</summary>
[Cmdlet(VerbsCommon.Get, "CaptureInterface")]
[OutputType(typeof(CaptureInterface))]
public sealed class GetCaptureInterfaceCommand : PSCmdlet
{
    /// <summary>Interface names; wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void EndProcessing()
    {
        IReadOnlyList<CaptureInterface> list;
        try { list = LiveCapture.ListInterfaces(); }
        catch (LiveCaptureException e) { ThrowTerminatingError(Errors.From(e)); return; }
        foreach (var i in list)
            if (Name == null || Name.Any(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase).IsMatch(i.Name))) WriteObject(i);
    }
}

/// <summary>Shared parameters of Start-TcpCapture and Watch-TcpSegment.</summary>
public abstract class CaptureStartCmdlet : PSCmdlet
{
    /// <summary>The interface to capture on (loopback by default).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(CaptureInterfaceCompleter))]
    public string? Interface { get; set; }

    /// <summary>A libpcap capture filter; the default is $"tcp port {Model.LabDefaults.Port}".</summary>
    [Parameter]
    public string? Filter { get; set; }

    /// <summary>Capture TCP on this port (filter "tcp port N").</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>Stop after this many seconds.</summary>
    [Parameter]
    [ValidateRange(0.001, 86400.0)]
    public double DurationSec { get; set; }

    /// <summary>Stop after this many packets.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long Count { get; set; }

    protected LiveCaptureOptions Options(string? path)
    {
        string filter = Filter ?? (Port > 0 ? $"tcp port {Port}" : $"tcp port {Model.LabDefaults.Port}");
        if (Filter != null && Port > 0) filter = $"({Filter}) and tcp port {Port}";
        return new LiveCaptureOptions
        {
            Interface = Interface, Filter = filter, Path = path,
            Duration = DurationSec > 0 ? TimeSpan.FromSeconds(DurationSec) : null,
            Count = Count > 0 ? Count : null,
        };
    }
}

/// <summary>Start-TcpCapture: a background capture to a pcap file, with segments for Receive-TcpCapture.</summary>
[Cmdlet(VerbsLifecycle.Start, "TcpCapture", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(TcpCaptureSession))]
public sealed class StartTcpCaptureCommand : CaptureStartCmdlet
{
    /// <summary>The pcap file to write (default: lab2tools-&lt;date&gt;-&lt;time&gt;.pcap in the current folder).</summary>
    [Parameter(Position = 0)]
    public string? Path { get; set; }

    /// <summary>A name to find the capture by.</summary>
    [Parameter]
    public string? Name { get; set; }

    protected override void EndProcessing()
    {
        string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path ?? $"lab2tools-{DateTime.Now:yyyyMMdd-HHmmss}.pcap");
        if (Directory.Exists(path)) ThrowTerminatingError(Errors.OutputIsFolder("CaptureFileNotWritable", path, "-Path", "lab2.pcap"));
        var options = Options(path);
        if (!ShouldProcess(options.Interface ?? "loopback", Say.Format("Action.StartCapture", options.Filter, path))) return;
        try
        {
            WriteObject(CaptureRegistry.Start(options, Name));
        }
        catch (LiveCaptureException e)
        {
            ThrowTerminatingError(Errors.From(e));
        }
    }
}

/// <summary>Selection of capture sessions by Name (wildcards), Id or pipeline object.</summary>
public abstract class CaptureSelectionCmdlet : SelectionCmdlet<TcpCaptureSession>
{
    protected override IEnumerable<TcpCaptureSession> All => CaptureRegistry.All;
    protected override string NameOf(TcpCaptureSession item) => item.Name;
    protected override int IdOf(TcpCaptureSession item) => item.Id;
    protected override string NotFoundErrorId => "TcpCaptureNotFound";
}

/// <summary>Get-TcpCapture: the captures of this session, running or stopped.</summary>
[Cmdlet(VerbsCommon.Get, "TcpCapture", DefaultParameterSetName = NameSet)]
[OutputType(typeof(TcpCaptureSession))]
public sealed class GetTcpCaptureCommand : CaptureSelectionCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var s in Selected()) WriteObject(s);
    }
}

/// <summary>Stop-TcpCapture: stops captures; everything libpcap still holds is written and the file is closed.</summary>
[Cmdlet(VerbsLifecycle.Stop, "TcpCapture", DefaultParameterSetName = NameSet, SupportsShouldProcess = true,
    ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(TcpCaptureSession))]
public sealed class StopTcpCaptureCommand : CaptureSelectionCmdlet
{
    /// <summary>Write the stopped capture with its final statistics.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var s in Selected())
        {
            if (!ShouldProcess($"{s.Name} ({s.Interface}, {s.Path})", Say.Get("Action.StopCapture"))) continue;
            CaptureRegistry.Stop(s);
            if (s.Capture.Error is Exception e && !s.ErrorReported)
            {
                s.ErrorReported = true;
                WriteError(Errors.CaptureStopped(e, s.Name, s.Path));
            }
            if (PassThru) WriteObject(s);
        }
    }
}

/// <summary>Receive-TcpCapture: the TcpSegments a capture has decoded so far (with -Wait, until it stops).</summary>
[Cmdlet(VerbsCommunications.Receive, "TcpCapture", DefaultParameterSetName = NameSet)]
[OutputType(typeof(TcpSegment))]
public sealed class ReceiveTcpCaptureCommand : CaptureSelectionCmdlet
{
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>Keep writing segments as they are captured, until the capture stops or Ctrl+C.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var s in Selected())
        {
            var q = s.Source.Segments;
            if (!Wait)
            {
                while (q.TryTake(out var seg)) WriteObject(seg);
                WriteMalformed(s.Source);
                continue;
            }
            try
            {
                foreach (var seg in q.GetConsumingEnumerable(_cancel.Token))
                {
                    WriteObject(seg);
                    WriteMalformed(s.Source);
                }
            }
            catch (OperationCanceledException) { }
            WriteMalformed(s.Source);
        }
    }

    protected override void StopProcessing() => _cancel.Cancel();

    private void WriteMalformed(LiveSegmentSource source)
    {
        while (source.TryTakeMalformed(out var m)) WriteError(Errors.MalformedFrame(m));
    }
}

/// <summary>
/// Watch-TcpSegment: captures in the foreground and writes segments as they arrive, until Ctrl+C, -Count or -DurationSec.
/// </summary>
[Cmdlet(VerbsCommon.Watch, "TcpSegment")]
[OutputType(typeof(TcpSegment))]
public sealed class WatchTcpSegmentCommand : CaptureStartCmdlet
{
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>Also write the packets to this pcap file.</summary>
    [Parameter(Position = 0)]
    public string? Path { get; set; }

    protected override void EndProcessing()
    {
        string? path = Path == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (path != null && Directory.Exists(path))
            ThrowTerminatingError(Errors.OutputIsFolder("CaptureFileNotWritable", path, "-Path", "lab2.pcap"));
        LiveSegmentSource source;
        var options = Options(path);
        options.Immediate = true;    // a live packet list: each segment as soon as it is captured
        try { source = LiveSegmentSource.Start(options); }
        catch (LiveCaptureException e) { ThrowTerminatingError(Errors.From(e)); return; }
        try
        {
            foreach (var seg in source.Segments.GetConsumingEnumerable(_cancel.Token))
            {
                WriteObject(seg);
                while (source.TryTakeMalformed(out var m)) WriteError(Errors.MalformedFrame(m));
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            source.Capture.Stop();
            long kernel = source.Capture.KernelDropped;
            if (source.QueueDropped > 0 || kernel > 0)
                WriteWarning(Say.Format("Warning.Dropped", kernel, source.QueueDropped));
        }
    }

    protected override void StopProcessing() => _cancel.Cancel();
}
