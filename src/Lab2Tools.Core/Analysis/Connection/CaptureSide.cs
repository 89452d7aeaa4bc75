namespace Lab2Tools.Analysis;

/// <summary>
/// The two endpoints of one stream, named by capture order: the endpoint that sent the stream's first captured
/// segment, and the endpoint it was sent to. This is how the analyses index per-endpoint state before the roles
/// are known. The other two ways of naming the endpoints are the roles (<see cref="ConnectionRole"/>: the client
/// opened the connection, decided as <see cref="RoleSource"/> says) and Zeek's originator and responder
/// (<c>Analysis/Zeek</c>, which can differ from both: Zeek flips them on a SYN-ACK seen first, for example).
/// </summary>
public enum CaptureSide : byte
{
    /// <summary>The source of the stream's first captured segment.</summary>
    FirstSender = 0,
    /// <summary>The destination of the stream's first captured segment.</summary>
    FirstReceiver = 1,
}

internal static class CaptureSides
{
    /// <summary>The other endpoint.</summary>
    public static CaptureSide Peer(this CaptureSide side) => (CaptureSide)(1 - (int)side);
}
