using Lab2Tools.Text;

namespace Lab2Tools.Analysis;

/// <summary>
/// The words of the analyses: handshake, teardown and state-timeline explanations, expert reasons, HTTP
/// problems and the flow diagrams' notes and headings (Analysis/AnalysisText.resx, Chinese in
/// AnalysisText.zh-Hans.resx). Wireshark's own messages and Info-column tags stay in
/// <see cref="Model.TcpAnalysisText"/>, in English, as tshark writes them.
/// </summary>
internal static class AnalysisText
{
    public static readonly TextTable Table = new(typeof(AnalysisText).Assembly, "Lab2Tools.Analysis.AnalysisText");

    /// <summary>The sentence for <paramref name="key"/> with its placeholders filled, invariantly formatted.</summary>
    public static string Say(string key, params object?[] args) => Table.Format(key, args);

    /// <summary>
    /// A teardown kind inside a sentence: its enum name in English (as the Kind property), the textbook's name in
    /// Chinese (四次挥手, 复位 ...). The property itself stays the enum name in every language.
    /// </summary>
    public static string KindName(TeardownKind kind) => Table["Teardown.Kind." + kind];

    /// <summary>A handshake verdict inside a sentence: the enum name in English, Chinese words in Chinese.</summary>
    public static string VerdictName(HandshakeVerdict verdict) => Table["Handshake.Verdict." + verdict];

    /// <summary>A reset's reason inside a sentence: the enum name in English, Chinese words in Chinese (null: empty).</summary>
    public static string ResetReasonName(TcpResetReason? reason) => reason is TcpResetReason r ? Table["Teardown.ResetReason." + r] : "";

    /// <summary>An HTTP exchange's state inside a sentence or a cell: the enum name in English, Chinese words in Chinese.</summary>
    public static string HttpStateName(Http.HttpExchangeState state) => Table["Http.State." + state];

    /// <summary>Names or numbers enumerated inside a sentence ("MSS, WS"; "MSS、WS" in Chinese).</summary>
    public static string Words<T>(IEnumerable<T> items) => CommonText.Join(items);

    /// <summary>Frame numbers as a list ("5, 7, 11"; "5、7、11" in Chinese).</summary>
    public static string List(IEnumerable<long> frames) =>
        string.Join(CommonText.ListSeparator, frames.Select(f => Figures.N(f)));
}
