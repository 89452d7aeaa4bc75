namespace Lab2Tools.Tracking;

internal static class Timestamps
{
    // constants (DateTime.UnixEpoch.Ticks, DateTime.MaxValue.Ticks), so that callers compiled before this class is first
    // used still inline ToUtc: the tracker calls it for every segment
    private const long UnixEpochTicks = 621_355_968_000_000_000;
    private const long MaxTicks = 3_155_378_975_999_999_999;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static DateTime ToUtc(long unixNanoseconds)
    {
        long ticks = UnixEpochTicks + unixNanoseconds / 100;
        if (ticks < 0) ticks = 0;
        if (ticks > MaxTicks) ticks = MaxTicks;
        return new DateTime(ticks, DateTimeKind.Utc);
    }

    public static TimeSpan ToTimeSpan(long nanoseconds) => TimeSpan.FromTicks(nanoseconds / 100);
}
