using System.Globalization;
using System.Management.Automation;
using Lab2Tools.Pipeline;

namespace Lab2Tools.Commands.Internal;

/// <summary>Builds ErrorRecords with a stable id, a precise category, the failing thing as target and a recommended action.</summary>
internal static class Errors
{
    public static ErrorRecord Create(Exception exception, string errorId, ErrorCategory category, object? target, string? recommendedAction = null, string? message = null)
    {
        var record = new ErrorRecord(exception, errorId, category, target);
        if (recommendedAction != null || message != null)
            record.ErrorDetails = new ErrorDetails(message ?? exception.Message) { RecommendedAction = recommendedAction ?? string.Empty };
        return record;
    }

    public static ErrorRecord Create(string message, string errorId, ErrorCategory category, object? target, string? recommendedAction = null) =>
        Create(new InvalidOperationException(message), errorId, category, target, recommendedAction, message);

    /// <summary>
    /// The error <paramref name="errorId"/> of <see cref="ErrorCatalog"/>: its one category and its one advice (filled with
    /// <paramref name="adviceArgs"/>), whichever cmdlet reports it.
    /// </summary>
    public static ErrorRecord FromCatalog(Exception exception, string errorId, object? target, string? message = null, params object[] adviceArgs)
    {
        var entry = ErrorCatalog.Get(errorId);
        return Create(exception, errorId, entry.Category, target, entry.Advice(adviceArgs), message);
    }

    /// <summary>A frame that could not be decoded and was skipped, from a file or a live capture alike.</summary>
    public static ErrorRecord MalformedFrame(MalformedFrame m) =>
        FromCatalog(new InvalidDataException($"Frame {m.Frame} of '{m.Path}' is malformed and was skipped: {m.Reason}."),
            "MalformedFrame", m.Frame, null, m.Frame);

    /// <summary>Output that could not be written: OutputAccessDenied or OutputNotWritable, advising the parameter that names it.</summary>
    public static ErrorRecord OutputError(Exception e, object target, string parameter, string? message = null) =>
        FromCatalog(e, e is UnauthorizedAccessException ? "OutputAccessDenied" : "OutputNotWritable", target, message, parameter);
}

/// <summary>One documented error: its id, its category, and its recommended action (a composite format: {0} and on are filled in).</summary>
public sealed class ErrorCatalogEntry
{
    public ErrorCatalogEntry(string id, ErrorCategory category, string adviceFormat)
    {
        Id = id; Category = category; AdviceFormat = adviceFormat;
    }

    public string Id { get; }
    public ErrorCategory Category { get; }
    public string AdviceFormat { get; }
    public string Advice(params object[] args) => args.Length == 0 ? AdviceFormat : string.Format(CultureInfo.InvariantCulture, AdviceFormat, args);
    public override string ToString() => $"{Id} ({Category})";
}

/// <summary>
/// Every error id the file, analysis, lab and server cmdlets report, each with one category and one advice: the
/// same failure gets the same id, category and advice from every cmdlet. about_Lab2Tools documents each; a test
/// holds the two together.
/// </summary>
public static class ErrorCatalog
{
    private static readonly ErrorCatalogEntry[] s_entries =
    {
        // capture files (every cmdlet with -Path / -LiteralPath)
        new("CaptureFileNotFound", ErrorCategory.ObjectNotFound, "Check the path; Get-ChildItem *.pcap* lists the captures in this folder."),
        new("CaptureFileIsFolder", ErrorCategory.InvalidArgument, "Name a .pcap or .pcapng file, e.g. -Path folder/*.pcap."),
        new("CaptureFileNotOnFileSystem", ErrorCategory.InvalidArgument, "Give the path of a capture file on disk."),
        new("CaptureFileAccessDenied", ErrorCategory.PermissionDenied,
            "Check the file's permissions (captures written by tcpdump as root may need sudo or chmod)."),
        new("CaptureFileUnreadable", ErrorCategory.ReadError, "Check that the file exists and can be read."),
        new("CaptureFileReadFailed", ErrorCategory.ReadError, "Check the disk and the file, then read it again."),
        new("NotACaptureFile", ErrorCategory.InvalidData, "Give a pcap or pcapng file, e.g. one saved by Wireshark, tcpdump -w or Start-TcpCapture."),
        new("CaptureFileTruncated", ErrorCategory.ReadError,
            "The capture was cut short (the capturing program may have been killed); every complete frame before the cut was read."),
        new("CaptureFileUnsupported", ErrorCategory.NotImplemented, "Convert the file with editcap -F pcap, or save it from Wireshark as pcap."),
        new("CaptureFileCorrupt", ErrorCategory.InvalidData,
            "The file is damaged at the offset given; every frame before it was read. Wireshark may recover more of it."),
        new("MalformedFrame", ErrorCategory.InvalidData,
            "Open the capture in Wireshark and look at frame {0} (display filter: frame.number == {0}). The other frames are read."),
        // streams (Get-TcpStreamGraph -Stream)
        new("TcpStreamNotFound", ErrorCategory.ObjectNotFound, "List the streams with Get-TcpConnection and give one of their Stream numbers."),
        // HTTP
        new("NotHttp", ErrorCategory.InvalidData, "Look at what the stream carries: Get-TcpStream -Stream {0} -AsText. The other streams are analysed."),
        new("MalformedHttp", ErrorCategory.InvalidData, "Look at what the stream carries: Get-TcpStream -Stream {0} -AsText. The other streams are analysed."),
        // files written (Export-LabReport, Show-TcpFlow -SvgPath, Export-HttpObject, Export-LabJUnit, Invoke-LabSession)
        new("OutputNotWritable", ErrorCategory.WriteError, "Give a folder you can write to, on a disk with room, with {0}."),
        new("OutputAccessDenied", ErrorCategory.PermissionDenied, "Give a folder you can write to with {0}, or change the folder's permissions."),
        // the lab server (Start-LabServer, Invoke-LabSession)
        new("LabServerRootNotFound", ErrorCategory.ObjectNotFound, "Give an existing folder with -Root, or leave -Root out to serve the bundled lab site."),
        new("LabServerPortInUse", ErrorCategory.ResourceBusy,
            "Stop what listens on port {0} (Get-LabServer | Stop-LabServer; on Linux, ss -ltnp 'sport = :{0}' shows who listens) " +
            "or choose another port with -Port (0 picks a free one)."),
        new("LabServerPortAccessDenied", ErrorCategory.PermissionDenied, "Ports below 1024 need root; choose a port from 1024 up with -Port."),
        new("LabServerCannotListen", ErrorCategory.ResourceUnavailable, "Check that -Address is an address of this machine (ip addr lists them)."),
        new("LabServerNotFound", ErrorCategory.ObjectNotFound, "Get-LabServer lists the running lab servers."),
        new("TcpCaptureNotFound", ErrorCategory.ObjectNotFound, "Get-TcpCapture lists the running and stopped captures."),
        // the lab session
        new("ChromiumNotFound", ErrorCategory.ObjectNotFound,
            "Install Chromium (apt-get install chromium), give its path with -ChromiumPath, or use the built-in visitor (-Browser BuiltIn)."),
        new("ChromiumFailed", ErrorCategory.InvalidResult,
            "Run the command with -Verbose to see Chromium's arguments, or use the built-in visitor (-Browser BuiltIn)."),
        new("ChromiumTimeout", ErrorCategory.OperationTimeout, "Run the session again; check that nothing else slows the machine down."),
        new("LabCaptureFailed", ErrorCategory.InvalidResult, "Check the disk and that the capture can run (root or CAP_NET_RAW)."),
        new("LabCaptureUnreadable", ErrorCategory.ReadError, "The capture could not be read back; look at it with tshark -r."),
        new("LabOutputExists", ErrorCategory.ResourceExists, "Add -Force to replace it, or give another folder with -OutputDirectory."),
        new("LabSessionFailed", ErrorCategory.NotSpecified, "Run again with -Verbose to see each step."),
        // live capture (Get-CaptureInterface, Start-TcpCapture, Watch-TcpSegment, Invoke-LabSession): CaptureErrors
        // fills in the advice that fits this system and this process (root or not, which distribution)
        new("LibPcapNotFound", ErrorCategory.NotInstalled, "{0}"),
        new("CapturePermissionDenied", ErrorCategory.PermissionDenied, "{0}"),
        new("CaptureInterfaceNotFound", ErrorCategory.ObjectNotFound, "Get-CaptureInterface lists the interfaces; leave -Interface out to capture on loopback."),
        new("InvalidCaptureFilter", ErrorCategory.InvalidArgument,
            "Use libpcap's filter syntax (man pcap-filter), e.g. 'tcp port 5000' or 'host 127.0.0.1 and tcp'."),
        new("CaptureFileNotWritable", ErrorCategory.WriteError, "Choose a -Path in a folder you can write to."),
        new("CaptureOpenFailed", ErrorCategory.OpenError, "Check the interface is up (ip link) and not in use in a way that blocks capture."),
        new("CaptureFileWriteFailed", ErrorCategory.WriteError,
            "The capture stopped when writing failed ({0}); '{1}' is a valid pcap holding every packet up to then. " +
            "Free some space, or capture to another disk with -Path."),
        new("CaptureFailed", ErrorCategory.InvalidResult, "The capture stopped with an error; the file holds every packet captured before it."),
        // grading
        new("SummaryWithQuiet", ErrorCategory.InvalidArgument, "Use -Summary for a row per file (with the file's path), or -Quiet for a boolean per file."),
        // the system
        new("SocketTableUnreadable", ErrorCategory.ReadError, "The system's socket table could not be read; try ss -tan."),
    };

    private static readonly Dictionary<string, ErrorCatalogEntry> s_byId = s_entries.ToDictionary(e => e.Id, StringComparer.Ordinal);

    /// <summary>Every entry, in the catalog's order.</summary>
    public static IReadOnlyList<ErrorCatalogEntry> Entries => s_entries;

    public static bool TryGet(string id, out ErrorCatalogEntry entry) => s_byId.TryGetValue(id, out entry!);

    public static ErrorCatalogEntry Get(string id) =>
        s_byId.TryGetValue(id, out var e) ? e : throw new ArgumentException($"The error id '{id}' is not in the catalog.", nameof(id));
}

/// <summary>Files a cmdlet wrote, as the FileSystem provider gives them (Get-Item's objects: Mode and Length shown).</summary>
internal static class FileOutput
{
    public static void WriteFile(PSCmdlet cmdlet, string path) =>
        cmdlet.WriteObject(cmdlet.InvokeProvider.Item.Get(new[] { path }, force: true, literalPath: true), enumerateCollection: true);
}
