using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace Lab2Tools.Tests;

/// <summary>
/// Every user-facing sentence lives in a neutral (English) .resx file; each has a Chinese twin (*.zh-Hans.resx)
/// with the same keys, a non-empty value for each, and the same placeholders, so that no key falls back to
/// English under zh-CN and no translation drops or invents a figure.
/// </summary>
public class TranslationTests
{
    private static readonly Regex Placeholder = new(@"\{(\d+)(?:[,:][^}]*)?\}", RegexOptions.Compiled);

    public static IEnumerable<object[]> NeutralResources() =>
        Directory.EnumerateFiles(Path.Combine(TestData.RepoRoot, "src"), "*.resx", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Where(f => Path.GetFileNameWithoutExtension(f).IndexOf('.') < 0)
            .Select(f => new object[] { Path.GetRelativePath(TestData.RepoRoot, f) });

    private static Dictionary<string, string> Read(string path) =>
        XDocument.Load(path).Root!.Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    private static string Placeholders(string s) =>
        string.Join(",", Placeholder.Matches(s).Select(m => int.Parse(m.Groups[1].Value)).Distinct().Order());

    [Theory]
    [MemberData(nameof(NeutralResources))]
    public void EveryKeyHasAChineseValueWithTheSamePlaceholders(string relative)
    {
        string neutral = Path.Combine(TestData.RepoRoot, relative);
        string chinese = Path.ChangeExtension(neutral, null) + ".zh-Hans.resx";
        Assert.True(File.Exists(chinese), $"{relative} has no Chinese twin {Path.GetFileName(chinese)}");
        var en = Read(neutral);
        var zh = Read(chinese);
        Assert.NotEmpty(en);
        var missing = en.Keys.Where(k => !zh.TryGetValue(k, out var v) || string.IsNullOrWhiteSpace(v)).ToList();
        Assert.True(missing.Count == 0, $"{relative}: no Chinese for {string.Join(", ", missing)}");
        var extra = zh.Keys.Except(en.Keys).ToList();
        Assert.True(extra.Count == 0, $"{relative}: Chinese keys with no English: {string.Join(", ", extra)}");
        var mismatched = en.Keys.Where(k => Placeholders(en[k]) != Placeholders(zh[k])).ToList();
        Assert.True(mismatched.Count == 0, $"{relative}: placeholders differ in {string.Join(", ", mismatched)}");
    }
}

public class TextCultureTests
{
    [Theory]
    [InlineData("zh-CN", "客户端")]
    [InlineData("zh-SG", "客户端")]
    [InlineData("zh-Hans", "客户端")]
    [InlineData("en-US", "client")]
    [InlineData("fr-FR", "client")]
    [InlineData("", "client")]
    public void TheSatelliteAnswersForEveryChineseCultureAndEnglishForTheRest(string culture, string expected)
    {
        using (Lab2Tools.Text.TextCulture.Use(new System.Globalization.CultureInfo(culture)))
            Assert.Equal(expected, Lab2Tools.Text.CommonText.Role(client: true));
    }

    [Fact]
    public async Task AScopeFlowsIntoWorkerThreadsAndEndsWhenDisposed()
    {
        string before = Lab2Tools.Text.CommonText.Role(client: false);
        string inside;
        using (Lab2Tools.Text.TextCulture.Use(new System.Globalization.CultureInfo("zh-CN")))
            inside = await Task.Run(() => Lab2Tools.Text.CommonText.Role(client: false));
        Assert.Equal("服务器", inside);
        Assert.Equal(before, Lab2Tools.Text.CommonText.Role(client: false));
    }
}

/// <summary>The capture readers' errors follow the culture and keep their figures.</summary>
public class CaptureTextTests
{
    private static string Damage(string culture, byte[] bytes)
    {
        using var scope = Lab2Tools.Text.TextCulture.Use(new System.Globalization.CultureInfo(culture));
        try
        {
            using var r = Lab2Tools.Capture.CaptureFileReader.Open(new MemoryStream(bytes), "cut.pcap");
            while (r.ReadNext(out _, out _)) { }
        }
        catch (Lab2Tools.Capture.CaptureFileException e) { return e.Message; }
        throw new Xunit.Sdk.XunitException("the cut capture read cleanly");
    }

    [Fact]
    public void ACutCaptureIsExplainedInChineseWithTheSameFigures()
    {
        byte[] whole = File.ReadAllBytes(TestData.Path("http-visit.pcap"));
        byte[] cut = whole[..(whole.Length - 7)];
        string en = Damage("en-US", cut), zh = Damage("zh-CN", cut);
        Assert.Contains("cut short", en);
        Assert.Contains("被截断", zh);
        Assert.DoesNotContain("cut short", zh);
        static string Digits(string s) => string.Join(" ", Regex.Matches(s, @"\d+").Select(m => m.Value));
        Assert.Equal(Digits(en), Digits(zh));
    }

    [Fact]
    public void AMalformedFrameReasonFollowsTheCulture()
    {
        // an IPv4 header whose header length (IHL 4 → 16 bytes) is below the minimum of 20
        byte[] ip = new byte[40];
        ip[0] = 0x44; ip[3] = 40; ip[9] = 6;
        string Reason(string culture)
        {
            using var scope = Lab2Tools.Text.TextCulture.Use(new System.Globalization.CultureInfo(culture));
            Assert.Equal(Lab2Tools.Decode.DecodeOutcome.Malformed,
                Lab2Tools.Decode.PacketDecoder.Decode(Lab2Tools.Decode.LinkTypes.Raw, ip, ip.Length, out _, out var reason));
            return reason!;
        }
        Assert.Equal("IPv4 header length 16 is below 20", Reason("en-US"));
        Assert.Equal("IPv4 首部长度 16 小于 20", Reason("zh-CN"));
    }
}
