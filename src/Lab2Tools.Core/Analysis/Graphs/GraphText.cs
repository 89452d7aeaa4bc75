using Lab2Tools.Text;

namespace Lab2Tools.Analysis.Graphs;

/// <summary>The words on a stream graph: its name, series labels and axis titles (GraphText.resx).</summary>
internal static class GraphText
{
    private static readonly TextTable Table = new(typeof(GraphText).Assembly, "Lab2Tools.Analysis.Graphs.GraphText");

    public static string Get(string key) => Table[key];

    public static string Format(string key, params object?[] args) => Table.Format(key, args);
}
