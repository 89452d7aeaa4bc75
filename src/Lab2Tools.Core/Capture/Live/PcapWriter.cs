using System.Buffers.Binary;

namespace Lab2Tools.Capture.Live;

/// <summary>
/// Writes a classic pcap file with nanosecond timestamps and each frame's true original length. Records are
/// collected in a buffer of our own and handed to the operating system only as whole records (the file
/// stream itself is unbuffered), so a process killed at any moment leaves a file that ends on a record
/// boundary. When a write fails (a full disk), the file is cut back to the last whole record before the
/// error is thrown: it stays valid.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    private const int BufferSize = 1 << 20;
    private readonly FileStream _file;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _used;
    private long _committed;
    private bool _disposed;

    public PcapWriter(string path, int linkType, int snapLength = 262144)
    {
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1);
        Span<byte> h = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0xA1B23C4D);   // nanosecond pcap
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], (uint)snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], (uint)linkType);
        _file.Write(h);
        _file.Flush(true);
        _committed = 24;
        Path = path;
    }

    public string Path { get; }
    /// <summary>Bytes in the file and in the buffer.</summary>
    public long BytesWritten => _committed + _used;

    public void Write(long unixNs, ReadOnlySpan<byte> data, int originalLength)
    {
        int need = 16 + data.Length;
        if (_used + need > BufferSize) Flush();
        if (need > BufferSize)
        {
            var record = new byte[need];            // larger than the buffer (a huge snaplen): one write of its own
            Header(record, unixNs, data.Length, originalLength);
            data.CopyTo(record.AsSpan(16));
            Commit(record, need);
            return;
        }
        Header(_buffer.AsSpan(_used), unixNs, data.Length, originalLength);
        data.CopyTo(_buffer.AsSpan(_used + 16));
        _used += need;
    }

    private static void Header(Span<byte> h, long unixNs, int captured, int original)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(h, (uint)(unixNs / 1_000_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)(unixNs % 1_000_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], (uint)captured);
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], (uint)original);
    }

    private void Commit(byte[] bytes, int count)
    {
        try
        {
            _file.Write(bytes, 0, count);
            _committed += count;
        }
        catch (IOException)
        {
            // a partial write (ENOSPC) would leave half a record: cut the file back to the last whole one
            try { _file.SetLength(_committed); _file.Position = _committed; } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Hands the buffered records to the operating system (a killed process then loses nothing written before).</summary>
    public void Flush()
    {
        if (_used == 0) return;
        int n = _used;
        _used = 0;                                   // on failure the buffered records are dropped, not written twice
        Commit(_buffer, n);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            Flush();
            _file.Flush(true);
        }
        finally
        {
            _file.Dispose();
        }
    }
}
