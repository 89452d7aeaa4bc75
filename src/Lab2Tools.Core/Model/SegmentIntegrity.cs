namespace Lab2Tools.Model;

/// <summary>
/// What the decoder found about a segment's checksums and IP lengths (Zeek's packet analysis acts on these; Wireshark,
/// like the rest of Lab2Tools, does not validate checksums by default).
/// </summary>
[Flags]
internal enum SegmentIntegrity : byte
{
    /// <summary>Every checksum verified was right.</summary>
    None = 0,
    /// <summary>The TCP checksum is wrong.</summary>
    TcpChecksumBad = 1,
    /// <summary>
    /// The TCP checksum field holds only the pseudo-header's sum: a sender offloading its checksum (CHECKSUM_PARTIAL,
    /// as on Linux loopback), captured before the network card (or nobody) completed it. Not counted as bad.
    /// </summary>
    TcpChecksumPartial = 2,
    /// <summary>The TCP checksum was not verified: the segment was not captured whole (snaplen).</summary>
    TcpChecksumUnverified = 4,
    /// <summary>The IPv4 header checksum is wrong.</summary>
    IpChecksumBad = 8,
    /// <summary>The IPv4 total length is 0 (segmentation offload).</summary>
    IpLengthZero = 16,
    /// <summary>The IP length runs past the frame's length on the wire.</summary>
    IpLengthBeyondFrame = 32,
}
