using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Lab2Tools.Model;

namespace Lab2Tools.Decode;

/// <summary>
/// Decodes link, IP and TCP headers straight from the captured bytes. Every read is bounds-checked; nothing
/// is allocated. TCP options are parsed with guards for zero and one length bytes, SACK edges are 32-bit,
/// and lengths come from the IP header, not the captured size.
/// </summary>
public static class PacketDecoder
{
    private const ushort EtherTypeIPv4 = 0x0800;
    private const ushort EtherTypeIPv6 = 0x86DD;

    /// <summary>
    /// Decodes one frame. On <see cref="DecodeOutcome.Malformed"/> and <see cref="DecodeOutcome.NotTcp"/>, <paramref name="reason"/>
    /// says why.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static DecodeOutcome Decode(int linkType, ReadOnlySpan<byte> frame, int originalLength, out DecodedTcp tcp, out string? reason)
    {
        tcp = default;
        reason = null;
        int ipOffset;
        int version = 0; // 0 = from the IP header's nibble
        switch (linkType)
        {
            case LinkTypes.Ethernet:
            {
                if (frame.Length < 14) { reason = DecodeText.Get("EthernetCut"); return DecodeOutcome.Malformed; }
                int off = 12;
                ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame[off..]);
                int tags = 0;
                while (type is 0x8100 or 0x88A8 or 0x9100)
                {
                    if (++tags > 8 || frame.Length < off + 6) { reason = DecodeText.Get("VlanCut"); return DecodeOutcome.Malformed; }
                    off += 4;
                    type = BinaryPrimitives.ReadUInt16BigEndian(frame[off..]);
                }
                ipOffset = off + 2;
                if (!EtherTypeToVersion(type, out version, out reason)) return DecodeOutcome.NotTcp;
                break;
            }
            case LinkTypes.Null:
            case LinkTypes.Loop:
            {
                if (frame.Length < 4) { reason = DecodeText.Get("LoopbackCut"); return DecodeOutcome.Malformed; }
                uint af = linkType == LinkTypes.Loop
                    ? BinaryPrimitives.ReadUInt32BigEndian(frame)
                    : BinaryPrimitives.ReadUInt32LittleEndian(frame);
                if ((af & 0xFFFF0000) != 0) af = BinaryPrimitives.ReverseEndianness(af); // written on a big-endian host
                ipOffset = 4;
                switch (af)
                {
                    case 2: version = 4; break;
                    case 10: case 24: case 28: case 30: version = 6; break;
                    default: reason = DecodeText.Format("AddressFamily", af); return DecodeOutcome.NotTcp;
                }
                break;
            }
            case LinkTypes.LinuxSll:
            {
                if (frame.Length < 16) { reason = DecodeText.Get("SllCut"); return DecodeOutcome.Malformed; }
                ipOffset = 16;
                if (!EtherTypeToVersion(BinaryPrimitives.ReadUInt16BigEndian(frame[14..]), out version, out reason))
                    return DecodeOutcome.NotTcp;
                break;
            }
            case LinkTypes.LinuxSll2:
            {
                if (frame.Length < 20) { reason = DecodeText.Get("Sll2Cut"); return DecodeOutcome.Malformed; }
                ipOffset = 20;
                if (!EtherTypeToVersion(BinaryPrimitives.ReadUInt16BigEndian(frame), out version, out reason)) return DecodeOutcome.NotTcp;
                break;
            }
            case LinkTypes.Raw:
            case LinkTypes.RawAlt12:
            case LinkTypes.RawAlt14:
                ipOffset = 0;
                break;
            case LinkTypes.IPv4:
                ipOffset = 0; version = 4;
                break;
            case LinkTypes.IPv6:
                ipOffset = 0; version = 6;
                break;
            default:
                reason = DecodeText.Format("LinkNotDecoded", LinkTypes.Name(linkType));
                return DecodeOutcome.NotTcp;
        }

        var ip = frame[ipOffset..];
        int reportedIp = originalLength - ipOffset;
        if (ip.Length < 1) { reason = DecodeText.Get("IpMissing"); return DecodeOutcome.Malformed; }
        int nibble = ip[0] >> 4;
        if (version == 0)
        {
            if (nibble != 4 && nibble != 6) { reason = DecodeText.Format("IpVersion", nibble); return DecodeOutcome.NotTcp; }
            version = nibble;
        }
        else if (nibble != version)
        {
            reason = DecodeText.Format("IpVersionMismatch", version, nibble);
            return DecodeOutcome.Malformed;
        }
        return version == 4
            ? DecodeIPv4(ip, ipOffset, reportedIp, ref tcp, out reason)
            : DecodeIPv6(ip, ipOffset, reportedIp, ref tcp, out reason);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool EtherTypeToVersion(ushort type, out int version, out string? reason)
    {
        reason = null;
        switch (type)
        {
            case EtherTypeIPv4: version = 4; return true;
            case EtherTypeIPv6: version = 6; return true;
            default:
                version = 0;
                reason = type <= 1500 ? DecodeText.Get("Ieee8023") : DecodeText.Format("EtherType", type.ToString("X4"));
                return false;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static DecodeOutcome DecodeIPv4(ReadOnlySpan<byte> ip, int ipOffset, int reportedIp, ref DecodedTcp tcp, out string? reason)
    {
        reason = null;
        if (ip.Length < 20) { reason = DecodeText.Get("Ipv4Cut"); return DecodeOutcome.Malformed; }
        int ihl = (ip[0] & 0x0F) * 4;
        if (ihl < 20) { reason = DecodeText.Format("Ipv4HeaderLength", ihl); return DecodeOutcome.Malformed; }
        if (ip.Length < ihl) { reason = DecodeText.Get("Ipv4OptionsCut"); return DecodeOutcome.Malformed; }
        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if (totalLength == 0)
        {
            totalLength = Math.Max(reportedIp, ip.Length); // TSO: the length field is left at 0
            tcp.Integrity |= SegmentIntegrity.IpLengthZero;
        }
        else if (reportedIp < totalLength) tcp.Integrity |= SegmentIntegrity.IpLengthBeyondFrame;
        if (InternetChecksum.Fold(InternetChecksum.Add(0, ip[..ihl])) != 0xFFFF) tcp.Integrity |= SegmentIntegrity.IpChecksumBad;
        if (totalLength < ihl) { reason = DecodeText.Format("Ipv4TotalLength", totalLength, ihl); return DecodeOutcome.Malformed; }
        ushort frag = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
        bool moreFragments = (frag & 0x2000) != 0;
        int fragOffset = frag & 0x1FFF;
        byte protocol = ip[9];
        if (protocol != 6) { reason = DecodeText.Format("NotTcpProtocol", protocol); return DecodeOutcome.NotTcp; }
        if (moreFragments || fragOffset != 0) { reason = DecodeText.Get("Ipv4Fragment"); return DecodeOutcome.NotTcp; }
        tcp.Source = IpAddr.FromV4(ip[12..]);
        tcp.Destination = IpAddr.FromV4(ip[16..]);
        tcp.IpVersion = 4;
        tcp.IpLength = totalLength;
        int captured = Math.Min(ip.Length, totalLength);
        // the pseudo-header: addresses, protocol (the TCP length is added by DecodeTcp)
        ulong pseudo = InternetChecksum.Add(6, ip[12..20]);
        return DecodeTcp(ip[ihl..captured], ipOffset + ihl, totalLength - ihl, pseudo, ref tcp, out reason);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static DecodeOutcome DecodeIPv6(ReadOnlySpan<byte> ip, int ipOffset, int reportedIp, ref DecodedTcp tcp, out string? reason)
    {
        reason = null;
        if (ip.Length < 40) { reason = DecodeText.Get("Ipv6Cut"); return DecodeOutcome.Malformed; }
        int payloadLength = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        if (payloadLength == 0) payloadLength = Math.Max(reportedIp, ip.Length) - 40; // jumbogram / TSO
        else if (reportedIp < 40 + payloadLength) tcp.Integrity |= SegmentIntegrity.IpLengthBeyondFrame;
        if (payloadLength < 0) payloadLength = 0;
        byte next = ip[6];
        int off = 40;
        int end = 40 + payloadLength;
        int srcAt = 8, dstAt = 24;      // where the pseudo-header's addresses are: a home address, a final destination
        for (int guard = 0; guard < 16; guard++)
        {
            switch (next)
            {
                case 6:
                {
                    tcp.Source = IpAddr.FromV6(ip[8..]);
                    tcp.Destination = IpAddr.FromV6(ip[24..]);
                    tcp.IpVersion = 6;
                    tcp.IpLength = 40 + payloadLength;
                    if (off > end) { reason = DecodeText.Get("Ipv6ExtensionsPastPayload"); return DecodeOutcome.Malformed; }
                    int captured = Math.Min(ip.Length, end);
                    if (off > captured) { reason = DecodeText.Get("Ipv6ExtensionsCut"); return DecodeOutcome.Malformed; }
                    ulong pseudo = InternetChecksum.Add(InternetChecksum.Add(6, ip.Slice(srcAt, 16)), ip.Slice(dstAt, 16));
                    return DecodeTcp(ip[off..captured], ipOffset + off, end - off, pseudo, ref tcp, out reason);
                }
                case 0: case 43: case 60: case 135: case 139: case 140:
                {
                    if (ip.Length < off + 2) { reason = DecodeText.Get("Ipv6ExtensionCut"); return DecodeOutcome.Malformed; }
                    int len = (ip[off + 1] + 1) * 8;
                    if (next == 43) FinalDestination(ip, off, len, ref dstAt);
                    else if (next == 60) HomeAddress(ip, off, len, ref srcAt);
                    next = ip[off];
                    off += len;
                    break;
                }
                case 51: // AH
                {
                    if (ip.Length < off + 2) { reason = DecodeText.Get("Ipv6AhCut"); return DecodeOutcome.Malformed; }
                    int len = (ip[off + 1] + 2) * 4;
                    next = ip[off];
                    off += len;
                    break;
                }
                case 44: // fragment
                {
                    if (ip.Length < off + 8) { reason = DecodeText.Get("Ipv6FragmentHeaderCut"); return DecodeOutcome.Malformed; }
                    ushort fo = BinaryPrimitives.ReadUInt16BigEndian(ip[(off + 2)..]);
                    if ((fo & 0xFFF9) != 0) { reason = DecodeText.Get("Ipv6Fragment"); return DecodeOutcome.NotTcp; }
                    next = ip[off];
                    off += 8;
                    break;
                }
                default:
                    reason = DecodeText.Format("Ipv6NotTcp", next);
                    return DecodeOutcome.NotTcp;
            }
        }
        reason = DecodeText.Get("Ipv6TooManyExtensions");
        return DecodeOutcome.Malformed;
    }

    /// <summary>
    /// A routing header of type 0 or 2 with segments left names the final destination in its last 16 bytes (the address
    /// the TCP checksum's pseudo-header uses; Zeek's IPv6_Hdr_Chain::ProcessRoutingHeader).
    /// </summary>
    private static void FinalDestination(ReadOnlySpan<byte> ip, int off, int len, ref int dstAt)
    {
        if (ip.Length < off + len || len < 24 || ip[off + 3] == 0) return;
        int type = ip[off + 2], units = ip[off + 1];
        if ((type == 0 && units % 2 == 0) || (type == 2 && units == 2)) dstAt = off + len - 16;
    }

    /// <summary>A destination options header's Home Address option (type 201) is the source of the pseudo-header.</summary>
    private static void HomeAddress(ReadOnlySpan<byte> ip, int off, int len, ref int srcAt)
    {
        if (ip.Length < off + len) return;
        for (int i = off + 2; i + 2 <= off + len;)
        {
            byte type = ip[i];
            if (type == 0) { i++; continue; }            // Pad1
            int optLen = ip[i + 1];
            if (type == 201 && optLen == 16 && i + 18 <= off + len) { srcAt = i + 2; return; }
            i += 2 + optLen;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static DecodeOutcome DecodeTcp(ReadOnlySpan<byte> seg, int tcpOffset, int tcpLength, ulong pseudo, ref DecodedTcp tcp,
        out string? reason)
    {
        reason = null;
        if (tcpLength < 20) { reason = DecodeText.Format("TcpRoom", tcpLength); return DecodeOutcome.Malformed; }
        if (seg.Length < 20) { reason = DecodeText.Get("TcpCut"); return DecodeOutcome.Malformed; }
        tcp.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(seg);
        tcp.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(seg[2..]);
        tcp.Seq = BinaryPrimitives.ReadUInt32BigEndian(seg[4..]);
        tcp.Ack = BinaryPrimitives.ReadUInt32BigEndian(seg[8..]);
        int hlen = (seg[12] >> 4) * 4;
        tcp.Flags = (TcpFlags)(BinaryPrimitives.ReadUInt16BigEndian(seg[12..]) & 0x0FFF);
        tcp.Window = BinaryPrimitives.ReadUInt16BigEndian(seg[14..]);
        tcp.UrgentPointer = BinaryPrimitives.ReadUInt16BigEndian(seg[18..]);
        tcp.HeaderLength = hlen;
        tcp.Mss = -1;
        tcp.WindowScaleShift = -1;
        if (hlen < 20) { reason = DecodeText.Format("TcpHeaderLength", hlen); return DecodeOutcome.Malformed; }
        if (hlen > tcpLength) { reason = DecodeText.Format("TcpHeaderBeyondIp", hlen, tcpLength); return DecodeOutcome.Malformed; }
        tcp.PayloadLength = tcpLength - hlen;
        int capturedHeader = Math.Min(seg.Length, hlen);
        tcp.PayloadOffset = tcpOffset + hlen;
        tcp.CapturedPayloadLength = Math.Max(0, Math.Min(seg.Length, tcpLength) - hlen);
        tcp.IsTruncated = seg.Length < tcpLength;
        tcp.Integrity |= CheckTcpChecksum(seg, tcpLength, pseudo);
        ParseOptions(seg[20..capturedHeader], ref tcp);
        return DecodeOutcome.Tcp;
    }

    /// <summary>
    /// The TCP checksum over the pseudo-header and the whole segment; a segment not captured whole is not verified.
    /// A wrong checksum equal to the pseudo-header's sum alone is a sender's offloaded checksum (CHECKSUM_PARTIAL).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static SegmentIntegrity CheckTcpChecksum(ReadOnlySpan<byte> seg, int tcpLength, ulong pseudo)
    {
        if (seg.Length < tcpLength) return SegmentIntegrity.TcpChecksumUnverified;
        pseudo += (ulong)tcpLength;
        if (InternetChecksum.Fold(InternetChecksum.Add(pseudo, seg[..tcpLength])) == 0xFFFF) return SegmentIntegrity.None;
        // the field as Linux leaves it for CHECKSUM_PARTIAL: ~tcp_v4_check(len, saddr, daddr, 0), the folded pseudo sum
        ushort field = BinaryPrimitives.ReadUInt16BigEndian(seg[16..]);
        return field == InternetChecksum.Fold(pseudo) ? SegmentIntegrity.TcpChecksumPartial : SegmentIntegrity.TcpChecksumBad;
    }

    /// <summary>TCP options with guards: EOL ends, NOP is one byte, every other option needs a length of at least 2 that fits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ParseOptions(ReadOnlySpan<byte> opts, ref DecodedTcp tcp)
    {
        int i = 0;
        while (i < opts.Length)
        {
            byte kind = opts[i];
            if (kind == 0) return;
            if (kind == 1) { i++; continue; }
            if (i + 1 >= opts.Length) { tcp.OptionsMalformed = true; return; }
            int len = opts[i + 1];
            if (len < 2 || i + len > opts.Length) { tcp.OptionsMalformed = true; return; }
            var v = opts.Slice(i + 2, len - 2);
            switch (kind)
            {
                case 2 when len == 4:
                    tcp.Mss = BinaryPrimitives.ReadUInt16BigEndian(v);
                    break;
                case 3 when len == 3:
                    tcp.WindowScaleShift = v[0];
                    break;
                case 4 when len == 2:
                    tcp.SackPermitted = true;
                    break;
                case 5 when len >= 10 && (len - 2) % 8 == 0:
                {
                    int blocks = Math.Min((len - 2) / 8, 4);
                    for (int b = 0; b < blocks; b++)
                    {
                        tcp.Sack[2 * b] = BinaryPrimitives.ReadUInt32BigEndian(v[(8 * b)..]);
                        tcp.Sack[2 * b + 1] = BinaryPrimitives.ReadUInt32BigEndian(v[(8 * b + 4)..]);
                    }
                    tcp.SackCount = blocks;
                    break;
                }
                case 8 when len == 10:
                    tcp.HasTimestamps = true;
                    tcp.TsVal = BinaryPrimitives.ReadUInt32BigEndian(v);
                    tcp.TsEcr = BinaryPrimitives.ReadUInt32BigEndian(v[4..]);
                    break;
            }
            i += len;
        }
    }
}
