using System.Net;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis;

public enum ExpertSeverity { Chat, Note, Warning, Error }

/// <summary>One expert-information item, like a line of Wireshark's Expert Information dialog.</summary>
public sealed class TcpExpertEvent
{
    public long Frame { get; init; }
    public DateTime Time { get; init; }
    public int Stream { get; init; }
    public ExpertSeverity Severity { get; init; }
    public string Group { get; init; } = "Sequence";
    /// <summary>The display filter field, e.g. tcp.analysis.retransmission.</summary>
    public string Field { get; init; } = "";
    /// <summary>Wireshark's message.</summary>
    public string Message { get; init; } = "";
    /// <summary>Why, with the numbers from this capture.</summary>
    public string Reason { get; init; } = "";
    public IPEndPoint Source { get; init; } = null!;
    public IPEndPoint Destination { get; init; } = null!;
    public TcpSegment Segment { get; init; } = null!;
    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"{Frame} {Severity} {Message}";
}
