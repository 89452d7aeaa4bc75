namespace Lab2Tools.Analysis.Zeek.Protocols;

/// <summary>The Zeek protocol analyzers whose limits are ported (the ones that can add 'X' to a TCP history).</summary>
public enum ZeekAnalyzer
{
    None = 0,
    Ftp,
    Gnutella,
    Ssh,
    Smtp,
}

/// <summary>
/// Zeek's limits of the ported analyzers: the defaults of scripts/base/init-bare.zeek; a btest may redefine them.
/// </summary>
internal sealed record ZeekLimits
{
    public static readonly ZeekLimits Default = new();
    /// <summary>FTP::max_command_length.</summary>
    public int FtpMaxCommandLength { get; init; } = 100;
    /// <summary>Gnutella::max_line_length.</summary>
    public int GnutellaMaxLineLength { get; init; } = 8192;
    /// <summary>Gnutella::max_header_length.</summary>
    public int GnutellaMaxHeaderLength { get; init; } = 32768;
    /// <summary>MIME::max_header_bytes.</summary>
    public int MimeMaxHeaderBytes { get; init; } = 65536;
    /// <summary>SSH::max_packet_length.</summary>
    public long SshMaxPacketLength { get; init; } = 8 * 1024 * 1024;
    /// <summary>SSH::max_string_length.</summary>
    public long SshMaxStringLength { get; init; } = 2 * 1024 * 1024;
    /// <summary>SSH::max_kexinit_kex_algorithms.</summary>
    public int SshMaxKexinitKexAlgorithms { get; init; } = 100;
    /// <summary>SSH::max_kexinit_hostkey_algorithms.</summary>
    public int SshMaxKexinitHostkeyAlgorithms { get; init; } = 100;
    /// <summary>SSH::max_kexinit_encryption_algorithms.</summary>
    public int SshMaxKexinitEncryptionAlgorithms { get; init; } = 100;
    /// <summary>SSH::max_kexinit_mac_algorithms.</summary>
    public int SshMaxKexinitMacAlgorithms { get; init; } = 100;
    /// <summary>SSH::max_kexinit_compression_algorithms.</summary>
    public int SshMaxKexinitCompressionAlgorithms { get; init; } = 100;
    /// <summary>SSH::max_kexinit_languages.</summary>
    public int SshMaxKexinitLanguages { get; init; } = 100;

    /// <summary>Sets one limit by its Zeek name (FTP::max_command_length ...), for reproducing a btest's redefs.</summary>
    public ZeekLimits With(string zeekName, long value) => zeekName switch
    {
        "FTP::max_command_length" => this with { FtpMaxCommandLength = checked((int)value) },
        "Gnutella::max_line_length" => this with { GnutellaMaxLineLength = checked((int)value) },
        "Gnutella::max_header_length" => this with { GnutellaMaxHeaderLength = checked((int)value) },
        "MIME::max_header_bytes" => this with { MimeMaxHeaderBytes = checked((int)value) },
        "SSH::max_packet_length" => this with { SshMaxPacketLength = value },
        "SSH::max_string_length" => this with { SshMaxStringLength = value },
        "SSH::max_kexinit_kex_algorithms" => this with { SshMaxKexinitKexAlgorithms = checked((int)value) },
        "SSH::max_kexinit_hostkey_algorithms" => this with { SshMaxKexinitHostkeyAlgorithms = checked((int)value) },
        "SSH::max_kexinit_encryption_algorithms" => this with { SshMaxKexinitEncryptionAlgorithms = checked((int)value) },
        "SSH::max_kexinit_mac_algorithms" => this with { SshMaxKexinitMacAlgorithms = checked((int)value) },
        "SSH::max_kexinit_compression_algorithms" => this with { SshMaxKexinitCompressionAlgorithms = checked((int)value) },
        "SSH::max_kexinit_languages" => this with { SshMaxKexinitLanguages = checked((int)value) },
        _ => throw new ArgumentException($"not a ported Zeek limit: {zeekName}", nameof(zeekName)),
    };
}

/// <summary>
/// The part of one Zeek protocol analyzer that decides when it calls LimitReachedWeird (Connection::LimitReachedWeird adds
/// 'X' to the history, once). It is fed each direction's payload in order, as Zeek's TCP_Reassembler delivers it to the
/// analyzer (DeliverStream), told of content gaps (Undelivered) and of each side's end (EndpointEOF). It keeps only
/// what the limit checks need, bounded; once it has nothing more to decide it says so (Done) and is dropped.
/// </summary>
internal abstract class ZeekAnalyzerWatcher
{
    /// <summary>
    /// Payload kept for data that arrives above a hole, until the hole is filled (Zeek's reassembler keeps it, then
    /// delivers it): at most this many bytes per connection. Beyond, the watcher gives up (Done, no 'X').
    /// </summary>
    public const int MaxHeldBytes = 64 * 1024;

    private readonly ZeekTcpSession _session;

    protected ZeekAnalyzerWatcher(ZeekTcpSession session) => _session = session;

    /// <summary>True once the watcher has nothing left to decide: the connection stops feeding it.</summary>
    public bool Done { get; protected set; }

    /// <summary>The analyzer's DeliverStream: in-order payload of the originator (isOrig) or the responder.</summary>
    public abstract void Deliver(bool isOrig, ReadOnlySpan<byte> data);

    /// <summary>The analyzer's Undelivered: bytes of this side were acknowledged but never seen (a content gap).</summary>
    public virtual void Gap(bool isOrig) { }

    /// <summary>The analyzer's EndpointEOF: this side's data has all been delivered after its FIN or RST.</summary>
    public virtual void EndOfData(bool isOrig) { }

    /// <summary>Whether Zeek sees the connection as partial (no SYN from the originator) at this moment.</summary>
    protected bool ConnectionIsPartial => _session.IsPartial;

    /// <summary>Connection::LimitReachedWeird: 'X' in the history, once per connection.</summary>
    protected void LimitReached() => _session.AnalyzerLimitReached();

    // ---- the reassembler's side: which bytes of which segment reach the analyzer, and when ----

    private byte[]? _segment;           // the payload of the segment being processed, while it is
    private ulong _segmentSeq;          // its relative sequence number
    private bool _segmentIsOrig;
    private List<(bool IsOrig, ulong Seq, byte[] Bytes)>? _held;
    private int _heldBytes;

    /// <summary>The segment now handed to the reassembler: its payload (empty when the reader left it out).</summary>
    public void BeginSegment(bool isOrig, ulong seq, byte[] payload)
    {
        _segmentIsOrig = isOrig;
        _segmentSeq = seq;
        _segment = payload;
    }

    public void EndSegment() => _segment = null;

    /// <summary>The reassembler keeps [from, to) of the current segment above a hole: keep its bytes for later.</summary>
    public void Hold(bool isOrig, ulong from, ulong to)
    {
        if (Done) return;
        if (!TrySlice(isOrig, from, to, out var bytes) || _heldBytes + bytes.Length > MaxHeldBytes)
        {
            Stop();
            return;
        }
        (_held ??= new()).Add((isOrig, from, bytes.ToArray()));
        _heldBytes += bytes.Length;
    }

    /// <summary>The reassembler delivers [from, to) of one side: from the current segment or from held bytes.</summary>
    public void Delivered(bool isOrig, ulong from, ulong to)
    {
        ulong pos = from;
        while (pos < to && !Done)
        {
            if (TrySlice(isOrig, pos, to, out var part))
            {
                Deliver(isOrig, part);
                pos += (ulong)part.Length;
                continue;
            }
            int i = _held?.FindIndex(h => h.IsOrig == isOrig && h.Seq <= pos && pos < h.Seq + (ulong)h.Bytes.Length) ?? -1;
            if (i < 0)
            {
                Stop();         // bytes Zeek has and this watcher does not (the reader left the payload out)
                return;
            }
            var h = _held![i];
            int off = (int)(pos - h.Seq);
            int n = (int)Math.Min((ulong)(h.Bytes.Length - off), to - pos);
            Deliver(isOrig, h.Bytes.AsSpan(off, n));
            pos += (ulong)n;
        }
        if (_held != null)
        {
            _heldBytes -= _held.Where(h => h.IsOrig == isOrig && h.Seq + (ulong)h.Bytes.Length <= to).Sum(h => h.Bytes.Length);
            _held.RemoveAll(h => h.IsOrig == isOrig && h.Seq + (ulong)h.Bytes.Length <= to);
        }
    }

    /// <summary>The current segment's bytes [from, to), cut to what it has from 'from' on; false when it has none.</summary>
    private bool TrySlice(bool isOrig, ulong from, ulong to, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (_segment == null || _segmentIsOrig != isOrig || from < _segmentSeq) return false;
        ulong off = from - _segmentSeq;
        if (off >= (ulong)_segment.Length) return false;
        int n = (int)Math.Min((ulong)_segment.Length - off, to - from);
        bytes = _segment.AsSpan((int)off, n);
        return true;
    }

    /// <summary>The reassembler stops delivering to the analyzers (it gave up on the stream).</summary>
    public void GiveUp() => Stop();

    /// <summary>Nothing more to decide: let the held bytes go.</summary>
    protected void Stop()
    {
        Done = true;
        _held = null;
        _heldBytes = 0;
    }

    /// <summary>The watcher of the analyzer Zeek attaches for this kind, or null.</summary>
    public static ZeekAnalyzerWatcher? Create(ZeekAnalyzer kind, ZeekTcpSession session, ZeekLimits limits) => kind switch
    {
        ZeekAnalyzer.Ftp => new FtpLimitWatcher(session, limits),
        ZeekAnalyzer.Gnutella => new GnutellaLimitWatcher(session, limits),
        ZeekAnalyzer.Ssh => new SshLimitWatcher(session, limits),
        ZeekAnalyzer.Smtp => new SmtpLimitWatcher(session, limits),
        _ => null,
    };
}
