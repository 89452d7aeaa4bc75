using System.Collections.Concurrent;
using System.Management.Automation;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Flow;
using Lab2Tools.Capture.Live;
using Lab2Tools.Commands.Internal;
using Lab2Tools.Lab;
using Lab2Tools.Model;
using Lab2Tools.Rendering;
using Lab2Tools.Server;
using Lab2Tools.Sockets;

namespace Lab2Tools.Commands;

/// <summary>Invoke-LabSession: the whole lab in one command (server, capture, visit, revisit, analysis, checks).</summary>
[Cmdlet(VerbsLifecycle.Invoke, "LabSession", SupportsShouldProcess = true)]
[OutputType(typeof(LabSession))]
public sealed class InvokeLabSessionCommand : PSCmdlet
{
    private readonly CancellationTokenSource _cts = new();
    private Task<LabSession>? _task;

    /// <summary>The lab server's port on 127.0.0.1 (the seed's Flask port by default; 0 picks a free one).</summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; } = 5000;

    /// <summary>Who visits the page: the built-in browser-like client, or headless Chromium.</summary>
    [Parameter]
    public LabBrowser Browser { get; set; } = LabBrowser.BuiltIn;

    /// <summary>
    /// Where the capture (lab2.pcap) goes; by default a new folder lab2-session-yyyyMMdd-HHmmss in the current location, or,
    /// when the current location is inside a git checkout, under ~/.local/share/Lab2Tools/sessions (so no untracked folder is left there).
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputDirectory { get; set; }

    /// <summary>Who closes each connection first (ServerFirst, like Flask: the server holds TIME_WAIT).</summary>
    [Parameter]
    public LabServerCloseMode CloseMode { get; set; } = LabServerCloseMode.ServerFirst;

    /// <summary>Werkzeug (one request per connection, like Flask) or KeepAlive.</summary>
    [Parameter]
    public LabServerProfile ServerProfile { get; set; } = LabServerProfile.Werkzeug;

    /// <summary>The folder to serve instead of the bundled lab site.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Root { get; set; }

    /// <summary>Visit the page once only (no 304s).</summary>
    [Parameter]
    public SwitchParameter NoRevisit { get; set; }

    /// <summary>Replace the lab2.pcap of an earlier session in -OutputDirectory.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The Chromium executable for -Browser Chromium (chromium on PATH by default).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ChromiumPath { get; set; }

    protected override void ProcessRecord()
    {
        string here = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        string name = "lab2-session-" + DateTime.Now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        string? checkout = OutputDirectory == null ? GitCheckoutOf(here) : null;
        string outDir = OutputDirectory != null ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutputDirectory)
            : checkout != null ? System.IO.Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
                "Lab2Tools", "sessions", name)
            : System.IO.Path.Combine(here, name);
        if (checkout != null)
            WriteVerbose($"The current folder is inside the git checkout {checkout}: the session's files go to {outDir} instead " +
                "(give -OutputDirectory to choose).");
        string pcapPath = System.IO.Path.Combine(outDir, LabSessionRunner.CaptureFileName);
        if (File.Exists(pcapPath) && !Force)
        {
            ThrowTerminatingError(Errors.Create(new IOException($"'{pcapPath}' exists already (an earlier session's capture)."),
                "LabOutputExists", ErrorCategory.ResourceExists, pcapPath,
                "Add -Force to replace it, or give another folder with -OutputDirectory."));
        }
        string replacing = File.Exists(pcapPath) ? " (replacing it)" : "";
        string what = $"Run the lab: serve 127.0.0.1:{Port}, capture into {LabSessionRunner.CaptureFileName}{replacing}";
        if (!ShouldProcess(outDir, what)) return;
        string root = Root == null ? StartLabServerCommand.DefaultRoot : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Root);
        if (!Directory.Exists(root))
        {
            ThrowTerminatingError(Errors.Create(new DirectoryNotFoundException($"The site folder '{root}' does not exist."), "LabServerRootNotFound", ErrorCategory.ObjectNotFound, root,
                "Give an existing folder with -Root, or leave -Root out to serve the bundled lab site."));
        }
        var messages = new ConcurrentQueue<string>();
        var options = new LabSessionOptions
        {
            Port = Port, Root = root, Browser = Browser, OutputDirectory = outDir, CloseMode = CloseMode, Profile = ServerProfile,
            Revisit = !NoRevisit, ChromiumPath = ChromiumPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ChromiumPath),
            Progress = messages.Enqueue,
        };
        var progress = new ProgressRecord(0x4C33, "Lab 2 session", "Starting");
        _task = Task.Run(() => LabSessionRunner.RunAsync(options, _cts.Token));
        try
        {
            while (!_task.Wait(100))
                Drain(messages, progress);
            Drain(messages, progress);
        }
        catch (AggregateException ae)
        {
            var e = ae.GetBaseException();
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
            if (e is OperationCanceledException) return;
            ThrowTerminatingError(e switch
            {
                LabSessionException l => Errors.Create(l, l.ErrorId, l.ErrorId switch
                {
                    "LabPortInUse" => ErrorCategory.ResourceBusy,
                    "ChromiumNotFound" => ErrorCategory.ObjectNotFound,
                    "ChromiumTimeout" => ErrorCategory.OperationTimeout,
                    _ => ErrorCategory.InvalidResult,
                }, l.Target, l.RecommendedAction),
                LiveCaptureException c => Errors.Create(c, "LabCapture" + c.Problem, c.Problem == CaptureProblem.PermissionDenied ? ErrorCategory.PermissionDenied : ErrorCategory.OpenError, c.Target,
                    c.Problem == CaptureProblem.PermissionDenied ? "Capturing needs root or CAP_NET_RAW: run pwsh with sudo, or give dotnet the capability (setcap cap_net_raw+eip)."
                    : c.Problem == CaptureProblem.LibPcapMissing ? "Install libpcap (apt-get install libpcap0.8)." : "Check the interface and the output folder."),
                Capture.CaptureFileException f => Errors.Create(f, "LabCaptureUnreadable", ErrorCategory.ReadError, f.Path, "The capture could not be read back; look at it with tshark -r."),
                UnauthorizedAccessException or IOException => Errors.Create(e, "LabOutputNotWritable", ErrorCategory.WriteError, outDir, "Give a folder you can write to with -OutputDirectory."),
                _ => Errors.Create(e, "LabSessionFailed", ErrorCategory.NotSpecified, null, "Run again with -Verbose to see each step."),
            });
        }
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
        var session = _task.Result;
        WriteVerbose($"The capture is {session.Path}; open it with: wireshark -r '{session.Path}'");
        WriteObject(session);
    }

    private void Drain(ConcurrentQueue<string> messages, ProgressRecord progress)
    {
        while (messages.TryDequeue(out var m))
        {
            WriteVerbose(m);
            progress.StatusDescription = m;
            WriteProgress(progress);
        }
    }

    /// <summary>The top of the git work tree <paramref name="dir"/> is in (a folder holding .git), or null.</summary>
    internal static string? GitCheckoutOf(string dir)
    {
        for (var d = new DirectoryInfo(dir); d != null; d = d.Parent)
        {
            string git = System.IO.Path.Combine(d.FullName, ".git");
            if (Directory.Exists(git) || File.Exists(git)) return d.FullName;
        }
        return null;
    }

    protected override void StopProcessing()
    {
        _cts.Cancel();
        try { _task?.Wait(TimeSpan.FromSeconds(15)); } catch (AggregateException) { }   // the server and the capture are stopped by then
    }
}

/// <summary>Base of the cmdlets that analyse a whole capture for the lab (Test-LabCapture, Export-LabReport, Show-TcpFlow).</summary>
public abstract class LabCaptureCmdlet : CaptureFileCmdlet
{
    /// <summary>The lab server's port; by default the port most connections went to.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int? Port { get; set; }

    /// <summary>Analyses each capture file named by -Path/-LiteralPath; null for a file that could not be opened.</summary>
    protected IEnumerable<LabCaptureAnalysis> AnalyzeFiles()
    {
        foreach (var file in ResolveCaptureFiles())
        {
            var a = new LabCaptureAnalyzer();
            if (ReadCaptureFile(file, a.Add, includePayload: true, onMalformed: a.AddMalformed))
                yield return a.Finish(file, LastFileFrames, LastFileProblem);
        }
    }
}

/// <summary>Test-LabCapture: checks a capture against the lab's goals, one result per check.</summary>
[Cmdlet(VerbsDiagnostic.Test, "LabCapture", DefaultParameterSetName = PathSet)]
[OutputType(typeof(LabCheckResult), typeof(bool))]
public sealed class TestLabCaptureCommand : LabCaptureCmdlet
{
    private bool _all = true;
    private bool _any;

    /// <summary>Only these checks.</summary>
    [Parameter]
    [ValidateSet("Handshake", "SynConsumesSequenceNumber", "PageReassembled", "ExtraConnections", "NotModified", "PartialContent", "Teardown", "FinConsumesSequenceNumber", "NothingAbnormal", IgnoreCase = true)]
    public string[]? Check { get; set; }

    /// <summary>
    /// Return one boolean: true when every check passed in every file (a check with nothing to check, N/A, is not a pass;
    /// a warning names it).
    /// </summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var a in AnalyzeFiles())
        {
            var results = LabChecks.Run(a, Port, Check);
            if (results.Count > 0)
                WriteVerbose($"{a.Path}: the lab server's port is {results[0].ServerPort}: {results[0].ServerPortReason}.");
            foreach (var r in results)
            {
                _any = true;
                _all &= r.Passed;
                if (!Quiet) WriteObject(r);
            }
            var na = results.Where(r => r.Result == LabCheckOutcome.NotApplicable).Select(r => r.Name).ToList();
            if (Quiet && na.Count > 0)
                WriteWarning($"{a.Path}: nothing to check for {string.Join(", ", na)} (not applicable, so not passed).");
        }
    }

    protected override void EndProcessing()
    {
        if (Quiet) WriteObject(_any && _all);
    }
}

/// <summary>Export-LabReport: the lab report (Markdown and HTML, with SVG flow diagrams) of a lab session or a capture.</summary>
[Cmdlet(VerbsData.Export, "LabReport", DefaultParameterSetName = SessionSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportLabReportCommand : LabCaptureCmdlet
{
    private const string SessionSet = "Session";

    /// <summary>A session from Invoke-LabSession.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = SessionSet)]
    public LabSession? InputObject { get; set; }

    /// <summary>The folder for report.md, report.html and the SVG figures (the session's folder, or the capture's name + "-report").</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>Which reports to write.</summary>
    [Parameter]
    [ValidateSet("Markdown", "Html", IgnoreCase = true)]
    public string[] Format { get; set; } = { "Markdown", "Html" };

    protected override void ProcessRecord()
    {
        if (ParameterSetName == SessionSet)
        {
            var s = InputObject!;
            Write(LabReport.Build(s.Analysis, s, s.ServerPort, null), Destination ?? s.OutputDirectory, s.Path);
            return;
        }
        foreach (var a in AnalyzeFiles())
        {
            string dest = Destination ?? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(a.Path) ?? ".", System.IO.Path.GetFileNameWithoutExtension(a.Path) + "-report");
            var (port, reason) = LabChecks.ChooseServerPort(a, Port);
            WriteVerbose($"{a.Path}: the lab server's port is {port}: {reason}.");
            var sockets = TcpSocketTable.Snapshot().Where(x => x.LocalPort == port || x.RemotePort == port).ToList();
            Write(LabReport.Build(a, null, Port, sockets), dest, a.Path);
        }
    }

    private void Write(ReportDocument doc, string destination, string capture)
    {
        string dir = SessionState.Path.GetUnresolvedProviderPathFromPSPath(destination);
        bool md = Format.Contains("Markdown", StringComparer.OrdinalIgnoreCase), html = Format.Contains("Html", StringComparer.OrdinalIgnoreCase);
        try
        {
            foreach (var f in LabReport.Write(doc, dir, md, html))
                WriteObject(new FileInfo(f));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(Errors.Create(e, "LabReportNotWritten", e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, dir,
                $"Give a folder you can write to with -Destination (the report of '{capture}' was not written)."));
        }
    }
}

/// <summary>Show-TcpFlow: the ladder diagram of connections, like Wireshark's Flow Graph, in the console or as SVG.</summary>
[Cmdlet(VerbsCommon.Show, "TcpFlow", DefaultParameterSetName = PathSet)]
[OutputType(typeof(string), typeof(TcpFlow), typeof(FileInfo))]
public sealed class ShowTcpFlowCommand : SegmentAnalysisCmdlet
{
    private LabCaptureAnalyzer _analyzer = new();

    /// <summary>
    /// Write the diagrams as SVG. A path ending in .svg is a file: one stream is written to it, several streams to
    /// name-stream-N.svg beside it (one.svg → one-stream-0.svg, one-stream-1.svg). Any other path is a folder
    /// (created when missing) with one flow-stream-N.svg per stream.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SvgPath { get; set; }

    /// <summary>Write TcpFlow objects (rows with states) instead of text.</summary>
    [Parameter]
    public SwitchParameter AsObject { get; set; }

    /// <summary>Draw with ASCII characters only (|, -, &gt;) instead of box-drawing characters.</summary>
    [Parameter]
    public SwitchParameter Ascii { get; set; }

    protected override bool NeedsPayload => true;
    protected override void BeginAnalysis() => _analyzer = new LabCaptureAnalyzer();
    protected override void AnalyzeSegment(TcpSegment segment) => _analyzer.Add(segment);

    protected override void EndAnalysis()
    {
        var a = _analyzer.Finish("", 0, null);
        var flows = a.Connections.Select(c => a.Flow(c.Stream)!).ToList();
        if (SvgPath != null)
        {
            string target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(SvgPath);
            bool isFile = target.EndsWith(".svg", StringComparison.OrdinalIgnoreCase);
            bool single = flows.Count == 1 && isFile;
            string FileFor(TcpFlow f) => single ? target
                : isFile ? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(target) ?? ".",
                    $"{System.IO.Path.GetFileNameWithoutExtension(target)}-stream-{f.Stream}.svg")
                : System.IO.Path.Combine(target, $"flow-stream-{f.Stream}.svg");
            if (isFile && flows.Count > 1)
                WriteVerbose($"{flows.Count} streams: one file each beside {target} " +
                    $"({System.IO.Path.GetFileName(FileFor(flows[0]))}, ...).");
            try
            {
                if (!isFile) Directory.CreateDirectory(target);
                else if (System.IO.Path.GetDirectoryName(target) is string parent && parent.Length > 0) Directory.CreateDirectory(parent);
                foreach (var f in flows)
                {
                    string file = FileFor(f);
                    File.WriteAllText(file, FlowSvgRenderer.Render(f));
                    WriteObject(new FileInfo(file));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                WriteError(Errors.Create(e, "FlowSvgNotWritten", e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, target,
                    "Give a folder you can write to with -SvgPath (or a .svg file name when one stream is selected)."));
            }
            return;
        }
        foreach (var f in flows)
        {
            if (AsObject) { WriteObject(f); continue; }
            foreach (var line in FlowTextRenderer.Render(f, unicode: !Ascii)) WriteObject(line);
            WriteObject("");
        }
    }
}

/// <summary>Get-TcpSocketState: the operating system's TCP sockets (like ss -tan), e.g. the TIME_WAIT sockets of the lab port.</summary>
[Cmdlet(VerbsCommon.Get, "TcpSocketState")]
[OutputType(typeof(TcpSocketEntry))]
public sealed class GetTcpSocketStateCommand : PSCmdlet
{
    /// <summary>Only sockets whose local or remote port is one of these.</summary>
    [Parameter(Position = 0)]
    [ValidateRange(1, 65535)]
    public int[]? Port { get; set; }

    /// <summary>Only sockets in these states.</summary>
    [Parameter]
    public TcpState[]? State { get; set; }

    protected override void ProcessRecord()
    {
        IReadOnlyList<TcpSocketEntry> all;
        try
        {
            all = TcpSocketTable.Snapshot();
        }
        catch (Exception e) when (e is System.Net.NetworkInformation.NetworkInformationException or PlatformNotSupportedException or IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(Errors.Create(e, "SocketTableUnreadable", ErrorCategory.ReadError, null, "The system's socket table could not be read; try ss -tan."));
            return;
        }
        foreach (var s in all)
        {
            if (Port is { Length: > 0 } && !Port.Contains(s.LocalPort) && !Port.Contains(s.RemotePort)) continue;
            if (State is { Length: > 0 } && (s.State == null || !State.Contains(s.State.Value))) continue;
            WriteObject(s);
        }
    }
}
