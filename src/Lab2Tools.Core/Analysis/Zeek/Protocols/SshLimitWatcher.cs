using System.Buffers.Binary;
using System.Text;

namespace Lab2Tools.Analysis.Zeek.Protocols;

/// <summary>
/// Zeek's SSH analyzer (src/analyzer/protocol/ssh/SSH.cc, ssh-protocol.pac, ssh-analyzer.pac) as far as its limits go:
/// SSH_max_packet_length_exceeded (a packet_length above SSH::max_packet_length, 8 MB), SSH_max_string_length_exceeded
/// (a KEXINIT string length above SSH::max_string_length, 2 MB), and SSH_max_kexinit_*_exceeded (a KEXINIT name-list
/// with more names than SSH::max_kexinit_kex_algorithms, _hostkey_, _encryption_, _mac_, _compression_algorithms or
/// _languages, 100 each). Like Zeek: nothing on a partial connection, nothing after a content gap, each side's version
/// line first (the server may send banner lines before it), then SSH2 binary packets; every packet of a side in the
/// KEX_INIT state is read as a KEXINIT until both KEXINITs agree on a key exchange method; NEWKEYS makes the side
/// encrypted. Not ported (the watch ends there instead): SSH1 after its first packet_length, a packet while the version
/// is still unknown, a client version line that is not SSH-, KEXINIT packets over 256 KB, and the string lengths of the
/// key-exchange messages after KEXINIT.
/// </summary>
internal sealed class SshLimitWatcher : ZeekAnalyzerWatcher
{
    /// <summary>The largest KEXINIT packet read whole (binpac buffers a whole packet; this watch stays bounded).</summary>
    public const int MaxKexinitPacket = 256 * 1024;

    private enum State : byte { VersionExchange, KexInit, Kex, Encrypted }
    private enum Version : byte { Unknown, Ssh1, Ssh199, Ssh2 }

    private readonly ZeekLimits _limits;
    private readonly Side _orig = new(true), _resp = new(false);
    private Version _version, _versionClient, _versionServer;
    private bool _kexSeen, _kexOrig;
    private byte[]? _kexAlgsCache;

    public SshLimitWatcher(ZeekTcpSession session, ZeekLimits limits) : base(session) => _limits = limits;

    public override void Gap(bool isOrig) => Stop();        // had_gap: SSH_Analyzer delivers nothing more

    public override void Deliver(bool isOrig, ReadOnlySpan<byte> data)
    {
        if (ConnectionIsPartial) return;                     // SSH_Analyzer::DeliverStream: TCP()->IsPartial()
        var side = isOrig ? _orig : _resp;
        int i = 0;
        while (i < data.Length && !Done && side.State != State.Encrypted)
        {
            if (side.SkipLf)
            {
                // binpac's CR_OR_LF line mode: a LF right after the CR that ended a line is skipped (by the next line or frame)
                side.SkipLf = false;
                if (data[i] == '\n') { i++; continue; }
            }
            if (side.State == State.VersionExchange) i += VersionLine(side, data[i..]);
            else i += Packet(side, data[i..]);
        }
        if (_orig.State == State.Encrypted && _resp.State == State.Encrypted) Stop();
    }

    // ---- version lines (binpac &oneline, CR_OR_LF line breaks) ----

    private int VersionLine(Side side, ReadOnlySpan<byte> data)
    {
        int i = 0;
        for (; i < data.Length; i++)
        {
            byte c = data[i];
            if (c == '\r' || c == '\n')
            {
                side.SkipLf = c == '\r';
                EndVersionLine(side);
                return i + 1;
            }
            if (side.LineLength < side.Line.Length) side.Line[side.LineLength] = c;
            side.LineLength++;
        }
        return i;
    }

    private void EndVersionLine(Side side)
    {
        int n = (int)Math.Min(side.LineLength, side.Line.Length);
        var line = side.Line.AsSpan(0, n);
        bool ssh = side.LineLength >= 4 && line[..4].SequenceEqual("SSH-"u8);
        side.LineLength = 0;
        if (!ssh)
        {
            // the client must start with SSH- (a parse error for binpac); the server may send banner lines first
            if (side.IsOrig) Stop();
            return;
        }
        side.State = State.KexInit;
        UpdateVersion(line, side.IsOrig);
    }

    private void UpdateVersion(ReadOnlySpan<byte> v, bool isOrig)
    {
        if (v.Length >= 5)
        {
            Version? seen = v[4] == '2' ? Version.Ssh2
                : v[4] == '1' ? (v.Length >= 8 && v[6] == '9' && v[7] == '9' ? Version.Ssh199 : Version.Ssh1) : null;
            if (seen is Version s)
            {
                if (isOrig) _versionClient = s;
                else _versionServer = s;
            }
        }
        var (c, sv) = (_versionClient, _versionServer);
        if (sv == c) _version = sv == Version.Ssh199 ? Version.Ssh2 : sv;
        else if ((c == Version.Ssh1 && sv == Version.Ssh2) || (c == Version.Ssh2 && sv == Version.Ssh1)) _version = Version.Unknown;
        else if (c == Version.Ssh199 && sv == Version.Ssh2) _version = sv;
        else if (c == Version.Ssh2 && sv == Version.Ssh199) _version = c;
        else if (c == Version.Ssh1 && sv == Version.Ssh199) _version = c;
        else if (c == Version.Ssh199 && sv == Version.Ssh1) _version = sv;
    }

    // ---- binary packets ----

    private int Packet(Side side, ReadOnlySpan<byte> data)
    {
        int i = 0;
        if (side.LengthBytes < 4)
        {
            while (side.LengthBytes < 4 && i < data.Length) side.LengthField[side.LengthBytes++] = data[i++];
            if (side.LengthBytes < 4) return i;
            if (_version is not (Version.Ssh1 or Version.Ssh2))
            {
                Stop();                 // get_kex_length of an unknown version: binpac cannot go on
                return i;
            }
            uint length = BinaryPrimitives.ReadUInt32BigEndian(side.LengthField);
            long max = _limits.SshMaxPacketLength;
            if (max > 0 && length > max)
            {
                LimitReached();         // SSH_max_packet_length_exceeded
                Stop();
                return i;
            }
            if (_version == Version.Ssh1)
            {
                Stop();                 // SSH1's key exchange has no name-lists; not followed further here
                return i;
            }
            side.BodyLength = length;
            side.BodyRead = 0;
            side.ReadsKexinit = side.State == State.KexInit;
            if (side.ReadsKexinit)
            {
                if (length > MaxKexinitPacket) { Stop(); return i; }
                side.Body = new byte[length];
            }
        }
        int n = (int)Math.Min((long)(data.Length - i), side.BodyLength - side.BodyRead);
        var chunk = data.Slice(i, n);
        if (side.Body != null) chunk.CopyTo(side.Body.AsSpan((int)side.BodyRead));
        else if (side.BodyRead <= 1 && side.BodyRead + n > 1) side.MsgType = chunk[(int)(1 - side.BodyRead)];
        side.BodyRead += n;
        i += n;
        if (side.BodyRead == side.BodyLength)
        {
            var body = side.Body;
            side.Body = null;
            side.LengthBytes = 0;
            if (body != null) Ssh2Packet(side, body);
            else if (side.BodyLength >= 2 && side.MsgType == MsgNewKeys) side.State = State.Encrypted;
        }
        return i;
    }

    private const byte MsgNewKeys = 21;

    /// <summary>SSH2_Key_Exchange in the KEX_INIT state: header, then the payload read as a KEXINIT.</summary>
    private void Ssh2Packet(Side side, byte[] body)
    {
        if (body.Length < 2) return;                         // binpac: out of bounds
        byte padding = body[0], msgType = body[1];
        if (msgType == MsgNewKeys)
        {
            side.State = State.Encrypted;                    // SSH2_Header's detach, before the payload is read
            return;
        }
        uint payloadLength = unchecked((uint)body.Length - padding - 2);
        if (payloadLength > body.Length - 2) return;         // &length beyond the packet: binpac gives up on it
        var p = new ReadOnlySpan<byte>(body, 2, (int)payloadLength);
        if (p.Length < 16) return;
        int at = 16;
        var strings = new (int Start, int Length)[10];
        for (int k = 0; k < 10; k++)
        {
            if (at + 4 > p.Length) return;
            uint len = BinaryPrimitives.ReadUInt32BigEndian(p[at..]);
            long max = _limits.SshMaxStringLength;
            if (max > 0 && len > max)
            {
                LimitReached();                              // SSH_max_string_length_exceeded
                Stop();
                return;
            }
            at += 4;
            if (len > p.Length - at) return;
            strings[k] = (at, (int)len);
            at += (int)len;
        }
        if (at + 5 > p.Length) return;                       // first_kex_packet_follows, reserved
        ReadOnlySpan<byte> S(int k) => new(body, 2 + strings[k].Start, strings[k].Length);
        UpdateKex(S(0), side.IsOrig);
        // proc_ssh2_kexinit: name_list_to_vector on each list (languages only when one of the two is not empty)
        var l = _limits;
        bool over = TooMany(S(0), l.SshMaxKexinitKexAlgorithms) | TooMany(S(1), l.SshMaxKexinitHostkeyAlgorithms)
            | TooMany(S(2), l.SshMaxKexinitEncryptionAlgorithms) | TooMany(S(3), l.SshMaxKexinitEncryptionAlgorithms)
            | TooMany(S(4), l.SshMaxKexinitMacAlgorithms) | TooMany(S(5), l.SshMaxKexinitMacAlgorithms)
            | TooMany(S(6), l.SshMaxKexinitCompressionAlgorithms) | TooMany(S(7), l.SshMaxKexinitCompressionAlgorithms)
            | (S(8).Length > 0 && TooMany(S(8), l.SshMaxKexinitLanguages))
            | (S(9).Length > 0 && TooMany(S(9), l.SshMaxKexinitLanguages));
        if (over)
        {
            LimitReached();                                  // SSH_max_kexinit_*_exceeded
            Stop();
        }
    }

    /// <summary>name_list_to_vector: tokenize_string(',') gives commas + 1 names; more than max (when max is not 0).</summary>
    private static bool TooMany(ReadOnlySpan<byte> list, int max) => max > 0 && list.Count((byte)',') + 1 > max;

    /// <summary>update_kex: the second KEXINIT (from the other side) picks the method, which moves both sides on.</summary>
    private void UpdateKex(ReadOnlySpan<byte> algs, bool orig)
    {
        if (!_kexSeen)
        {
            _kexSeen = true;
            _kexOrig = orig;
            _kexAlgsCache = algs.ToArray();
            return;
        }
        if (_kexOrig == orig) return;
        var client = Names(orig ? algs : _kexAlgsCache);
        var server = Names(orig ? _kexAlgsCache : algs);
        int max = _limits.SshMaxKexinitKexAlgorithms;
        if (max > 0)
        {
            if (client.Count > max) client.RemoveRange(max, client.Count - max);
            if (server.Count > max) server.RemoveRange(max, server.Count - max);
        }
        var serverSet = new HashSet<string>(server, StringComparer.Ordinal);
        foreach (var alg in client)
        {
            if (!serverSet.Contains(alg)) continue;
            if (KexMethodKnown(alg)) _orig.State = _resp.State = State.Kex;
            return;                                          // an unknown method: ssh_unknown_kex_algorithm, states kept
        }
    }

    private static List<string> Names(ReadOnlySpan<byte> list) => Encoding.Latin1.GetString(list).Split(',').ToList();

    private static readonly string[] KexEqual =
    {
        "rsa1024-sha1", "rsa2048-sha256", "diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1",
        "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
        "diffie-hellman-group-exchange-sha1", "diffie-hellman-group-exchange-sha256", "ecmqv-sha2",
    };

    private static readonly string[] KexPrefix =
        { "gss-", "ecdh-sha2-", "curve25519-sha256", "sntrup761x25519-sha512", "mlkem" };

    private static bool KexMethodKnown(string alg) =>
        KexEqual.Contains(alg, StringComparer.Ordinal) || KexPrefix.Any(p => alg.StartsWith(p, StringComparison.Ordinal));

    private sealed class Side
    {
        public Side(bool isOrig) => IsOrig = isOrig;
        public readonly bool IsOrig;
        public State State;
        // the version line: its length and first bytes (the checks read bytes 0-7)
        public readonly byte[] Line = new byte[8];
        public long LineLength;
        public bool SkipLf;
        // the packet being read
        public readonly byte[] LengthField = new byte[4];
        public int LengthBytes;
        public long BodyLength, BodyRead;
        public bool ReadsKexinit;
        public byte[]? Body;
        public byte MsgType;
    }
}
