namespace Lab2Tools.Capture;

/// <summary>The record header of one captured frame. The bytes are returned separately as a span that is
/// valid until the next read.</summary>
public readonly struct CaptureFrame
{
    public CaptureFrame(long number, long timestampNs, int capturedLength, int originalLength, int linkType, int interfaceId)
    {
        Number = number;
        TimestampNanoseconds = timestampNs;
        CapturedLength = capturedLength;
        OriginalLength = originalLength;
        LinkType = linkType;
        InterfaceId = interfaceId;
    }

    /// <summary>1-based frame number (Wireshark's frame.number).</summary>
    public long Number { get; }
    /// <summary>Nanoseconds since the Unix epoch.</summary>
    public long TimestampNanoseconds { get; }
    public int CapturedLength { get; }
    public int OriginalLength { get; }
    /// <summary>LINKTYPE_* value of the frame's interface.</summary>
    public int LinkType { get; }
    public int InterfaceId { get; }
}
