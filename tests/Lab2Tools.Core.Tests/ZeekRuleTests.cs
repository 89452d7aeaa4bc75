using Lab2Tools.Analysis;
using Lab2Tools.Pipeline;
using Xunit;

namespace Lab2Tools.Tests;

/// <summary>
/// Zeek rules that none of the committed Zeek traces exercises, checked on small captures built packet by packet.
/// Each expectation is read off Zeek's source (TCPSessionAdapter.cc update_history / Update*State, IsReuse and the
/// timers; scripts/base/protocols/conn/main.zeek conn_state()).
/// </summary>
public class ZeekRuleTests
{
    private const ushort FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

    /// <summary>A packet from the client (10.0.0.1:40000) or the server (10.0.0.2:80), at a time in seconds.</summary>
    private sealed record P(double T, bool FromClient, ushort Flags, uint Seq, uint Ack, ushort Window = 1000, int Len = 0,
        ushort ClientPort = 40000, ushort ServerPort = 80, int? Snaplen = null);

    private static List<TcpConnection> Run(params P[] packets)
    {
        var b = new PcapBuilder();
        foreach (var p in packets)
        {
            var tcp = p.FromClient
                ? PcapBuilder.Tcp(p.ClientPort, p.ServerPort, p.Seq, p.Ack, p.Flags, p.Window, payload: p.Len)
                : PcapBuilder.Tcp(p.ServerPort, p.ClientPort, p.Seq, p.Ack, p.Flags, p.Window, payload: p.Len);
            var frame = PcapBuilder.Ethernet(p.FromClient ? PcapBuilder.IPv4(tcp, 1, 2) : PcapBuilder.IPv4(tcp, 2, 1));
            uint sec = 1_700_000_000 + (uint)Math.Floor(p.T);
            uint us = (uint)Math.Round((p.T - Math.Floor(p.T)) * 1e6);
            if (p.Snaplen is int snap && snap < frame.Length) b.Add(frame[..snap], sec, us, originalLength: frame.Length);
            else b.Add(frame, sec, us);
        }
        var a = new ConnectionAnalyzer();
        using var r = TcpSegmentReader.Open(new MemoryStream(b.ToArray()), "rules.pcap");
        while (r.Read() is var st && st != ReadStatus.End)
            if (st == ReadStatus.Segment) a.Add(r.Current!);
        return a.Records.Select(x => x.ToConnection()).ToList();
    }

    // client ISN 100, server ISN 500
    private static readonly P[] Handshake =
    {
        new(0.0, true, SYN, 100, 0),
        new(0.1, false, SYN | ACK, 500, 101),
        new(0.2, true, ACK, 101, 501),
    };

    private static string Zeek(List<TcpConnection> c) =>
        string.Join(" | ", c.SelectMany(x => x.ZeekConnections).DistinctBy(z => z.StartFrame)
            .Select(z => $"{z.StartFrame} {z.ConnState} {z.History}"));

    [Fact]
    public void SynWithFinIsQ()
    {
        // two of SYN/FIN/RST in one packet: 'Q' (HIST_MULTI_FLAG_PKT); SYN then FIN take the originator to CLOSED: SH
        var c = Run(new P(0, true, SYN | FIN, 100, 0)).Single();
        Assert.Equal("SH", c.ConnState);
        Assert.Equal("Q", c.History);
    }

    [Fact]
    public void FinWithRstIsI()
    {
        // FIN+RST: 'I' (HIST_FIN_RST_PKT); UpdateEstablishedState ignores the FIN of a FIN+RST and resets: RSTO
        var c = Run(Handshake.Append(new P(1, true, FIN | RST | ACK, 101, 501)).ToArray()).Single();
        Assert.Equal("RSTO", c.ConnState);
        Assert.Equal("ShAI", c.History);
    }

    [Fact]
    public void ZeroWindowIsWAfterTheAck()
    {
        // update_history runs before update_window: the pure ACK's 'a' comes before the zero window's 'w'
        var c = Run(Handshake.Append(new P(1, false, ACK, 501, 101, Window: 0)).ToArray()).Single();
        Assert.Equal("S1", c.ConnState);
        Assert.Equal("ShAaw", c.History);
    }

    [Fact]
    public void AFinCarryingDataAddsNoD()
    {
        // a FIN is a one-flag packet: update_history checks only 'F', the data it carries adds no 'D'
        var c = Run(Handshake.Concat(new P[]
        {
            new(1.0, true, FIN | PSH | ACK, 101, 501, Len: 5),
            new(1.1, false, FIN | ACK, 501, 107),
            new(1.2, true, ACK, 107, 502),
        }).ToArray()).Single();
        Assert.Equal("SF", c.ConnState);
        Assert.Equal("ShAFf", c.History);
    }

    [Fact]
    public void RstAfterBothFinsKeepsSf()
    {
        // UpdateClosedState ignores a RST from an endpoint whose peer has closed too; the 'R' is still recorded
        var c = Run(Handshake.Concat(new P[]
        {
            new(1.0, true, FIN | ACK, 101, 501),
            new(1.1, false, FIN | ACK, 501, 102),
            new(1.2, true, ACK, 102, 502),
            new(1.3, true, RST, 102, 0),
        }).ToArray()).Single();
        Assert.Equal("SF", c.ConnState);
        Assert.Equal("ShAFfR", c.History);
    }

    [Fact]
    public void ASynAckFromALikelyServerPortIsFlippedAtOnce()
    {
        // WantConnection flips a SYN-ACK from port 80 to a port that is no likely server port: "^h", then the
        // client's pure ACK establishes the originator (UpdateInactiveState): S1
        var c = Run(new P(0.1, false, SYN | ACK, 500, 101), new P(0.2, true, ACK, 101, 501)).Single();
        Assert.Equal("S1", c.ConnState);
        Assert.Equal("^hA", c.History);
        Assert.Equal(40000, c.ZeekConnections[0].OriginatorEndPoint.Port);
    }

    [Fact]
    public void ASynAckBetweenHighPortsIsFlippedByTheAckThatFollows()
    {
        // no flip by ports (neither is a likely server port): history "H" until productive traffic; then
        // TCP_Endpoint::CheckHistory flips the connection and rewrites the history to "^h". The ACK's sender is
        // now the originator, still INACTIVE, and its SYN-ACK sending peer is in SYN_ACK_SENT, not ESTABLISHED:
        // UpdateInactiveState makes it PARTIAL, and conn_state() finds no rule but OTH.
        var c = Run(new P(0.1, false, SYN | ACK, 500, 101, ServerPort: 50000), new P(0.2, true, ACK, 101, 501, ServerPort: 50000)).Single();
        Assert.Equal("OTH", c.ConnState);
        Assert.Equal("^hA", c.History);
        Assert.Equal(40000, c.ZeekConnections[0].OriginatorEndPoint.Port);
    }

    [Fact]
    public void AnUnansweredSynRetransmittedAfterTheAttemptDelayStartsAnotherConnection()
    {
        // tcp_attempt_delay (5 s): the attempt timer removes a connection still in SYN_SENT with a silent responder
        var c = Run(new P(0, true, SYN, 100, 0), new P(3, true, SYN, 100, 0), new P(9, true, SYN, 100, 0)).Single();
        Assert.Equal("1 S0 S | 3 S0 S", Zeek(new() { c }));
        Assert.True(c.ZeekSplit);
        Assert.Equal("tcp_attempt_delay", c.ZeekConnections[0].EndedBy);
        Assert.Equal("S0", c.ConnState);
    }

    [Fact]
    public void ANewSynOnAClosedConnectionStartsAnotherOneEvenWithTheSameIsn()
    {
        // IsReuse: a SYN on a connection one side has closed is a new connection, whatever its sequence number
        var c = Run(Handshake.Concat(new P[]
        {
            new(1.0, true, FIN | ACK, 101, 501),
            new(1.1, false, FIN | ACK, 501, 102),
            new(1.2, true, ACK, 102, 502),
            new(2.0, true, SYN, 100, 0),
        }).ToArray());
        Assert.Equal("1 SF ShAFf | 7 S0 S", Zeek(c));
        Assert.Equal("reuse", c.SelectMany(x => x.ZeekConnections).First().EndedBy);
    }

    [Fact]
    public void PacketsMoreThanTheLingerAfterARstStartAnotherConnection()
    {
        // a RST from a side that had sent its FIN (the peer still open): Zeek would arm tcp_reset_delay only for a
        // connection_reset handler, which no default script has; the expire timer (every tcp_session_timer, 6 s,
        // here first due at 5 s and at 7 s) ends the connection once it has been idle for tcp_connection_linger (5 s)
        var c = Run(Handshake.Concat(new P[]
        {
            new(1.0, true, FIN | ACK, 101, 501),
            new(1.1, true, RST, 102, 0),
            new(7.0, false, PSH | ACK, 501, 102, Len: 10),
        }).ToArray()).Single();
        Assert.True(c.ZeekSplit);
        Assert.Equal("tcp_connection_linger", c.ZeekConnections[0].EndedBy);
        Assert.Equal("RSTO", c.ZeekConnections[0].ConnState);
        Assert.Equal(6, c.ZeekConnections[1].StartFrame);
    }

    [Fact]
    public void ARstAfterAFinWithinTheLingerKeepsTheConnection()
    {
        // the same, 6.0 s after the RST: the expire timer due at 5 s finds the connection idle for less than 5 s
        // (and reschedules itself 6 s later), the one due at 7 s has not fired yet: one Zeek connection
        var c = Run(Handshake.Concat(new P[]
        {
            new(1.0, true, FIN | ACK, 101, 501),
            new(1.1, true, RST, 102, 0),
            new(6.0, false, PSH | ACK, 501, 102, Len: 10),
        }).ToArray()).Single();
        Assert.False(c.ZeekSplit);
        Assert.Equal("RSTO", c.ConnState);
    }

    [Fact]
    public void FiveMinutesOfSilenceStartAnotherConnection()
    {
        // tcp_inactivity_timeout (5 min) once the handshake is done
        var c = Run(Handshake.Concat(new P[]
        {
            new(1.0, true, PSH | ACK, 101, 501, Len: 10),
            new(1.1, false, ACK, 501, 111),
            new(302.0, true, PSH | ACK, 111, 501, Len: 10),
        }).ToArray()).Single();
        Assert.Equal("1 S1 ShADa | 6 OTH D", Zeek(new() { c }));
        Assert.Equal("inactivity", c.ZeekConnections[0].EndedBy);
    }

    [Fact]
    public void PayloadCutByTheSnaplenIsAGapOnceAcknowledged()
    {
        // TCP_Endpoint::DataSent gives the reassembler only fully captured payload: bytes cut off by a short
        // snaplen are never seen, and the ACK that covers them reports a content gap ('G': the originator's)
        var c = Run(Handshake.Concat(new P[]
        {
            new(1.0, true, PSH | ACK, 101, 501, Len: 100, Snaplen: 54),
            new(1.1, false, ACK, 501, 201),
        }).ToArray()).Single();
        Assert.Equal("S1", c.ConnState);
        Assert.Equal("ShADaG", c.History);
    }

    [Fact]
    public void AHoleFilledBeforeItIsAcknowledgedIsNoGap()
    {
        // Wireshark flags "previous segment not captured" on the segment after the hole; Zeek only counts bytes that
        // are acknowledged and never seen, so a reordered segment that fills the hole in time leaves no 'G'
        // (the late segment does not advance the highest sequence number: Zeek counts it as a retransmission, 'T')
        var c = Run(Handshake.Concat(new P[]
        {
            new(1.0, true, PSH | ACK, 111, 501, Len: 10),
            new(1.01, true, PSH | ACK, 101, 501, Len: 10),
            new(1.1, false, ACK, 501, 121),
        }).ToArray()).Single();
        Assert.Equal("ShADTa", c.History);
    }
}
