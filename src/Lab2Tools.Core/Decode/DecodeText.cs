using Lab2Tools.Text;

namespace Lab2Tools.Decode;

/// <summary>Why a frame was skipped or reported malformed (DecodeText.resx): shown in warnings and skip counts.</summary>
internal static class DecodeText
{
    private static readonly TextTable Table = new(typeof(DecodeText).Assembly, "Lab2Tools.Decode.DecodeText");

    public static string Get(string key) => Table[key];

    public static string Format(string key, params object?[] args) => Table.Format(key, args);
}
