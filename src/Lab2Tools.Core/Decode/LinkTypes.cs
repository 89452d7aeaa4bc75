namespace Lab2Tools.Decode;

/// <summary>The LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) the decoder understands.</summary>
public static class LinkTypes
{
    public const int Null = 0;
    public const int Ethernet = 1;
    public const int RawAlt12 = 12;   // DLT_RAW on some BSDs
    public const int RawAlt14 = 14;   // DLT_RAW on OpenBSD
    public const int Raw = 101;
    public const int Loop = 108;      // OpenBSD loopback, network byte order
    public const int LinuxSll = 113;
    public const int IPv4 = 228;
    public const int IPv6 = 229;
    public const int LinuxSll2 = 276;

    public static bool IsSupported(int linkType) => linkType is Null or Ethernet or RawAlt12 or RawAlt14 or Raw or Loop
        or LinuxSll or IPv4 or IPv6 or LinuxSll2;

    public static string Name(int linkType) => linkType switch
    {
        Null => "Null/Loopback",
        Ethernet => "Ethernet",
        Raw or RawAlt12 or RawAlt14 => "Raw IP",
        Loop => "OpenBSD loopback",
        LinuxSll => "Linux cooked (SLL)",
        LinuxSll2 => "Linux cooked v2 (SLL2)",
        IPv4 => "Raw IPv4",
        IPv6 => "Raw IPv6",
        _ => $"link type {linkType}",
    };
}
