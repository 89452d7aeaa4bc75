using System.Management.Automation;
using System.Runtime.InteropServices;
using Lab2Tools.Capture.Live;

namespace Lab2Tools.Commands.Internal;

/// <summary>
/// The advice for a live capture that cannot start, fitted to this system and this process (root or not, which
/// distribution), so that following it works. <see cref="Errors.From(LiveCaptureException)"/> uses it.
/// </summary>
internal static class CaptureAdvice
{
    /// <summary>What to install for libpcap on this system, as one command where there is one.</summary>
    internal static string InstallLibPcap()
    {
        if (OperatingSystem.IsWindows())
            return Text("LibPcap.Windows");
        if (OperatingSystem.IsMacOS()) return Text("LibPcap.MacOS");
        var os = OsRelease();
        string id = os.GetValueOrDefault("ID", ""), like = os.GetValueOrDefault("ID_LIKE", "");
        _ = double.TryParse(os.GetValueOrDefault("VERSION_ID", ""), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out double version);
        if (id is "debian" or "ubuntu" || like.Contains("debian") || like.Contains("ubuntu"))
        {
            bool t64 = (id == "ubuntu" && version >= 24.04) || (id == "debian" && version >= 13);
            return Text("LibPcap.Install", $"{Sudo()}apt-get install {(t64 ? "libpcap0.8t64" : "libpcap0.8")}");
        }
        if (id is "fedora" or "rhel" or "centos" || like.Contains("fedora") || like.Contains("rhel"))
            return Text("LibPcap.Install", $"{Sudo()}dnf install libpcap");
        return Text("LibPcap.Other");
    }

    /// <summary>How to get the right to capture, for the way this process is short of it.</summary>
    internal static string Privilege()
    {
        if (OperatingSystem.IsWindows())
            return Text("Privilege.Windows");
        if (OperatingSystem.IsMacOS())
            return Text("Privilege.MacOS");
        if (geteuid() == 0)
            return Text("Privilege.RootWithoutCaps");
        string exe = ProcessExecutable();
        return Text("Privilege.User", $"sudo setcap cap_net_raw,cap_net_admin=eip {exe}", $"sudo setcap -r {exe}");
    }

    /// <summary>The binary running this process, links resolved (setcap needs the file itself).</summary>
    private static string ProcessExecutable()
    {
        string path = Environment.ProcessPath ?? "/usr/bin/pwsh";
        try { path = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path; }
        catch (IOException) { }
        return path.Contains(' ') ? $"'{path}'" : path;
    }

    private static string Text(string key, params object?[] args) => Errors.Text.Format(key, args);

    private static string Sudo() => geteuid() == 0 ? "" : "sudo ";

    private static Dictionary<string, string> OsRelease()
    {
        var d = new Dictionary<string, string>();
        try
        {
            foreach (var line in File.ReadLines("/etc/os-release"))
            {
                int eq = line.IndexOf('=');
                if (eq > 0) d[line[..eq]] = line[(eq + 1)..].Trim('"', '\'');
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return d;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();
}
