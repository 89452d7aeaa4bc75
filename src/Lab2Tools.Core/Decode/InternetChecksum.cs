using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Lab2Tools.Decode;

/// <summary>
/// The Internet checksum (RFC 1071) over spans, without allocation: sums of 16-bit big-endian words kept unfolded
/// in a 64-bit accumulator (2^16 is 1 modulo 2^16 - 1, so wider words and a late fold give the same sum).
/// </summary>
internal static class InternetChecksum
{
    /// <summary>Adds the 16-bit big-endian words of data (an odd last byte is padded with a zero byte) to sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated && data.Length >= 128)
        {
            // 64 bytes a round as 32-bit words in the machine's byte order, each 64-bit lane adding its two words to a 64-bit
            // sum (2^32 is 1 modulo 2^16 - 1 too, so 32-bit words fold to the same sum as 16-bit ones); no widening shuffles:
            // twice the speed of the Vector<T> loop below on long segments. Swapped back once at the end, as below.
            ref byte start = ref MemoryMarshal.GetReference(data);
            var low = Vector256.Create(0xFFFF_FFFFUL);
            Vector256<ulong> acc0 = Vector256<ulong>.Zero, acc1 = Vector256<ulong>.Zero;
            int end = data.Length & ~63;
            for (; i < end; i += 64)
            {
                var v0 = Vector256.LoadUnsafe(ref start, (nuint)i).AsUInt64();
                var v1 = Vector256.LoadUnsafe(ref start, (nuint)(i + 32)).AsUInt64();
                acc0 += (v0 & low) + (v0 >> 32);
                acc1 += (v1 & low) + (v1 >> 32);
            }
            ushort folded = Fold(Vector256.Sum(acc0 + acc1));      // at most 2^61: no lane or sum overflows
            sum += BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(folded) : folded;
        }
        else if (Vector.IsHardwareAccelerated && data.Length >= 4 * Vector<byte>.Count)
        {
            // whole vectors of words in the machine's byte order: the folded sum of byte-swapped words is the byte-swapped
            // folded sum (RFC 1071 2(B)), so it is swapped back once at the end
            i = data.Length & ~(Vector<byte>.Count - 1);
            var words = MemoryMarshal.Cast<byte, ushort>(data[..i]);
            var acc = Vector<uint>.Zero;
            ulong native = 0;
            int rounds = 0;
            for (int k = 0; k < words.Length; k += Vector<ushort>.Count)
            {
                Vector.Widen(new Vector<ushort>(words[k..]), out var lo, out var hi);
                acc += lo + hi;
                if (++rounds == 16384) { native += Total(acc); acc = Vector<uint>.Zero; rounds = 0; }   // before a lane overflows
            }
            native += Total(acc);
            ushort folded = Fold(native);
            sum += BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(folded) : folded;
        }
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

    private static ulong Total(Vector<uint> v)
    {
        Vector.Widen(v, out var lo, out var hi);
        return Vector.Sum(lo + hi);
    }

    /// <summary>The one's complement sum folded to 16 bits (0xFFFF for data whose checksum is right).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Fold(ulong sum)
    {
        while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }
}
