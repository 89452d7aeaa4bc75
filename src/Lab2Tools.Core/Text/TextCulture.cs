using System.Globalization;

namespace Lab2Tools.Text;

/// <summary>
/// The culture in which the module's words are chosen. By default it is the thread's UI culture, which in
/// PowerShell is <c>$PSUICulture</c>. A scope set with <see cref="Use"/> overrides it: <c>-Culture</c> on
/// Export-LabReport or Invoke-LabSession, or the culture a cmdlet captured on its pipeline thread so that its
/// worker threads speak the same language. The scope flows into tasks and threads started inside it.
/// Figures are always formatted invariantly (see <see cref="Figures"/>), so both languages show the same numbers.
/// </summary>
public static class TextCulture
{
    private static readonly AsyncLocal<CultureInfo?> s_scope = new();

    /// <summary>The culture the next sentence is looked up in.</summary>
    public static CultureInfo Current => s_scope.Value ?? CultureInfo.CurrentUICulture;

    /// <summary>Speak <paramref name="culture"/> until the returned scope is disposed; null keeps the current one.</summary>
    public static IDisposable Use(CultureInfo? culture)
    {
        var previous = s_scope.Value;
        s_scope.Value = culture ?? Current;
        return new Scope(previous);
    }

    private sealed class Scope(CultureInfo? previous) : IDisposable
    {
        private bool _disposed;
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            s_scope.Value = previous;
        }
    }
}
