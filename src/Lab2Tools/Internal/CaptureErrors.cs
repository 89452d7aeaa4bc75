using System.Management.Automation;
using System.Runtime.InteropServices;
using Lab2Tools.Capture.Live;

namespace Lab2Tools.Commands.Internal;

/// <summary>
/// The one mapping from a live-capture failure to an ErrorRecord, used by every cmdlet that captures
/// (Get-CaptureInterface, Start-TcpCapture, Watch-TcpSegment, Invoke-LabSession): the same failure gets the
/// same id, category and advice everywhere. The advice fits the situation, so that following it works.
/// </summary>
internal static class CaptureErrors
{
    public static ErrorRecord From(LiveCaptureException e) => e.Problem switch
    {
        CaptureProblem.LibPcapMissing => Errors.FromCatalog(e, "LibPcapNotFound", e.Target ?? "libpcap", null, InstallLibPcapAdvice()),
        CaptureProblem.PermissionDenied => Errors.FromCatalog(e, "CapturePermissionDenied", e.Target, null, PrivilegeAdvice()),
        CaptureProblem.InterfaceNotFound => Errors.FromCatalog(e, "CaptureInterfaceNotFound", e.Target),
        CaptureProblem.InvalidFilter => Errors.FromCatalog(e, "InvalidCaptureFilter", e.Target),
        CaptureProblem.CannotWriteFile => Errors.FromCatalog(e, "CaptureFileNotWritable", e.Target),
        _ => Errors.FromCatalog(e, "CaptureOpenFailed", e.Target),
    };

    /// <summary>What to install for libpcap on this system, as one command where there is one.</summary>
    internal static string InstallLibPcapAdvice()
    {
        if (OperatingSystem.IsWindows())
            return "Install Npcap (https://npcap.com) with 'Support loopback traffic', then start a new PowerShell.";
        if (OperatingSystem.IsMacOS()) return "libpcap is part of macOS; reinstall the Xcode command line tools (xcode-select --install).";
        var os = OsRelease();
        string id = os.GetValueOrDefault("ID", ""), like = os.GetValueOrDefault("ID_LIKE", "");
        _ = double.TryParse(os.GetValueOrDefault("VERSION_ID", ""), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out double version);
        if (id is "debian" or "ubuntu" || like.Contains("debian") || like.Contains("ubuntu"))
        {
            bool t64 = (id == "ubuntu" && version >= 24.04) || (id == "debian" && version >= 13);
            return $"Install libpcap: {Sudo()}apt-get install {(t64 ? "libpcap0.8t64" : "libpcap0.8")}";
        }
        if (id is "fedora" or "rhel" or "centos" || like.Contains("fedora") || like.Contains("rhel"))
            return $"Install libpcap: {Sudo()}dnf install libpcap";
        return "Install your distribution's libpcap package (it provides libpcap.so.1 or libpcap.so.0.8).";
    }

    /// <summary>How to get the right to capture, for the way this process is short of it.</summary>
    internal static string PrivilegeAdvice()
    {
        if (OperatingSystem.IsWindows())
            return "Reinstall Npcap without 'Restrict Npcap driver's access to Administrators only', or run PowerShell as Administrator.";
        if (OperatingSystem.IsMacOS())
            return "Run pwsh with sudo, or give your user read access to /dev/bpf* (Wireshark's ChmodBPF does this).";
        if (geteuid() == 0)
            return "This process runs as root but without CAP_NET_RAW: its capability bounding set drops it (a container, or setpriv). "
                + "Run it with the capture capabilities, e.g. docker run --cap-add=NET_RAW --cap-add=NET_ADMIN, "
                + "or from a root shell that has them (grep Cap /proc/self/status shows them).";
        string exe = ProcessExecutable();
        return $"Run pwsh as root (sudo), or let this program capture without root: sudo setcap cap_net_raw,cap_net_admin=eip {exe}"
            + $"; to undo that later: sudo setcap -r {exe}";
    }

    /// <summary>The binary running this process, links resolved (setcap needs the file itself).</summary>
    private static string ProcessExecutable()
    {
        string path = Environment.ProcessPath ?? "/usr/bin/pwsh";
        try { path = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path; }
        catch (IOException) { }
        return path.Contains(' ') ? $"'{path}'" : path;
    }

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
