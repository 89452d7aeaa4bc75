using System.Management.Automation;
using Lab2Tools.Commands.Internal;
using Lab2Tools.Model;

namespace Lab2Tools.Commands;

/// <summary>Import-TcpCapture: reads pcap/pcapng files and writes one TcpSegment per TCP frame, as it reads.</summary>
[Cmdlet(VerbsData.Import, "TcpCapture", DefaultParameterSetName = PathSet)]
[OutputType(typeof(TcpSegment))]
public sealed class ImportTcpCaptureCommand : CaptureFileCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var file in ResolveCaptureFiles())
            ReadCaptureFile(file, WriteResult);
    }
}
