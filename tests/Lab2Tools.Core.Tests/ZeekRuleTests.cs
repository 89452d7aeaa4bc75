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

    // ---- the protocol analyzers' limits: Zeek's 'X' (Connection::LimitReachedWeird) ----

    /// <summary>A packet with payload bytes, from the client (10.0.0.1:40000) or the server (10.0.0.2:port).</summary>
    private sealed record D(double T, bool FromClient, ushort Flags, uint Seq, uint Ack, byte[]? Data = null);

    private static D[] Open(uint clientIsn = 100, uint serverIsn = 500) => new D[]
    {
        new(0.0, true, SYN, clientIsn, 0),
        new(0.1, false, SYN | ACK, serverIsn, clientIsn + 1),
        new(0.2, true, ACK, clientIsn + 1, serverIsn + 1),
    };

    private static byte[] Ascii(string s) => System.Text.Encoding.Latin1.GetBytes(s);

    /// <summary>
    /// The Zeek connections of packets on serverPort, read as Get-TcpConnection reads them: no payload except on the
    /// ports of the analyzers the options attach.
    /// </summary>
    private static string Zeek(ushort serverPort, Lab2Tools.Analysis.Zeek.ZeekOptions? options, params D[] packets)
    {
        var b = new PcapBuilder();
        foreach (var p in packets)
        {
            int n = p.Data?.Length ?? 0;
            var tcp = p.FromClient
                ? PcapBuilder.Tcp(40000, serverPort, p.Seq, p.Ack, p.Flags, 1000, payload: n)
                : PcapBuilder.Tcp(serverPort, 40000, p.Seq, p.Ack, p.Flags, 1000, payload: n);
            p.Data?.CopyTo(tcp, 20);
            var frame = PcapBuilder.Ethernet(p.FromClient ? PcapBuilder.IPv4(tcp, 1, 2) : PcapBuilder.IPv4(tcp, 2, 1));
            uint sec = 1_700_000_000 + (uint)Math.Floor(p.T);
            b.Add(frame, sec, (uint)Math.Round((p.T - Math.Floor(p.T)) * 1e6));
        }
        options ??= Lab2Tools.Analysis.Zeek.ZeekOptions.Default;
        var a = new ConnectionAnalyzer(options);
        using var r = TcpSegmentReader.Open(new MemoryStream(b.ToArray()), "limits.pcap",
            Lab2Tools.Analysis.Zeek.ZeekPayload.PortsOf(options), reuseSegment: true);
        while (r.Read() is var st && st != ReadStatus.End)
            if (st == ReadStatus.Segment) a.Add(r.Current!);
        return Zeek(a.Records.Select(x => x.ToConnection()).ToList());
    }

    /// <summary>An FTP session: the greeting, USER (which confirms the analyzer), then one command line.</summary>
    private static D[] Ftp(string command) => Open().Concat(new D[]
    {
        new(1.0, false, PSH | ACK, 501, 101, Ascii("220 ready\r\n")),
        new(1.1, true, PSH | ACK, 101, 512, Ascii("USER x\r\n")),
        new(1.2, true, PSH | ACK, 109, 512, Ascii(command + "\r\n")),
    }).ToArray();

    [Fact]
    public void AnFtpCommandLongerThanMaxCommandLengthIsX()
    {
        // FTP.cc: a command word longer than FTP::max_command_length (100), once the analyzer is confirmed
        Assert.Equal("1 S1 ShAdD", Zeek(21, null, Ftp(new string('A', 100) + " arg")));
        Assert.Equal("1 S1 ShAdDX", Zeek(21, null, Ftp(new string('A', 101) + " arg")));
        // FTP's other port (2811), and a redefined limit
        Assert.Equal("1 S1 ShAdDX", Zeek(2811, null, Ftp(new string('A', 101))));
        var redef = new Lab2Tools.Analysis.Zeek.ZeekOptions
        {
            Limits = Lab2Tools.Analysis.Zeek.Protocols.ZeekLimits.Default.With("FTP::max_command_length", 200),
        };
        Assert.Equal("1 S1 ShAdD", Zeek(21, redef, Ftp(new string('A', 101))));
    }

    [Fact]
    public void AnFtpCommandTooLongBeforeTheAnalyzerIsConfirmedIsNotX()
    {
        // the first command line is too long: FTP.cc ignores it without a weird, the analyzer is not confirmed yet
        var packets = Open().Concat(new D[]
        {
            new(1.0, true, PSH | ACK, 101, 501, Ascii(new string('A', 150) + "\r\n")),
        }).ToArray();
        Assert.Equal("1 S1 ShAD", Zeek(21, null, packets));
    }

    [Fact]
    public void AnFtpCommandOnAnotherPortIsNotX()
    {
        // Zeek attaches FTP by port (21, 2811); on 8021 no analyzer reads the lines
        Assert.Equal("1 S1 ShAdD", Zeek(8021, null, Ftp(new string('A', 101))));
    }

    [Fact]
    public void AnFtpCommandIsReadThroughTelnetOptionsAndCrLf()
    {
        // NVT: an IAC option inside the word is taken out, so the word is one, and 101 bytes long
        var cmd = Ascii(new string('A', 50)).Concat(new byte[] { 255, 251, 1 }).Concat(Ascii(new string('A', 51))).ToArray();
        var packets = Ftp("").Take(5).Append(new D(1.2, true, PSH | ACK, 109, 512, cmd.Concat(Ascii("\r\n")).ToArray())).ToArray();
        Assert.Equal("1 S1 ShAdDX", Zeek(21, null, packets));
        // a line without its end is ended at the FIN (ContentLine's EndpointEOF)
        var atFin = Ftp("").Take(5).Append(new D(1.2, true, PSH | ACK | FIN, 109, 512, Ascii(new string('B', 101)))).ToArray();
        Assert.Equal("1 S2 ShAdDFX", Zeek(21, null, atFin));
    }

    [Fact]
    public void AnFtpCommandAfterAHoleIsReadWhenTheHoleIsFilled()
    {
        // the long command arrives before the line ahead of it: the reassembler keeps it, and delivers both when the
        // late segment fills the hole (a retransmission for Zeek, 'T'); X comes with that packet
        var packets = Ftp("").Take(5).Concat(new D[]
        {
            new(1.2, true, PSH | ACK, 114, 512, Ascii(new string('A', 101) + "\r\n")),
            new(1.3, true, PSH | ACK, 109, 512, Ascii("PWD\r\n")),
        }).ToArray();
        Assert.Equal("1 S1 ShAdDTX", Zeek(21, null, packets));
    }

    [Fact]
    public void AnFtpCommandAfterAContentGapIsStillRead()
    {
        // the hole is never filled: the server's ACK reveals the gap ('G'), and the bytes after it reach the analyzer
        var packets = Ftp("").Take(5).Concat(new D[]
        {
            new(1.2, true, PSH | ACK, 114, 512, Ascii(new string('A', 101) + "\r\n")),
            new(1.3, false, ACK, 512, 217),
        }).ToArray();
        Assert.Equal("1 S1 ShAdDaGX", Zeek(21, null, packets));
    }

    private static readonly Lab2Tools.Analysis.Zeek.ZeekOptions Gnutella6346 = new()
    {
        AnalyzerPorts = new Dictionary<int, Lab2Tools.Analysis.Zeek.Protocols.ZeekAnalyzer>
        {
            [6346] = Lab2Tools.Analysis.Zeek.Protocols.ZeekAnalyzer.Gnutella,
        },
        Limits = Lab2Tools.Analysis.Zeek.Protocols.ZeekLimits.Default
            .With("Gnutella::max_line_length", 100).With("Gnutella::max_header_length", 300),
    };

    private static D[] Gnutella(string text) => Open().Append(new D(1.0, true, PSH | ACK, 101, 501, Ascii(text))).ToArray();

    [Fact]
    public void AGnutellaLineReachingMaxLineLengthIsX()
    {
        // Gnutella.cc NextLine: X once the line's bytes (without CR and LF) reach Gnutella::max_line_length
        string first = "GNUTELLA CONNECT/0.6\r\n";
        Assert.Equal("1 S1 ShAD", Zeek(6346, Gnutella6346, Gnutella(first + "X-A: " + new string('C', 94) + "\r\n")));
        Assert.Equal("1 S1 ShADX", Zeek(6346, Gnutella6346, Gnutella(first + "X-A: " + new string('C', 95) + "\r\n")));
        // Zeek's default registers Gnutella for no port
        Assert.Equal("1 S1 ShAD", Zeek(6346, null, Gnutella(first + "X-A: " + new string('C', 95) + "\r\n")));
    }

    [Fact]
    public void GnutellaHeadersReachingMaxHeaderLengthAreX()
    {
        // the headers so far, with CRLF and the new line: 22 + 4 x (2 + 70) = 310 >= 300 at the fourth header line
        string first = "GNUTELLA CONNECT/0.6\r\n", line = "X-A: " + new string('C', 65) + "\r\n";
        Assert.Equal("1 S1 ShAD", Zeek(6346, Gnutella6346, Gnutella(first + line + line + line)));
        Assert.Equal("1 S1 ShADX", Zeek(6346, Gnutella6346, Gnutella(first + line + line + line + line)));
        // a first line that is HTTP hands the connection to the HTTP analyzer: no Gnutella limit
        string http = "GET / HTTP/1.1\r\n";
        Assert.Equal("1 S1 ShAD", Zeek(6346, Gnutella6346, Gnutella(http + line + line + line + line)));
    }

    /// <summary>An SSH2 KEXINIT packet with these name-lists (kex, hostkey, then eight more).</summary>
    private static byte[] Kexinit(params string[] lists)
    {
        var payload = new List<byte> { 20 };
        payload.AddRange(new byte[16]);
        for (int i = 0; i < 10; i++)
        {
            var l = Ascii(i < lists.Length ? lists[i] : "");
            payload.AddRange(new[] { (byte)(l.Length >> 24), (byte)(l.Length >> 16), (byte)(l.Length >> 8), (byte)l.Length });
            payload.AddRange(l);
        }
        payload.AddRange(new byte[5]);
        int padding = 8 - (payload.Count + 5) % 8 + 4;
        uint length = (uint)(1 + payload.Count + padding);
        var p = new List<byte> { (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length, (byte)padding };
        p.AddRange(payload);
        p.AddRange(new byte[padding]);
        return p.ToArray();
    }

    private static string Names(string prefix, int n) => string.Join(",", Enumerable.Range(0, n).Select(i => prefix + i));

    private static D[] Ssh(byte[] kexinit, bool gap = false)
    {
        var v = Ascii("SSH-2.0-Test\r\n");
        uint c = 101 + (uint)v.Length;
        var list = Open().Concat(new D[]
        {
            new(1.0, true, PSH | ACK, 101, 501, v),
            new(1.1, false, PSH | ACK, 501, c, v),
        }).ToList();
        if (gap)
        {
            // ten bytes of the client never seen, acknowledged by the server: a content gap before the KEXINIT
            list.Add(new(1.2, true, PSH | ACK, c + 10, 501 + (uint)v.Length, kexinit));
            list.Add(new(1.3, false, ACK, 501 + (uint)v.Length, c + 10 + (uint)kexinit.Length));
        }
        else list.Add(new(1.2, true, PSH | ACK, c, 501 + (uint)v.Length, kexinit));
        return list.ToArray();
    }

    [Fact]
    public void AnSshKexinitWithTooManyAlgorithmsIsX()
    {
        // ssh-analyzer.pac name_list_to_vector: more names than SSH::max_kexinit_*_algorithms (100 each)
        Assert.Equal("1 S1 ShADd", Zeek(22, null, Ssh(Kexinit(Names("k", 100), Names("h", 100)))));
        Assert.Equal("1 S1 ShADdX", Zeek(22, null, Ssh(Kexinit(Names("k", 101), "ssh-ed25519"))));
        Assert.Equal("1 S1 ShADdX", Zeek(22, null, Ssh(Kexinit("curve25519-sha256", Names("h", 101)))));
        // the languages lists count too (and are read only when one of them is not empty)
        var languages = new[] { "a", "b", "c", "d", "e", "f", "g", "h", Names("l", 101) };
        Assert.Equal("1 S1 ShADdX", Zeek(22, null, Ssh(Kexinit(languages))));
    }

    [Fact]
    public void AnSshKexinitOnAnotherPortOrAfterAGapIsNotX()
    {
        var big = Kexinit(Names("k", 101));
        Assert.Equal("1 S1 ShADd", Zeek(2222, null, Ssh(big)));
        // SSH_Analyzer::Undelivered sets had_gap: nothing more is parsed
        Assert.Equal("1 S1 ShADdaG", Zeek(22, null, Ssh(big, gap: true)));
    }

    private static readonly Lab2Tools.Analysis.Zeek.ZeekOptions Mime100 = new()
    {
        Limits = Lab2Tools.Analysis.Zeek.Protocols.ZeekLimits.Default.With("MIME::max_header_bytes", 100),
    };

    /// <summary>An SMTP client that sends DATA, then these lines (server greeting first), on serverPort.</summary>
    private static D[] Smtp(params string[] lines)
    {
        var text = Ascii("DATA\r\n" + string.Concat(lines.Select(l => l + "\r\n")));
        return Open().Concat(new D[]
        {
            new(1.0, false, PSH | ACK, 501, 101, Ascii("220 hi\r\n")),
            new(1.1, true, PSH | ACK, 101, 509, text),
        }).ToArray();
    }

    [Fact]
    public void AMimeHeaderHoldingMaxHeaderBytesWhenItContinuesIsX()
    {
        // MIME.cc ContHeader: X when a continuation line comes and the header already holds MIME::max_header_bytes
        string h98 = "Subject: " + new string('s', 89), h100 = "Subject: " + new string('s', 91);
        Assert.Equal("1 S1 ShAdD", Zeek(25, Mime100, Smtp(h98, " x", "")));
        Assert.Equal("1 S1 ShAdDX", Zeek(25, Mime100, Smtp(h100, " x", "")));
        Assert.Equal("1 S1 ShAdDX", Zeek(587, Mime100, Smtp(h98, " x", " y")));
        // Zeek's default, 65536 bytes, is far
        Assert.Equal("1 S1 ShAdD", Zeek(25, null, Smtp(h100, " x", " y")));
        // no SMTP analyzer on another port
        Assert.Equal("1 S1 ShAdD", Zeek(2525, Mime100, Smtp(h100, " x", "")));
    }

    [Fact]
    public void OnlyTheMessageHeadersCountForMime()
    {
        string h100 = "Subject: " + new string('s', 91);
        // after the empty line: the body; after ".": commands again
        Assert.Equal("1 S1 ShAdD", Zeek(25, Mime100, Smtp("A: b", "", h100, " x")));
        Assert.Equal("1 S1 ShAdD", Zeek(25, Mime100, Smtp(".", h100, " x")));
        // a refused DATA (554) ends the message at once (EndData on a reply of 400 or more)
        var refused = Open().Concat(new D[]
        {
            new(1.0, false, PSH | ACK, 501, 101, Ascii("220 hi\r\n")),
            new(1.1, true, PSH | ACK, 101, 509, Ascii("DATA\r\n")),
            new(1.2, false, PSH | ACK, 509, 107, Ascii("554 no\r\n")),
            new(1.3, true, PSH | ACK, 107, 517, Ascii(h100 + "\r\n x\r\n")),
        }).ToArray();
        Assert.Equal("1 S1 ShAdD", Zeek(25, Mime100, refused));
    }

    [Fact]
    public void AContentGapEndsTheSmtpMessage()
    {
        // SMTP_Analyzer::Undelivered: EndData and SMTP_AFTER_GAP; the continuation after the hole is not a header line
        string h100 = "Subject: " + new string('s', 91);
        var first = Ascii("DATA\r\n" + h100 + "\r\n");
        uint after = 101 + (uint)first.Length + 10;
        var packets = Open().Concat(new D[]
        {
            new(1.0, false, PSH | ACK, 501, 101, Ascii("220 hi\r\n")),
            new(1.1, true, PSH | ACK, 101, 509, first),
            new(1.2, true, PSH | ACK, after, 509, Ascii(" x\r\n y\r\n")),
            new(1.3, false, ACK, 509, after + 8),
        }).ToArray();
        Assert.Equal("1 S1 ShAdDaG", Zeek(25, Mime100, packets));
        // without the hole the same lines are X
        var whole = Open().Concat(new D[]
        {
            new(1.0, false, PSH | ACK, 501, 101, Ascii("220 hi\r\n")),
            new(1.1, true, PSH | ACK, 101, 509, first),
            new(1.2, true, PSH | ACK, after - 10, 509, Ascii(" x\r\n y\r\n")),
            new(1.3, false, ACK, 509, after - 2),
        }).ToArray();
        Assert.Equal("1 S1 ShAdDXa", Zeek(25, Mime100, whole));
    }

    [Fact]
    public void TheReaderKeepsPayloadOnlyOnTheAnalyzersPorts()
    {
        // Get-TcpConnection reads without payload, except to and from the ports of the analyzers whose limits are checked
        var b = new PcapBuilder();
        foreach (ushort port in new ushort[] { 21, 5000, 22, 80, 25 })
        {
            var tcp = PcapBuilder.Tcp(40000, port, 1, 1, PSH | ACK, 1000, payload: 10);
            b.Add(PcapBuilder.Ethernet(PcapBuilder.IPv4(tcp, 1, 2)), 1_700_000_000, 0);
            tcp = PcapBuilder.Tcp(port, 40000, 1, 11, PSH | ACK, 1000, payload: 7);
            b.Add(PcapBuilder.Ethernet(PcapBuilder.IPv4(tcp, 2, 1)), 1_700_000_000, 1);
        }
        var kept = new List<(int, int)>();
        using var r = TcpSegmentReader.Open(new MemoryStream(b.ToArray()), "ports.pcap", Lab2Tools.Analysis.Zeek.ZeekPayload.Ports);
        while (r.Read() is var st && st != ReadStatus.End)
            if (st == ReadStatus.Segment)
                kept.Add((Math.Min(r.Current!.SourcePort, r.Current.DestinationPort), r.Current.GetPayload().Length));
        Assert.Equal(new[] { (21, 10), (21, 7), (5000, 0), (5000, 0), (22, 10), (22, 7), (80, 0), (80, 0), (25, 10), (25, 7) }, kept);
    }
}
