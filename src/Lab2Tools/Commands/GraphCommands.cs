using System.Management.Automation;
using Lab2Tools.Analysis.Graphs;
using Lab2Tools.Analysis.Statistics;
using Lab2Tools.Commands.Internal;
using Lab2Tools.Model;

namespace Lab2Tools.Commands;

/// <summary>Get-TcpStreamGraph: the points of Wireshark's TCP stream graphs, or the graphs as SVG.</summary>
[Cmdlet(VerbsCommon.Get, "TcpStreamGraph", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TcpGraphPoint), typeof(FileInfo))]
public sealed class GetTcpStreamGraphCommand : SegmentAnalysisCmdlet
{
    private TcpStreamGraphBuilder _builder = new();

    /// <summary>Which of Wireshark's five graphs.</summary>
    [Parameter]
    public TcpGraphType Type { get; set; } = TcpGraphType.Stevens;

    /// <summary>The direction of the data to graph (ACKs come from the other side).</summary>
    [Parameter]
    public TcpGraphDirection Direction { get; set; } = TcpGraphDirection.Auto;

    /// <summary>
    /// Write SVG files instead of points: a .svg file name (several streams: name-stream-N.svg beside it), or a folder.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SvgPath { get; set; }

    protected override bool KeepsSegments => false;      // the builder copies what it needs
    protected override void BeginAnalysis() => _builder = new TcpStreamGraphBuilder();
    protected override void AnalyzeSegment(TcpSegment segment) => _builder.Add(segment);

    protected override void EndAnalysis()
    {
        var graphs = _builder.Streams.Select(s => _builder.Build(s, Type, Direction)!).ToList();
        _builder = new TcpStreamGraphBuilder();
        // a -Stream the capture does not have: SegmentAnalysisCmdlet reports it, as for every cmdlet with -Stream
        if (SvgPath == null)
        {
            foreach (var g in graphs)
                foreach (var p in g.Points) WriteResult(p);
            return;
        }
        string target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(SvgPath);
        // as Show-TcpFlow: a .svg name is the file for one stream, and for several the files beside it are
        // name-stream-N.svg; any other path is a folder (created when missing) with <type>-stream-N.svg in it
        bool svgName = target.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) && !Directory.Exists(target);
        try
        {
            if (!svgName) Directory.CreateDirectory(target);
            foreach (var g in graphs)
            {
                string file = svgName && graphs.Count == 1 ? target
                    : svgName ? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(target) ?? ".",
                        $"{System.IO.Path.GetFileNameWithoutExtension(target)}-stream-{g.Stream}.svg")
                    : System.IO.Path.Combine(target, $"{Type.ToString().ToLowerInvariant()}-stream-{g.Stream}.svg");
                File.WriteAllText(file, TcpGraphSvgRenderer.Render(g));
                FileOutput.WriteFile(this, file);
            }
        }
        catch (Exception e) when (Errors.IsFileFailure(e))
        {
            WriteError(Errors.Output(e, target, "-SvgPath"));
        }
    }
}

/// <summary>Get-TcpRttEstimate: RFC 6298's SampleRTT, EstimatedRTT, DevRTT and RTO for every RTT sample.</summary>
[Cmdlet(VerbsCommon.Get, "TcpRttEstimate", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TcpRttEstimate))]
public sealed class GetTcpRttEstimateCommand : SegmentAnalysisCmdlet
{
    private RttEstimator _estimator = new();

    /// <summary>G, the clock granularity in RFC 6298's RTO formula.</summary>
    [Parameter]
    [ValidateRange(0.0, 10000.0)]
    public double ClockGranularityMilliseconds { get; set; } = 1;

    /// <summary>The lowest RTO (RFC 6298 §2.4: 1000 ms; Linux: 200 ms).</summary>
    [Parameter]
    [ValidateRange(0.0, 600000.0)]
    public double MinimumRtoMilliseconds { get; set; } = 1000;

    protected override bool KeepsSegments => false;
    protected override void BeginAnalysis() => _estimator = new RttEstimator(ClockGranularityMilliseconds, MinimumRtoMilliseconds);
    protected override void AnalyzeSegment(TcpSegment segment)
    {
        if (_estimator.Add(segment) is TcpRttEstimate row) WriteResult(row);
    }
    protected override void EndAnalysis() { }
}

/// <summary>Measure-TcpConnection: tcptrace's long report (tcptrace -l -r) as objects, one per connection and direction.</summary>
[Cmdlet(VerbsDiagnostic.Measure, "TcpConnection", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TcpDirectionStatistics))]
public sealed class MeasureTcpConnectionCommand : SegmentAnalysisCmdlet
{
    private TcpConnectionStatisticsAnalyzer _analyzer = new();

    protected override bool NeedsPayload => true;         // the captured length of truncated segments
    protected override bool KeepsSegments => false;
    protected override void BeginAnalysis() => _analyzer = new TcpConnectionStatisticsAnalyzer();
    protected override void AnalyzeSegment(TcpSegment segment) => _analyzer.Add(segment);
    protected override void EndAnalysis()
    {
        foreach (var d in _analyzer.Results()) WriteResult(d);
        _analyzer = new TcpConnectionStatisticsAnalyzer();
    }
}
