using System.Diagnostics;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using Lab2Tools.Capture;
using Lab2Tools.Model;
using Lab2Tools.Pipeline;

namespace Lab2Tools.Commands.Internal;

/// <summary>
/// Base for cmdlets that read capture files given by -Path (wildcards) or -LiteralPath: resolves paths,
/// reads segments with a throttled progress bar, reports malformed frames as non-terminating errors and
/// file damage after every readable frame.
/// </summary>
public abstract class CaptureFileCmdlet : PSCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";
    private static int s_activityId = 0x4C32;

    private string[] _paths = Array.Empty<string>();
    private bool _literal;

    /// <summary>Capture files to read; wildcards are expanded.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path
    {
        get => _paths;
        set { _paths = value; _literal = false; }
    }

    /// <summary>Capture files to read, used exactly as typed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath
    {
        get => _paths;
        set { _paths = value; _literal = true; }
    }

    /// <summary>The capture files named by -Path or -LiteralPath, each resolved to a file-system path; errors are written for the rest.</summary>
    protected IEnumerable<string> ResolveCaptureFiles()
    {
        foreach (var p in _paths)
        {
            var resolved = new List<string>();
            try
            {
                ProviderInfo provider;
                if (_literal)
                {
                    string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(p, out provider, out _);
                    if (provider.Name != "FileSystem") { WriteNotFileSystem(p); continue; }
                    if (!File.Exists(full))
                    {
                        WriteError(Errors.Create(new FileNotFoundException($"Cannot find the capture file '{full}'.", full),
                            "CaptureFileNotFound", Directory.Exists(full) ? ErrorCategory.InvalidArgument : ErrorCategory.ObjectNotFound, p,
                            Directory.Exists(full) ? "The path is a folder; name a .pcap or .pcapng file in it." : "Check the path; Get-ChildItem *.pcap* lists the captures in this folder."));
                        continue;
                    }
                    resolved.Add(full);
                }
                else
                {
                    var list = SessionState.Path.GetResolvedProviderPathFromPSPath(p, out provider);
                    if (provider.Name != "FileSystem") { WriteNotFileSystem(p); continue; }
                    if (list.Count == 0)
                    {
                        // a wildcard pattern that matches nothing: an error, as Get-Content gives. Brackets are
                        // wildcard characters, so "Zhang San [lab2].pcap" names a file only through -LiteralPath.
                        string literal = SessionState.Path.GetUnresolvedProviderPathFromPSPath(p);
                        bool exists = File.Exists(literal);
                        WriteError(Errors.Create(new ItemNotFoundException(exists
                                ? $"Cannot find a file matching '{p}': its brackets are wildcard characters, " +
                                  "so it does not match the file of that name."
                                : $"Cannot find a capture file matching '{p}' because it does not exist."),
                            "CaptureFileNotFound", ErrorCategory.ObjectNotFound, p,
                            exists ? $"Use -LiteralPath '{p.Replace("'", "''")}' (or escape the brackets with a backtick: `[ and `])."
                                : "Check the path; Get-ChildItem *.pcap* lists the captures in this folder."));
                        continue;
                    }
                    foreach (var f in list)
                    {
                        if (Directory.Exists(f))
                        {
                            WriteError(Errors.Create(new IOException($"'{f}' is a folder, not a capture file."), "CaptureFileIsFolder",
                                ErrorCategory.InvalidArgument, f, "Name a .pcap or .pcapng file, e.g. -Path folder/*.pcap."));
                            continue;
                        }
                        resolved.Add(f);
                    }
                }
            }
            catch (ItemNotFoundException e)
            {
                WriteError(Errors.Create(e, "CaptureFileNotFound", ErrorCategory.ObjectNotFound, p,
                    "Check the path; Get-ChildItem *.pcap* lists the captures in this folder."));
                continue;
            }
            foreach (var f in resolved) yield return f;
        }
    }

    private void WriteNotFileSystem(string p) =>
        WriteError(Errors.Create(new ArgumentException($"'{p}' is not a file-system path."), "CaptureFileNotOnFileSystem",
            ErrorCategory.InvalidArgument, p, "Give the path of a capture file on disk."));

    /// <summary>Frames read from the last file <see cref="ReadCaptureFile"/> read.</summary>
    protected long LastFileFrames { get; private set; }
    /// <summary>Why the last file could not be read to its end, or null.</summary>
    protected string? LastFileProblem { get; private set; }

    /// <summary>
    /// Reads every TCP segment of one file and hands it to <paramref name="onSegment"/>. Returns false when the
    /// file could not be opened. With <paramref name="reuseSegment"/> every call gets the same object, overwritten:
    /// only for consumers that keep no segment.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected bool ReadCaptureFile(string file, Action<TcpSegment> onSegment, bool includePayload = true, Action<MalformedFrame>? onMalformed = null, bool reuseSegment = false)
    {
        TcpSegmentReader reader;
        LastFileFrames = 0;
        LastFileProblem = null;
        try
        {
            reader = TcpSegmentReader.Open(file, includePayload, reuseSegment);
        }
        catch (CaptureFileException e)
        {
            WriteCaptureFileError(e);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(Errors.Create(e, "CaptureFileUnreadable", e is UnauthorizedAccessException ? ErrorCategory.PermissionDenied : ErrorCategory.ReadError,
                file, e is UnauthorizedAccessException ? "Check the file's permissions (captures written by tcpdump as root may need sudo or chmod)." : "Check that the file exists and can be read."));
            return false;
        }

        using (reader)
        {
            var progress = new ProgressRecord(s_activityId, "Reading " + System.IO.Path.GetFileName(file), "Starting");
            var clock = Stopwatch.StartNew();
            long nextProgress = 250;
            bool progressShown = false;
            long segments = 0;               // the clock is looked at every 1,024 segments
            try
            {
                while (true)
                {
                    ReadStatus status = reader.Read();
                    if (status == ReadStatus.End) break;
                    if (status == ReadStatus.Malformed)
                    {
                        var m = reader.CurrentMalformed!;
                        onMalformed?.Invoke(m);
                        WriteError(Errors.Create(new InvalidDataException($"Frame {m.Frame} of '{file}' is malformed and was skipped: {m.Reason}."),
                            "MalformedFrame", ErrorCategory.InvalidData, m.Frame,
                            $"Open the capture in Wireshark and look at frame {m.Frame} (display filter: frame.number == {m.Frame}). The other frames are read."));
                        continue;
                    }
                    onSegment(reader.Current!);
                    if ((++segments & 1023) == 0 && clock.ElapsedMilliseconds >= nextProgress && reader.Length > 0)
                    {
                        nextProgress = clock.ElapsedMilliseconds + 250;
                        progress.PercentComplete = (int)Math.Min(100, reader.Position * 100 / reader.Length);
                        progress.StatusDescription = $"{reader.FramesRead:N0} frames, {reader.ConversationCount:N0} streams";
                        WriteProgress(progress);
                        progressShown = true;
                    }
                }
            }
            catch (CaptureFileException e)
            {
                LastFileProblem = e.Message;
                WriteCaptureFileError(e);
            }
            catch (IOException e)
            {
                LastFileProblem = e.Message;
                WriteError(Errors.Create(e, "CaptureFileReadFailed", ErrorCategory.ReadError, file, "Check the disk and the file, then read it again."));
            }
            finally
            {
                if (progressShown)
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    WriteProgress(progress);
                }
            }
            LastFileFrames = reader.FramesRead;
            WriteVerbose($"Read {reader.FramesRead:N0} frames from '{file}' ({reader.Format}, {Decode.LinkTypes.Name(reader.LinkType)}): " +
                $"{reader.TcpFrames:N0} TCP segments in {reader.ConversationCount:N0} streams, {reader.NonTcpFrames:N0} non-TCP frames skipped, {reader.MalformedFrames:N0} malformed.");
            foreach (var kv in reader.SkippedReasons)
                WriteVerbose($"  skipped {kv.Value:N0}: {kv.Key}");
        }
        return true;
    }

    private void WriteCaptureFileError(CaptureFileException e)
    {
        (string id, ErrorCategory cat, string action) = e.Problem switch
        {
            CaptureFileProblem.NotACaptureFile => ("NotACaptureFile", ErrorCategory.InvalidData,
                "Give a pcap or pcapng file, e.g. one saved by Wireshark, tcpdump -w or Start-TcpCapture."),
            CaptureFileProblem.Truncated => ("CaptureFileTruncated", ErrorCategory.ReadError,
                "The capture was cut short (the capturing program may have been killed); every complete frame before the cut was read."),
            CaptureFileProblem.Unsupported => ("CaptureFileUnsupported", ErrorCategory.NotImplemented,
                "Convert the file with editcap -F pcap, or save it from Wireshark as pcap."),
            _ => ("CaptureFileCorrupt", ErrorCategory.InvalidData,
                "The file is damaged at the offset given; every frame before it was read. Wireshark may recover more of it."),
        };
        WriteError(Errors.Create(e, id, cat, e.Path, action));
    }
}
