using System.Buffers.Binary;

namespace Lab2Tools.Capture;

/// <summary>
/// pcapng (draft-ietf-opsawg-pcapng): section header, interface description, enhanced, simple and obsolete
/// packet blocks. Unlike libpcap's reader, interfaces may have different link types. Other blocks are skipped.
/// </summary>
internal sealed class PcapNgFileReader : CaptureFileReader
{
    private const uint SectionHeader = 0x0A0D0D0A;
    private const uint InterfaceDescription = 1;
    private const uint ObsoletePacket = 2;
    private const uint SimplePacket = 3;
    private const uint EnhancedPacket = 6;

    private bool _bigEndian;
    private readonly List<Interface> _interfaces = new();
    private int _primaryLinkType = -1;

    private readonly struct Interface
    {
        public Interface(int linkType, uint snapLen, bool binary, int resolution, long offsetSeconds)
        {
            LinkType = linkType; SnapLen = snapLen; Binary = binary; Resolution = resolution; OffsetSeconds = offsetSeconds;
        }
        public int LinkType { get; }
        public uint SnapLen { get; }
        /// <summary>if_tsresol: true = 2^-Resolution, false = 10^-Resolution.</summary>
        public bool Binary { get; }
        public int Resolution { get; }
        public long OffsetSeconds { get; }
    }

    public PcapNgFileReader(Stream stream, string path, byte[] magic, bool readAhead = false) : base(stream, path, readAhead) =>
        SeedBuffer(magic);

    public override string Format => "pcapng";
    public override int PrimaryLinkType => _primaryLinkType;

    protected override void Initialize()
    {
        // The first block must be a section header; ReadNext handles it like any other.
        if (Ensure(12) < 12)
            throw Problem(CaptureFileProblem.Truncated, 0, CaptureText.Format("PcapNg.HeaderCut", Path));
        uint bom = BinaryPrimitives.ReadUInt32LittleEndian(Peek(12)[8..]);
        if (bom != 0x1A2B3C4D && bom != 0x4D3C2B1A)
            throw Problem(CaptureFileProblem.NotACaptureFile, 8, CaptureText.Format("PcapNg.NotPcapNg", Path));
    }

    private uint U32(ReadOnlySpan<byte> s) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
    private ushort U16(ReadOnlySpan<byte> s) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);

    public override bool ReadNext(out CaptureFrame frame, out ReadOnlySpan<byte> data)
    {
        while (true)
        {
            long blockOffset = Position;
            int got = Ensure(12);
            if (got == 0) { frame = default; data = default; return false; }
            if (got < 12)
                throw Truncated(blockOffset);
            var head = Peek(12);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(head); // SHB type is a palindrome
            if (type == SectionHeader)
            {
                uint bom = BinaryPrimitives.ReadUInt32LittleEndian(head[8..]);
                if (bom == 0x1A2B3C4D) _bigEndian = false;
                else if (bom == 0x4D3C2B1A) _bigEndian = true;
                else throw Problem(CaptureFileProblem.Corrupt, blockOffset, CaptureText.Format("PcapNg.SectionMagic", Path, blockOffset));
                _interfaces.Clear();
            }
            else
            {
                type = U32(head);
            }
            uint blockLen = U32(head[4..]);
            if (blockLen < 12 || blockLen % 4 != 0 || blockLen > MaxFrameLength + 1024)
                throw Problem(CaptureFileProblem.Corrupt, blockOffset,
                    CaptureText.Format("PcapNg.BlockLength", Path, blockOffset, blockLen, FramesRead));
            int len = (int)blockLen;
            if (Ensure(len) < len)
                throw Truncated(blockOffset);
            var block = Peek(len);
            if (U32(block[(len - 4)..]) != blockLen)
                throw Problem(CaptureFileProblem.Corrupt, blockOffset,
                    CaptureText.Format("PcapNg.TrailerMismatch", Path, blockOffset, FramesRead));
            var body = block[8..(len - 4)];
            switch (type)
            {
                case InterfaceDescription:
                    ReadInterface(body, blockOffset);
                    break;
                case EnhancedPacket:
                case ObsoletePacket:
                case SimplePacket:
                {
                    if (ReadPacket(type, body, blockOffset, out frame, out int dataStart))
                    {
                        data = block.Slice(8 + dataStart, frame.CapturedLength);
                        Advance(len);
                        return true;
                    }
                    break;
                }
            }
            Advance(len);
        }
    }

    private CaptureFileException Truncated(long blockOffset) =>
        Problem(CaptureFileProblem.Truncated, blockOffset,
            CaptureText.Format("PcapNg.BlockCut", Path, blockOffset, FramesRead));

    private void ReadInterface(ReadOnlySpan<byte> body, long blockOffset)
    {
        if (body.Length < 8)
            throw Problem(CaptureFileProblem.Corrupt, blockOffset, CaptureText.Format("PcapNg.InterfaceBlockShort", Path, blockOffset));
        int linkType = U16(body);
        uint snap = U32(body[4..]);
        bool binary = false;
        int resolution = 6;
        long offsetSeconds = 0;
        var opts = body[8..];
        while (opts.Length >= 4)
        {
            ushort code = U16(opts);
            ushort olen = U16(opts[2..]);
            if (code == 0) break;
            int padded = (olen + 3) & ~3;
            if (4 + olen > opts.Length) break;
            var value = opts.Slice(4, olen);
            if (code == 9 && olen >= 1)
            {
                binary = (value[0] & 0x80) != 0;
                resolution = value[0] & 0x7F;
            }
            else if (code == 14 && olen >= 8)
            {
                offsetSeconds = _bigEndian ? BinaryPrimitives.ReadInt64BigEndian(value) : BinaryPrimitives.ReadInt64LittleEndian(value);
            }
            if (4 + padded > opts.Length) break;
            opts = opts[(4 + padded)..];
        }
        if (_primaryLinkType < 0) _primaryLinkType = linkType;
        _interfaces.Add(new Interface(linkType, snap, binary, resolution, offsetSeconds));
    }

    private bool ReadPacket(uint type, ReadOnlySpan<byte> body, long blockOffset, out CaptureFrame frame, out int dataStart)
    {
        frame = default;
        dataStart = 0;
        int iface;
        ulong ticks;
        uint capLen, origLen;
        if (type == EnhancedPacket)
        {
            if (body.Length < 20) throw ShortBlock(blockOffset, "PcapNg.EnhancedPacketShort");
            iface = (int)U32(body);
            ticks = ((ulong)U32(body[4..]) << 32) | U32(body[8..]);
            capLen = U32(body[12..]);
            origLen = U32(body[16..]);
            dataStart = 20;
        }
        else if (type == ObsoletePacket)
        {
            if (body.Length < 20) throw ShortBlock(blockOffset, "PcapNg.PacketShort");
            iface = U16(body);
            ticks = ((ulong)U32(body[4..]) << 32) | U32(body[8..]);
            capLen = U32(body[12..]);
            origLen = U32(body[16..]);
            dataStart = 20;
        }
        else
        {
            if (body.Length < 4) throw ShortBlock(blockOffset, "PcapNg.SimplePacketShort");
            iface = 0;
            ticks = 0;
            origLen = U32(body);
            dataStart = 4;
            capLen = (uint)Math.Min(origLen, (uint)(body.Length - 4));
            if (_interfaces.Count > 0 && _interfaces[0].SnapLen != 0) capLen = Math.Min(capLen, _interfaces[0].SnapLen);
        }
        if (iface < 0 || iface >= _interfaces.Count)
            throw Problem(CaptureFileProblem.Corrupt, blockOffset,
                CaptureText.Format("PcapNg.UnknownInterface", Path, blockOffset, iface, _interfaces.Count, FramesRead));
        if (capLen > (uint)(body.Length - dataStart))
            throw Problem(CaptureFileProblem.Corrupt, blockOffset,
                CaptureText.Format("PcapNg.CapturedLength", Path, blockOffset, capLen, body.Length - dataStart, FramesRead));
        var itf = _interfaces[iface];
        long ns = type == SimplePacket ? 0 : ToNanoseconds(ticks, itf);
        FramesRead++;
        int orig = origLen > int.MaxValue ? int.MaxValue : (int)origLen;
        frame = new CaptureFrame(FramesRead, ns, (int)capLen, Math.Max(orig, (int)capLen), itf.LinkType, iface);
        return true;
    }

    private CaptureFileException ShortBlock(long offset, string textKey) =>
        Problem(CaptureFileProblem.Corrupt, offset, CaptureText.Format(textKey, Path, offset, FramesRead));

    private static long ToNanoseconds(ulong ticks, Interface itf)
    {
        UInt128 ns;
        if (itf.Binary)
        {
            int shift = Math.Min(itf.Resolution, 63);
            ulong seconds = ticks >> shift;
            ulong frac = ticks & ((1UL << shift) - 1);
            ns = (UInt128)seconds * 1_000_000_000UL + (((UInt128)frac * 1_000_000_000UL) >> shift);
        }
        else if (itf.Resolution <= 9)
        {
            ulong mul = 1;
            for (int i = itf.Resolution; i < 9; i++) mul *= 10;
            ns = (UInt128)ticks * mul;
        }
        else
        {
            UInt128 div = 1;
            for (int i = 9; i < Math.Min(itf.Resolution, 38); i++) div *= 10;
            ns = ticks / div;
        }
        if (ns > (UInt128)long.MaxValue) ns = long.MaxValue;
        return (long)ns + itf.OffsetSeconds * 1_000_000_000L;
    }
}
