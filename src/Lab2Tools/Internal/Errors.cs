using System.Globalization;
using System.Management.Automation;
using System.Net.Sockets;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Capture;
using Lab2Tools.Capture.Live;
using Lab2Tools.Lab;
using Lab2Tools.Pipeline;
using Lab2Tools.Text;

namespace Lab2Tools.Commands.Internal;

/// <summary>
/// The one place where a failure becomes an ErrorRecord: one mapper per exception type, each giving the id of
/// <see cref="ErrorCatalog"/> (so its one category and advice) and a message from Internal/ErrorText.resx in the
/// current language. The same failure gets the same id, category and advice from every cmdlet.
/// </summary>
internal static class Errors
{
    /// <summary>Internal/ErrorText.resx and its translations: every error message and recommended action.</summary>
    internal static readonly TextTable Text = new(typeof(Errors).Assembly, "Lab2Tools.Commands.Internal.ErrorText");

    /// <summary>The message <c>Message.{key}</c> with its placeholders filled.</summary>
    public static string Message(string key, params object?[] args) => Text.Format("Message." + key, args);

    /// <summary>
    /// The catalog's error <paramref name="id"/>: its category, this message, and its advice filled with
    /// <paramref name="adviceArgs"/>.
    /// </summary>
    public static ErrorRecord Of(string id, Exception exception, object? target, string message, params object[] adviceArgs) =>
        WithAdvice(id, exception, target, message, ErrorCatalog.Get(id).Advice(adviceArgs));

    /// <summary>The catalog's error <paramref name="id"/> with an advice that fits a variant of the failure.</summary>
    private static ErrorRecord WithAdvice(string id, Exception exception, object? target, string message, string advice)
    {
        var record = new ErrorRecord(exception, id, ErrorCatalog.Get(id).Category, target);
        record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = advice };
        return record;
    }

    /// <summary>
    /// The catalog's error <paramref name="id"/> for a failure the cmdlet found itself: the exception made by
    /// <paramref name="exception"/> from the message <c>Message.{id}</c>.
    /// </summary>
    public static ErrorRecord Raise(string id, Func<string, Exception> exception, object? target, params object?[] messageArgs) =>
        RaiseAs(id, id, exception, target, messageArgs);

    /// <summary>As <see cref="Raise"/>, with the message of a variant of the failure (<c>Message.{messageKey}</c>).</summary>
    public static ErrorRecord RaiseAs(string id, string messageKey, Func<string, Exception> exception, object? target,
        params object?[] messageArgs)
    {
        string message = Message(messageKey, messageArgs);
        return Of(id, exception(message), target, message);
    }

    // ---- which exceptions the mappers take (catch filters)

    /// <summary>A file or folder that could not be read or written: the file-system's two exception types.</summary>
    public static bool IsFileFailure(Exception e) => e is IOException or UnauthorizedAccessException;

    /// <summary>A capture file that could not be opened or read: its own damage, or the file system.</summary>
    public static bool IsCaptureFileFailure(Exception e) => e is CaptureFileException || IsFileFailure(e);

    // ---- capture files (every cmdlet with -Path / -LiteralPath)

    /// <summary>A capture file that could not be opened.</summary>
    public static ErrorRecord CaptureFileOpen(Exception e, string file) => e switch
    {
        CaptureFileException c => From(c),
        UnauthorizedAccessException => Of("CaptureFileAccessDenied", e, file, Message("CaptureFileAccessDenied", file)),
        _ => Of("CaptureFileUnreadable", e, file, Message("CaptureFileUnreadable", file, e.Message)),
    };

    /// <summary>A capture file whose reading stopped part-way (damage, or a failing disk).</summary>
    public static ErrorRecord CaptureFileRead(Exception e, string file) => e is CaptureFileException c
        ? From(c)
        : Of("CaptureFileReadFailed", e, file, Message("CaptureFileReadFailed", file, e.Message));

    /// <summary>A -Path that matches no file; <paramref name="full"/> is its file-system path, when it has one.</summary>
    public static ErrorRecord NoMatch(string path, string? full)
    {
        // a plain path names one file, as -LiteralPath does; a pattern matches none
        string message = full != null && !WildcardPattern.ContainsWildcardCharacters(path)
            ? Message("CaptureFileNotFound", full) : Message("CaptureFileNotFound.Pattern", path);
        return WithAdvice("CaptureFileNotFound", new ItemNotFoundException(message), path, message, NearestFolderAdvice(full));
    }

    /// <summary>A -LiteralPath that names nothing.</summary>
    public static ErrorRecord FileNotFound(string path, string full)
    {
        string message = Message("CaptureFileNotFound", full);
        return WithAdvice("CaptureFileNotFound", new FileNotFoundException(message, full), path, message, NearestFolderAdvice(full));
    }

    /// <summary>A folder given as a capture path that holds no capture file; the advice reads its subfolders'.</summary>
    public static ErrorRecord EmptyFolder(string folder, string cmdlet)
    {
        string message = Message("CaptureFileNotFound.Folder", folder);
        return WithAdvice("CaptureFileNotFound", new FileNotFoundException(message, folder), folder, message,
            Text.Format("Advice.CaptureFileNotFound.Folder", Quote(folder), cmdlet));
    }

    /// <summary>
    /// The advice for a capture file that is not there: list the captures of the closest folder that exists, or, when it
    /// holds none (listing it would print nothing), search the folders below it.
    /// </summary>
    private static string NearestFolderAdvice(string? full)
    {
        string folder = NearestFolder(full);
        bool hasCaptures;
        try
        {
            hasCaptures = Directory.EnumerateFiles(folder).Any(f =>
                f.EndsWith(".pcap", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".pcapng", StringComparison.OrdinalIgnoreCase)
                || f.EndsWith(".cap", StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { hasCaptures = true; }
        return hasCaptures ? ErrorCatalog.Get("CaptureFileNotFound").Advice(Quote(folder)) : Text.Format("Advice.CaptureFileNotFound.Below", Quote(folder));
    }

    /// <summary>The closest folder that exists on the way up to <paramref name="full"/> (the current one when none).</summary>
    private static string NearestFolder(string? full)
    {
        try
        {
            for (string? d = full == null ? null : System.IO.Path.GetDirectoryName(full); !string.IsNullOrEmpty(d);
                 d = System.IO.Path.GetDirectoryName(d))
                if (Directory.Exists(d)) return d;
        }
        catch (Exception e) when (e is ArgumentException or PathTooLongException) { }
        return ".";
    }

    /// <summary>A -Path whose brackets, being wildcard characters, keep it from naming the file of that very name.</summary>
    public static ErrorRecord WildcardNamesFile(string path)
    {
        string message = Message("CaptureFileNotFound.Brackets", path);
        return WithAdvice("CaptureFileNotFound", new ItemNotFoundException(message), path, message,
            Text.Format("Advice.CaptureFileNotFound.Brackets", Quote(path)));
    }

    /// <summary>A capture file's own problem: not a capture, cut short, an unknown version, damaged.</summary>
    public static ErrorRecord From(CaptureFileException e)
    {
        string id = e.Problem switch
        {
            CaptureFileProblem.NotACaptureFile => "NotACaptureFile",
            CaptureFileProblem.Truncated => "CaptureFileTruncated",
            CaptureFileProblem.Unsupported => "CaptureFileUnsupported",
            _ => "CaptureFileCorrupt",
        };
        // the reader's own sentence (Capture/CaptureText.resx, in the UI culture) says where and how many frames were read,
        // or what a file that is not a capture looks like; the advice fits what can be done with it
        string? variant = e.Problem switch
        {
            CaptureFileProblem.NotACaptureFile => e.Content switch
            {
                FileContent.Empty => "Empty",
                FileContent.Zip when !e.Compressed => "Zip",
                FileContent.Snoop or FileContent.NetMon => "Convert",
                FileContent.Text or FileContent.Html or FileContent.Xml or FileContent.Json => "Text",
                _ => null,
            },
            CaptureFileProblem.Truncated => e.Offset == 0 ? "Header" : "Frames",
            _ => null,
        };
        if (variant == null) return Of(id, e, e.Path, e.Message);
        string advice = Text.Format(variant == "Frames" ? $"Advice.{id}" : $"Advice.{id}.{variant}", Quote(e.Path),
            Quote(Sibling(e.Path, variant)));
        return WithAdvice(id, e, e.Path, e.Message, advice);
    }

    /// <summary>
    /// Where an advised command writes what it makes of <paramref name="path"/>: beside it, "-complete.pcapng" (the
    /// frames before a cut), ".pcapng" (a converted capture) or the folder an archive is unpacked to.
    /// </summary>
    private static string Sibling(string path, string variant)
    {
        string dir = System.IO.Path.GetDirectoryName(path) ?? ".";
        string stem = System.IO.Path.GetFileNameWithoutExtension(path);
        return variant switch
        {
            "Frames" => System.IO.Path.Combine(dir, stem + "-complete.pcapng"),
            "Convert" => System.IO.Path.Combine(dir, stem + "-converted.pcapng"),
            "Zip" => System.IO.Path.Combine(dir, stem),
            _ => path,
        };
    }

    /// <summary>A frame that could not be decoded and was skipped, from a file or a live capture alike.</summary>
    public static ErrorRecord MalformedFrame(MalformedFrame m)
    {
        string message = Message("MalformedFrame", m.Frame, m.Path, m.Reason);
        return Of("MalformedFrame", new InvalidDataException(message), m.Frame, message, m.Frame);
    }

    /// <summary>
    /// A stream that is not HTTP, or HTTP that cannot be parsed. The analyser's sentence (with the parser's reason)
    /// stays the exception's message; which of the two it is, is read from that sentence (Analysis/Http gives no kind).
    /// </summary>
    public static ErrorRecord From(HttpStreamProblem p, string? path)
    {
        string id = p.Kind == HttpStreamProblemKind.NotHttp ? "NotHttp" : "MalformedHttp";
        // the analyser's sentence (in the UI culture) names the stream, the frame and the parser's reason
        return Of(id, new InvalidDataException(p.Message), p.Stream, p.Message, p.Stream, Quote(path ?? "capture.pcap"));
    }

    /// <summary>
    /// -Stream streams that one capture file (or the segments piped in from it) does not have: one error per file,
    /// naming the streams, the file and how its streams are numbered, advising the command that lists them.
    /// </summary>
    public static ErrorRecord StreamNotFound(int[] streams, string? path, int streamCount, bool piped)
    {
        string list = Lab2Tools.Text.CommonText.Join(streams);
        string file = path ?? "";
        string message = piped
            ? (path == null ? Message("TcpStreamNotFound.Piped", list) : Message("TcpStreamNotFound.PipedFrom", list, file))
            : streamCount == 0 ? Message("TcpStreamNotFound.NoStream", list, file)
            : Message("TcpStreamNotFound", list, file, streamCount - 1);
        string advice = path == null ? Text["Advice.TcpStreamNotFound.Piped"] : ErrorCatalog.Get("TcpStreamNotFound").Advice(Quote(path));
        return WithAdvice("TcpStreamNotFound", new ItemNotFoundException(message), streams, message, advice);
    }

    // ---- files the cmdlets write (Export-LabReport, Show-TcpFlow, Get-TcpStreamGraph, Export-HttpObject, Export-LabJUnit,
    //      Invoke-LabSession)

    /// <summary>Output that could not be written: OutputAccessDenied or OutputNotWritable, advising the parameter that names it.</summary>
    public static ErrorRecord Output(Exception e, object target, string parameter, string? capture = null)
    {
        bool denied = e is UnauthorizedAccessException;
        string id = denied ? "OutputAccessDenied" : "OutputNotWritable";
        string message = denied ? Message(id, target) : Message(id, target, e.Message);
        if (capture != null) message = Message("ReportNotWritten", capture, message);
        return Of(id, e, target, message, parameter);
    }

    /// <summary>
    /// A file to write whose path is an existing folder (Start-TcpCapture, Watch-TcpSegment: CaptureFileNotWritable;
    /// Export-LabJUnit: OutputNotWritable); the advice names a file in that folder.
    /// </summary>
    public static ErrorRecord OutputIsFolder(string id, string folder, string parameter, string fileName)
    {
        string message = Message(id + ".Folder", folder);
        return WithAdvice(id, new IOException(message), folder, message,
            Text.Format($"Advice.{id}.Folder", parameter, Quote(System.IO.Path.Combine(folder, fileName))));
    }

    // ---- live capture (Get-CaptureInterface, Start-TcpCapture, Watch-TcpSegment, Invoke-LabSession)

    /// <summary>A capture that could not start; the advice fits this system and this process (see <see cref="CaptureAdvice"/>).</summary>
    public static ErrorRecord From(LiveCaptureException e)
    {
        string detail = e.InnerException?.Message ?? e.Message;
        return e.Problem switch
        {
            CaptureProblem.LibPcapMissing => Of("LibPcapNotFound", e, e.Target ?? "libpcap", Message("LibPcapNotFound"),
                CaptureAdvice.InstallLibPcap()),
            CaptureProblem.PermissionDenied => Of("CapturePermissionDenied", e, e.Target,
                Message("CapturePermissionDenied", e.Target, detail), CaptureAdvice.Privilege()),
            CaptureProblem.InterfaceNotFound => Of("CaptureInterfaceNotFound", e, e.Target, e.Target == null
                ? Message("CaptureInterfaceNotFound.Loopback") : Message("CaptureInterfaceNotFound", e.Target)),
            CaptureProblem.InvalidFilter => Of("InvalidCaptureFilter", e, e.Target, Message("InvalidCaptureFilter", e.Target, detail)),
            CaptureProblem.CannotWriteFile => Of("CaptureFileNotWritable", e, e.Target,
                Message("CaptureFileNotWritable", e.Target, detail)),
            _ => Of("CaptureOpenFailed", e, e.Target, Message("CaptureOpenFailed", e.Target, detail)),
        };
    }

    /// <summary>
    /// A capture that stopped with an error while running (Stop-TcpCapture, Invoke-LabSession): a write that failed
    /// (the file holds every packet up to then), or another failure.
    /// </summary>
    public static ErrorRecord CaptureStopped(Exception error, string name, string? path)
    {
        object target = path ?? (object)name;
        return error is IOException
            ? Of("CaptureFileWriteFailed", error, target, Message("CaptureFileWriteFailed", name, error.Message), error.Message, path ?? "")
            : Of("CaptureFailed", error, target, Message("CaptureFailed", name, error.Message));
    }

    // ---- the lab server and the lab session

    /// <summary>
    /// A lab server that could not listen (Start-LabServer; Invoke-LabSession through
    /// <see cref="From(LabSessionException)"/>).
    /// </summary>
    public static ErrorRecord Listen(SocketException e, string url, int port) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => Of("LabServerPortInUse", e, port, Message("LabServerPortInUse", url, port), port),
        SocketError.AccessDenied => Of("LabServerPortAccessDenied", e, url, Message("LabServerPortAccessDenied", url, e.Message)),
        _ => Of("LabServerCannotListen", e, url, Message("LabServerCannotListen", url, e.Message)),
    };

    /// <summary>The folder a lab server should serve does not exist (Start-LabServer, Invoke-LabSession).</summary>
    public static ErrorRecord RootNotFound(string root) =>
        Raise("LabServerRootNotFound", m => new DirectoryNotFoundException(m), root, root);

    /// <summary>A failure of Invoke-LabSession's run, by its <see cref="LabSessionProblem"/>.</summary>
    public static ErrorRecord From(LabSessionException e) => e.Problem switch
    {
        LabSessionProblem.PortInUse when e.Target is int port =>
            Of("LabServerPortInUse", e, port, Message("LabServerPortInUse", $"http://127.0.0.1:{port}/", port), port),
        LabSessionProblem.ChromiumNotFound => Of("ChromiumNotFound", e, e.Target, e.Target is string path && path != "chromium"
            ? Message("ChromiumNotFound.Path", path) : Message("ChromiumNotFound")),
        LabSessionProblem.ChromiumFailed => Of("ChromiumFailed", e, e.Target, Message("ChromiumFailed", e.Message)),
        LabSessionProblem.ChromiumTimeout => Of("ChromiumTimeout", e, e.Target, Message("ChromiumTimeout")),
        LabSessionProblem.CaptureFailed when e.InnerException != null =>
            CaptureStopped(e.InnerException, e.Target?.ToString() ?? LabSessionRunner.CaptureFileName, e.Target?.ToString()),
        _ => Of("LabSessionFailed", e, e.Target, Message("LabSessionFailed", e.Message)),
    };

    /// <summary>The session's own capture could not be read back for the analysis.</summary>
    public static ErrorRecord LabCaptureUnreadable(CaptureFileException e) =>
        Of("LabCaptureUnreadable", e, e.Path, Message("LabCaptureUnreadable", e.Path), Quote(e.Path));

    /// <summary>Anything else that stopped a lab session.</summary>
    public static ErrorRecord LabSessionFailed(Exception e) => Of("LabSessionFailed", e, null, Message("LabSessionFailed", e.Message));

    // ---- the system

    /// <summary>The system's socket table could not be read (Get-TcpSocketState).</summary>
    public static bool IsSocketTableFailure(Exception e) =>
        e is System.Net.NetworkInformation.NetworkInformationException or PlatformNotSupportedException || IsFileFailure(e);

    public static ErrorRecord SocketTableUnreadable(Exception e) =>
        Of("SocketTableUnreadable", e, null, Message("SocketTableUnreadable", e.Message));

    /// <summary>A path as one PowerShell argument: single-quoted, quotes doubled.</summary>
    public static string Quote(string path) => "'" + path.Replace("'", "''") + "'";
}

/// <summary>
/// One documented error: its id and its category. Its recommended action (a composite format: {0} and on are
/// filled in) and its message live in Internal/ErrorText.resx, in each language.
/// </summary>
public sealed class ErrorCatalogEntry
{
    public ErrorCatalogEntry(string id, ErrorCategory category)
    {
        Id = id; Category = category;
    }

    public string Id { get; }
    public ErrorCategory Category { get; }

    /// <summary>The recommended action's format in the current language.</summary>
    public string AdviceFormat => Errors.Text["Advice." + Id];

    /// <summary>The recommended action's format in <paramref name="culture"/>.</summary>
    public string AdviceFormatIn(CultureInfo culture) => Errors.Text.Get("Advice." + Id, culture);

    /// <summary>
    /// The formats of this error's messages in <paramref name="culture"/>: <c>Message.{Id}</c> and its variants
    /// (<c>Message.{Id}.Name</c>, ...), in key order.
    /// </summary>
    public IReadOnlyList<string> MessageFormatsIn(CultureInfo culture) =>
        Errors.Text.Keys().Where(k => k == "Message." + Id || k.StartsWith("Message." + Id + ".", StringComparison.Ordinal))
            .Select(k => Errors.Text.Get(k, culture)).ToList();

    /// <summary>The recommended action in the current language, <paramref name="args"/> filled in invariantly.</summary>
    public string Advice(params object[] args) => args.Length == 0 ? AdviceFormat : Errors.Text.Format("Advice." + Id, args);

    public override string ToString() => $"{Id} ({Category})";
}

/// <summary>
/// Every error id the cmdlets report, each with one category; the advice and the message of each are in
/// Internal/ErrorText.resx (English) and ErrorText.zh-Hans.resx. The same failure gets the same id, category and
/// advice from every cmdlet. about_Lab2Tools documents each; a test holds the two together.
/// </summary>
public static class ErrorCatalog
{
    private static readonly ErrorCatalogEntry[] s_entries =
    {
        // capture files (every cmdlet with -Path / -LiteralPath)
        new("CaptureFileNotFound", ErrorCategory.ObjectNotFound),
        new("CaptureFileNotOnFileSystem", ErrorCategory.InvalidArgument),
        new("CaptureFileAccessDenied", ErrorCategory.PermissionDenied),
        new("CaptureFileUnreadable", ErrorCategory.ReadError),
        new("CaptureFileReadFailed", ErrorCategory.ReadError),
        new("NotACaptureFile", ErrorCategory.InvalidData),
        new("CaptureFileTruncated", ErrorCategory.ReadError),
        new("CaptureFileUnsupported", ErrorCategory.NotImplemented),
        new("CaptureFileCorrupt", ErrorCategory.InvalidData),
        new("MalformedFrame", ErrorCategory.InvalidData),
        // streams (Get-TcpStreamGraph -Stream)
        new("TcpStreamNotFound", ErrorCategory.ObjectNotFound),
        // HTTP
        new("NotHttp", ErrorCategory.InvalidData),
        new("MalformedHttp", ErrorCategory.InvalidData),
        // files written (Export-LabReport, Show-TcpFlow -SvgPath, Export-HttpObject, Export-LabJUnit, Invoke-LabSession)
        new("OutputNotWritable", ErrorCategory.WriteError),
        new("OutputAccessDenied", ErrorCategory.PermissionDenied),
        // the lab server (Start-LabServer, Invoke-LabSession)
        new("LabServerRootNotFound", ErrorCategory.ObjectNotFound),
        new("LabServerPortInUse", ErrorCategory.ResourceBusy),
        new("LabServerPortAccessDenied", ErrorCategory.PermissionDenied),
        new("LabServerCannotListen", ErrorCategory.ResourceUnavailable),
        new("LabServerNotFound", ErrorCategory.ObjectNotFound),
        new("TcpCaptureNotFound", ErrorCategory.ObjectNotFound),
        // the lab session
        new("ChromiumNotFound", ErrorCategory.ObjectNotFound),
        new("ChromiumFailed", ErrorCategory.InvalidResult),
        new("ChromiumTimeout", ErrorCategory.OperationTimeout),
        new("LabCaptureUnreadable", ErrorCategory.ReadError),
        new("LabOutputExists", ErrorCategory.ResourceExists),
        new("LabSessionFailed", ErrorCategory.NotSpecified),
        // live capture (Get-CaptureInterface, Start-TcpCapture, Watch-TcpSegment, Invoke-LabSession): CaptureAdvice
        // fills in the advice that fits this system and this process (root or not, which distribution)
        new("LibPcapNotFound", ErrorCategory.NotInstalled),
        new("CapturePermissionDenied", ErrorCategory.PermissionDenied),
        new("CaptureInterfaceNotFound", ErrorCategory.ObjectNotFound),
        new("InvalidCaptureFilter", ErrorCategory.InvalidArgument),
        new("CaptureFileNotWritable", ErrorCategory.WriteError),
        new("CaptureOpenFailed", ErrorCategory.OpenError),
        // a capture that stops with an error (Stop-TcpCapture, Invoke-LabSession)
        new("CaptureFileWriteFailed", ErrorCategory.WriteError),
        new("CaptureFailed", ErrorCategory.InvalidResult),
        // grading
        new("SummaryWithQuiet", ErrorCategory.InvalidArgument),
        // the system
        new("SocketTableUnreadable", ErrorCategory.ReadError),
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

/// <summary>
/// Everything else the cmdlets say: warnings, verbose and progress text, -WhatIf actions, tooltips
/// (Internal/CmdletText.resx and its translations).
/// </summary>
internal static class Say
{
    internal static readonly TextTable Text = new(typeof(Say).Assembly, "Lab2Tools.Commands.Internal.CmdletText");

    /// <summary>The text <paramref name="key"/> with its placeholders filled, invariantly formatted.</summary>
    public static string Format(string key, params object?[] args) => Text.Format(key, args);

    /// <summary>The text <paramref name="key"/> as it is.</summary>
    public static string Get(string key) => Text[key];
}
