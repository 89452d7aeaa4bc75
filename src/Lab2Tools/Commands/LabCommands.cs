using System.Collections.Concurrent;
using System.Diagnostics;
using System.Management.Automation;
using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Flow;
using Lab2Tools.Capture;
using Lab2Tools.Capture.Live;
using Lab2Tools.Commands.Internal;
using Lab2Tools.Lab;
using Lab2Tools.Model;
using Lab2Tools.Pipeline;
using Lab2Tools.Rendering;
using Lab2Tools.Server;
using Lab2Tools.Sockets;
using Lab2Tools.Text;

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
    public int Port { get; set; } = LabDefaults.Port;

    /// <summary>
    /// The language of the summary, the checks' evidence and the report (Chinese for zh-CN, zh-SG, zh-Hans; else English).
    /// </summary>
    [Parameter]
    public System.Globalization.CultureInfo? Culture { get; set; }

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
            WriteVerbose(Say.Format("Verbose.SessionOutsideCheckout", checkout, outDir));
        string pcapPath = System.IO.Path.Combine(outDir, LabSessionRunner.CaptureFileName);
        if (File.Exists(pcapPath) && !Force)
        {
            ThrowTerminatingError(Errors.Raise("LabOutputExists", m => new IOException(m), pcapPath, pcapPath));
        }
        string what = Say.Format(File.Exists(pcapPath) ? "Action.RunSessionReplacing" : "Action.RunSession", Port,
            LabSessionRunner.CaptureFileName);
        if (!ShouldProcess(outDir, what)) return;
        string root = Root == null ? StartLabServerCommand.DefaultRoot : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Root);
        if (!Directory.Exists(root))
        {
            ThrowTerminatingError(Errors.RootNotFound(root));
        }
        var messages = new ConcurrentQueue<string>();
        var options = new LabSessionOptions
        {
            Port = Port, Root = root, Browser = Browser, OutputDirectory = outDir, CloseMode = CloseMode, Profile = ServerProfile,
            Revisit = !NoRevisit,
            ChromiumPath = ChromiumPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ChromiumPath),
            Progress = messages.Enqueue,
        };
        var progress = new ProgressRecord(0x4C33, Say.Get("Progress.Session"), Say.Get("Progress.Starting"));
        var culture = Culture ?? TextCulture.Current;
        _task = Task.Run(() =>
        {
            using (TextCulture.Use(culture)) return LabSessionRunner.RunAsync(options, _cts.Token);
        });
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
                LabSessionException l => Errors.From(l),
                LiveCaptureException c => Errors.From(c),
                CaptureFileException f => Errors.LabCaptureUnreadable(f),
                _ when Errors.IsFileFailure(e) => Errors.Output(e, outDir, "-OutputDirectory"),
                _ => Errors.LabSessionFailed(e),
            });
        }
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
        var session = _task.Result;
        WriteVerbose(Say.Format("Verbose.SessionCapture", session.Path, Errors.Quote(session.Path)));
        WriteObject(session);
    }

    protected override void StopProcessing()
    {
        _cts.Cancel();
        // the server and the capture are stopped by then
        try { _task?.Wait(TimeSpan.FromSeconds(15)); } catch (AggregateException) { }
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
}

/// <summary>Base of the cmdlets that analyse a whole capture for the lab (Test-LabCapture, Export-LabReport).</summary>
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

/// <summary>
/// Test-LabCapture: checks captures against the lab's goals: one result per check and file, one boolean per file
/// (-Quiet) or one grade row per file (-Summary). Files are read and checked in parallel (-ThrottleLimit); results
/// come out in the order the files were named.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "LabCapture", DefaultParameterSetName = PathSet)]
[OutputType(typeof(LabCheckResult), typeof(bool), typeof(LabCaptureGrade))]
public sealed class TestLabCaptureCommand : LabCaptureCmdlet, IDisposable
{
    private readonly Queue<Task<FileWork>> _pending = new();
    private readonly CancellationTokenSource _cts = new();
    // Files are checked on threads of their own, not the thread pool: reading a file waits on its read-ahead,
    // which runs on the pool, and pool threads blocked on pool work starve it.
    private readonly BlockingCollection<(string File, TaskCompletionSource<FileWork> Done)> _queue = new();
    private readonly List<Thread> _workers = new();
    private readonly ProgressRecord _progress = new(0x4C34, Say.Get("Progress.Checking"), Say.Get("Progress.Starting"));
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _nextProgress;
    private bool _progressShown;
    private int _matched;
    private int _done;
    private System.Globalization.CultureInfo? _culture;   // the pipeline thread's: the workers check in its language

    /// <summary>Only these checks.</summary>
    [Parameter]
    public LabCheck[]? Check { get; set; }

    /// <summary>
    /// Write one boolean per file: true when the file was read and every check passed (a check with nothing to check,
    /// N/A, is not a pass; a warning names it).
    /// </summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Write one grade row per file (LabCaptureGrade): counts by result, failed checks, the read error.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>How many files are read and checked at once (the number of processors by default).</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    protected override void BeginProcessing()
    {
        _culture = TextCulture.Current;
        if (Quiet && Summary)
            ThrowTerminatingError(Errors.Raise("SummaryWithQuiet", m => new ArgumentException(m), null));
    }

    protected override void ProcessRecord()
    {
        foreach (var file in ResolveCaptureFiles())
        {
            _matched++;
            var done = new TaskCompletionSource<FileWork>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending.Enqueue(done.Task);
            _queue.Add((file, done));
            if (_workers.Count < ThrottleLimit)
            {
                var t = new Thread(Work) { IsBackground = true, Name = "Test-LabCapture " + _workers.Count };
                _workers.Add(t);
                t.Start((Port, Check, _cts.Token, _culture));
            }
        }
        Flush(wait: false);
    }

    protected override void EndProcessing()
    {
        _queue.CompleteAdding();
        Flush(wait: true);
        if (_progressShown)
        {
            _progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(_progress);
        }
    }

    protected override void StopProcessing()
    {
        _cts.Cancel();
        _queue.CompleteAdding();
    }

    public void Dispose()
    {
        _cts.Cancel();
        _queue.CompleteAdding();
    }

    private void Work(object? state)
    {
        var (port, only, cancel, culture) = ((int?, LabCheck[]?, CancellationToken, System.Globalization.CultureInfo?))state!;
        using var words = TextCulture.Use(culture);
        foreach (var (file, done) in _queue.GetConsumingEnumerable())
        {
            if (cancel.IsCancellationRequested) { done.TrySetCanceled(); continue; }
            try { done.TrySetResult(Grade(file, port, only, cancel)); }
            catch (OperationCanceledException) { done.TrySetCanceled(); }
            catch (Exception e) { done.TrySetException(e); }
        }
    }

    /// <summary>Reads and checks one file (on one of the worker threads).</summary>
    private static FileWork Grade(string file, int? port, LabCheck[]? only, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var w = new FileWork { Path = file };
        TcpSegmentReader reader;
        try
        {
            reader = TcpSegmentReader.Open(file, includePayload: true);
        }
        catch (Exception e) when (Errors.IsCaptureFileFailure(e))
        {
            w.OpenFailure = e;
            w.Duration = clock.Elapsed;
            return w;
        }
        LabCaptureAnalysis a;
        using (reader)
        {
            var analyzer = new LabCaptureAnalyzer();
            long n = 0;
            try
            {
                while (true)
                {
                    if ((++n & 1023) == 0) cancel.ThrowIfCancellationRequested();
                    var st = reader.Read();
                    if (st == ReadStatus.End) break;
                    if (st == ReadStatus.Malformed) analyzer.AddMalformed(reader.CurrentMalformed!);
                    else analyzer.Add(reader.Current!);
                }
            }
            catch (Exception e) when (Errors.IsCaptureFileFailure(e))
            {
                w.ReadFailure = e;
            }
            a = analyzer.Finish(file, reader.FramesRead, w.ReadFailure?.Message);
        }
        w.Frames = a.Frames;
        w.Malformed = a.MalformedFrames;
        w.Checks = LabChecks.Run(a, port, only);
        w.Duration = clock.Elapsed;
        return w;
    }

    /// <summary>Writes the results of the files that are done, in the order the files were named.</summary>
    private void Flush(bool wait)
    {
        while (_pending.Count > 0)
        {
            var t = _pending.Peek();
            while (!t.IsCompleted)
            {
                if (!wait) return;
                t.Wait(100);
                ShowProgress(force: false);
            }
            _pending.Dequeue();
            FileWork w;
            try
            {
                w = t.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _done++;
            Emit(w);
            ShowProgress(force: _done == _matched);
        }
    }

    private void ShowProgress(bool force)
    {
        if (_matched < 2) return;
        if (!force && _clock.ElapsedMilliseconds < _nextProgress) return;
        _nextProgress = _clock.ElapsedMilliseconds + 200;
        _progress.PercentComplete = (int)(_done * 100L / _matched);
        _progress.StatusDescription = Say.Format("Progress.FilesChecked", _done, _matched);
        WriteProgress(_progress);
        _progressShown = true;
    }

    private void Emit(FileWork w)
    {
        LabCaptureGrade grade;
        if (w.OpenFailure != null)
        {
            var rec = Errors.CaptureFileOpen(w.OpenFailure, w.Path);
            grade = LabCaptureGrade.Unreadable(w.Path, rec.FullyQualifiedErrorId, w.OpenFailure.Message, w.Duration);
            WriteError(rec);
        }
        else
        {
            foreach (var m in w.Malformed) WriteError(Errors.MalformedFrame(m));
            string? id = null;
            if (w.ReadFailure != null)
            {
                var rec = Errors.CaptureFileRead(w.ReadFailure, w.Path);
                id = rec.FullyQualifiedErrorId;
                WriteError(rec);
            }
            grade = LabCaptureGrade.FromChecks(w.Path, w.Checks, w.Frames, id, w.ReadFailure?.Message, w.Duration);
        }
        if (w.Checks.Count > 0)
            WriteVerbose(Say.Format("Verbose.ServerPort", w.Path, w.Checks[0].ServerPort, w.Checks[0].ServerPortReason));
        var na = w.Checks.Where(r => r.ResultValue == LabCheckOutcome.NotApplicable).Select(r => r.Name).ToList();
        if (Summary) WriteObject(grade);
        else if (Quiet)
        {
            if (na.Count > 0) WriteWarning(Say.Format("Warning.NotApplicable", w.Path, Text.CommonText.Join(na)));
            WriteObject(grade.Result == "Passed");
        }
        else foreach (var r in grade.GetChecks()) WriteResult(r);
    }

    private sealed class FileWork
    {
        public string Path = "";
        public IReadOnlyList<LabCheckResult> Checks = Array.Empty<LabCheckResult>();
        public IReadOnlyList<MalformedFrame> Malformed = Array.Empty<MalformedFrame>();
        public long Frames;
        public Exception? OpenFailure;
        public Exception? ReadFailure;
        public TimeSpan Duration;
    }
}

/// <summary>
/// Export-LabJUnit: writes grade rows from Test-LabCapture -Summary as a JUnit XML file, as CI systems and autograders read.
/// </summary>
[Cmdlet(VerbsData.Export, "LabJUnit", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportLabJUnitCommand : PSCmdlet
{
    private readonly List<LabCaptureGrade> _grades = new();

    /// <summary>The XML file to write (replaced if it exists).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Grade rows from Test-LabCapture -Summary.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public LabCaptureGrade[] InputObject { get; set; } = Array.Empty<LabCaptureGrade>();

    /// <summary>The name of the whole run (the testsuites element).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string SuiteName { get; set; } = "Lab2Tools lab checks";

    protected override void ProcessRecord()
    {
        foreach (var g in InputObject)
            if (g != null) _grades.Add(g);
    }

    protected override void EndProcessing()
    {
        string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (Directory.Exists(file)) ThrowTerminatingError(Errors.OutputIsFolder("OutputNotWritable", file, "-Path", "grades.xml"));
        if (!ShouldProcess(file, Say.Format("Action.WriteJUnit", _grades.Count))) return;
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
            LabJUnitWriter.Write(_grades, file, SuiteName, DateTime.UtcNow);
        }
        catch (Exception e) when (Errors.IsFileFailure(e))
        {
            ThrowTerminatingError(Errors.Output(e, file, "-Path"));
        }
        FileOutput.WriteFile(this, file);
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

    /// <summary>
    /// The folder for report.md, report.html and the SVG figures (the session's folder, or the capture's name + "-report").
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>Which reports to write.</summary>
    [Parameter]
    [ValidateSet("Markdown", "Html", IgnoreCase = true)]
    public string[] Format { get; set; } = { "Markdown", "Html" };

    /// <summary>
    /// The report's language: Chinese for zh-CN, zh-SG and zh-Hans, English for every other culture. By default the
    /// session's language (Invoke-LabSession -Culture), or for a capture file the UI culture ($PSUICulture).
    /// </summary>
    [Parameter]
    public System.Globalization.CultureInfo? Culture { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == SessionSet)
        {
            var s = InputObject!;
            var culture = Culture ?? s.CultureValue;
            Write(LabReport.Build(SessionAnalysis(s, culture), s, s.ServerPort, null, culture), Destination ?? s.OutputDirectory, s.Path);
            return;
        }
        var fileCulture = Culture ?? Lab2Tools.Text.TextCulture.Current;
        // the analysis, too, in the report's language: the explanations on its objects are words of that language
        using var words = Lab2Tools.Text.TextCulture.Use(fileCulture);
        foreach (var a in AnalyzeFiles())
        {
            string dest = Destination ?? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(a.Path) ?? ".",
                System.IO.Path.GetFileNameWithoutExtension(a.Path) + "-report");
            var (port, reason) = LabChecks.ChooseServerPort(a, Port);
            WriteVerbose(Say.Format("Verbose.ServerPort", a.Path, port, reason));
            var sockets = TcpSocketTable.Snapshot().Where(x => x.LocalPort == port || x.RemotePort == port).ToList();
            Write(LabReport.Build(a, null, Port, sockets, fileCulture), dest, a.Path);
        }
    }

    /// <summary>
    /// The session's analysis, read again from its capture when the report is in another language than the session
    /// (the explanations on the analysis objects were written in the session's language); the session's own when
    /// the capture is gone.
    /// </summary>
    private LabCaptureAnalysis SessionAnalysis(LabSession s, System.Globalization.CultureInfo culture)
    {
        if (culture.Name == s.CultureValue.Name || !File.Exists(s.Path)) return s.Analysis;
        try
        {
            using (Lab2Tools.Text.TextCulture.Use(culture)) return LabCaptureAnalysis.Analyze(s.Path);
        }
        catch (Exception e) when (e is CaptureFileException or IOException or UnauthorizedAccessException)
        {
            WriteVerbose($"{s.Path} could not be read again ({e.Message}): the analysis of the session is used.");
            return s.Analysis;
        }
    }

    private void Write(ReportDocument doc, string destination, string capture)
    {
        string dir = SessionState.Path.GetUnresolvedProviderPathFromPSPath(destination);
        bool md = Format.Contains("Markdown", StringComparer.OrdinalIgnoreCase);
        bool html = Format.Contains("Html", StringComparer.OrdinalIgnoreCase);
        try
        {
            foreach (var f in LabReport.Write(doc, dir, md, html))
                FileOutput.WriteFile(this, f);
        }
        catch (Exception e) when (Errors.IsFileFailure(e))
        {
            WriteError(Errors.Output(e, dir, "-Destination", capture));
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

    /// <summary>The widest line to draw, in columns (120 by default; 0 for no limit, as wide as the labels need).</summary>
    [Parameter]
    [ValidateRange(0, 10000)]
    public int Width { get; set; } = 120;

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
                WriteVerbose(Say.Format("Verbose.FlowFiles", flows.Count, target, System.IO.Path.GetFileName(FileFor(flows[0]))));
            try
            {
                if (!isFile) Directory.CreateDirectory(target);
                else if (System.IO.Path.GetDirectoryName(target) is string parent && parent.Length > 0) Directory.CreateDirectory(parent);
                foreach (var f in flows)
                {
                    string file = FileFor(f);
                    File.WriteAllText(file, FlowSvgRenderer.Render(f));
                    FileOutput.WriteFile(this, file);
                }
            }
            catch (Exception e) when (Errors.IsFileFailure(e))
            {
                WriteError(Errors.Output(e, target, "-SvgPath"));
            }
            return;
        }
        if (!AsObject && SeveralFiles && flows.Count > 0)
            WriteObject(Say.Format("Output.FlowCapture", flows[0].Path));   // which file the diagrams are of
        foreach (var f in flows)
        {
            if (AsObject) { WriteResult(f); continue; }
            foreach (var line in FlowTextRenderer.Render(f, unicode: !Ascii, width: Width)) WriteObject(line);
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
        catch (Exception e) when (Errors.IsSocketTableFailure(e))
        {
            ThrowTerminatingError(Errors.SocketTableUnreadable(e));
            return;
        }
        foreach (var s in all)
        {
            if (Port is { Length: > 0 } && !Port.Contains(s.LocalPort) && !Port.Contains(s.RemotePort)) continue;
            if (State is { Length: > 0 } && (s.StateValue == null || !State.Contains(s.StateValue.Value))) continue;
            WriteObject(s);
        }
    }
}
