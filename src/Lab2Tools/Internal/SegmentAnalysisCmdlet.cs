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
        if (Stream is { Length: > 0 }) _streams = new HashSet<int>(Stream);
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputObjectSet)
        {
            foreach (var s in InputObject)
            {
                if (s == null) continue;
                if (!_pipelineStarted) { BeginAnalysis(); _pipelineStarted = true; _pipelinePath = s.Path; }
                else if (s.Path != _pipelinePath)
                {
                    // segments of another capture file: stream numbers start again there, so it is analysed on its own
                    EndAnalysis();
                    SeveralFiles = true;
                    BeginAnalysis();
                    _pipelinePath = s.Path;
                }
                Feed(s);
            }
            return;
        }
        foreach (var file in ResolveCaptureFiles())
        {
            BeginAnalysis();
            if (ReadCaptureFile(file, Feed, NeedsPayload, reuseSegment: !KeepsSegments, payloadPorts: PayloadPorts)) EndAnalysis();
        }
    }

    protected override void EndProcessing()
    {
        if (_pipelineStarted) EndAnalysis();
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
        if (_streams != null && !_streams.Contains(s.Stream)) return;
        AnalyzeSegment(s);
    }
}
