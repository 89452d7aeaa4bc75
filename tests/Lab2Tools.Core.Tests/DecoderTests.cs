using Lab2Tools.Decode;
using Lab2Tools.Model;

namespace Lab2Tools.Tests;

public class DecoderTests
{
    private const ushort SYN = 0x002, ACK = 0x010, URG = 0x020, PSH = 0x008;

    private static DecodeOutcome Decode(int linkType, byte[] frame, out DecodedTcp tcp, out string? reason) =>
        PacketDecoder.Decode(linkType, frame, frame.Length, out tcp, out reason);

    [Fact]
    public void SynOptionsAreDecoded()
    {
        byte[] opts = { 2, 4, 0xFF, 0xD7, 4, 2, 8, 10, 0, 0, 0, 7, 0, 0, 0, 0, 1, 3, 3, 10 };
        var f = PcapBuilder.Ethernet(PcapBuilder.IPv4(PcapBuilder.Tcp(1000, 5000, 42, 0, SYN, 65495, opts)));
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.Ethernet, f, out var t, out _));
        Assert.Equal(65495, t.Mss);
        Assert.Equal(10, t.WindowScaleShift);
        Assert.True(t.SackPermitted);
        Assert.True(t.HasTimestamps);
        Assert.Equal(7u, t.TsVal);
        Assert.Equal(TcpFlags.SYN, t.Flags);
        Assert.False(t.OptionsMalformed);
    }

    [Fact]
    public void SackEdgesAre32Bit()
    {
        // PacketDotNet 1.4.8 reads SACK blocks as 16-bit words; the edges here need all 32 bits.
        byte[] opts = { 1, 1, 5, 18, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x60, 0x00, 0xAA, 0xBB, 0xCC, 0xDD, 0xAA, 0xBB, 0xDD, 0x00 };
        var f = PcapBuilder.Ethernet(PcapBuilder.IPv4(PcapBuilder.Tcp(1, 2, 3, 4, ACK, 100, opts)));
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.Ethernet, f, out var t, out _));
        Assert.Equal(2, t.SackCount);
        Assert.Equal(0x12345678u, t.Sack[0]);
        Assert.Equal(0x12346000u, t.Sack[1]);
        Assert.Equal(0xAABBCCDDu, t.Sack[2]);
        Assert.Equal(0xAABBDD00u, t.Sack[3]);
    }

    [Theory]
    [InlineData(new byte[] { 5, 0, 0, 0 })]       // zero length: PacketDotNet loops forever here
    [InlineData(new byte[] { 8, 1, 0, 0 })]       // length one
    [InlineData(new byte[] { 2, 40, 0, 0 })]      // length past the header
    [InlineData(new byte[] { 1, 1, 1, 3 })]       // kind with no length byte
    public void BadOptionLengthsStopParsingAndAreFlagged(byte[] opts)
    {
        var f = PcapBuilder.Ethernet(PcapBuilder.IPv4(PcapBuilder.Tcp(1, 2, 3, 4, ACK, 100, opts)));
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.Ethernet, f, out var t, out _));
        Assert.True(t.OptionsMalformed);
    }

    [Fact]
    public void UrgentFlagIsFine()
    {
        // PacketDotNet 1.4.8 throws on option access when URG is set.
        byte[] opts = { 2, 4, 5, 0xB4 };
        var f = PcapBuilder.Ethernet(PcapBuilder.IPv4(PcapBuilder.Tcp(1, 2, 3, 4, (ushort)(ACK | URG | PSH), 100, opts, payload: 5)));
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.Ethernet, f, out var t, out _));
        Assert.Equal(1460, t.Mss);
        Assert.Equal(5, t.PayloadLength);
        Assert.Equal(TcpFlags.ACK | TcpFlags.URG | TcpFlags.PSH, t.Flags);
    }

    [Fact]
    public void LenComesFromTheIpHeaderNotTheCapturedBytes()
    {
        var full = PcapBuilder.Ethernet(PcapBuilder.IPv4(PcapBuilder.Tcp(1, 2, 3, 4, ACK, 100, payload: 1000)));
        var cut = full.AsSpan(0, 14 + 20 + 20 + 100).ToArray(); // snaplen
        Assert.Equal(DecodeOutcome.Tcp, PacketDecoder.Decode(LinkTypes.Ethernet, cut, full.Length, out var t, out _));
        Assert.Equal(1000, t.PayloadLength);
        Assert.Equal(100, t.CapturedPayloadLength);
        Assert.True(t.IsTruncated);

        var padded = full.Concat(new byte[6]).ToArray(); // Ethernet trailer
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.Ethernet, padded, out var p, out _));
        Assert.Equal(1000, p.PayloadLength);
        Assert.False(p.IsTruncated);
    }

    [Fact]
    public void TsoZeroTotalLengthUsesTheFrame()
    {
        var f = PcapBuilder.Ethernet(PcapBuilder.IPv4(PcapBuilder.Tcp(1, 2, 3, 4, ACK, 100, payload: 300), totalLength: 0));
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.Ethernet, f, out var t, out _));
        Assert.Equal(300, t.PayloadLength);
    }

    [Fact]
    public void VlanTagsNullSllSll2AndRawAreUnwrapped()
    {
        var ip = PcapBuilder.IPv4(PcapBuilder.Tcp(7, 8, 9, 10, ACK, 100, payload: 3));
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.Ethernet, PcapBuilder.Ethernet(ip, 0x0800, 100, 10), out var v, out _));
        Assert.Equal(7, v.SourcePort);

        var nullLe = new byte[] { 2, 0, 0, 0 }.Concat(ip).ToArray();
        var nullBe = new byte[] { 0, 0, 0, 2 }.Concat(ip).ToArray();   // written on a big-endian host
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.Null, nullLe, out _, out _));
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.Null, nullBe, out _, out _));
        var loop = new byte[] { 0, 0, 0, 2 }.Concat(ip).ToArray();
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.Loop, loop, out _, out _));

        var sll = new byte[16]; sll[14] = 0x08; sll[15] = 0x00;
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.LinuxSll, sll.Concat(ip).ToArray(), out _, out _));
        var sll2 = new byte[20]; sll2[0] = 0x08; sll2[1] = 0x00;
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.LinuxSll2, sll2.Concat(ip).ToArray(), out _, out _));
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.Raw, ip, out _, out _));
    }

    [Fact]
    public void IPv6ExtensionHeadersAreWalked()
    {
        var tcp = PcapBuilder.Tcp(1, 2, 3, 4, ACK, 100, payload: 10);
        byte[] hopByHop = { 60, 0, 1, 4, 0, 0, 0, 0 };   // next: destination options
        byte[] destOpts = { 6, 0, 1, 4, 0, 0, 0, 0 };    // next: TCP
        var ip = PcapBuilder.IPv6(tcp, nextHeader: 0, extensions: hopByHop.Concat(destOpts).ToArray());
        Assert.Equal(DecodeOutcome.Tcp, Decode(LinkTypes.Raw, ip, out var t, out _));
        Assert.Equal(6, t.IpVersion);
        Assert.Equal(10, t.PayloadLength);
    }

    [Fact]
    public void NonTcpIsSkippedWithAReason()
    {
        var udp = PcapBuilder.IPv4(new byte[8], protocol: 17);
        Assert.Equal(DecodeOutcome.NotTcp, Decode(LinkTypes.Raw, udp, out _, out var r1));
        Assert.Contains("17", r1);
        Assert.Equal(DecodeOutcome.NotTcp, Decode(LinkTypes.Ethernet, PcapBuilder.Ethernet(new byte[28], 0x0806), out _, out var r2));
        Assert.Contains("0806", r2);
        var fragment = PcapBuilder.IPv4(PcapBuilder.Tcp(1, 2, 3, 4, ACK, 1), fragment: 0x0010);
        Assert.Equal(DecodeOutcome.NotTcp, Decode(LinkTypes.Raw, fragment, out _, out var r3));
        Assert.Contains("fragment", r3);
    }

    [Theory]
    [InlineData(4, null)]    // data offset 4 words = 16 bytes < 20
    [InlineData(15, null)]   // data offset 60 bytes > the 20 the IP length gives
    [InlineData(5, 10)]      // IP total length below its header
    [InlineData(5, 30)]      // IP length leaves 10 bytes for TCP
    public void InconsistentLengthsAreMalformed(int dataOffsetWords, int? ipTotalLength)
    {
        var f = PcapBuilder.Ethernet(PcapBuilder.IPv4(PcapBuilder.Tcp(1, 2, 3, 4, ACK, 100, dataOffsetWords: dataOffsetWords), totalLength: ipTotalLength));
        Assert.Equal(DecodeOutcome.Malformed, Decode(LinkTypes.Ethernet, f, out _, out var reason));
        Assert.False(string.IsNullOrEmpty(reason));
    }

    [Fact]
    public void EveryPrefixOfAFrameDecodesWithoutThrowing()
    {
        byte[] opts = { 2, 4, 0xFF, 0xD7, 4, 2, 8, 10, 0, 0, 0, 7, 0, 0, 0, 0, 1, 3, 3, 10 };
        var f = PcapBuilder.Ethernet(PcapBuilder.IPv4(PcapBuilder.Tcp(1000, 5000, 42, 0, SYN, 65495, opts, payload: 40)), 0x0800, 5);
        for (int n = 0; n <= f.Length; n++)
            PacketDecoder.Decode(LinkTypes.Ethernet, f.AsSpan(0, n), f.Length, out _, out _);
    }
}
