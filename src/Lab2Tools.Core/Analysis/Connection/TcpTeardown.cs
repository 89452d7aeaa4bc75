using System.Net;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis;

public enum TeardownKind
{
    /// <summary>FIN, ACK, FIN, ACK: four segments.</summary>
    FourWay,
    /// <summary>FIN, FIN+ACK, ACK: the passive side acknowledged and closed in one segment.</summary>
    ThreeWay,
    /// <summary>Both sides sent FIN before receiving the other's.</summary>
    Simultaneous,
    /// <summary>The passive side kept sending data after the first FIN, then closed.</summary>
    HalfClose,
    /// <summary>The connection ended with RST.</summary>
    Reset,
    /// <summary>A FIN was sent but the close did not finish in the capture.</summary>
    Incomplete,
}

/// <summary>How a connection ended.</summary>
public sealed class TcpTeardown
{
    public int Stream { get; init; }
    public IPEndPoint Client { get; init; } = null!;
    public IPEndPoint Server { get; init; } = null!;
    public TeardownKind Kind { get; init; }
    /// <summary>The side that sent the first FIN (or the RST).</summary>
    public ConnectionRole? ActiveCloser { get; init; }
    public IPEndPoint? ActiveCloserEndPoint { get; init; }
    public ConnectionRole? PassiveCloser { get; init; }
    /// <summary>The segments of the close, in order, with relative numbers.</summary>
    public IReadOnlyList<TcpHandshakeStep> Steps { get; init; } = Array.Empty<TcpHandshakeStep>();
    /// <summary>The side that ends in TIME_WAIT (both after a simultaneous close; none after a reset).</summary>
    public string? TimeWaitSide { get; init; }
    public IPEndPoint? TimeWaitEndPoint { get; init; }
    /// <summary>Payload bytes the passive side sent after receiving the first FIN.</summary>
    public long DataAfterFirstFin { get; init; }
    public ConnectionRole? ResetBy { get; init; }
    public long? ResetFrame { get; init; }
    /// <summary>For resets: what was happening when the RST was sent.</summary>
    public string? ResetReason { get; init; }
    public string Explanation { get; init; } = "";
    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"Stream {Stream}: {Kind}";
}
