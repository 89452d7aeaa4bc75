namespace Lab2Tools.Text;

/// <summary>Words every area shares: the two roles, "none", "unknown".</summary>
public static class CommonText
{
    /// <summary>Text/CommonText.resx and its translations.</summary>
    public static readonly TextTable Table = new(typeof(CommonText).Assembly, "Lab2Tools.Text.CommonText");

    /// <summary>"client" or "server" in the current language (lower case, for use inside a sentence).</summary>
    public static string Role(bool client) => Table[client ? "Role.Client" : "Role.Server"];
}
