using System.Net;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis;

public enum ExpertSeverity { Chat, Note, Warning, Error }

/// <summary>One expert-information item, like a line of Wireshark's Expert Information dialog.</summary>
public sealed class TcpExpertEvent
{
    public long Frame { get; init; }
    public DateTime Time { get; init; }
    /// <summary>Time as ISO 8601 round-trip text, the same in every culture (for Export-Csv, which writes a DateTime
    /// in the current culture).</summary>
    public string TimeIso => Lab2Tools.Model.Units.Iso(Time);
    public int Stream { get; init; }
    /// <summary>Chat, Note, Warning or Error.</summary>
    public string Severity => SeverityValue.ToString();
    internal ExpertSeverity SeverityValue { get; init; }
    public string Group { get; init; } = "Sequence";
    /// <summary>The display filter field, e.g. tcp.analysis.retransmission.</summary>
    public string Field { get; init; } = "";
    /// <summary>Wireshark's message.</summary>
    public string Message { get; init; } = "";
    /// <summary>Why, with the numbers from this capture.</summary>
    public string Reason { get; init; } = "";
    public string Source => Units.Text(SourceEndPoint);
    public string Destination => Units.Text(DestinationEndPoint);
    internal IPEndPoint SourceEndPoint { get; init; } = null!;
    internal IPEndPoint DestinationEndPoint { get; init; } = null!;
    internal TcpSegment Segment { get; init; } = null!;
    /// <summary>The segment the item is about (a method, so that ConvertTo-Json does not nest it).</summary>
    public TcpSegment GetSegment() => Segment;
    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"{Frame} {Severity} {Message}";
}
