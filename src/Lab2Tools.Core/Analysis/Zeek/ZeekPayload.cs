namespace Lab2Tools.Analysis.Zeek;

/// <summary>
/// Which segments the Zeek port needs the payload of: those to or from the ports of the analyzers Zeek attaches by port
/// (their limits add 'X' to the history). A reader without payload keeps these (TcpSegmentReader.Open with ports).
/// </summary>
public static class ZeekPayload
{
    /// <summary>The ports of Zeek's default analyzers with ported limits: FTP 21, 2811; SSH 22; SMTP 25, 587.</summary>
    public static IReadOnlyCollection<int> Ports { get; } = ZeekOptions.Default.AnalyzerPorts.Keys.ToArray();

    internal static IReadOnlyCollection<int> PortsOf(ZeekOptions options) => options.AnalyzerPorts.Keys.ToArray();
}
