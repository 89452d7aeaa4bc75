using System.Diagnostics;

namespace Lab2Tools.Tests;

internal static class TestData
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Lab2Tools.sln")))
            dir = dir.Parent;
        if (dir == null) throw new InvalidOperationException("Cannot find the repository root (Lab2Tools.sln) above " + AppContext.BaseDirectory);
        return dir.FullName;
    });

    public static string RepoRoot => Root.Value;
    public static string DataDir => System.IO.Path.Combine(RepoRoot, "tests", "data");
    public static string Path(string name) => System.IO.Path.Combine(DataDir, name);

    /// <summary>Every committed capture (recorded from real traffic by tests/data/recording/record-captures.sh).</summary>
    public static IEnumerable<object[]> Captures() =>
        Directory.EnumerateFiles(DataDir)
            .Where(f => f.EndsWith(".pcap") || f.EndsWith(".pcapng"))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => new object[] { System.IO.Path.GetFileName(f) });

    public static string RunTool(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{tool}' is needed by this test and is not installed (Debian: apt-get install tshark): {e.Message}");
        }
        var stderr = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        return output;
    }

    /// <summary>tshark -T fields over the TCP frames of a capture: one dictionary per frame.</summary>
    public static List<Dictionary<string, string>> Tshark(string file, string filter, params string[] fields)
    {
        var args = new List<string> { "-n", "-r", Path(file), "-Y", filter, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=," };
        foreach (var f in fields) { args.Add("-e"); args.Add(f); }
        string text = RunTool("tshark", args.ToArray());
        var rows = new List<Dictionary<string, string>>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            var cols = line.Split('\t');
            var row = new Dictionary<string, string>();
            for (int i = 0; i < fields.Length; i++) row[fields[i]] = i < cols.Length ? cols[i] : "";
            rows.Add(row);
        }
        return rows;
    }
}
