using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Lab2Tools.Commands.Internal;
using Lab2Tools.Server;

namespace Lab2Tools.Commands;

/// <summary>Start-LabServer: starts the lab's web server in the background of this session.</summary>
[Cmdlet(VerbsLifecycle.Start, "LabServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(LabServer))]
public sealed class StartLabServerCommand : PSCmdlet
{
    /// <summary>The lab site that ships with the module (LabSite beside the dll).</summary>
    internal static string DefaultRoot =>
        Path.Combine(Path.GetDirectoryName(typeof(StartLabServerCommand).Assembly.Location) ?? ".", "LabSite");

    /// <summary>TCP port; 0 picks a free one.</summary>
    [Parameter(Position = 0)]
    [ValidateRange(0, 65535)]
    public int Port { get; set; } = Model.LabDefaults.Port;

    /// <summary>Address to listen on (loopback unless said otherwise).</summary>
    [Parameter]
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>Folder to serve; the bundled lab site by default.</summary>
    [Parameter]
    public string? Root { get; set; }

    /// <summary>Werkzeug (Flask's development server) or KeepAlive.</summary>
    [Parameter]
    public LabServerProfile Profile { get; set; } = LabServerProfile.Werkzeug;

    /// <summary>A name to find the server by.</summary>
    [Parameter]
    public string? Name { get; set; }

    /// <summary>Who closes each connection: ServerFirst (Werkzeug), ClientFirst, or Abort (RST).</summary>
    [Parameter]
    public LabServerCloseMode CloseMode { get; set; } = LabServerCloseMode.ServerFirst;

    /// <summary>
    /// Turn Nagle's algorithm off (TCP_NODELAY); -NoDelay:$false turns it on. Default: on for Werkzeug, off for KeepAlive.
    /// </summary>
    [Parameter]
    public SwitchParameter NoDelay { get; set; }

    /// <summary>SO_SNDBUF in bytes.</summary>
    [Parameter]
    [ValidateRange(1024, 64 * 1024 * 1024)]
    public int SendBufferSize { get; set; }

    /// <summary>SO_RCVBUF in bytes (shows in the SYN-ACK's window and window scale).</summary>
    [Parameter]
    [ValidateRange(1024, 64 * 1024 * 1024)]
    public int ReceiveBufferSize { get; set; }

    /// <summary>Body bytes per write (8192 like Werkzeug).</summary>
    [Parameter]
    [ValidateRange(1, 16 * 1024 * 1024)]
    public int WriteChunkSize { get; set; } = 8192;

    /// <summary>Wait this many milliseconds before answering each request.</summary>
    [Parameter]
    [ValidateRange(0, 600000)]
    public int ResponseDelayMilliseconds { get; set; }

    /// <summary>KeepAlive profile: seconds an idle connection stays open.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int IdleTimeoutSec { get; set; } = 5;

    /// <summary>KeepAlive profile: requests on one connection before it is closed.</summary>
    [Parameter]
    [ValidateRange(1, 1000000)]
    public int MaxRequests { get; set; } = 100;

    /// <summary>Connections served at once; more are answered 503.</summary>
    [Parameter]
    [ValidateRange(1, 100000)]
    public int MaxConnections { get; set; } = 512;

    /// <summary>Seconds a client has to send a whole request head.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int HeaderTimeoutSec { get; set; } = 10;

    /// <summary>OnPartialContent (Werkzeug up to 3.1.5, the seed's Flask) or Always (Werkzeug 3.1.6+).</summary>
    [Parameter]
    public AcceptRangesMode AcceptRanges { get; set; } = AcceptRangesMode.OnPartialContent;

    /// <summary>Print a Werkzeug-style line for every request.</summary>
    [Parameter]
    public SwitchParameter ConsoleLog { get; set; }

    protected override void EndProcessing()
    {
        string root = Root == null ? DefaultRoot : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Root);
        if (!Directory.Exists(root))
        {
            ThrowTerminatingError(Errors.RootNotFound(root));
        }
        var options = new LabServerOptions
        {
            Address = Address, Port = Port, Root = root, Profile = Profile, CloseMode = CloseMode,
            NoDelay = MyInvocation.BoundParameters.ContainsKey(nameof(NoDelay)) ? NoDelay.IsPresent : null,
            SendBufferSize = SendBufferSize, ReceiveBufferSize = ReceiveBufferSize, WriteChunkSize = WriteChunkSize,
            ResponseDelay = TimeSpan.FromMilliseconds(ResponseDelayMilliseconds), IdleTimeout = TimeSpan.FromSeconds(IdleTimeoutSec),
            MaxRequestsPerConnection = MaxRequests, MaxConnections = MaxConnections, HeaderTimeout = TimeSpan.FromSeconds(HeaderTimeoutSec),
            AcceptRanges = AcceptRanges, ConsoleLog = ConsoleLog ? Console.Out.WriteLine : null,
        };
        string target = $"http://{(Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString())}:{Port}/";
        if (!ShouldProcess(target, Say.Format("Action.StartServer", Profile, CloseMode, root))) return;
        if (!IPAddress.IsLoopback(Address))
            WriteWarning(Say.Format("Warning.NotLoopback", Address));
        try
        {
            WriteObject(LabServerRegistry.Start(options, Name));
        }
        catch (SocketException e)
        {
            ThrowTerminatingError(Errors.Listen(e, target, Port));
        }
    }
}

/// <summary>Selection of lab servers by Name (wildcards), Id or pipeline object.</summary>
public abstract class LabServerSelectionCmdlet : SelectionCmdlet<LabServer>
{
    protected override IEnumerable<LabServer> All => LabServerRegistry.All;
    protected override string NameOf(LabServer item) => item.Name;
    protected override int IdOf(LabServer item) => item.Id;
    protected override string NotFoundErrorId => "LabServerNotFound";
}

/// <summary>Get-LabServer: the lab servers running in this session.</summary>
[Cmdlet(VerbsCommon.Get, "LabServer", DefaultParameterSetName = NameSet)]
[OutputType(typeof(LabServer))]
public sealed class GetLabServerCommand : LabServerSelectionCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var s in Selected()) WriteObject(s);
    }
}

/// <summary>Stop-LabServer: stops accepting, closes connections gracefully and releases the port.</summary>
[Cmdlet(VerbsLifecycle.Stop, "LabServer", DefaultParameterSetName = NameSet, SupportsShouldProcess = true,
    ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(LabServer))]
public sealed class StopLabServerCommand : LabServerSelectionCmdlet
{
    /// <summary>Write the stopped server (with its final counts).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var s in Selected())
        {
            if (!ShouldProcess($"{s.Name} ({s.Url})", Say.Get("Action.StopServer"))) continue;
            LabServerRegistry.Stop(s);
            if (PassThru) WriteObject(s);
        }
    }
}

/// <summary>Get-LabServerLog: the requests a lab server answered.</summary>
[Cmdlet(VerbsCommon.Get, "LabServerLog", DefaultParameterSetName = NameSet)]
[OutputType(typeof(RequestLogEntry))]
public sealed class GetLabServerLogCommand : LabServerSelectionCmdlet
{
    /// <summary>Only the last N requests.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Last { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var s in Selected())
        {
            var log = s.Server.Log;
            foreach (var e in Last > 0 ? log.Skip(Math.Max(0, log.Count - Last)) : log) WriteObject(e);
        }
    }
}

/// <summary>Called by Lab2Tools.psm1 when the module is removed.</summary>
public static class ModuleLifetime
{
    public static void OnRemove()
    {
        Lab2Tools.Pipeline.CaptureRegistry.StopAll();
        LabServerRegistry.StopAll();
    }
}
