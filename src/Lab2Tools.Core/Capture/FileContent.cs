using System.Text;

namespace Lab2Tools.Capture;

/// <summary>What a file that is not a pcap or pcapng capture looks like, told from its first bytes.</summary>
public enum FileContent
{
    /// <summary>Not recognised (or a capture file).</summary>
    Unknown,
    Empty,
    Text,
    Html,
    Xml,
    Json,
    Zip,
    Bzip2,
    Xz,
    SevenZip,
    Rar,
    Pdf,
    Png,
    Jpeg,
    Elf,
    WindowsExecutable,
    /// <summary>Sun's snoop capture format (RFC 1761), which Wireshark reads.</summary>
    Snoop,
    /// <summary>Microsoft Network Monitor's capture format, which Wireshark reads.</summary>
    NetMon,
}

/// <summary>Tells what a file looks like from its first bytes (magic numbers, or text and its first characters).</summary>
public static class FileContentSniffer
{
    /// <summary>How many first bytes <see cref="Sniff"/> looks at, at most.</summary>
    public const int HeadLength = 512;

    public static FileContent Sniff(ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty) return FileContent.Empty;
        if (Starts(head, "PK\x03\x04") || Starts(head, "PK\x05\x06")) return FileContent.Zip;
        if (Starts(head, "BZh")) return FileContent.Bzip2;
        if (Starts(head, "\xFD" + "7zXZ\0")) return FileContent.Xz;
        if (Starts(head, "7z\xBC\xAF\x27\x1C")) return FileContent.SevenZip;
        if (Starts(head, "Rar!\x1A\x07")) return FileContent.Rar;
        if (Starts(head, "%PDF-")) return FileContent.Pdf;
        if (Starts(head, "\x89PNG\r\n\x1A\n")) return FileContent.Png;
        if (Starts(head, "\xFF\xD8\xFF")) return FileContent.Jpeg;
        if (Starts(head, "\x7F" + "ELF")) return FileContent.Elf;
        if (Starts(head, "MZ") && head.Length >= 64) return FileContent.WindowsExecutable;
        if (Starts(head, "snoop\0\0\0")) return FileContent.Snoop;
        if (Starts(head, "GMBU") || Starts(head, "RTSS")) return FileContent.NetMon;
        return TextKind(head);
    }

    private static bool Starts(ReadOnlySpan<byte> head, string magic)
    {
        if (head.Length < magic.Length) return false;
        for (int i = 0; i < magic.Length; i++)
            if (head[i] != (byte)magic[i]) return false;
        return true;
    }

    /// <summary>Text (UTF-8 or UTF-16 with a byte order mark) and, by its first characters, HTML, XML or JSON.</summary>
    private static FileContent TextKind(ReadOnlySpan<byte> head)
    {
        string text;
        if (Starts(head, "\xFF\xFE")) text = Encoding.Unicode.GetString(head[2..]);
        else if (Starts(head, "\xFE\xFF")) text = Encoding.BigEndianUnicode.GetString(head[2..]);
        else
        {
            if (Starts(head, "\xEF\xBB\xBF")) head = head[3..];
            // the last character may be cut by the end of the head: leave out up to 3 bytes of it
            int cut = 0;
            while (cut < 3 && cut < head.Length && (head[head.Length - 1 - cut] & 0xC0) == 0x80) cut++;
            if (cut < head.Length && head[head.Length - 1 - cut] >= 0xC0) cut++;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(head[..^cut]);
            }
            catch (DecoderFallbackException)
            {
                return FileContent.Unknown;
            }
        }
        foreach (char c in text)
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r' or '\f')) return FileContent.Unknown;
        string start = text.TrimStart().ToLowerInvariant();
        if (start.StartsWith("<!doctype html", StringComparison.Ordinal) || start.StartsWith("<html", StringComparison.Ordinal)
            || (start.StartsWith('<') && start.Contains("<html", StringComparison.Ordinal)))
            return FileContent.Html;
        if (start.StartsWith("<?xml", StringComparison.Ordinal)) return FileContent.Xml;
        if (start.StartsWith('{') && start[1..].TrimStart() is var rest && (rest.Length == 0 || rest[0] is '"' or '}'))
            return FileContent.Json;
        if (start.StartsWith('[') && start[1..].TrimStart() is var items && (items.Length == 0 || items[0] is '{' or '[' or '"'
                or ']' or '-' or (>= '0' and <= '9')))
            return FileContent.Json;
        return FileContent.Text;
    }
}
