using System.Net;
using System.Runtime.CompilerServices;

namespace Lab2Tools.Analysis;

/// <summary>
/// What a <see cref="ConnectionRecord"/> keeps about one endpoint (like Zeek's <c>TCP_Endpoint</c>): its address,
/// what it sent, how far its data reached in sequence space, and the segments of its close. Stored inline, two
/// per record (<see cref="EndpointPair"/>), so a connection is still one object plus its two counters.
/// </summary>
internal struct ConnectionEndpoint
{
    /// <summary>The endpoint's address (shared with the tracker's conversation).</summary>
    public IPAddress Address;
    /// <summary>What this endpoint sent.</summary>
    public TcpDirectionStatistics Sent;
    /// <summary>This endpoint's first FIN.</summary>
    public SegmentNote? Fin;
    /// <summary>The peer's first ACK that covers <see cref="Fin"/>.</summary>
    public SegmentNote? FinAcked;
    /// <summary>The last frame that carried data from this endpoint; 0: none. (A number, not the segment: holding
    /// the newest segment of every connection would make each one survive a garbage collection.)</summary>
    public long LastDataFrame;
    /// <summary>Payload bytes this endpoint sent after the peer's FIN (a half-close).</summary>
    public long DataAfterPeerFin;
    /// <summary>The end of the highest data in sequence space, once <see cref="DataStarted"/>.</summary>
    public uint HighestEnd;
    /// <summary>Sequence space this endpoint skipped over and has not filled since (for UniquePayloadBytes).</summary>
    public long Holes;
    public ushort Port;
    public bool DataStarted;

    public readonly IPEndPoint EndPoint => new(Address, Port);

    public readonly bool Is(IPAddress address, int port) =>
        port == Port && (ReferenceEquals(address, Address) || address.Equals(Address));
}

/// <summary>The two endpoints of a record, indexed by <see cref="CaptureSide"/>, stored inline.</summary>
[InlineArray(2)]
internal struct EndpointPair
{
    private ConnectionEndpoint _element;
}
