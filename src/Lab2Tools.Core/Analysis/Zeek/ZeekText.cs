using Lab2Tools.Model;
using Lab2Tools.Text;

namespace Lab2Tools.Analysis.Zeek;

/// <summary>
/// The words of the Zeek port: what each conn_state means, and why Zeek would log no connection for a stream
/// (Analysis/Zeek/ZeekText.resx, Chinese in ZeekText.zh-Hans.resx). The conn_state codes stay as Zeek writes them.
/// </summary>
internal static class ZeekText
{
    /// <summary>Analysis/Zeek/ZeekText.resx and its translations.</summary>
    public static readonly TextTable Table = new(typeof(ZeekText).Assembly, "Lab2Tools.Analysis.Zeek.ZeekText");

    /// <summary>What Zeek's IP analysis drops a packet for, before any connection sees it.</summary>
    internal const SegmentIntegrity DroppedByIp =
        SegmentIntegrity.IpChecksumBad | SegmentIntegrity.IpLengthZero | SegmentIntegrity.IpLengthBeyondFrame;

    /// <summary>
    /// Why Zeek (with its defaults) logs no connection for a stream all of whose packets it dropped: dropped holds the
    /// integrity flags of the dropped packets. One sentence per reason seen, each naming what makes Zeek keep them.
    /// </summary>
    public static string NoConnection(SegmentIntegrity dropped)
    {
        string? reasons = null;
        void Add(SegmentIntegrity flag, string key)
        {
            if ((dropped & flag) == 0) return;
            reasons = reasons == null ? Table[key] : Table.Format("NoConnection.More", reasons, Table[key]);
        }
        Add(SegmentIntegrity.IpChecksumBad, "NoConnection.IpChecksumBad");
        Add(SegmentIntegrity.IpLengthZero, "NoConnection.IpLengthZero");
        Add(SegmentIntegrity.IpLengthBeyondFrame, "NoConnection.IpLengthBeyondFrame");
        return Table.Format("NoConnection", reasons ?? "");
    }
}
