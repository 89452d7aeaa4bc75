using System.Management.Automation;
using System.Runtime.CompilerServices;
using Lab2Tools.Model;

namespace Lab2Tools.Commands.Internal;

/// <summary>
/// Base for analysis cmdlets: segments come from capture files (-Path, -LiteralPath) or from the pipeline
/// (TcpSegment objects, e.g. Import-TcpCapture | Where-Object ...). Each file is analysed on its own and its
/// results are written before the next file is read; pipeline input is analysed when the pipeline ends.
/// </summary>
public abstract class SegmentAnalysisCmdlet : CaptureFileCmdlet
{
    protected const string InputObjectSet = "InputObject";

    private bool _pipelineStarted;
    private string? _pipelinePath;
    private HashSet<int>? _streams;
    private HashSet<int>? _found;        // the -Stream streams met in the current file
    private int _streamCount;            // the current file's streams: 0 to _streamCount - 1

    /// <summary>TcpSegment objects, e.g. from Import-TcpCapture.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public TcpSegment[] InputObject { get; set; } = Array.Empty<TcpSegment>();

    /// <summary>Only these streams (tcp.stream indexes).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    [ArgumentCompleter(typeof(StreamCompleter))]
    public int[]? Stream { get; set; }

    protected override void BeginProcessing()
    {
        if (Stream is { Length: > 0 })
        {
            _streams = new HashSet<int>(Stream);
            _found = new HashSet<int>();
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputObjectSet)
        {
            foreach (var s in InputObject)
            {
                if (s == null) continue;
                if (!_pipelineStarted) { Begin(); _pipelineStarted = true; _pipelinePath = s.Path; }
                else if (s.Path != _pipelinePath)
                {
                    // segments of another capture file: stream numbers start again there, so it is analysed on its own
                    End(_pipelinePath, piped: true);
                    SeveralFiles = true;
                    Begin();
                    _pipelinePath = s.Path;
                }
                Feed(s);
            }
            return;
        }
        foreach (var file in ResolveCaptureFiles())
        {
            Begin();
            if (ReadCaptureFile(file, Feed, NeedsPayload, reuseSegment: !KeepsSegments, payloadPorts: PayloadPorts))
                End(file, piped: false);
        }
    }

    protected override void EndProcessing()
    {
        if (_pipelineStarted) End(_pipelinePath, piped: true);
    }

    private void Begin()
    {
        _found?.Clear();
        _streamCount = 0;
        BeginAnalysis();
    }

    /// <summary>
    /// Ends the analysis of one file, then reports the -Stream streams it does not have: one TcpStreamNotFound per
    /// file, from what this one reading saw (the file is not read again).
    /// </summary>
    private void End(string? path, bool piped)
    {
        EndAnalysis();
        if (_streams == null) return;
        var missing = Stream!.Distinct().Where(n => !_found!.Contains(n)).OrderBy(n => n).ToArray();
        if (missing.Length > 0) WriteError(Errors.StreamNotFound(missing, path, _streamCount, piped));
    }

    /// <summary>Whether the analysis needs the payload bytes.</summary>
    protected virtual bool NeedsPayload => false;

    /// <summary>Without NeedsPayload: the ports whose segments the analysis needs the payload of all the same.</summary>
    protected virtual IEnumerable<int>? PayloadPorts => null;

    /// <summary>
    /// False when the analysis keeps no segment object after <see cref="AnalyzeSegment"/> returns: file reading then
    /// reuses one object.
    /// </summary>
    protected virtual bool KeepsSegments => true;

    /// <summary>Starts the analysis of one file (or of the pipeline's segments of one file).</summary>
    protected abstract void BeginAnalysis();
    protected abstract void AnalyzeSegment(TcpSegment segment);
    protected abstract void EndAnalysis();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Feed(TcpSegment s)
    {
        if (_streams != null)
        {
            if (s.Stream >= _streamCount) _streamCount = s.Stream + 1;
            if (!_streams.Contains(s.Stream)) return;
            _found!.Add(s.Stream);
        }
        AnalyzeSegment(s);
    }
}
