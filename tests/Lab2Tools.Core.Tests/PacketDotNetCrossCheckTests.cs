using Lab2Tools.Capture;
using Lab2Tools.Decode;
using PacketDotNet;

namespace Lab2Tools.Tests;

/// <summary>
/// Our span decoder against PacketDotNet 1.4.8 on every TCP frame of the real captures: ports, numbers,
/// flags, window, header length, payload and MSS/window-scale options. (The module decodes with its own
/// code because PacketDotNet loops on zero-length options, throws on URG and reads SACK edges as 16-bit;
/// see DecoderTests.)
/// </summary>
public class PacketDotNetCrossCheckTests
{
    public static IEnumerable<object[]> Captures() => TestData.Captures();

    [Theory]
    [MemberData(nameof(Captures))]
    public void HeadersMatchPacketDotNet(string file)
    {
        int compared = 0;
        using var r = CaptureFileReader.Open(TestData.Path(file));
        while (r.ReadNext(out var frame, out var data))
        {
            if (PacketDecoder.Decode(frame.LinkType, data, frame.OriginalLength, out var ours, out _) != DecodeOutcome.Tcp) continue;
            var packet = Packet.ParsePacket((LinkLayers)frame.LinkType, data.ToArray());
            var tcp = packet.Extract<TcpPacket>();
            Assert.NotNull(tcp);
            Assert.Equal(tcp.SourcePort, ours.SourcePort);
            Assert.Equal(tcp.DestinationPort, ours.DestinationPort);
            Assert.Equal(tcp.SequenceNumber, ours.Seq);
            Assert.Equal(tcp.AcknowledgmentNumber, ours.Ack);
            Assert.Equal(tcp.Flags & 0x0FFF, (int)ours.Flags);
            Assert.Equal(tcp.WindowSize, ours.Window);
            Assert.Equal(tcp.DataOffset * 4, ours.HeaderLength);
            Assert.Equal(tcp.PayloadData?.Length ?? 0, ours.CapturedPayloadLength);
            Assert.Equal(ours.Source.ToIPAddress(), packet.Extract<IPPacket>().SourceAddress);
            if ((ours.Flags & Model.TcpFlags.URG) == 0)
            {
                var opts = tcp.OptionsCollection ?? new List<PacketDotNet.Tcp.TcpOption>();
                var mss = opts.OfType<PacketDotNet.Tcp.MaximumSegmentSizeOption>().FirstOrDefault();
                var ws = opts.OfType<PacketDotNet.Tcp.WindowScaleFactorOption>().FirstOrDefault();
                Assert.Equal(mss?.Value ?? -1, ours.Mss);
                Assert.Equal(ws?.ScaleFactor ?? -1, ours.WindowScaleShift);
            }
            compared++;
        }
        Assert.True(compared > 0);
    }
}
