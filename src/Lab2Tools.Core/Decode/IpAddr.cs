using System.Buffers.Binary;
using System.Net;

namespace Lab2Tools.Decode;

/// <summary>An IPv4 or IPv6 address as a value (no allocation), convertible to <see cref="IPAddress"/>.</summary>
public readonly struct IpAddr : IEquatable<IpAddr>, IComparable<IpAddr>
{
    private readonly ulong _hi;
    private readonly ulong _lo;
    private readonly byte _version;

    private IpAddr(ulong hi, ulong lo, byte version) { _hi = hi; _lo = lo; _version = version; }

    public static IpAddr FromV4(ReadOnlySpan<byte> b) => new(0, BinaryPrimitives.ReadUInt32BigEndian(b), 4);
    public static IpAddr FromV6(ReadOnlySpan<byte> b) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(b), BinaryPrimitives.ReadUInt64BigEndian(b[8..]), 6);

    public int Version => _version;

    public IPAddress ToIPAddress()
    {
        if (_version == 4)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(b, (uint)_lo);
            return new IPAddress(b);
        }
        Span<byte> v6 = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(v6, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(v6[8..], _lo);
        return new IPAddress(v6);
    }

    public bool Equals(IpAddr other) => _hi == other._hi && _lo == other._lo && _version == other._version;
    public override bool Equals(object? obj) => obj is IpAddr o && Equals(o);
    public override int GetHashCode() => HashCode.Combine(_hi, _lo, _version);

    /// <summary>Orders like Wireshark's cmp_address: by family, then by bytes.</summary>
    public int CompareTo(IpAddr other)
    {
        int c = _version.CompareTo(other._version);
        if (c != 0) return c;
        c = _hi.CompareTo(other._hi);
        return c != 0 ? c : _lo.CompareTo(other._lo);
    }

    public override string ToString() => ToIPAddress().ToString();
}
