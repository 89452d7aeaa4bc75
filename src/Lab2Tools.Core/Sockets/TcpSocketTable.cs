using System.Net;
using System.Net.NetworkInformation;
using TcpState = Lab2Tools.Analysis.TcpState;
using Lab2Tools.Analysis;

namespace Lab2Tools.Sockets;

/// <summary>One TCP socket of this machine, as the operating system lists it (ss -tan, netstat -tan).</summary>
public sealed class TcpSocketEntry
{
    /// <summary>"127.0.0.1:5000".</summary>
    public string LocalEndPoint => LocalIpEndPoint.ToString();
    /// <summary>The peer, or 0.0.0.0:0 for a listening socket.</summary>
    public string RemoteEndPoint => RemoteIpEndPoint.ToString();
    internal IPEndPoint LocalIpEndPoint { get; init; } = null!;
    internal IPEndPoint RemoteIpEndPoint { get; init; } = null!;
    /// <summary>The RFC 9293 state name, as in the state timelines (TIME_WAIT); the system's name when it has none.</summary>
    public string State => StateValue?.ToString() ?? SystemState;
    internal TcpState? StateValue { get; init; }
    /// <summary>The state as .NET reports it (also covers states with no RFC name, e.g. DeleteTcb).</summary>
    public string SystemState => SystemStateValue.ToString();
    internal System.Net.NetworkInformation.TcpState SystemStateValue { get; init; }
    public int LocalPort => LocalIpEndPoint.Port;
    public int RemotePort => RemoteIpEndPoint.Port;
    public DateTime Observed { get; init; }
    /// <summary>Observed as ISO 8601 round-trip text, the same in every culture (for Export-Csv, which writes a DateTime
    /// in the current culture).</summary>
    public string ObservedIso => Lab2Tools.Model.Units.Iso(Observed);
    public override string ToString() => $"{LocalEndPoint} {RemoteEndPoint} {State}";
}

/// <summary>
/// Reads the system's TCP socket table through .NET's <see cref="IPGlobalProperties"/> (on Linux: /proc/net/tcp and tcp6).
/// </summary>
public static class TcpSocketTable
{
    public static TcpState? Map(System.Net.NetworkInformation.TcpState s) => s switch
    {
        System.Net.NetworkInformation.TcpState.Closed => TcpState.CLOSED,
        System.Net.NetworkInformation.TcpState.Listen => TcpState.LISTEN,
        System.Net.NetworkInformation.TcpState.SynSent => TcpState.SYN_SENT,
        System.Net.NetworkInformation.TcpState.SynReceived => TcpState.SYN_RECEIVED,
        System.Net.NetworkInformation.TcpState.Established => TcpState.ESTABLISHED,
        System.Net.NetworkInformation.TcpState.FinWait1 => TcpState.FIN_WAIT_1,
        System.Net.NetworkInformation.TcpState.FinWait2 => TcpState.FIN_WAIT_2,
        System.Net.NetworkInformation.TcpState.CloseWait => TcpState.CLOSE_WAIT,
        System.Net.NetworkInformation.TcpState.Closing => TcpState.CLOSING,
        System.Net.NetworkInformation.TcpState.LastAck => TcpState.LAST_ACK,
        System.Net.NetworkInformation.TcpState.TimeWait => TcpState.TIME_WAIT,
        _ => null,
    };

    /// <summary>The sockets now: listening sockets first, then connections.</summary>
    public static IReadOnlyList<TcpSocketEntry> Snapshot()
    {
        var now = DateTime.Now;
        var props = IPGlobalProperties.GetIPGlobalProperties();
        var list = new List<TcpSocketEntry>();
        var any = new IPEndPoint(IPAddress.Any, 0);
        foreach (var l in props.GetActiveTcpListeners())
            list.Add(new TcpSocketEntry
            {
                LocalIpEndPoint = l, RemoteIpEndPoint = l.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                    ? new IPEndPoint(IPAddress.IPv6Any, 0) : any,
                SystemStateValue = System.Net.NetworkInformation.TcpState.Listen, StateValue = TcpState.LISTEN, Observed = now,
            });
        foreach (var c in props.GetActiveTcpConnections())
        {
            if (c.State == System.Net.NetworkInformation.TcpState.Listen) continue;
            list.Add(new TcpSocketEntry { LocalIpEndPoint = c.LocalEndPoint, RemoteIpEndPoint = c.RemoteEndPoint,
                SystemStateValue = c.State, StateValue = Map(c.State), Observed = now });
        }
        return list;
    }
}
