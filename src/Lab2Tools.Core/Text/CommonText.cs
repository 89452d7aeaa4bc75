using System.Globalization;

namespace Lab2Tools.Text;

/// <summary>Words every area shares: the two roles, "none", "unknown".</summary>
public static class CommonText
{
    /// <summary>Text/CommonText.resx and its translations.</summary>
    public static readonly TextTable Table = new(typeof(CommonText).Assembly, "Lab2Tools.Text.CommonText");

    /// <summary>"client" or "server" in the current language (lower case, for use inside a sentence).</summary>
    public static string Role(bool client) => Table[client ? "Role.Client" : "Role.Server"];

    /// <summary>The separator of items enumerated inside a sentence: ", " in English, "、" in Chinese.</summary>
    public static string ListSeparator => Table["List.Separator"];

    /// <summary>Names or numbers enumerated inside a sentence ("98, 99"; "98、99" in Chinese), figures formatted invariantly.</summary>
    public static string Join<T>(IEnumerable<T> items) =>
        string.Join(ListSeparator, items.Select(i => i is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : i?.ToString()));
}
