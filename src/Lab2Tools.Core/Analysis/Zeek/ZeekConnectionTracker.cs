using System.Net;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis.Zeek;

/// <summary>
/// Zeek's session table for TCP: one connection per 5-tuple at a time, ended by Zeek's timers or by a SYN that
/// reuses the ports (IPBasedAnalyzer::AnalyzePacket, IsReuse), started with the originator Zeek picks
/// (TCPAnalyzer::WantConnection: a connection that does not begin with a SYN may be flipped by its ports).
/// </summary>
public sealed class ZeekConnectionTracker
{
    /// <summary>
    /// Zeek's likely_server_ports as its base scripts fill them (every TCP port an analyzer registers in
    /// scripts/base/protocols), used to pick the originator of a connection that starts without a SYN.
    /// </summary>
    public static readonly IReadOnlySet<int> LikelyServerPorts = new HashSet<int>
    {
        21, 22, 23, 25, 53, 79, 80, 81, 88, 110, 111, 135, 139, 143, 389, 443, 445, 465, 502, 513, 514, 543, 544, 563,
        585, 587, 614, 631, 636, 989, 990, 992, 993, 995, 1080, 1434, 1883, 2811, 3128, 3268, 3306, 3389, 5222, 5223,
        5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000,
    };

    private readonly Dictionary<SessionKey, ZeekTcpSession> _live = new();
    private double _networkTime = double.MinValue;
    private readonly ZeekOptions _options;

    public ZeekConnectionTracker() : this(null) { }

    internal ZeekConnectionTracker(ZeekOptions? options) => _options = options ?? ZeekOptions.Default;

    /// <summary>
    /// One key for both directions of a 5-tuple: the endpoint with the lower port first (the lower address when the ports
    /// are equal). Any order that both directions agree on will do, and comparing ports first spares reading the addresses.
    /// </summary>
    private static SessionKey Key(TcpSegment s)
    {
        int sp = s.SourcePort, dp = s.DestinationPort;
        bool sourceFirst = sp != dp ? sp < dp : CompareAddresses(s.Source, s.Destination) <= 0;
        return sourceFirst ? new(s.Source, sp, s.Destination, dp) : new(s.Destination, dp, s.Source, sp);
    }

    private static int CompareAddresses(IPAddress a, IPAddress b)
    {
        Span<byte> x = stackalloc byte[16], y = stackalloc byte[16];
        a.TryWriteBytes(x, out int xn);
        b.TryWriteBytes(y, out int yn);
        return x[..xn].SequenceCompareTo(y[..yn]);
    }

    /// <summary>The session table's key: a struct of its own, so that the table's code is specialised for it.</summary>
    private readonly struct SessionKey(IPAddress a, int portA, IPAddress b, int portB) : IEquatable<SessionKey>
    {
        private readonly IPAddress _a = a, _b = b;
        private readonly int _ports = (portA << 16) | portB;

        public bool Equals(SessionKey o) => _ports == o._ports && _a.Equals(o._a) && _b.Equals(o._b);
        public override bool Equals(object? obj) => obj is SessionKey o && Equals(o);
        public override int GetHashCode() => _ports ^ (_a.GetHashCode() * 31 + _b.GetHashCode());
    }

    private bool WantConnectionFlip(TcpSegment s)
    {
        bool syn = (s.Flags & TcpFlags.SYN) != 0, ack = (s.Flags & TcpFlags.ACK) != 0;
        if (syn && !ack) return false;
        var ports = _options.LikelyServerPorts;
        if (!ports.Contains(s.SourcePort)) return false;
        if (ports.Contains(s.DestinationPort)) return !syn && s.SourcePort < s.DestinationPort;
        return true;
    }

    /// <summary>Whether Zeek checks this segment's checksums: ignore_checksums (-C) and ignore_checksums_nets (by source).</summary>
    private bool ChecksChecksums(TcpSegment s)
    {
        if (_options.IgnoreChecksums) return false;
        foreach (var (net, bits) in _options.IgnoreChecksumsNets)
            if (InNet(s.Source, net, bits)) return false;
        return true;
    }

    private static bool InNet(IPAddress a, IPAddress net, int bits)
    {
        if (a.AddressFamily != net.AddressFamily) return false;
        Span<byte> x = stackalloc byte[16], y = stackalloc byte[16];
        a.TryWriteBytes(x, out int n);
        net.TryWriteBytes(y, out _);
        for (int i = 0; i < n && bits > 0; i++, bits -= 8)
        {
            int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
            if ((x[i] & mask) != (y[i] & mask)) return false;
        }
        return true;
    }

    /// <summary>What makes Zeek's IP analysis drop a packet before any connection sees it, when it checks checksums.</summary>
    private const SegmentIntegrity DroppedByIp = SegmentIntegrity.IpChecksumBad;

    /// <summary>
    /// Feeds one segment; returns the Zeek connection it belongs to, or null when Zeek's IP analysis drops it (a bad
    /// IPv4 header checksum, an IPv4 total length of 0, an IP length beyond the frame: weirds bad_IP_checksum,
    /// ip_hdr_len_zero, truncated_IP_len, with Zeek's default ignore_checksums=F). current: the connection the segment's
    /// stream was last in, if any (a tcp.stream has one 5-tuple, and no other stream of that 5-tuple gets packets
    /// while it does, so that connection is the live one for the 5-tuple and the table need not be searched).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal ZeekTcpSession? Add(TcpSegment s, ZeekTcpSession? current = null)
    {
        double t = s.TimestampNanoseconds / 1e9;
        // Zeek's network time never goes back (a packet older than the newest one does not move it); timers run by
        // it, the packet itself keeps its own time (run_state::dispatch_packet)
        if (t > _networkTime) _networkTime = t;
        var integrity = s.Integrity;
        if ((integrity & SegmentIntegrity.TcpChecksumPartial) != 0 && !_options.TrustOffloadedChecksums)
            integrity |= SegmentIntegrity.TcpChecksumBad;
        // whether Zeek checks this packet's checksums matters only when one is bad (ignore_checksums_nets costs a search)
        bool checksums = (integrity & (DroppedByIp | SegmentIntegrity.TcpChecksumBad)) != 0 && ChecksChecksums(s);
        // ip_hdr_len_zero drops the packet unless ignore_checksums (not ignore_checksums_nets: IP.cc checks it first)
        if ((integrity & SegmentIntegrity.IpLengthZero) != 0 && !_options.IgnoreChecksums) return null;
        if ((integrity & SegmentIntegrity.IpLengthBeyondFrame) != 0) return null;      // truncated_IP_len
        if (checksums && (integrity & DroppedByIp) != 0) return null;
        var conn = current;
        if (conn == null) _live.TryGetValue(Key(s), out conn);
        if (conn != null)
        {
            if (conn.RunTimers(_networkTime))
                conn = null;
            else if (conn.IsReuse(s))
            {
                conn.End("reuse");
                conn = null;
            }
        }
        if (conn == null)
        {
            conn = new ZeekTcpSession(s.Source, s.SourcePort, s.Destination, s.DestinationPort, s.TimestampNanoseconds, s.Frame,
                WantConnectionFlip(s), _options);
            _live[Key(s)] = conn;
        }
        bool isOrig = conn.IsOrigEndpoint(s.Source, s.SourcePort);
        // TCPAnalyzer::ValidateChecksum: the connection exists (it may just have been made, or ended by this SYN's
        // reuse), but a segment with a bad checksum is not processed, only counted in the history (C/c). A checksum left
        // to the network card (the loopback captures of the lab) is not bad by default: see TrustOffloadedChecksums.
        if (checksums && (integrity & SegmentIntegrity.TcpChecksumBad) != 0)
            conn.ChecksumError(isOrig);
        else
            conn.Process(s, isOrig, t);
        return conn;
    }
}

/// <summary>
/// The Zeek settings the port follows; Default is Zeek's defaults (ignore_checksums=F, no ignore_checksums_nets, the
/// likely_server_ports of Zeek's base scripts). Others are for reproducing a zeek run with other settings (-C, -b).
/// </summary>
internal sealed record ZeekOptions
{
    /// <summary>FTP on 21 and 2811, SSH on 22, SMTP on 25 and 587 (before Default, which uses it).</summary>
    public static readonly IReadOnlyDictionary<int, Protocols.ZeekAnalyzer> DefaultAnalyzerPorts =
        new Dictionary<int, Protocols.ZeekAnalyzer>
        {
            [21] = Protocols.ZeekAnalyzer.Ftp, [2811] = Protocols.ZeekAnalyzer.Ftp, [22] = Protocols.ZeekAnalyzer.Ssh,
            [25] = Protocols.ZeekAnalyzer.Smtp, [587] = Protocols.ZeekAnalyzer.Smtp,
        };

    public static readonly ZeekOptions Default = new();
    /// <summary>ignore_checksums (zeek -C).</summary>
    public bool IgnoreChecksums { get; init; }
    /// <summary>ignore_checksums_nets: checksums of packets from these networks are not checked.</summary>
    public IReadOnlyList<(IPAddress Net, int Bits)> IgnoreChecksumsNets { get; init; } = Array.Empty<(IPAddress, int)>();
    /// <summary>
    /// A TCP checksum left to the network card (CHECKSUM_PARTIAL: the field holds the pseudo-header's sum, as in every
    /// capture on Linux loopback) counts as checked, as Zeek counts a packet the capture vouches for (l4_checksummed; AF_Packet
    /// sets it for the kernel's TP_STATUS_CSUMNOTREADY with checksum_validation_mode CHECKSUM_KERNEL). A capture file
    /// does not keep that status, so zeek -r calls these checksums bad: false reproduces zeek -r.
    /// </summary>
    public bool TrustOffloadedChecksums { get; init; } = true;
    /// <summary>likely_server_ports (a zeek -b run registers only the ports of the analyzers its scripts load).</summary>
    public IReadOnlySet<int> LikelyServerPorts { get; init; } = ZeekConnectionTracker.LikelyServerPorts;

    /// <summary>
    /// The analyzers with ported limits that Zeek attaches by the responder's port: FTP on 21 and 2811, SSH on 22, SMTP on
    /// 25 and 587 (Analyzer::register_for_ports in scripts/base/protocols/ftp, ssh, smtp); Gnutella on none (a script must
    /// register it).
    /// </summary>
    public IReadOnlyDictionary<int, Protocols.ZeekAnalyzer> AnalyzerPorts { get; init; } = DefaultAnalyzerPorts;


    /// <summary>The analyzers' limits (Zeek's defaults unless a btest redefines them).</summary>
    public Protocols.ZeekLimits Limits { get; init; } = Protocols.ZeekLimits.Default;
}

/// <summary>One connection as Zeek's conn.log would log it.</summary>
public sealed class ZeekConnection
{
    /// <summary>The frame that started this Zeek connection.</summary>
    public long StartFrame { get; init; }
    /// <summary>The last frame Zeek counted in this connection.</summary>
    public long LastFrame { get; init; }
    /// <summary>conn.log ts: the time of the first packet.</summary>
    public DateTime StartTime { get; init; }
    /// <summary>Zeek's originator (id.orig_h/id.orig_p) after any flip.</summary>
    public string Originator => OriginatorEndPoint.ToString();
    internal IPEndPoint OriginatorEndPoint { get; init; } = null!;
    /// <summary>Zeek's responder (id.resp_h/id.resp_p).</summary>
    public string Responder => ResponderEndPoint.ToString();
    internal IPEndPoint ResponderEndPoint { get; init; } = null!;
    /// <summary>conn_state.</summary>
    public string ConnState { get; init; } = "";
    /// <summary>history.</summary>
    public string History { get; init; } = "";
    /// <summary>
    /// conn.log missed_bytes: the bytes of Zeek's content gaps in both directions (TCP_Reassembler::Gap, counted by
    /// content_gap in base/protocols/conn/main.zeek): acknowledged by the peer but never seen, while both sides were
    /// established or cleanly closing. Payload cut off by the capture's snaplen is never seen.
    /// </summary>
    public long MissedBytes => OriginatorMissedBytes + ResponderMissedBytes;
    /// <summary>The originator's share of <see cref="MissedBytes"/> (content gaps in what the originator sent).</summary>
    public long OriginatorMissedBytes { get; init; }
    /// <summary>The responder's share of <see cref="MissedBytes"/>.</summary>
    public long ResponderMissedBytes { get; init; }
    /// <summary>Packets of this connection (both directions).</summary>
    public int Packets { get; init; }
    /// <summary>
    /// What ended this connection before a later packet of the same ports: tcp_attempt_delay, tcp_close_delay,
    /// tcp_connection_linger, inactivity (tcp_inactivity_timeout), reuse (a new SYN on the same ports); null when
    /// nothing did (Zeek then logs it when its timers run out after the capture's last packet).
    /// </summary>
    public string? EndedBy { get; init; }

    public override string ToString() =>
        EndedBy == null ? Text.ShapeText.Table.Format("Zeek.Connection", StartFrame, Originator, Responder, ConnState, History)
            : Text.ShapeText.Table.Format("Zeek.ConnectionEnded", StartFrame, Originator, Responder, ConnState, History, EndedBy);

    /// <summary>What a conn_state code means (conn.log's documentation), in the current language; "" for no code.</summary>
    public static string Describe(string state) => state switch
    {
        "S0" or "S1" or "SF" or "REJ" or "S2" or "S3" or "RSTO" or "RSTR" or "RSTOS0" or "RSTRH" or "SH" or "SHR" or "OTH" =>
            ZeekText.Table["ConnState." + state],
        _ => "",
    };
}

/// <summary>The Zeek connections one tcp.stream's segments belong to, in order.</summary>
internal struct ZeekStreamView
{
    private ZeekTcpSession? _first;
    private List<ZeekTcpSession>? _more;

    public void Add(ZeekTcpSession? s)
    {
        if (s == null) return;        // a packet Zeek drops before any connection sees it
        if (_first == null) { _first = s; return; }
        var last = _more is { Count: > 0 } ? _more[^1] : _first;
        if (ReferenceEquals(last, s)) return;
        (_more ??= new List<ZeekTcpSession>()).Add(s);
    }

    /// <summary>The Zeek connection of the stream's first segment.</summary>
    public readonly ZeekTcpSession? First => _first;

    /// <summary>The Zeek connection of the stream's latest segment.</summary>
    public readonly ZeekTcpSession? Last => _more is { Count: > 0 } ? _more[^1] : _first;

    public readonly IReadOnlyList<ZeekConnection> Results()
    {
        if (_first == null) return Array.Empty<ZeekConnection>();
        var list = new List<ZeekConnection>(1 + (_more?.Count ?? 0)) { _first.ToResult() };
        if (_more != null) foreach (var s in _more) list.Add(s.ToResult());
        return list;
    }
}
