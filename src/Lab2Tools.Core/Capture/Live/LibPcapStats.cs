using System.Reflection;
using System.Runtime.InteropServices;

namespace Lab2Tools.Capture.Live;

/// <summary>
/// pcap_stats called directly. SharpPcap 6.3.1 declares struct pcap_stat's fields as IntPtr (8 bytes each on
/// 64-bit Unix) while libpcap's are u_int (4 bytes), so its DroppedPackets reads ps_ifdrop, not ps_drop
/// (proved by a test). This struct has libpcap's layout.
/// </summary>
public static class LibPcapStats
{
    [StructLayout(LayoutKind.Sequential)]
    public struct PcapStat
    {
        public uint Received;          // ps_recv: packets that passed the filter (Linux: counted once per copy on lo)
        public uint Dropped;           // ps_drop: dropped because the kernel buffer was full
        public uint InterfaceDropped;  // ps_ifdrop: dropped by the interface or driver
        public uint Captured;          // Windows only (bs_capt); unused elsewhere
    }

    private static int s_resolver;

    [DllImport("pcap", EntryPoint = "pcap_stats")]
    private static extern int pcap_stats(IntPtr handle, out PcapStat stats);

    /// <summary>Reads the statistics of an open libpcap handle.</summary>
    public static bool TryRead(SafeHandle handle, out PcapStat stats)
    {
        if (Interlocked.Exchange(ref s_resolver, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(LibPcapStats).Assembly, Resolve);
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return pcap_stats(handle.DangerousGetHandle(), out stats) == 0;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != "pcap") return IntPtr.Zero;
        string[] candidates = OperatingSystem.IsWindows() ? new[] { "wpcap" }
            : OperatingSystem.IsMacOS() ? new[] { "libpcap.dylib", "libpcap.A.dylib" }
            : new[] { "libpcap.so.0.8", "libpcap.so.1", "libpcap.so", "libpcap.so.0" };
        foreach (var c in candidates)
            if (NativeLibrary.TryLoad(c, out var h)) return h;
        return IntPtr.Zero;
    }
}
