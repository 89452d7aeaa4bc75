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
