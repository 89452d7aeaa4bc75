using System.Net;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis;

/// <summary>RFC 9293 connection states.</summary>
public enum TcpState
{
    CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK,
}

/// <summary>One state change of one endpoint, with the frame that caused it.</summary>
public sealed class TcpStateTransition
{
    public int Stream { get; init; }
    public string EndPoint => Units.Text(IpEndPoint);
    internal IPEndPoint IpEndPoint { get; init; } = null!;
    public string Role => RoleValue.ToString();
    internal ConnectionRole RoleValue { get; init; }
    /// <summary>The RFC 9293 state before (null for the first), e.g. SYN_SENT.</summary>
    public string? From => FromValue?.ToString();
    internal TcpState? FromValue { get; init; }
    public string To => ToValue.ToString();
    internal TcpState ToValue { get; init; }
    /// <summary>The frame that caused the change (null for changes the capture cannot show, such as TIME_WAIT expiring).</summary>
    public long? Frame { get; init; }
    public DateTime? Time { get; init; }
    /// <summary>Time as ISO 8601 round-trip text, the same in every culture (for Export-Csv, which writes a DateTime
    /// in the current culture).</summary>
    public string? TimeIso => Lab2Tools.Model.Units.Iso(Time);
    public string Cause { get; init; } = "";
    public string Explanation { get; init; } = "";
    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"{Role} {From}→{To} ({Cause})";
}
