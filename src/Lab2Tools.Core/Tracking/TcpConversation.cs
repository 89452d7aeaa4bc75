using System.Net;
using Lab2Tools.Decode;

namespace Lab2Tools.Tracking;

/// <summary>One TCP conversation (tcp.stream). Endpoint A is the one that sorts first (by address, then port).</summary>
public sealed class TcpConversation
{
    internal TcpConversation(int stream, IpAddr a, ushort portA, IpAddr b, ushort portB, IPAddress ipA, IPAddress ipB)
    {
        Stream = stream;
        AddressA = a; PortA = portA; AddressB = b; PortB = portB;
        IPAddressA = ipA;
        IPAddressB = ipB;
    }

    public int Stream { get; }
    public IpAddr AddressA { get; }
    public ushort PortA { get; }
    public IpAddr AddressB { get; }
    public ushort PortB { get; }
    public IPAddress IPAddressA { get; }
    public IPAddress IPAddressB { get; }
    /// <summary>Direction A → B.</summary>
    public TcpFlowState FlowA { get; } = new();
    /// <summary>Direction B → A.</summary>
    public TcpFlowState FlowB { get; } = new();
    /// <summary>
    /// True when this conversation started with a SYN that reused the ports of an earlier one (tcp.analysis.reused_ports).
    /// </summary>
    public bool ReusedPorts => ReusedPortsFrame != 0;
    /// <summary>The SYN frame that reused the ports, or 0.</summary>
    internal long ReusedPortsFrame { get; set; }
    /// <summary>iRTT: time from the most recent SYN to the first ACK after it, in ns (0 = not known yet).</summary>
    public long InitialRttNs { get; internal set; }
    internal long LastSynTimeNs;
    internal long LastFrameTimeNs;
    public long FirstFrame { get; internal set; }
    public long FirstTimestampNanoseconds { get; internal set; }
}
