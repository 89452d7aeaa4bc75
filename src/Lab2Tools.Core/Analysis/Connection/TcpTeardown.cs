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
    public string Client => Units.Text(ClientEndPoint);
    public string Server => Units.Text(ServerEndPoint);
    internal IPEndPoint ClientEndPoint { get; init; } = null!;
    internal IPEndPoint ServerEndPoint { get; init; } = null!;
    /// <summary>FourWay, ThreeWay, Simultaneous, HalfClose, Reset or Incomplete.</summary>
    public string Kind => KindValue.ToString();
    internal TeardownKind KindValue { get; init; }
    /// <summary>The side that sent the first FIN (or the RST).</summary>
    public string? ActiveCloser => ActiveCloserValue?.ToString();
    internal ConnectionRole? ActiveCloserValue { get; init; }
    public string? ActiveCloserEndPoint => ActiveCloserIpEndPoint?.ToString();
    internal IPEndPoint? ActiveCloserIpEndPoint { get; init; }
    public string? PassiveCloser => PassiveCloserValue?.ToString();
    internal ConnectionRole? PassiveCloserValue { get; init; }
    /// <summary>The segments of the close, in order, with relative numbers.</summary>
    public LineList<TcpHandshakeStep> Steps { get; init; } = LineList<TcpHandshakeStep>.Empty;
    /// <summary>The side that ends in TIME_WAIT (both after a simultaneous close; none after a reset).</summary>
    public string? TimeWaitSide { get; init; }
    public string? TimeWaitEndPoint => TimeWaitIpEndPoint?.ToString();
    internal IPEndPoint? TimeWaitIpEndPoint { get; init; }
    /// <summary>Payload bytes the passive side sent after receiving the first FIN.</summary>
    public long DataAfterFirstFin { get; init; }
    public string? ResetBy => ResetByValue?.ToString();
    internal ConnectionRole? ResetByValue { get; init; }
    public long? ResetFrame { get; init; }
    /// <summary>For resets: what was happening when the RST was sent.</summary>
    public string? ResetReason { get; init; }
    public string Explanation { get; init; } = "";
    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"Stream {Stream}: {Kind}";

    /// <summary>The close's segments as "FIN:10 ACK:11 FIN:12 ACK:13", and the reset's reason.</summary>
    /// <summary>Why each segment of the close is there, one line per step ("1. ...").</summary>
    public string StepExplanations => string.Join("\n", Steps.Select(s => $"{s.Step}. {s.Explanation}"));
    public string Frames => string.Join(" ", Steps.Select(s => $"{s.Name}:{s.Frame}")) + (ResetReason != null ? $" ({ResetReason})" : "");
}
