using System.Net;

namespace Lab2Tools.Server;

/// <summary>One request the lab server answered.</summary>
public sealed class RequestLogEntry
{
    public DateTime Time { get; init; }
    /// <summary>Time as ISO 8601 round-trip text, the same in every culture (for Export-Csv, which writes a DateTime
    /// in the current culture).</summary>
    public string TimeIso => Lab2Tools.Model.Units.Iso(Time);
    public string Client => ClientEndPoint.ToString();
    internal IPEndPoint ClientEndPoint { get; init; } = null!;
    /// <summary>Connection number (1, 2, ...) in the order the server accepted them.</summary>
    public long ConnectionId { get; init; }
    /// <summary>Position of the request on its connection (1 for the first).</summary>
    public int RequestOnConnection { get; init; }
    public string Method { get; init; } = "";
    public string Path { get; init; } = "";
    public string Version { get; init; } = "";
    public int Status { get; init; }
    /// <summary>Body bytes sent.</summary>
    public long Bytes { get; init; }
    /// <summary>The time of day on this machine's clock, "14:03:59.123" (the log view's first column).</summary>
    public string TimeOfDay => Time.ToLocalTime().ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
    public decimal DurationMs => Model.Units.Milliseconds(Duration);
    internal TimeSpan Duration { get; init; }
    /// <summary>The line Werkzeug would print, e.g. 127.0.0.1 - - [18/Aug/2026 14:03:07] "GET / HTTP/1.1" 200 -</summary>
    public string LogLine
    {
        get
        {
            string when = Time.ToLocalTime().ToString("dd/MMM/yyyy HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            string request = Method.Length > 0 ? $"{Method} {Path} {Version}" : "-";
            return $"{ClientEndPoint.Address} - - [{when}] \"{request}\" {Status} -";
        }
    }
    public override string ToString() => LogLine;
}
