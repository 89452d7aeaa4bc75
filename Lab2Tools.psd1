@{
    RootModule           = 'Lab2Tools.psm1'
    NestedModules        = @('Lab2Tools.dll')
    ModuleVersion        = '{{ModuleVersion}}'
    GUID                 = '5d0f3a52-7c1e-4b8e-9a37-2f6a1c9e4b21'
    Author               = 'Lab2Tools'
    CompanyName          = 'Lab2Tools'
    Copyright            = '(c) Lab2Tools. All rights reserved.'
    Description          = 'The computer-networks TCP/HTTP lab from PowerShell: read captures into Wireshark-exact TCP segment objects, analyse handshakes, teardowns and HTTP; run the whole lab (server, capture, visit, checks, report) in one command.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('Lab2Tools.Format.ps1xml')
    CmdletsToExport      = @(
        'Import-TcpCapture'
        'Get-TcpConnection'
        'Get-TcpHandshake'
        'Get-TcpTeardown'
        'Get-TcpStateTimeline'
        'Get-TcpExpertInfo'
        'Get-TcpStream'
        'Get-HttpExchange'
        'Export-HttpObject'
        'Start-LabServer'
        'Get-LabServer'
        'Stop-LabServer'
        'Get-LabServerLog'
        'Get-CaptureInterface'
        'Start-TcpCapture'
        'Get-TcpCapture'
        'Stop-TcpCapture'
        'Receive-TcpCapture'
        'Watch-TcpSegment'
        'Invoke-LabSession'
        'Test-LabCapture'
        'Show-TcpFlow'
        'Export-LabReport'
        'Get-TcpSocketState'
        'Export-LabJUnit'
        'Get-TcpStreamGraph'
        'Get-TcpRttEstimate'
        'Measure-TcpConnection'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('TCP', 'pcap', 'Wireshark', 'networking', 'teaching', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
        }
    }
}
