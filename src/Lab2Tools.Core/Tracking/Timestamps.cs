namespace Lab2Tools.Tracking;

internal static class Timestamps
{
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    public static DateTime ToUtc(long unixNanoseconds)
    {
        long ticks = UnixEpochTicks + unixNanoseconds / 100;
        if (ticks < 0) ticks = 0;
        if (ticks > DateTime.MaxValue.Ticks) ticks = DateTime.MaxValue.Ticks;
        return new DateTime(ticks, DateTimeKind.Utc);
    }

    public static TimeSpan ToTimeSpan(long nanoseconds) => TimeSpan.FromTicks(nanoseconds / 100);
}
