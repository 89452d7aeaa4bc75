namespace Lab2Tools.Text;

/// <summary>
/// The words of the objects' display properties (what the default views show, computed in C# rather than in the
/// format file): window and option text, per-direction counters, handshake negotiation, HTTP request and response.
/// </summary>
public static class ShapeText
{
    /// <summary>Text/ShapeText.resx and its translations.</summary>
    public static readonly TextTable Table = new(typeof(ShapeText).Assembly, "Lab2Tools.Text.ShapeText");

    /// <summary>"on" or "off".</summary>
    public static string OnOff(bool on) => Table[on ? "On" : "Off"];

    /// <summary>The heading of one capture file's group in a table of several files ("Capture: path").</summary>
    public static string CaptureHeading(string? path) => Table.Format("Group.Capture", path ?? "");
}
