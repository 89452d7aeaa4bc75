using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using Lab2Tools.Analysis;
using Lab2Tools.Capture.Live;
using Lab2Tools.Pipeline;
using Lab2Tools.Server;

namespace Lab2Tools.Commands.Internal;

/// <summary>
/// Tab completion of -Name and -Id for the cmdlets that select lab servers (*-LabServer*) or captures (*-TcpCapture):
/// the names and ids of this session's servers and captures, each with what it is as the tooltip.
/// </summary>
public sealed class SessionObjectCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        bool ids = parameterName.Equals("Id", StringComparison.OrdinalIgnoreCase);
        IEnumerable<(string Text, string Tip)> items = commandName.Contains("LabServer", StringComparison.OrdinalIgnoreCase)
            ? LabServerRegistry.All.Select(s => (ids ? s.Id.ToString(CultureInfo.InvariantCulture) : s.Name, $"{s.Id}: {s}"))
            : CaptureRegistry.All.Select(s => (ids ? s.Id.ToString(CultureInfo.InvariantCulture) : s.Name, $"{s.Id}: {s}"));
        return Completion.Filter(items, wordToComplete);
    }
}

/// <summary>
/// Tab completion of -Stream once a capture file is given (-Path or -LiteralPath): the file's stream numbers, each
/// with its client and server as the tooltip.
/// </summary>
public sealed class StreamCompleter : IArgumentCompleter
{
    private const long MaxBytes = 256L * 1024 * 1024;   // completion must not read for long

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string? file = FirstFile(fakeBoundParameters);
        if (file == null) return Array.Empty<CompletionResult>();
        var streams = new List<(string Text, string Tip)>();
        try
        {
            if (new FileInfo(file).Length > MaxBytes) return Array.Empty<CompletionResult>();
            var analyzer = new ConnectionAnalyzer();
            using (var reader = TcpSegmentReader.Open(file, includePayload: false, reuseSegment: true))
            {
                while (true)
                {
                    var st = reader.Read();
                    if (st == ReadStatus.End) break;
                    if (st == ReadStatus.Segment) analyzer.Add(reader.Current!);
                }
            }
            foreach (var r in analyzer.TakeRecords())
            {
                var c = r.ToConnection();
                string tip = Say.Format("Tip.Stream", c.Stream, c.Client, c.Server, c.ConnState);
                streams.Add((c.Stream.ToString(CultureInfo.InvariantCulture), tip));
            }
        }
        catch (Exception e) when (Errors.IsCaptureFileFailure(e))
        {
            // a damaged file still completes the streams before the damage; an unreadable one completes nothing
        }
        return Completion.Filter(streams, wordToComplete);
    }

    private static string? FirstFile(IDictionary bound)
    {
        foreach (var key in new[] { "LiteralPath", "Path" })
        {
            if (!bound.Contains(key)) continue;
            object? v = bound[key];
            if (v is PSObject pso) v = pso.BaseObject;
            string? first = v switch
            {
                string s => s,
                IEnumerable e => e.Cast<object?>().Select(o => o is PSObject p ? p.BaseObject : o).OfType<string>().FirstOrDefault(),
                _ => null,
            };
            if (string.IsNullOrEmpty(first)) continue;
            try
            {
                string here = CurrentLocation();
                string path = System.IO.Path.GetFullPath(first, here);
                if (key == "Path") path = ResolveFirst(path) ?? path;
                if (File.Exists(path)) return path;
            }
            catch (Exception e) when (e is ArgumentException or IOException or NotSupportedException) { }
        }
        return null;
    }

    /// <summary>The session's file-system location (Set-Location does not change the process's directory).</summary>
    private static string CurrentLocation()
    {
        try
        {
            // completion runs on the session's thread: a script block there sees the session's location
            var r = ScriptBlock.Create("$ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath").Invoke();
            if (r.Count > 0 && r[0]?.BaseObject is string here) return here;
        }
        catch (Exception e) when (e is RuntimeException or InvalidOperationException) { }
        return Environment.CurrentDirectory;
    }

    private static string? ResolveFirst(string pattern)
    {
        if (!WildcardPattern.ContainsWildcardCharacters(pattern)) return null;
        string dir = System.IO.Path.GetDirectoryName(pattern) ?? ".";
        var wc = WildcardPattern.Get(System.IO.Path.GetFileName(pattern), WildcardOptions.IgnoreCase);
        if (!Directory.Exists(dir)) return null;
        return Directory.EnumerateFiles(dir).Where(f => wc.IsMatch(System.IO.Path.GetFileName(f))).Order().FirstOrDefault();
    }
}

internal static class Completion
{
    private static readonly char[] NeedQuotes = { ' ', '\'', '"', '$', '`', ';', '(', ')', '{', '}', ',', '@', '#' };

    public static IEnumerable<CompletionResult> Filter(IEnumerable<(string Text, string Tip)> items, string word)
    {
        var pattern = WildcardPattern.Get(word.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        foreach (var (text, tip) in items)
        {
            if (!pattern.IsMatch(text)) continue;
            bool quote = text.Length == 0 || text.IndexOfAny(NeedQuotes) >= 0;
            string completion = quote ? "'" + text.Replace("'", "''") + "'" : text;
            yield return new CompletionResult(completion, text, CompletionResultType.ParameterValue, tip);
        }
    }
}
