using System.Management.Automation;
using Lab2Tools.Analysis.Http;
using Lab2Tools.Commands.Internal;
using Lab2Tools.Model;

namespace Lab2Tools.Commands;

/// <summary>Shared by the HTTP cmdlets: runs the HttpAnalyzer and reports streams that are not HTTP.</summary>
public abstract class HttpAnalysisCmdlet : SegmentAnalysisCmdlet
{
    private HttpAnalyzer _analyzer = new();

    /// <summary>Ports on which a stream that is not HTTP is reported as an error (elsewhere it is skipped).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int[] HttpPort { get; set; } = HttpAnalyzer.DefaultHttpPorts;

    protected override bool NeedsPayload => true;

    protected override void BeginAnalysis() => _analyzer = new HttpAnalyzer(KeepBodies, HttpPort);

    protected override void AnalyzeSegment(TcpSegment segment)
    {
        _path = segment.Path;
        foreach (var x in _analyzer.Add(segment)) OnExchange(x);
        ReportProblems();
    }

    protected override void EndAnalysis()
    {
        foreach (var x in _analyzer.Finish()) OnExchange(x);
        ReportProblems();
    }

    /// <summary>Whether the exchanges keep their response bodies.</summary>
    protected virtual bool KeepBodies => false;

    /// <summary>Called for each exchange as soon as it is complete.</summary>
    protected abstract void OnExchange(HttpExchange exchange);

    private string? _path;   // the capture the segments come from: the advice names it

    private void ReportProblems()
    {
        foreach (var p in _analyzer.TakeProblems())
            WriteError(Errors.From(p, _path));
    }
}

/// <summary>Get-HttpExchange: HTTP/1.x requests and responses reassembled from the capture, one object per exchange.</summary>
[Cmdlet(VerbsCommon.Get, "HttpExchange", DefaultParameterSetName = PathSet)]
[OutputType(typeof(HttpExchange))]
public sealed class GetHttpExchangeCommand : HttpAnalysisCmdlet
{
    /// <summary>Keep each response body (de-chunked, decompressed) in the Body property.</summary>
    [Parameter]
    public SwitchParameter IncludeBody { get; set; }

    protected override bool KeepBodies => IncludeBody;
    protected override void OnExchange(HttpExchange exchange) => WriteResult(exchange);
}

/// <summary>Export-HttpObject: saves the bodies of HTTP responses as files, like Wireshark's File > Export Objects > HTTP.</summary>
[Cmdlet(VerbsData.Export, "HttpObject", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportHttpObjectCommand : HttpAnalysisCmdlet
{
    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);
    private string _folder = "";
    private bool _folderFailed;

    /// <summary>The folder to write the files to; it is created when missing.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    /// <summary>Also save bodies of responses that did not complete (aborted or truncated transfers).</summary>
    [Parameter]
    public SwitchParameter IncludeIncomplete { get; set; }

    /// <summary>Overwrite files that already exist (otherwise a number is added to the name).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override bool KeepBodies => true;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
    }

    protected override void OnExchange(HttpExchange x)
    {
        if (x.Body is not { Length: > 0 } body) return;
        if (x.StateValue != HttpExchangeState.Complete && !IncludeIncomplete) return;
        string name = FileName(x);
        string path = System.IO.Path.Combine(_folder, name);
        if (!ShouldProcess(path, Say.Format("Action.SaveBody", body.Length, x.Method, x.Uri, x.StatusCode, x.Stream, x.ResponseFrame)))
            return;
        if (_folderFailed) return;
        try
        {
            Directory.CreateDirectory(_folder);
        }
        catch (Exception e) when (Errors.IsFileFailure(e))
        {
            // one error for a folder that cannot be made, not one per body
            _folderFailed = true;
            WriteError(Errors.Output(e, _folder, "-Destination"));
            return;
        }
        try
        {
            File.WriteAllBytes(path, body);
            FileOutput.WriteFile(this, path);
        }
        catch (Exception e) when (Errors.IsFileFailure(e))
        {
            WriteError(Errors.Output(e, path, "-Destination"));
        }
    }

    /// <summary>The last part of the URI path, made safe as a file name; a number is added when it is taken.</summary>
    private string FileName(HttpExchange x)
    {
        string uriPath = x.Uri.Split('?', '#')[0];
        int slash = uriPath.LastIndexOf('/');
        string baseName = Uri.UnescapeDataString(uriPath[(slash + 1)..]);
        if (baseName.Length == 0) baseName = "index.html";
        var invalid = System.IO.Path.GetInvalidFileNameChars().Concat(new[] { '\\', ':', '*', '?', '"', '<', '>', '|' }).ToHashSet();
        baseName = new string(baseName.Select(c => invalid.Contains(c) || c < 32 ? '_' : c).ToArray());
        if (baseName is "." or "..") baseName = "_";
        string stem = System.IO.Path.GetFileNameWithoutExtension(baseName), ext = System.IO.Path.GetExtension(baseName);
        string candidate = baseName;
        for (int n = 1; _used.Contains(candidate) || (!Force && File.Exists(System.IO.Path.Combine(_folder, candidate))); n++)
            candidate = $"{stem}({n}){ext}";
        _used.Add(candidate);
        return candidate;
    }
}
