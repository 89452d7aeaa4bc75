using System.Net;

namespace Lab2Tools.Server;

/// <summary>
/// Werkzeug: like Flask's development server (Connection: close, server closes first). KeepAlive: persistent connections.
/// </summary>
public enum LabServerProfile { Werkzeug, KeepAlive }

/// <summary>Who ends each connection, and how.</summary>
public enum LabServerCloseMode
{
    /// <summary>
    /// The server sends the first FIN (shutdown of its sending side), drains what the client still sends, closes: the server holds
    /// TIME_WAIT. Werkzeug does this.
    /// </summary>
    ServerFirst,
    /// <summary>The server waits (up to the drain timeout) for the client's FIN before closing: the client holds TIME_WAIT.</summary>
    ClientFirst,
    /// <summary>The server closes with SO_LINGER 0: a RST instead of a FIN, no TIME_WAIT.</summary>
    Abort,
}

/// <summary>Which Werkzeug release's Accept-Ranges behaviour to follow.</summary>
public enum AcceptRangesMode
{
    /// <summary>Werkzeug up to 3.1.5 (and the seed's 2.2): Accept-Ranges only on 206 responses.</summary>
    OnPartialContent,
    /// <summary>Werkzeug 3.1.6 and later: Accept-Ranges: bytes on every GET and HEAD of a file.</summary>
    Always,
}

public sealed class LabServerOptions
{
    public IPAddress Address { get; set; } = IPAddress.Loopback;
    /// <summary>0 picks a free port.</summary>
    public int Port { get; set; } = Model.LabDefaults.Port;
    public string Root { get; set; } = "";
    public LabServerProfile Profile { get; set; } = LabServerProfile.Werkzeug;
    public LabServerCloseMode CloseMode { get; set; } = LabServerCloseMode.ServerFirst;
    /// <summary>
    /// TCP_NODELAY (Nagle off). Null: the profile decides (Werkzeug leaves Nagle on; KeepAlive turns it off, as nginx's tcp_nodelay
    /// does).
    /// </summary>
    public bool? NoDelay { get; set; }
    /// <summary>SO_SNDBUF, or 0 for the system default.</summary>
    public int SendBufferSize { get; set; }
    /// <summary>SO_RCVBUF, or 0 for the system default. Set before listen, so the SYN-ACK's window and window scale show it.</summary>
    public int ReceiveBufferSize { get; set; }
    /// <summary>Body bytes per send (Werkzeug writes 8192 at a time).</summary>
    public int WriteChunkSize { get; set; } = 8192;
    /// <summary>Wait this long after reading a request before answering.</summary>
    public TimeSpan ResponseDelay { get; set; }
    /// <summary>KeepAlive profile: close a connection idle this long.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>KeepAlive profile: requests on one connection before it is closed.</summary>
    public int MaxRequestsPerConnection { get; set; } = 100;
    /// <summary>Connections served at once; more are answered 503 and closed.</summary>
    public int MaxConnections { get; set; } = 512;
    /// <summary>A client must send a whole request head within this time (slow clients are cut off).</summary>
    public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long to wait for the client's FIN after the response (ServerFirst drain, ClientFirst wait).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(2);
    public int MaxRequestLineBytes { get; set; } = 8192;
    public int MaxHeaderBytes { get; set; } = 32768;
    public AcceptRangesMode AcceptRanges { get; set; } = AcceptRangesMode.OnPartialContent;
    /// <summary>Called with a Werkzeug-style log line for every request.</summary>
    public Action<string>? ConsoleLog { get; set; }
}
