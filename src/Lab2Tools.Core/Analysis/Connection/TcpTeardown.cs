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

/// <summary>Who holds TIME_WAIT after a close (its name is <see cref="TcpTeardown.TimeWaitSide"/>).</summary>
public enum TimeWaitHolder
{
    Client,
    Server,
    /// <summary>After a simultaneous close.</summary>
    Both,
}

/// <summary>What was happening when a connection was reset (its name is <see cref="TcpTeardown.ResetReason"/>).</summary>
public enum TcpResetReason
{
    /// <summary>The server answered the SYN with RST: nothing listens on that port.</summary>
    ConnectionRefused,
    /// <summary>Data arrived after the resetting side had closed with FIN.</summary>
    DataAfterClose,
    /// <summary>It closed while the peer was still sending (a browser that cancels a download).</summary>
    ClosedWithDataInFlight,
    /// <summary>Any other abortive close.</summary>
    Abort,
}

/// <summary>One segment of a close: a FIN, its ACK, or a RST.</summary>
public sealed class TcpTeardownStep : TcpConnectionStep
{
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
    public LineList<TcpTeardownStep> Steps { get; init; } = LineList<TcpTeardownStep>.Empty;
    /// <summary>The side that ends in TIME_WAIT (both after a simultaneous close; none after a reset).</summary>
    internal TimeWaitHolder? TimeWaitHeldBy { get; init; }
    /// <summary>The side that ends in TIME_WAIT: Client, Server or Both (none after a reset).</summary>
    public string? TimeWaitSide => TimeWaitHeldBy?.ToString();
    public string? TimeWaitEndPoint => TimeWaitIpEndPoint?.ToString();
    internal IPEndPoint? TimeWaitIpEndPoint { get; init; }
    /// <summary>Payload bytes the passive side sent after receiving the first FIN.</summary>
    public long DataAfterFirstFin { get; init; }
    public string? ResetBy => ResetByValue?.ToString();
    internal ConnectionRole? ResetByValue { get; init; }
    public long? ResetFrame { get; init; }
    /// <summary>For resets: what was happening when the RST was sent.</summary>
    internal TcpResetReason? ResetCause { get; init; }
    /// <summary>For resets: what was happening when the RST was sent (a <see cref="TcpResetReason"/> name).</summary>
    public string? ResetReason => ResetCause?.ToString();
    public string Explanation { get; init; } = "";
    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"Stream {Stream}: {Kind}";

    /// <summary>The close's segments as "FIN:10 ACK:11 FIN:12 ACK:13", and the reset's reason.</summary>
    /// <summary>Why each segment of the close is there, one line per step ("1. ...").</summary>
    public string StepExplanations => string.Join("\n", Steps.Select(s => $"{s.Step}. {s.Explanation}"));
    public string Frames => string.Join(" ", Steps.Select(s => $"{s.Name}:{s.Frame}")) + (ResetReason != null ? $" ({ResetReason})" : "");
}
