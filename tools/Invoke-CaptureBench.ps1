<#
.SYNOPSIS
    A loopback flood (wrk against Start-LabServer -Profile KeepAlive) captured by Start-TcpCapture and by
    tcpdump side by side; prints packets, packets/s and drops of each. Target: no more drops than tcpdump.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [int]$Seconds = 5,
    [string]$OutFolder
)
$ErrorActionPreference = 'Stop'
$null = New-Item -ItemType Directory -Force $OutFolder
$port = 5911
$exe = [Environment]::ProcessPath
$pre = @()
if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $pre += Join-Path $PSHOME 'pwsh.dll' }
$ours = Join-Path $OutFolder 'flood-lab2tools.pcap'
$theirs = Join-Path $OutFolder 'flood-tcpdump.pcap'
$stats = Join-Path $OutFolder 'flood-lab2tools.json'
$procs = @()
try {
    $procs += Start-Process $exe -ArgumentList ($pre + @('-NoProfile', '-NonInteractive', '-Command',
            "Import-Module '$ModulePath'; `$null = Start-LabServer -Port $port -Profile KeepAlive -MaxRequests 1000000; Start-Sleep 3600")) -PassThru -RedirectStandardOutput (Join-Path $OutFolder 'flood-server.out')
    for ($i = 0; $i -lt 100 -and (curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/") -ne '200'; $i++) { Start-Sleep -Milliseconds 100 }
    $captureSeconds = $Seconds + 4
    $cap = Start-Process $exe -ArgumentList ($pre + @('-NoProfile', '-NonInteractive', '-Command',
            "Import-Module '$ModulePath'; `$c = Start-TcpCapture -Port $port -Path '$ours'; Start-Sleep $captureSeconds; `$c | Stop-TcpCapture; `$c | Select-Object Packets, Bytes, KernelDropped, QueueDropped, StartTime, StopTime | ConvertTo-Json | Set-Content '$stats'")) -PassThru -RedirectStandardOutput (Join-Path $OutFolder 'flood-capture.out')
    $procs += $cap
    $td = Start-Process tcpdump -ArgumentList '-Z', 'root', '-n', '-i', 'lo', '-w', $theirs, "tcp port $port" -PassThru -RedirectStandardError (Join-Path $OutFolder 'flood-tcpdump.err')
    $procs += $td
    Start-Sleep -Seconds 2
    $wrk = & wrk -t1 -c8 "-d$($Seconds)s" "http://127.0.0.1:$port/" 2>&1
    Start-Sleep -Seconds 2
    & kill -INT $td.Id; $td.WaitForExit()
    $cap.WaitForExit()
    $o = Get-Content -Raw $stats | ConvertFrom-Json
    $tdText = Get-Content -Raw (Join-Path $OutFolder 'flood-tcpdump.err')
    $tdCaptured = [long]([regex]::Match($tdText, '(\d+) packets captured').Groups[1].Value)
    $tdDropped = [long]([regex]::Match($tdText, '(\d+) packets dropped by kernel').Groups[1].Value)
    $rate = ($wrk | Select-String 'Requests/sec:\s+([\d.]+)').Matches[0].Groups[1].Value
    $rows = @(
        [pscustomobject]@{ Capturer = 'Start-TcpCapture'; Packets = $o.Packets; PacketsPerSecond = [math]::Round($o.Packets / $Seconds); KernelDropped = $o.KernelDropped; QueueDropped = $o.QueueDropped }
        [pscustomobject]@{ Capturer = 'tcpdump'; Packets = $tdCaptured; PacketsPerSecond = [math]::Round($tdCaptured / $Seconds); KernelDropped = $tdDropped; QueueDropped = '' }
    )
    Write-Host "Flood: wrk -t1 -c8 -d$($Seconds)s against Start-LabServer -Profile KeepAlive: $rate requests/s"
    $rows | Format-Table -AutoSize | Out-String | Write-Host
    $verdict = if ($o.KernelDropped -le $tdDropped) { 'met' } else { 'MISSED' }
    Write-Host "Target (no more kernel drops than tcpdump): $verdict"
    $rows
}
finally {
    foreach ($p in $procs) { if (-not $p.HasExited) { & kill -TERM $p.Id 2>$null; $null = $p.WaitForExit(5000) } }
}
