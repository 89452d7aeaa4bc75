using System.Runtime.CompilerServices;
using Lab2Tools.Model;

namespace Lab2Tools.Decode;

public enum DecodeOutcome
{
    /// <summary>A TCP segment was decoded.</summary>
    Tcp,
    /// <summary>A well-formed frame that is not TCP (ARP, UDP, ICMP, non-IP, an IP fragment after the first...).</summary>
    NotTcp,
    /// <summary>The frame claims to carry TCP (or IP) but its headers are inconsistent or cut short.</summary>
    Malformed,
}

[InlineArray(8)]
public struct SackEdges
{
    private uint _edge;
}

/// <summary>The header fields of one decoded TCP segment; a value type filled without allocation.</summary>
public struct DecodedTcp
{
    public IpAddr Source;
    public IpAddr Destination;
    public int IpVersion;
    public int IpLength;
    public ushort SourcePort;
    public ushort DestinationPort;
    public uint Seq;
    public uint Ack;
    public TcpFlags Flags;
    public ushort Window;
    public ushort UrgentPointer;
    public int HeaderLength;
    /// <summary>tcp.len from the IP lengths.</summary>
    public int PayloadLength;
    /// <summary>Offset of the payload in the frame, and how many payload bytes were captured.</summary>
    public int PayloadOffset;
    public int CapturedPayloadLength;
    public bool IsTruncated;
    public bool OptionsMalformed;
    public int Mss;              // -1 = absent
    public int WindowScaleShift; // -1 = absent
    public bool SackPermitted;
    public bool HasTimestamps;
    public uint TsVal;
    public uint TsEcr;
    public int SackCount;
    public SackEdges Sack;       // left0, right0, left1, right1, ...
    /// <summary>Checksums and IP lengths: what Zeek's packet analysis checks.</summary>
    internal SegmentIntegrity Integrity;
}
