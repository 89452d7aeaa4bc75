using Lab2Tools.Text;

namespace Lab2Tools.Lab;

/// <summary>
/// The lab's words: Lab/LabText.resx (the checks, the port choice, the session summary, the grade sheet, the
/// session's progress and errors) and Lab/ReportText.resx (the report), each with its zh-Hans twin.
/// </summary>
internal static class LabText
{
    public static readonly TextTable Table = new(typeof(LabText).Assembly, "Lab2Tools.Lab.LabText");
    public static readonly TextTable Report = new(typeof(LabText).Assembly, "Lab2Tools.Lab.ReportText");

    /// <summary>A sentence of LabText in the current language.</summary>
    public static string T(string key) => Table[key];

    /// <summary>A sentence of LabText with its figures filled in.</summary>
    public static string F(string key, params object?[] args) => Table.Format(key, args);

    /// <summary>The list separator of the current language (", " or "、").</summary>
    public static string Comma => CommonText.ListSeparator;

    /// <summary>"client" or "server" in the current language, or <paramref name="none"/>.</summary>
    public static string Role(Analysis.ConnectionRole? role, string none = "?") =>
        role is Analysis.ConnectionRole r ? CommonText.Role(r == Analysis.ConnectionRole.Client) : none;

    /// <summary>The side that holds TIME_WAIT in the current language ("client+server" after a simultaneous close).</summary>
    public static string Holder(Analysis.TimeWaitHolder? holder, string none) => holder switch
    {
        Analysis.TimeWaitHolder.Client => CommonText.Role(client: true),
        Analysis.TimeWaitHolder.Server => CommonText.Role(client: false),
        Analysis.TimeWaitHolder.Both => CommonText.Role(client: true) + "+" + CommonText.Role(client: false),
        _ => none,
    };

    /// <summary>The items joined with the current language's list separator.</summary>
    public static string Join<T>(IEnumerable<T> items) => string.Join(Comma, items);
}

/// <summary>Why the lab server's port was chosen: a situation and its figures, said in the current language.</summary>
public sealed class LabPortReason
{
    private readonly string _key;
    private readonly object?[] _args;

    private LabPortReason(string key, params object?[] args)
    {
        _key = key;
        _args = args;
    }

    /// <summary>The port was given with -Port.</summary>
    public static LabPortReason Given(int port) => new("Port.Given", port);
    /// <summary>The session's own lab server listened on the port.</summary>
    public static LabPortReason Session(int port) => new("Port.Session", port);
    internal static LabPortReason Of(string key, params object?[] args) => new(key, args);

    /// <summary>The sentence in the current language (<see cref="Text.TextCulture.Current"/>).</summary>
    public override string ToString() => LabText.F(_key, _args);
}

/// <summary>
/// The lab server's port when none is given: the port that answered GET / with an HTML page (200 text/html, or
/// 304 to a revalidation), the lab's port first when it is among them, then the one with most such answers;
/// else the lab's port when a connection went to it; else the port most handshakes (or HTTP requests, or
/// connections) went to.
/// </summary>
internal static class LabPortChoice
{
    public static (int Port, LabPortReason Reason) Choose(LabCaptureAnalysis a)
    {
        const int lab = Model.LabDefaults.Port;
        var pages = a.HttpExchanges.Where(x => x.Method == "GET" && x.Uri == "/" &&
                (x.StatusCode == 304 || (x.StatusCode == 200 && LabFocus.IsHtml(x))))
            .GroupBy(x => x.ServerEndPoint.Port).OrderByDescending(g => g.Key == lab).ThenByDescending(g => g.Count()).ThenBy(g => g.Key)
            .ToList();
        if (pages.Count > 0)
        {
            var g = pages[0];
            long frame = g.First().RequestFrame;
            if (pages.Count == 1) return (g.Key, LabPortReason.Of("Port.AnsweredPage", g.Key, frame));
            string others = Analysis.AnalysisText.Words(pages.Skip(1).Select(o => o.Key));
            return (g.Key, LabPortReason.Of(g.Key == lab ? "Port.AnsweredPageLab" : "Port.AnsweredPageMost", g.Key, frame, others));
        }
        if (a.Connections.Any(c => c.ServerEndPoint.Port == lab)) return (lab, LabPortReason.Of("Port.NoPageLabPort", lab));
        var fromSyn = a.Handshakes.GroupBy(h => h.ServerEndPoint.Port)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key).FirstOrDefault();
        if (fromSyn != null) return (fromSyn.Key, LabPortReason.Of("Port.NoPageHandshakes", fromSyn.Key, fromSyn.Count()));
        var fromHttp = a.HttpExchanges.GroupBy(x => x.ServerEndPoint.Port)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key).FirstOrDefault();
        if (fromHttp != null) return (fromHttp.Key, LabPortReason.Of("Port.NoPageHttp", fromHttp.Key, fromHttp.Count()));
        var conn = a.Connections.GroupBy(c => c.ServerEndPoint.Port).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).FirstOrDefault();
        if (conn != null) return (conn.Key, LabPortReason.Of("Port.MostConnections", conn.Key));
        return (lab, LabPortReason.Of("Port.Assumed", lab));
    }
}
