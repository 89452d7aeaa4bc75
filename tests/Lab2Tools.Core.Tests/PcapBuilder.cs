using System.Buffers.Binary;

namespace Lab2Tools.Tests;

/// <summary>Builds small pcap files and frames in memory for decoder and reader unit tests.</summary>
internal sealed class PcapBuilder
{
    private readonly MemoryStream _ms = new();
    private readonly bool _bigEndian;

    public PcapBuilder(int linkType = 1, bool nanosecond = false, bool bigEndian = false)
    {
        _bigEndian = bigEndian;
        U32(nanosecond ? 0xA1B23C4Du : 0xA1B2C3D4u);
        U16(2); U16(4); U32(0); U32(0); U32(262144); U32((uint)linkType);
    }

    private void U32(uint v) { Span<byte> b = stackalloc byte[4]; if (_bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v); _ms.Write(b); }
    private void U16(ushort v) { Span<byte> b = stackalloc byte[2]; if (_bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v); _ms.Write(b); }

    public PcapBuilder Add(byte[] frame, uint seconds = 1_700_000_000, uint fraction = 0, int? originalLength = null)
    {
        U32(seconds); U32(fraction); U32((uint)frame.Length); U32((uint)(originalLength ?? frame.Length));
        _ms.Write(frame);
        return this;
    }

    public byte[] ToArray() => _ms.ToArray();

    public string Save(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, ToArray());
        return path;
    }

    /// <summary>A TCP header with options (padded to 4 bytes) and payload.</summary>
    public static byte[] Tcp(ushort sport, ushort dport, uint seq, uint ack, ushort flags, ushort window, byte[]? options = null, int payload = 0, int? dataOffsetWords = null)
    {
        options ??= Array.Empty<byte>();
        int optLen = (options.Length + 3) & ~3;
        var t = new byte[20 + optLen + payload];
        BinaryPrimitives.WriteUInt16BigEndian(t, sport);
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(8), ack);
        int words = dataOffsetWords ?? (20 + optLen) / 4;
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(12), (ushort)((words << 12) | (flags & 0x0FFF)));
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(14), window);
        options.CopyTo(t, 20);
        for (int i = 0; i < payload; i++) t[20 + optLen + i] = (byte)('a' + i % 26);
        return t;
    }

    /// <summary>An IPv4 packet from 10.0.0.a to 10.0.0.b, with right IP and TCP checksums unless checksums is false.</summary>
    public static byte[] IPv4(byte[] tcp, byte a = 1, byte b = 2, int? totalLength = null, byte protocol = 6, ushort fragment = 0x4000,
        int ihlWords = 5, bool checksums = true)
    {
        var ip = new byte[ihlWords * 4 + tcp.Length];
        ip[0] = (byte)(0x40 | ihlWords);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)(totalLength ?? ip.Length));
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), fragment);
        ip[8] = 64; ip[9] = protocol;
        ip[12] = 10; ip[13] = 0; ip[14] = 0; ip[15] = a;
        ip[16] = 10; ip[17] = 0; ip[18] = 0; ip[19] = b;
        tcp.CopyTo(ip, ihlWords * 4);
        if (!checksums) return ip;
        if (protocol == 6 && tcp.Length >= 20)
            SetTcpChecksum(ip.AsSpan(ihlWords * 4), Sum(ip.AsSpan(12, 8), 6));
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(10), (ushort)~Fold(Sum(ip.AsSpan(0, ihlWords * 4), 0)));
        return ip;
    }

    /// <summary>Fills the TCP checksum of a segment (the header's field) from the pseudo-header's sum without the length.</summary>
    public static void SetTcpChecksum(Span<byte> tcp, ulong pseudo)
    {
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], (ushort)~Fold(Sum(tcp, pseudo + (ulong)tcp.Length)));
    }

    /// <summary>The one's complement sum of 16-bit big-endian words, unfolded (written here independently of the decoder's).</summary>
    public static ulong Sum(ReadOnlySpan<byte> data, ulong sum)
    {
        for (int i = 0; i < data.Length; i += 2)
            sum += i + 1 < data.Length ? (ulong)(data[i] << 8 | data[i + 1]) : (ulong)(data[i] << 8);
        return sum;
    }

    public static ushort Fold(ulong sum)
    {
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }

    /// <summary>An IPv6 packet from ::1 to ::2; a TCP payload directly after the header gets a right checksum.</summary>
    public static byte[] IPv6(byte[] payload, byte nextHeader = 6, byte[]? extensions = null, bool checksums = true)
    {
        extensions ??= Array.Empty<byte>();
        var ip = new byte[40 + extensions.Length + payload.Length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)(extensions.Length + payload.Length));
        ip[6] = nextHeader; ip[7] = 64;
        ip[23] = 1; ip[39] = 2;
        extensions.CopyTo(ip, 40);
        payload.CopyTo(ip, 40 + extensions.Length);
        if (checksums && nextHeader == 6 && extensions.Length == 0 && payload.Length >= 20)
            SetTcpChecksum(ip.AsSpan(40), Sum(ip.AsSpan(8, 32), 6));
        return ip;
    }

    public static byte[] Ethernet(byte[] ip, ushort etherType = 0x0800, params ushort[] vlanTags)
    {
        var f = new byte[14 + 4 * vlanTags.Length + ip.Length];
        int off = 12;
        for (int i = 0; i < vlanTags.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(off), i == 0 ? (ushort)0x88A8 : (ushort)0x8100);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(off + 2), vlanTags[i]);
            off += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(off), etherType);
        ip.CopyTo(f, off + 2);
        return f;
    }
}
