using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Lab2Tools.Decode;

/// <summary>
/// The Internet checksum (RFC 1071) over spans, without allocation: sums of 16-bit big-endian words kept unfolded
/// in a 64-bit accumulator (2^16 is 1 modulo 2^16 - 1, so 32-bit words and a late fold give the same sum).
/// </summary>
internal static class InternetChecksum
{
    /// <summary>Adds the 16-bit big-endian words of data (an odd last byte is padded with a zero byte) to sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        int i = 0;
        ulong a = 0, b = 0;
        for (; i + 16 <= data.Length; i += 16)
        {
            ulong x = BinaryPrimitives.ReadUInt64BigEndian(data[i..]);
            ulong y = BinaryPrimitives.ReadUInt64BigEndian(data[(i + 8)..]);
            a += (x >> 32) + (uint)x;
            b += (y >> 32) + (uint)y;
        }
        sum += a + b;
        for (; i + 4 <= data.Length; i += 4) sum += BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
        if (i + 2 <= data.Length) { sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]); i += 2; }
        if (i < data.Length) sum += (ulong)data[i] << 8;
        return sum;
    }

    /// <summary>The one's complement sum folded to 16 bits (0xFFFF for data whose checksum is right).</summary>
    public static ushort Fold(ulong sum)
    {
        while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }
}
