using System.Collections.Concurrent;
using System.Net;

namespace Lab2Tools.Server;

/// <summary>A running (or stopped) lab server, as Start-LabServer returns it.</summary>
public sealed class LabServer
{
    internal LabServer(int id, string name, LabHttpServer server)
    {
        Id = id;
        Name = name;
        Server = server;
    }

    public int Id { get; }
    public string Name { get; }
    internal LabHttpServer Server { get; }
    public string Url => Server.EndPoint is IPEndPoint ep
        ? $"http://{(ep.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{ep.Address}]" : ep.Address.ToString())}:{ep.Port}/"
        : "";
    public string Address => AddressValue.ToString();
    internal IPAddress AddressValue => Server.EndPoint?.Address ?? Server.Options.Address;
    public int Port => Server.EndPoint?.Port ?? Server.Options.Port;
    public string Root => Server.Options.Root;
    /// <summary>Werkzeug or KeepAlive.</summary>
    public string Profile => Server.Options.Profile.ToString();
    /// <summary>ServerFirst, ClientFirst or Abort.</summary>
    public string CloseMode => Server.Options.CloseMode.ToString();
    public string State => StateValue.ToString();
    internal LabServerState StateValue => Server.State;
    public DateTime StartTime => Server.StartTime;
    /// <summary>StartTime as ISO 8601 round-trip text, the same in every culture (for Export-Csv, which writes a DateTime
    /// in the current culture).</summary>
    public string StartTimeIso => Lab2Tools.Model.Units.Iso(StartTime);
    public long RequestCount => Server.RequestCount;
    public long ConnectionCount => Server.ConnectionCount;
    public int ActiveConnections => Server.ActiveConnections;
    /// <summary>Connections answered 503 because -MaxConnections were open.</summary>
    public long RejectedConnections => Server.RejectedConnections;
    public override string ToString() => $"{Name} {Url} ({State})";
}

/// <summary>The lab servers of this process. Stopped servers leave it; all are stopped when the process exits.</summary>
public static class LabServerRegistry
{
    private static readonly ConcurrentDictionary<int, LabServer> Servers = new();
    private static int s_nextId;
    private static int s_hooked;

    public static IEnumerable<LabServer> All => Servers.Values.OrderBy(s => s.Id);

    /// <summary>Starts a server and registers it. Throws what <see cref="LabHttpServer.Start"/> throws.</summary>
    public static LabServer Start(LabServerOptions options, string? name)
    {
        if (Interlocked.Exchange(ref s_hooked, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
        var server = new LabHttpServer(options);
        server.Start();
        int id = Interlocked.Increment(ref s_nextId);
        var ls = new LabServer(id, string.IsNullOrEmpty(name) ? $"LabServer{id}" : name, server);
        Servers[id] = ls;
        return ls;
    }

    public static void Stop(LabServer server)
    {
        server.Server.Stop();
        Servers.TryRemove(server.Id, out _);
    }

    public static void StopAll()
    {
        foreach (var s in Servers.Values.ToArray()) Stop(s);
    }
}
