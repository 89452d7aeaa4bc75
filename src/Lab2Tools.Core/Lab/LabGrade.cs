using System.Globalization;
using System.Text;
using System.Xml;

using static Lab2Tools.Text.Figures;

namespace Lab2Tools.Lab;

/// <summary>
/// One row of a grade sheet: one capture file, its lab checks counted by result, the failed checks by name,
/// and why the file could not be read. Every property is a string, a number or a boolean, so the row goes
/// straight to Export-Csv and ConvertTo-Json.
/// </summary>
public sealed class LabCaptureGrade
{
    private IReadOnlyList<LabCheckResult> _checks = Array.Empty<LabCheckResult>();

    /// <summary>The capture file's full path.</summary>
    public string Path { get; init; } = "";
    /// <summary>
    /// Passed (every check passed), Failed (a check failed), Incomplete (none failed, some had nothing to check) or
    /// Unreadable (no checks ran).
    /// </summary>
    public string Result { get; init; } = "";
    /// <summary>Checks that passed.</summary>
    public int Passed { get; init; }
    /// <summary>Checks that failed.</summary>
    public int Failed { get; init; }
    /// <summary>Checks that had nothing in the capture to look at.</summary>
    public int NotApplicable { get; init; }
    /// <summary>The names of the failed checks, separated by ", " (empty when none failed).</summary>
    public string FailedChecks { get; init; } = "";
    /// <summary>How many frames were read from the file (a count; elsewhere Frames is a list of frame numbers).</summary>
    public long FrameCount { get; init; }
    /// <summary>The stable id of the error that stopped the file from being read (or read to its end), else empty.</summary>
    public string ErrorId { get; init; } = "";
    /// <summary>That error's message, else empty. A file cut short still gets its checks, on the frames before the cut.</summary>
    public string Error { get; init; } = "";
    /// <summary>Time spent reading and checking the file, in seconds.</summary>
    public decimal DurationSeconds { get; init; }

    /// <summary>Seconds rounded to the microsecond.</summary>
    private static decimal Seconds6(TimeSpan t) => Math.Round(t.Ticks / 10_000_000m, 6);

    /// <summary>The check results the counts come from (a method, so that Export-Csv and ConvertTo-Json leave it out).</summary>
    public IReadOnlyList<LabCheckResult> GetChecks() => _checks;
    /// <summary>The file's name without its folder.</summary>
    public string FileName => System.IO.Path.GetFileName(Path);
    /// <summary>What went wrong: the failed checks, and the error ("ErrorId: message") for a file read badly or not at all.</summary>
    public string Problems =>
        string.Join("; ", new[] { FailedChecks, ErrorId.Length > 0 ? $"{ErrorId}: {Error}" : "" }.Where(x => x.Length > 0));

    public override string ToString() => LabText.F("Grade.ToString", Result, Path, Passed, Failed, NotApplicable);

    /// <summary>The grade of a file whose checks ran (<paramref name="errorId"/> set when it was read only up to damage).</summary>
    public static LabCaptureGrade FromChecks(string path, IReadOnlyList<LabCheckResult> checks, long frames, string? errorId,
        string? error, TimeSpan duration)
    {
        int failed = checks.Count(c => c.ResultValue == LabCheckOutcome.Failed);
        int notApplicable = checks.Count(c => c.ResultValue == LabCheckOutcome.NotApplicable);
        return new LabCaptureGrade
        {
            Path = path,
            Result = ResultOf(checks),
            Passed = checks.Count(c => c.ResultValue == LabCheckOutcome.Passed),
            Failed = failed,
            NotApplicable = notApplicable,
            FailedChecks = string.Join(", ", checks.Where(c => c.ResultValue == LabCheckOutcome.Failed).Select(c => c.Name)),
            FrameCount = frames,
            ErrorId = errorId ?? "",
            Error = error ?? "",
            DurationSeconds = Seconds6(duration),
            _checks = checks,
        };
    }

    /// <summary>Failed when a check failed; Incomplete when none failed but some had nothing to check; else Passed.</summary>
    internal static string ResultOf(IReadOnlyList<LabCheckResult> checks)
    {
        // a check with nothing to look at is no pass: such a file is Incomplete, as -Quiet's false says
        bool failed = checks.Any(c => c.ResultValue == LabCheckOutcome.Failed);
        bool notApplicable = checks.Any(c => c.ResultValue == LabCheckOutcome.NotApplicable);
        return failed ? "Failed" : notApplicable ? "Incomplete" : "Passed";
    }

    /// <summary>The grade of a file that could not be read at all.</summary>
    public static LabCaptureGrade Unreadable(string path, string errorId, string error, TimeSpan duration) => new()
    {
        Path = path, Result = "Unreadable", ErrorId = errorId, Error = error, DurationSeconds = Seconds6(duration),
    };
}

/// <summary>
/// Writes grades as JUnit XML (the schema Pester's JUnit output follows, junit_schema_4.xsd): one testsuite
/// per capture file, one testcase per check (classname: the file), a failure with the evidence for a failed
/// check, skipped for a check with nothing to check, and one errored testcase "ReadCapture" for a file that
/// could not be read (or was read only up to damage).
/// </summary>
public static class LabJUnitWriter
{
    private static string F(decimal seconds) => seconds.ToString("0.######", CultureInfo.InvariantCulture);
    public static void Write(IReadOnlyList<LabCaptureGrade> grades, string file, string suiteName, DateTime timestamp)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
        using var w = XmlWriter.Create(file, settings);
        int Tests(LabCaptureGrade g) => g.GetChecks().Count + (g.ErrorId.Length > 0 ? 1 : 0);
        w.WriteStartDocument();
        w.WriteStartElement("testsuites");
        w.WriteAttributeString("name", suiteName);
        w.WriteAttributeString("tests", N(grades.Sum(Tests)));
        w.WriteAttributeString("failures", N(grades.Sum(g => g.Failed)));
        w.WriteAttributeString("errors", N(grades.Count(g => g.ErrorId.Length > 0)));
        w.WriteAttributeString("disabled", N(grades.Sum(g => g.NotApplicable)));
        w.WriteAttributeString("time", F(grades.Sum(g => g.DurationSeconds)));
        int id = 0;
        foreach (var g in grades)
        {
            var checks = g.GetChecks();
            w.WriteStartElement("testsuite");
            w.WriteAttributeString("name", g.Path);
            w.WriteAttributeString("tests", N(Tests(g)));
            w.WriteAttributeString("failures", N(g.Failed));
            w.WriteAttributeString("errors", g.ErrorId.Length > 0 ? "1" : "0");
            w.WriteAttributeString("skipped", N(g.NotApplicable));
            w.WriteAttributeString("time", F(g.DurationSeconds));
            w.WriteAttributeString("timestamp",
                timestamp.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
            w.WriteAttributeString("hostname", Environment.MachineName);
            w.WriteAttributeString("id", N(id++));
            w.WriteAttributeString("package", "Lab2Tools");
            w.WriteStartElement("properties");
            Property(w, "path", g.Path);
            Property(w, "result", g.Result);
            Property(w, "frames", N(g.FrameCount));
            w.WriteEndElement();
            if (g.ErrorId.Length > 0)
            {
                w.WriteStartElement("testcase");
                w.WriteAttributeString("name", "ReadCapture");
                w.WriteAttributeString("classname", g.Path);
                w.WriteAttributeString("status", "Error");
                w.WriteStartElement("error");
                w.WriteAttributeString("type", g.ErrorId);
                w.WriteAttributeString("message", X(g.Error));
                w.WriteString(X(g.Result == "Unreadable" ? $"{g.ErrorId}: {g.Error}"
                    : LabText.F("Grade.ReadBeforeDamage", g.ErrorId, g.Error, N(g.FrameCount))));
                w.WriteEndElement();
                w.WriteEndElement();
            }
            foreach (var c in checks)
            {
                w.WriteStartElement("testcase");
                w.WriteAttributeString("name", c.Name);
                w.WriteAttributeString("classname", g.Path);
                w.WriteAttributeString("status", c.Result.ToString());
                if (c.ResultValue == LabCheckOutcome.NotApplicable)
                {
                    w.WriteStartElement("skipped");
                    w.WriteAttributeString("message", X(c.Evidence));
                    w.WriteEndElement();
                }
                else if (c.ResultValue == LabCheckOutcome.Failed)
                {
                    w.WriteStartElement("failure");
                    w.WriteAttributeString("type", c.Name);
                    w.WriteAttributeString("message", X(c.Evidence));
                    var text = new StringBuilder(c.Evidence);
                    if (c.Frames.Count > 0) text.Append("\nFrames: ").Append(string.Join(", ", c.Frames.Select(N)));
                    if (c.Stream != null) text.Append("\nStream: ").Append(N(c.Stream.Value));
                    if (c.Explanation.Length > 0) text.Append("\n").Append(c.Explanation);
                    w.WriteString(X(text.ToString()));
                    w.WriteEndElement();
                }
                else
                {
                    w.WriteElementString("system-out", X(c.Evidence));
                }
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    /// <summary>Text from a capture (a URI, a header) may hold characters XML cannot carry: they become U+FFFD.</summary>
    private static string X(string s)
    {
        if (s.All(XmlConvert.IsXmlChar)) return s;
        var b = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && XmlConvert.IsXmlSurrogatePair(s[i + 1], s[i])) { b.Append(s, i, 2); i++; }
            else b.Append(XmlConvert.IsXmlChar(s[i]) ? s[i] : '\uFFFD');
        }
        return b.ToString();
    }

    private static void Property(XmlWriter w, string name, string value)
    {
        w.WriteStartElement("property");
        w.WriteAttributeString("name", name);
        w.WriteAttributeString("value", value);
        w.WriteEndElement();
    }
}
