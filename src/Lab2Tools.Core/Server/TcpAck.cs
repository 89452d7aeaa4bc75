using System.Net.Sockets;

namespace Lab2Tools.Server;

/// <summary>
/// The four-way close: the side that receives the first FIN acknowledges it at once and closes a little
/// later, so FIN, ACK, FIN, ACK are four segments instead of three (FIN, FIN+ACK, ACK).
/// </summary>
internal static class TcpAck
{
    private const int IpProtoTcp = 6, TcpQuickAck = 12;

    /// <summary>
    /// The wait between acknowledging the peer's FIN and sending ours. On Linux the ACK is sent by
    /// <see cref="Now"/>; elsewhere the wait is longer than the delayed-ACK timer (200 ms at most on
    /// Linux and Windows), so the ACK leaves on its own before our FIN.
    /// </summary>
    public static TimeSpan CloseDelay { get; } = OperatingSystem.IsLinux() ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Sends the ACK of a received FIN now. Linux delays it (a FIN puts the socket in "ping-pong" mode, hoping
    /// to piggyback the ACK on the application's answer); setting TCP_QUICKACK leaves that mode and sends the
    /// pending ACK before the call returns (tcp_sock_set_quickack → tcp_cleanup_rbuf).
    /// </summary>
    public static void Now(Socket socket)
    {
        if (!OperatingSystem.IsLinux()) return;
        try { socket.SetRawSocketOption(IpProtoTcp, TcpQuickAck, BitConverter.GetBytes(1)); }
        catch (SocketException) { }
    }

    /// <summary>
    /// Waits until everything sent on the socket has been acknowledged (Linux TCP_INFO: no unacknowledged
    /// packet, nothing unsent), up to <paramref name="within"/>: a close with SO_LINGER 0 throws away what is
    /// still queued, so the Abort close mode waits for the response to arrive before resetting.
    /// </summary>
    public static async Task WaitUntilAcknowledged(Socket socket, TimeSpan within)
    {
        if (!OperatingSystem.IsLinux()) return;
        const int TcpInfo = 11, UnackedOffset = 24, NotSentOffset = 144;
        var info = new byte[232];
        var until = DateTime.UtcNow + within;
        while (DateTime.UtcNow < until)
        {
            int n;
            try { n = socket.GetRawSocketOption(IpProtoTcp, TcpInfo, info); }
            catch (SocketException) { return; }
            if (n < NotSentOffset + 4) return;
            if (BitConverter.ToUInt32(info, UnackedOffset) == 0 && BitConverter.ToUInt32(info, NotSentOffset) == 0) return;
            await Task.Delay(5).ConfigureAwait(false);
        }
    }
}
