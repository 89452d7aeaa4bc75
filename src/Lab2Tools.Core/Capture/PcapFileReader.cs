using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Lab2Tools.Capture;

/// <summary>Classic libpcap format: 24-byte file header, then 16-byte record headers.</summary>
internal sealed class PcapFileReader : CaptureFileReader
{
    private bool _bigEndian;
    private bool _nanosecond;
    private int _linkType = -1;
    private uint _snapLen;

    public PcapFileReader(Stream stream, string path, byte[] magic, bool readAhead = false) : base(stream, path, readAhead) =>
        SeedBuffer(magic);

    public override string Format => "pcap";
    public override int PrimaryLinkType => _linkType;
    public bool IsNanosecond => _nanosecond;
    public uint SnapLength => _snapLen;

    protected override void Initialize()
    {
        if (Ensure(24) < 24)
            throw Problem(CaptureFileProblem.Truncated, 0, CaptureText.Format("Pcap.HeaderCut", Path));
        var h = Peek(24);
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(h);
        _bigEndian = magic is 0xD4C3B2A1 or 0x4D3CB2A1;
        _nanosecond = magic is 0xA1B23C4D or 0x4D3CB2A1;
        _snapLen = U32(h[16..]);
        _linkType = (int)(U32(h[20..]) & 0x0FFFFFFF); // upper bits: FCS info (pcap-linktype.7)
        ushort major = _bigEndian
            ? BinaryPrimitives.ReadUInt16BigEndian(h[4..])
            : BinaryPrimitives.ReadUInt16LittleEndian(h[4..]);
        if (major != 2)
            throw Problem(CaptureFileProblem.Unsupported, 4, CaptureText.Format("Pcap.Version", Path, major));
        Advance(24);
    }

    private uint U32(ReadOnlySpan<byte> s) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool ReadNext(out CaptureFrame frame, out ReadOnlySpan<byte> data)
    {
        long recordOffset = Position;
        int got = Ensure(16);
        if (got == 0) { frame = default; data = default; return false; }
        if (got < 16)
            throw Problem(CaptureFileProblem.Truncated, recordOffset,
                CaptureText.Format("Pcap.RecordHeaderCut", Path, FramesRead + 1, recordOffset, FramesRead));
        var h = Peek(16);
        uint sec = U32(h);
        uint frac = U32(h[4..]);
        uint incl = U32(h[8..]);
        uint orig = U32(h[12..]);
        if (incl > MaxFrameLength)
            throw Problem(CaptureFileProblem.Corrupt, recordOffset,
                CaptureText.Format("Pcap.FrameTooLong", Path, recordOffset, FramesRead + 1, incl, MaxFrameLength, FramesRead));
        Advance(16);
        int len = (int)incl;
        if (Ensure(len) < len)
            throw Problem(CaptureFileProblem.Truncated, recordOffset,
                CaptureText.Format("Pcap.FrameCut", Path, FramesRead + 1, recordOffset, len, FramesRead));
        data = Peek(len);
        Advance(len);
        long ns = sec * 1_000_000_000L + (_nanosecond ? frac : frac * 1000L);
        FramesRead++;
        int origLen = orig > int.MaxValue ? int.MaxValue : (int)orig;
        frame = new CaptureFrame(FramesRead, ns, len, Math.Max(origLen, len), _linkType, 0);
        return true;
    }
}
