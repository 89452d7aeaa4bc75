namespace Lab2Tools.Model;

/// <summary>The TCP header flags (RFC 9293, RFC 3168, RFC 3540), bit values as in the header's 12 low bits.</summary>
[Flags]
public enum TcpFlags : ushort
{
    None = 0,
    FIN = 0x001,
    SYN = 0x002,
    RST = 0x004,
    PSH = 0x008,
    ACK = 0x010,
    URG = 0x020,
    ECE = 0x040,
    CWR = 0x080,
    AE = 0x100,
    Reserved = 0xE00,
}

public static class TcpFlagsText
{
    /// <summary>Wireshark's tcp.flags.str: 12 characters "RRRACEUAPRSF", '·' where the bit is clear.</summary>
    public static string ToWiresharkString(TcpFlags flags)
    {
        Span<char> s = stackalloc char[12];
        const string letters = "RRRACEUAPRSF";
        for (int i = 0; i < 12; i++)
        {
            int bit = 11 - i;
            s[i] = ((ushort)flags & (1 << bit)) != 0 ? letters[i] : '·';
        }
        return new string(s);
    }

    /// <summary>The Info-column style list, e.g. "SYN, ACK" (Wireshark's order: FIN SYN RST PSH ACK URG ECE CWR AE).</summary>
    public static string ToListString(TcpFlags flags)
    {
        if (flags == TcpFlags.None) return "<None>";
        var parts = new List<string>(4);
        if ((flags & TcpFlags.FIN) != 0) parts.Add("FIN");
        if ((flags & TcpFlags.SYN) != 0) parts.Add("SYN");
        if ((flags & TcpFlags.RST) != 0) parts.Add("RST");
        if ((flags & TcpFlags.PSH) != 0) parts.Add("PSH");
        if ((flags & TcpFlags.ACK) != 0) parts.Add("ACK");
        if ((flags & TcpFlags.URG) != 0) parts.Add("URG");
        if ((flags & TcpFlags.ECE) != 0) parts.Add("ECE");
        if ((flags & TcpFlags.CWR) != 0) parts.Add("CWR");
        if ((flags & TcpFlags.AE) != 0) parts.Add("AE");
        if ((flags & TcpFlags.Reserved) != 0) parts.Add("Reserved");
        return string.Join(", ", parts);
    }
}
