using System.Diagnostics;
using System.Net;
using Lab2Tools.Capture.Live;
using Lab2Tools.Server;
using Lab2Tools.Sockets;
using Lab2Tools.Text;

namespace Lab2Tools.Lab;

public sealed class LabSessionOptions
{
    public int Port { get; set; } = Model.LabDefaults.Port;
    /// <summary>The site to serve (the bundled lab site by default; the cmdlet fills it in).</summary>
    public string Root { get; set; } = "";
    public LabBrowser Browser { get; set; } = LabBrowser.BuiltIn;
    /// <summary>Where the capture (lab2.pcap) is written.</summary>
    public string OutputDirectory { get; set; } = "";
    /// <summary>Capture interface; null: the loopback interface.</summary>
    public string? Interface { get; set; }
    public LabServerProfile Profile { get; set; } = LabServerProfile.Werkzeug;
    public LabServerCloseMode CloseMode { get; set; } = LabServerCloseMode.ServerFirst;
    /// <summary>Visit the page a second time (304s from the cache).</summary>
    public bool Revisit { get; set; } = true;
    public TimeSpan RevisitDelay { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>The Chromium executable; null: chromium or chromium-browser on PATH.</summary>
    public string? ChromiumPath { get; set; }
    /// <summary>Told what the session is doing, step by step.</summary>
    public Action<string>? Progress { get; set; }
}

/// <summary>What stopped a lab session (the cmdlets map each to one error id of the catalog).</summary>
public enum LabSessionProblem
{
    /// <summary>Something listens on the lab server's port already.</summary>
    PortInUse,
    /// <summary>The live capture failed while the session ran.</summary>
    CaptureFailed,
    /// <summary>No Chromium executable where it was looked for.</summary>
    ChromiumNotFound,
    /// <summary>Chromium could not start, or exited with an error.</summary>
    ChromiumFailed,
    /// <summary>Chromium did not finish loading the page in time.</summary>
    ChromiumTimeout,
}

/// <summary>A problem that stops a lab session before it has a capture to analyse.</summary>
public sealed class LabSessionException : Exception
{
    public LabSessionException(LabSessionProblem problem, string message, object? target, Exception? inner = null) : base(message, inner)
    {
        Problem = problem; Target = target;
    }
    public LabSessionProblem Problem { get; }
    /// <summary>The failing thing: the port, the capture file, the Chromium executable.</summary>
    public object? Target { get; }
}

/// <summary>
/// Runs the lab end to end: lab server, loopback capture, a visit and a revisit of the page, the close of
/// every connection, then the analysis and the checks. Server and capture are stopped whatever happens.
/// </summary>
public static class LabSessionRunner
{
    public const string CaptureFileName = "lab2.pcap";
    /// <summary>The KeepAlive profile's idle timeout in a session: the server closes idle connections this soon.</summary>
    public static readonly TimeSpan SessionIdleTimeout = TimeSpan.FromSeconds(1);
    /// <summary>With ClientFirst the idle timeout is longer than the session waits for the connections to close.</summary>
    public static readonly TimeSpan ClientFirstIdleTimeout = TimeSpan.FromSeconds(30);

    public static async Task<LabSession> RunAsync(LabSessionOptions o, CancellationToken cancel)
    {
        var started = DateTime.Now;
        var clock = Stopwatch.StartNew();
        string pcap = System.IO.Path.Combine(o.OutputDirectory, CaptureFileName);
        string? chromium = null;
        if (o.Browser == LabBrowser.Chromium) chromium = FindChromium(o.ChromiumPath);
        // the folders this session makes, removed again when it fails before it has a capture to keep
        var made = new List<string>();
        for (var d = new DirectoryInfo(o.OutputDirectory); d != null && !d.Exists; d = d.Parent) made.Add(d.FullName);
        Directory.CreateDirectory(o.OutputDirectory);
        try
        {
            return await RunInAsync(o, pcap, chromium, started, clock, cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // a failure (a busy port, no capture privilege): nothing of it is left behind. A stopped session
            // (Ctrl+C) keeps what it captured.
            RemoveIfEmpty(pcap, made);
            throw;
        }
    }

    /// <summary>After a failure: an empty capture (no packet) and the folders the session made, when nothing else is in them.</summary>
    private static void RemoveIfEmpty(string pcap, List<string> made)
    {
        try
        {
            if (made.Count == 0) return;
            if (File.Exists(pcap) && new FileInfo(pcap).Length <= 24) File.Delete(pcap);   // a pcap file header alone
            foreach (var d in made)
            {
                if (Directory.Exists(d) && !Directory.EnumerateFileSystemEntries(d).Any()) Directory.Delete(d);
                else break;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static async Task<LabSession> RunInAsync(LabSessionOptions o, string pcap, string? chromium, DateTime started, Stopwatch clock,
        CancellationToken cancel)
    {
        void Say(string m) => o.Progress?.Invoke(m);

        LabHttpServer? server = null;
        LiveCapture? capture = null;
        var fetches = new List<LabFetch>();
        IReadOnlyList<TcpSocketEntry> sockets = Array.Empty<TcpSocketEntry>();
        try
        {
            Say(LabText.F("Progress.Starting", o.Port));
            server = new LabHttpServer(new LabServerOptions
            {
                Address = IPAddress.Loopback, Port = o.Port, Root = o.Root, Profile = o.Profile, CloseMode = o.CloseMode,
                // ClientFirst: the server never ends an idle keep-alive connection itself (a browser closes them when it exits)
                IdleTimeout = o.CloseMode == LabServerCloseMode.ClientFirst ? ClientFirstIdleTimeout : SessionIdleTimeout,
            });
            try { server.Start(); }
            catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
            {
                throw new LabSessionException(LabSessionProblem.PortInUse, LabText.F("Error.PortInUse", o.Port), o.Port, e);
            }
            int port = server.EndPoint!.Port;
            var pageUrl = new Uri($"http://127.0.0.1:{port}/");

            Say(LabText.F("Progress.Capturing", port, pcap));
            capture = LiveCapture.Start(new LiveCaptureOptions { Interface = o.Interface, Filter = $"tcp port {port}", Path = pcap });
            await Task.Delay(300, cancel).ConfigureAwait(false);

            if (o.Browser == LabBrowser.BuiltIn)
            {
                // ServerFirst and Abort: the visitor waits for the server to end each connection (a keep-alive one
                // after the server's idle timeout); ClientFirst: the visitor closes once it has the response.
                var visitor = new LabVisitor
                {
                    CloseFirst = o.CloseMode == LabServerCloseMode.ClientFirst,
                    KeepAliveCloseWait = SessionIdleTimeout + TimeSpan.FromSeconds(2),
                };
                Say(LabText.F("Progress.Visiting", pageUrl));
                fetches.AddRange(await visitor.VisitAsync(pageUrl, 1, cancel).ConfigureAwait(false));
                if (o.Revisit)
                {
                    await Task.Delay(o.RevisitDelay, cancel).ConfigureAwait(false);
                    Say(LabText.F("Progress.Revisiting", pageUrl));
                    fetches.AddRange(await visitor.VisitAsync(pageUrl, 2, cancel).ConfigureAwait(false));
                }
            }
            else
            {
                string profile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "lab2tools-chromium-" + Guid.NewGuid().ToString("N"));
                try
                {
                    Say(LabText.F("Progress.VisitingChromium", pageUrl));
                    await RunChromiumAsync(chromium!, profile, pageUrl, cancel).ConfigureAwait(false);
                    if (o.Revisit)
                    {
                        await Task.Delay(o.RevisitDelay, cancel).ConfigureAwait(false);
                        Say(LabText.F("Progress.RevisitingChromium", pageUrl));
                        await RunChromiumAsync(chromium!, profile, pageUrl, cancel).ConfigureAwait(false);
                    }
                }
                finally
                {
                    try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                }
            }

            Say(LabText.T("Progress.WaitingClose"));
            var until = Stopwatch.StartNew();
            while (server.ActiveConnections > 0 && until.Elapsed < TimeSpan.FromSeconds(10))
                await Task.Delay(50, cancel).ConfigureAwait(false);
            await Task.Delay(300, cancel).ConfigureAwait(false);
            sockets = TcpSocketTable.Snapshot().Where(x => x.LocalPort == port || x.RemotePort == port).ToList();
        }
        finally
        {
            capture?.Stop();
            server?.Stop(TimeSpan.FromSeconds(1));
        }
        if (capture!.State == CaptureState.Failed)
            throw new LabSessionException(LabSessionProblem.CaptureFailed, LabText.F("Error.CaptureFailed", capture.Error?.Message), pcap,
                capture.Error);

        Say(LabText.F("Progress.Analysing", pcap));
        var analysis = LabCaptureAnalysis.Analyze(pcap, cancel);
        int serverPort = server!.EndPoint!.Port;
        return new LabSession
        {
            Path = pcap,
            OutputDirectory = o.OutputDirectory,
            StartTime = started,
            Duration = clock.Elapsed,
            BrowserValue = o.Browser,
            ServerUrl = $"http://127.0.0.1:{serverPort}/",
            ServerPort = serverPort,
            ServerProfileValue = o.Profile,
            CloseModeValue = o.CloseMode,
            Packets = capture.Packets,
            KernelDropped = capture.KernelDropped,
            Fetches = fetches,
            Requests = server.Log,
            SocketStates = sockets,
            Analysis = analysis,
            CultureValue = TextCulture.Current,
            Checks = LabChecks.Run(LabFocus.Of(analysis, serverPort, LabPortReason.Session(serverPort))),
        };
    }

    /// <summary>The Chromium executable to run, or a <see cref="LabSessionException"/> saying how to get one.</summary>
    public static string FindChromium(string? path)
    {
        if (!string.IsNullOrEmpty(path))
        {
            if (File.Exists(path)) return path;
            throw new LabSessionException(LabSessionProblem.ChromiumNotFound, LabText.F("Error.ChromiumMissingAt", path), path);
        }
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var dir in dirs)
            foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            {
                string p = System.IO.Path.Combine(dir, name);
                if (File.Exists(p)) return p;
            }
        throw new LabSessionException(LabSessionProblem.ChromiumNotFound, LabText.T("Error.ChromiumNotInstalled"), "chromium");
    }

    /// <summary>The flags this machine needs for headless Chromium (no background networking: only the lab's own traffic).</summary>
    public static IReadOnlyList<string> ChromiumArguments(string profile, Uri url)
    {
        var args = new List<string> { "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=4000", "--dump-dom",
            url.AbsoluteUri };
        if (Environment.UserName == "root") args.Insert(1, "--no-sandbox");   // Chromium refuses to run as root with its sandbox
        return args;
    }

    private static async Task RunChromiumAsync(string exe, string profile, Uri url, CancellationToken cancel)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in ChromiumArguments(profile, url)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)
            ?? throw new LabSessionException(LabSessionProblem.ChromiumFailed, LabText.F("Error.ChromiumNotStarted", exe), exe);
        var stdout = p.StandardOutput.ReadToEndAsync(cancel);
        var stderr = p.StandardError.ReadToEndAsync(cancel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            if (cancel.IsCancellationRequested) throw;
            throw new LabSessionException(LabSessionProblem.ChromiumTimeout, LabText.T("Error.ChromiumTimeout"), exe);
        }
        string dom = await stdout.ConfigureAwait(false);
        string err = await stderr.ConfigureAwait(false);
        if (p.ExitCode != 0 || dom.Length == 0)
            throw new LabSessionException(LabSessionProblem.ChromiumFailed,
                LabText.F("Error.ChromiumExit", p.ExitCode, err.Trim().Split('\n').LastOrDefault()), exe);
    }
}
