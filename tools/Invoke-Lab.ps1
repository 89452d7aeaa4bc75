<#
.SYNOPSIS
    The whole lab, live (what `build.ps1 Lab` runs): the lab server on 127.0.0.1:5000, a loopback capture, a
    visit and a revisit of the page, the analysis and checks, the flow graph of the page's connection and the
    report. Exits 1 when a lab goal could not be shown.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$OutputDirectory
)
$ErrorActionPreference = 'Stop'
# a relative path without ./ would be taken for a module name, here and in the child processes
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
Import-Module $ModulePath
Write-Host 'Lab 2: the lab server on 127.0.0.1:5000, a loopback capture, a visit and a revisit of the page...' -ForegroundColor Cyan
$port = 5000
if (Get-TcpSocketState -Port 5000 -State LISTEN) { $port = 0; Write-Host 'Port 5000 is taken: using a free port.' -ForegroundColor Yellow }
$s = Invoke-LabSession -Port $port -OutputDirectory $OutputDirectory
$s | Out-String -Width 120 | Write-Host
Write-Host 'The page''s connection, as a flow graph (Show-TcpFlow):' -ForegroundColor Cyan
Show-TcpFlow -Path $s.Path -Stream 0 | Out-String -Width 120 | Write-Host
$files = $s | Export-LabReport
Write-Host 'Files:' -ForegroundColor Cyan
Write-Host "  capture : $($s.Path)   (open it: wireshark -r '$($s.Path)')"
Write-Host "  report  : $(($files | Where-Object Extension -eq '.html').FullName)"
Write-Host "            $(($files | Where-Object Extension -eq '.md').FullName)"
Write-Host "Check any capture against the lab's goals: Test-LabCapture -Path <file.pcap>"
# a goal the lab could not show is a failure; NothingAbnormal only reports what the kernel did (a rare retransmission)
if ($s.GetChecks() | Where-Object { -not $_.Passed -and $_.Name -ne 'NothingAbnormal' }) { exit 1 }
