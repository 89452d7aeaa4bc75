using System.Management.Automation;
using Lab2Tools.Lab;

namespace Lab2Tools.Commands.Internal;

/// <summary>The one mapping from a lab session's failure to an ErrorRecord of the catalog.</summary>
internal static class LabSessionErrors
{
    public static ErrorRecord From(LabSessionException e) => e.Problem switch
    {
        LabSessionProblem.PortInUse => Errors.FromCatalog(e, "LabServerPortInUse", e.Target, null, e.Target ?? ""),
        LabSessionProblem.CaptureFailed => Errors.FromCatalog(e, "LabCaptureFailed", e.Target),
        LabSessionProblem.ChromiumNotFound => Errors.FromCatalog(e, "ChromiumNotFound", e.Target),
        LabSessionProblem.ChromiumTimeout => Errors.FromCatalog(e, "ChromiumTimeout", e.Target),
        _ => Errors.FromCatalog(e, "ChromiumFailed", e.Target),
    };
}
