using System.Xml;
using Lab2Tools.Lab;

namespace Lab2Tools.Tests;

/// <summary>Grade rows and their JUnit XML, on real captures.</summary>
public class LabGradeTests
{
    [Fact]
    public void A_grade_counts_the_checks_by_result_and_names_the_failed_ones()
    {
        var a = LabCaptureAnalysis.Analyze(TestData.Path("refused.pcap"));
        var checks = LabChecks.Run(a);
        var g = LabCaptureGrade.FromChecks(a.Path, checks, a.Frames, null, null, TimeSpan.FromMilliseconds(3));
        Assert.Equal(checks.Count(c => c.ResultValue == LabCheckOutcome.Passed), g.Passed);
        Assert.Equal(checks.Count(c => c.ResultValue == LabCheckOutcome.Failed), g.Failed);
        Assert.Equal(checks.Count(c => c.ResultValue == LabCheckOutcome.NotApplicable), g.NotApplicable);
        Assert.Equal(checks.Count, g.Passed + g.Failed + g.NotApplicable);
        Assert.Equal("Failed", g.Result);
        Assert.Equal(string.Join(", ", checks.Where(c => !c.Passed && c.ResultValue == LabCheckOutcome.Failed).Select(c => c.Name)), g.FailedChecks);
        Assert.Same(checks, g.GetChecks());
        Assert.Equal(0.003m, g.DurationSeconds);
    }

    [Fact]
    public void JUnit_text_from_a_capture_that_XML_cannot_carry_is_replaced_not_thrown()
    {
        // a URI or header from a capture can hold control characters; the XML must still be written and read
        var bad = new LabCheckResult { Name = "PageReassembled", ResultValue = LabCheckOutcome.Failed, Evidence = "GET /\u0001\u0008x\uD800 in frame 4", Frames = new long[] { 4 } };
        var ok = new LabCheckResult { Name = "Handshake", ResultValue = LabCheckOutcome.Passed, Evidence = "SYN in frame 1 → 😀" };
        var na = new LabCheckResult { Name = "NotModified", ResultValue = LabCheckOutcome.NotApplicable, Evidence = "nothing to check" };
        var grades = new[]
        {
            LabCaptureGrade.FromChecks("/class/a.pcap", new[] { ok, bad, na }, 10, null, null, TimeSpan.Zero),
            LabCaptureGrade.Unreadable("/class/b.pcap", "NotACaptureFile", "not a capture \u0002", TimeSpan.Zero),
        };
        string file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"lab2-junit-{Guid.NewGuid():N}.xml");
        try
        {
            LabJUnitWriter.Write(grades, file, "class", DateTime.UtcNow);
            var doc = new XmlDocument();
            doc.Load(file);
            var root = doc.DocumentElement!;
            Assert.Equal("testsuites", root.Name);
            Assert.Equal("4", root.GetAttribute("tests"));
            Assert.Equal("1", root.GetAttribute("failures"));
            Assert.Equal("1", root.GetAttribute("errors"));
            var failure = (XmlElement)doc.SelectSingleNode("//testcase[@name='PageReassembled']/failure")!;
            Assert.Equal("GET /\uFFFD\uFFFDx\uFFFD in frame 4", failure.GetAttribute("message"));
            Assert.Contains("Frames: 4", failure.InnerText);
            Assert.Equal("SYN in frame 1 → 😀", doc.SelectSingleNode("//testcase[@name='Handshake']/system-out")!.InnerText);
            Assert.NotNull(doc.SelectSingleNode("//testcase[@name='NotModified']/skipped"));
            var error = (XmlElement)doc.SelectSingleNode("//testsuite[@name='/class/b.pcap']/testcase[@name='ReadCapture']/error")!;
            Assert.Equal("NotACaptureFile", error.GetAttribute("type"));
            Assert.Equal("not a capture \uFFFD", error.GetAttribute("message"));
        }
        finally { File.Delete(file); }
    }
}
