using System.Runtime.InteropServices;

namespace Lab2Tools.Server;

/// <summary>
/// A file's modification time as Python's os.stat gives st_mtime, which Werkzeug writes into an ETag:
/// sec + nsec * 1e-9 from the file's nanosecond time. .NET's file times have 100 ns steps, so on Linux the
/// nanoseconds come from statx(2); elsewhere the 100 ns time is used (and an ETag may differ from Flask's in
/// its last digits).
/// </summary>
internal static class PythonMtime
{
    private const int AtFdCwd = -100;
    private const uint StatxMtime = 0x40;
    private const int StatxMtimeOffset = 112;        // struct statx: stx_mtime { s64 tv_sec; u32 tv_nsec; ... }
    private static bool s_statxMissing;

    public static double Of(string path, DateTime lastWriteUtc)
    {
        if (OperatingSystem.IsLinux() && !s_statxMissing && TryStatx(path, out long sec, out uint nsec))
            return sec + nsec * 1e-9;
        long ticks = (lastWriteUtc - DateTime.UnixEpoch).Ticks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rest);
        if (rest < 0) { seconds--; rest += TimeSpan.TicksPerSecond; }
        return seconds + rest * 100 * 1e-9;
    }

    private static bool TryStatx(string path, out long sec, out uint nsec)
    {
        sec = 0;
        nsec = 0;
        var buf = new byte[256];
        try
        {
            if (statx(AtFdCwd, path, 0, StatxMtime, buf) != 0) return false;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            s_statxMissing = true;        // glibc before 2.28, or another libc
            return false;
        }
        // the struct is in the machine's byte order, as BitConverter reads
        if ((BitConverter.ToUInt32(buf, 0) & StatxMtime) == 0) return false;
        sec = BitConverter.ToInt64(buf, StatxMtimeOffset);
        nsec = BitConverter.ToUInt32(buf, StatxMtimeOffset + 8);
        return true;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string pathname, int flags, uint mask,
        [Out] byte[] buf);
}
