using Lab2Tools.Analysis;
using Lab2Tools.Analysis.Http;

namespace Lab2Tools.Lab;

/// <summary>
/// What the lab looks at in one capture, chosen once: the lab server's port (and why), the connections to it,
/// the page exchange, and the one handshake and the one teardown the lab walks through. The checks, the session
/// summary and the report all take it from here, so the report's sections and the checks' evidence describe the
/// same streams.
/// </summary>
public sealed class LabFocus
{
    private LabFocus(LabCaptureAnalysis a, int port, LabPortReason reason)
    {
        Analysis = a;
        Port = port;
        PortReason = reason;
        Streams = a.Connections.Where(c => c.ServerEndPoint.Port == port).Select(c => c.Stream).ToHashSet();
        Connections = a.Connections.Where(c => Streams.Contains(c.Stream)).ToList();
        Handshakes = a.Handshakes.Where(h => Streams.Contains(h.Stream)).ToList();
        Teardowns = a.Teardowns.Where(t => Streams.Contains(t.Stream)).ToList();
        Http = a.HttpExchanges.Where(x => Streams.Contains(x.Stream)).ToList();
        Page = Http.FirstOrDefault(x => x.Method == "GET" && x.Uri == "/" && x.StatusCode == 200)
            ?? Http.FirstOrDefault(x => x.Method == "GET" && x.StatusCode == 200 && IsHtml(x));
        PageRequest = Page ?? Http.FirstOrDefault(x => x.Uri == "/" && x.Method == "GET") ?? Http.FirstOrDefault(x => x.Uri == "/");
        PageStream = (PageRequest ?? Http.FirstOrDefault())?.Stream ?? (Streams.Count == 0 ? null : Streams.Min());
        int? pageStream = PageStream;
        // the handshake: a complete one that offers every option the lab asks about, the page's own first
        Handshake = Handshakes.Where(h => h.VerdictValue == HandshakeVerdict.Complete)
            .OrderByDescending(HasLabOptions).ThenByDescending(h => h.Stream == pageStream).FirstOrDefault();
        // the teardown: a four-way close (the page's own first), else a three-way or half close, else a simultaneous one
        Teardown = Teardowns.Where(t => t.KindValue is TeardownKind.FourWay or TeardownKind.ThreeWay or TeardownKind.HalfClose
                or TeardownKind.Simultaneous)
            .OrderBy(t => t.KindValue switch
            {
                TeardownKind.FourWay => 0, TeardownKind.Simultaneous => 2, _ => 1,
            })
            .ThenByDescending(t => t.Stream == pageStream).FirstOrDefault();
    }

    /// <summary>Chooses the focus of a capture: on <paramref name="port"/> when given, else on the port chosen by evidence.</summary>
    /// <param name="givenReason">Why the given port (a session's server listened there); "given with -Port" by default.</param>
    public static LabFocus Of(LabCaptureAnalysis a, int? port = null, LabPortReason? givenReason = null)
    {
        var (p, reason) = port is int given ? (given, givenReason ?? LabPortReason.Given(given)) : LabPortChoice.Choose(a);
        return new LabFocus(a, p, reason);
    }

    public LabCaptureAnalysis Analysis { get; }
    /// <summary>The lab server's port.</summary>
    public int Port { get; }
    /// <summary>Why that port (its sentence is in the current language: <see cref="LabPortReason.ToString"/>).</summary>
    public LabPortReason PortReason { get; }
    /// <summary>The streams of the connections to the lab server's port.</summary>
    public IReadOnlySet<int> Streams { get; }
    public IReadOnlyList<TcpConnection> Connections { get; }
    public IReadOnlyList<TcpHandshake> Handshakes { get; }
    public IReadOnlyList<TcpTeardown> Teardowns { get; }
    public IReadOnlyList<HttpExchange> Http { get; }
    /// <summary>The page: GET / answered 200, else a GET answered 200 with HTML.</summary>
    public HttpExchange? Page { get; }
    /// <summary>The page, else the first request for / whatever its answer.</summary>
    public HttpExchange? PageRequest { get; }
    /// <summary>The page's stream (else the first HTTP exchange's, else the first connection's).</summary>
    public int? PageStream { get; }
    /// <summary>
    /// The handshake the lab walks through: complete, with MSS, window scale and SACK_PERM when one has them, the
    /// page's own first.
    /// </summary>
    public TcpHandshake? Handshake { get; }
    /// <summary>The teardown the lab walks through: four-way first, the page's stream first.</summary>
    public TcpTeardown? Teardown { get; }

    internal static bool HasLabOptions(TcpHandshake h) =>
        h.ClientOptions.Mss != null && h.ClientOptions.WindowScaleShift != null && h.ClientOptions.SackPermitted;

    internal static bool IsHtml(HttpExchange x) => (x.ContentType ?? "").StartsWith("text/html", StringComparison.OrdinalIgnoreCase);
}
