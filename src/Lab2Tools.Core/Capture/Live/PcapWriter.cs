using System.Buffers.Binary;

namespace Lab2Tools.Capture.Live;

/// <summary>
/// Writes a classic pcap file with nanosecond timestamps and each frame's true original length. Records are
/// only ever appended whole, and the stream is flushed often, so the file is valid at any moment.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly byte[] _header = new byte[16];

    public PcapWriter(string path, int linkType, int snapLength = 262144)
    {
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        Span<byte> h = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0xA1B23C4D);   // nanosecond pcap
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], (uint)linkType);
        _file.Write(h);
        _file.Flush(true);
        Path = path;
    }

    public string Path { get; }
    public long BytesWritten => _file.Position;

    public void Write(long unixNs, ReadOnlySpan<byte> data, int originalLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_header, (uint)(unixNs / 1_000_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(4), (uint)(unixNs % 1_000_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(8), (uint)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(12), (uint)originalLength);
        _file.Write(_header);
        _file.Write(data);
    }

    /// <summary>Hands what was written to the operating system (a killed process then loses nothing written before).</summary>
    public void Flush() => _file.Flush();

    public void Dispose()
    {
        _file.Flush(true);
        _file.Dispose();
    }
}
