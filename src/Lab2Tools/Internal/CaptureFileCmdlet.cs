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
    private const int ActivityId = 0x4C32;

    private string[] _paths = Array.Empty<string>();
    private bool _literal;
    private int _filesResolved;

    /// <summary>
    /// True once this command has been given more than one capture file (several -Path values, a wildcard, or
    /// files from the pipeline): results are then written with a "#ByFile" type name, whose views group by Path.
    /// </summary>
    protected bool SeveralFiles { get; set; }

    /// <summary>Frames read from the last file <see cref="ReadCaptureFile"/> read.</summary>
    protected long LastFileFrames { get; private set; }

    /// <summary>Why the last file could not be read to its end, or null.</summary>
    protected string? LastFileProblem { get; private set; }

    /// <summary>Capture files to read; wildcards are expanded.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
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

    /// <summary>Writes a result read from a capture file; with several files its views group by file.</summary>
    protected void WriteResult(object result)
    {
        if (!SeveralFiles) { WriteObject(result); return; }
        var o = PSObject.AsPSObject(result);
        string name = result.GetType().FullName + "#ByFile";
        if (o.TypeNames.Count == 0 || o.TypeNames[0] != name) o.TypeNames.Insert(0, name);
        WriteObject(o);
    }

    /// <summary>
    /// The capture files named by -Path or -LiteralPath, each resolved to a file-system path (all of them before
    /// the first is read, so that the count is known); errors are written for the rest.
    /// </summary>
    protected IReadOnlyList<string> ResolveCaptureFiles()
    {
        var all = new List<string>();
        foreach (var f in ResolveEach()) all.Add(f);
        _filesResolved += all.Count;
        if (_filesResolved > 1) SeveralFiles = true;
        return all;
    }

    private IEnumerable<string> ResolveEach()
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
                        WriteError(Directory.Exists(full) ? IsFolder(full)
                            : Errors.Raise("CaptureFileNotFound", m => new FileNotFoundException(m, full), p, full));
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
                        WriteError(exists ? Errors.WildcardNamesFile(p) : Errors.NoMatch(p));
                        continue;
                    }
                    foreach (var f in list)
                    {
                        if (Directory.Exists(f))
                        {
                            WriteError(IsFolder(f));
                            continue;
                        }
                        resolved.Add(f);
                    }
                }
            }
            catch (ItemNotFoundException)
            {
                WriteError(Errors.NoMatch(p));
                continue;
            }
            foreach (var f in resolved) yield return f;
        }
    }

    private void WriteNotFileSystem(string p) =>
        WriteError(Errors.Raise("CaptureFileNotOnFileSystem", m => new ArgumentException(m), p, p));

    private static ErrorRecord IsFolder(string path) =>
        Errors.Raise("CaptureFileIsFolder", m => new IOException(m), path, path);

    /// <summary>
    /// Reads every TCP segment of one file and hands it to <paramref name="onSegment"/>. Returns false when the
    /// file could not be opened. With <paramref name="reuseSegment"/> every call gets the same object, overwritten:
    /// only for consumers that keep no segment.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected bool ReadCaptureFile(string file, Action<TcpSegment> onSegment, bool includePayload = true,
        Action<MalformedFrame>? onMalformed = null, bool reuseSegment = false, IEnumerable<int>? payloadPorts = null)
    {
        TcpSegmentReader reader;
        LastFileFrames = 0;
        LastFileProblem = null;
        try
        {
            // payloadPorts: without includePayload, segments to or from these ports keep their payload all the same
            reader = payloadPorts != null && !includePayload ? TcpSegmentReader.Open(file, payloadPorts, reuseSegment)
                : TcpSegmentReader.Open(file, includePayload, reuseSegment);
        }
        catch (Exception e) when (Errors.IsCaptureFileFailure(e))
        {
            WriteError(Errors.CaptureFileOpen(e, file));
            return false;
        }

        using (reader)
        {
            var progress = new ProgressRecord(ActivityId, Say.Format("Progress.Reading", System.IO.Path.GetFileName(file)),
                Say.Get("Progress.Starting"));
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
                        WriteError(Errors.MalformedFrame(m));
                        continue;
                    }
                    onSegment(reader.Current!);
                    if ((++segments & 1023) == 0 && clock.ElapsedMilliseconds >= nextProgress && reader.Length > 0)
                    {
                        nextProgress = clock.ElapsedMilliseconds + 250;
                        progress.PercentComplete = (int)Math.Min(100, reader.Position * 100 / reader.Length);
                        progress.StatusDescription = Say.Format("Progress.FramesAndStreams", reader.FramesRead, reader.ConversationCount);
                        WriteProgress(progress);
                        progressShown = true;
                    }
                }
            }
            catch (Exception e) when (Errors.IsCaptureFileFailure(e))
            {
                LastFileProblem = e.Message;
                WriteError(Errors.CaptureFileRead(e, file));
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
            WriteVerbose(Say.Format("Verbose.FileRead", reader.FramesRead, file, reader.Format, Decode.LinkTypes.Name(reader.LinkType),
                reader.TcpFrames, reader.ConversationCount, reader.NonTcpFrames, reader.MalformedFrames));
            foreach (var kv in reader.SkippedReasons)
                WriteVerbose(Say.Format("Verbose.FramesSkipped", kv.Value, kv.Key));
        }
        return true;
    }
}
