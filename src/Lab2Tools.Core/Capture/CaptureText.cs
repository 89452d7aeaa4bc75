using Lab2Tools.Text;

namespace Lab2Tools.Capture;

/// <summary>What the capture readers and the live capture say when a file or a device fails (CaptureText.resx).</summary>
internal static class CaptureText
{
    public static readonly TextTable Table = new(typeof(CaptureText).Assembly, "Lab2Tools.Capture.CaptureText");

    public static string Format(string key, params object?[] args) => Table.Format(key, args);
}
