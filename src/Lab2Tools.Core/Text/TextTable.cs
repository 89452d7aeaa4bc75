using System.Globalization;
using System.Reflection;
using System.Resources;

namespace Lab2Tools.Text;

/// <summary>
/// One area's user-facing sentences: a .resx file (English, the neutral resource) and its translations
/// (<c>*.zh-Hans.resx</c>, which zh-CN, zh-SG and zh-Hans all fall back to). Code decides; the table says.
/// Keys name the situation, not the words (<c>Handshake.Refused</c>), and placeholders are numbered
/// (<c>{0}</c>) so a translation may reorder them. Arguments are formatted invariantly.
/// </summary>
public sealed class TextTable
{
    private readonly ResourceManager _resources;

    /// <param name="assembly">The assembly that embeds the resources.</param>
    /// <param name="baseName">The manifest name without culture, e.g. <c>Lab2Tools.Analysis.AnalysisText</c>.</param>
    public TextTable(Assembly assembly, string baseName)
    {
        BaseName = baseName;
        _resources = new ResourceManager(baseName, assembly);
    }

    /// <summary>The resource's manifest name.</summary>
    public string BaseName { get; }

    /// <summary>The sentence for <paramref name="key"/> in <see cref="TextCulture.Current"/>.</summary>
    public string this[string key] => Get(key, TextCulture.Current);

    /// <summary>The sentence for <paramref name="key"/> in <paramref name="culture"/>.</summary>
    public string Get(string key, CultureInfo culture) =>
        _resources.GetString(key, culture) ?? throw new MissingManifestResourceException($"No text '{key}' in {BaseName}.");

    /// <summary>The sentence for <paramref name="key"/> with its placeholders filled, invariantly formatted.</summary>
    public string Format(string key, params object?[] args) =>
        string.Format(CultureInfo.InvariantCulture, this[key], args);

    /// <summary>Every key of the neutral (English) resource.</summary>
    public IReadOnlyList<string> Keys()
    {
        var set = _resources.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: false);
        var keys = new List<string>();
        if (set is null) return keys;
        foreach (System.Collections.DictionaryEntry e in set) keys.Add((string)e.Key);
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }
}
