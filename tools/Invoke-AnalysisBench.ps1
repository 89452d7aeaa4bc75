<#
.SYNOPSIS
    Analysis benchmark against tshark: records a large real capture on loopback (wrk against two lab servers,
    long keep-alive connections and short one-request connections, recorded by tcpdump), cuts a quarter of it,
    and times each cmdlet against its tshark counterpart as whole processes (start-up included), with peak memory;
    then the analysis core alone, in process.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$RepoRoot,
    [Parameter(Mandatory)][string]$OutFolder,
    [int]$MinPackets = 500000,
    [int]$Rounds = 3,
    # only these pairs (connections, segments, http, expert); all by default
    [string[]]$Only
)
$ErrorActionPreference = 'Stop'
# a relative path without ./ would be taken for a module name, here and in the child processes
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
Import-Module $ModulePath
New-Item -ItemType Directory -Force $OutFolder | Out-Null
$large = Join-Path $OutFolder 'analysis-large.pcap'
$small = Join-Path $OutFolder 'analysis-small.pcap'
$pwshExe = [Environment]::ProcessPath
$pwshPre = @(if ([IO.Path]::GetFileNameWithoutExtension($pwshExe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })

function Get-PacketCount([string]$File) {
    $line = & capinfos -M -c $File 2>$null | Select-String 'Number of packets'
    [long](($line -split ':')[1].Trim())
}

# ---- 1. the capture ---------------------------------------------------------------------------
if (-not (Test-Path $large) -or (Get-PacketCount $large) -lt $MinPackets) {
    $long = Start-LabServer -Port 0 -Profile KeepAlive -Name bench-long
    $short = Start-LabServer -Port 0 -Name bench-short
    $longPort = $long.Port; $shortPort = $short.Port
    $dump = $null
    try {
        $seconds = 16
        Write-Host "Recording $seconds s of wrk traffic: keep-alive connections to port $($long.Port), one request per connection to port $($short.Port)"
        $dump = Start-Process tcpdump -ArgumentList '-Z', 'root', '-B', '131072', '-n', '-i', 'lo', '-w', $large, "tcp port $($long.Port) or tcp port $($short.Port)" -PassThru -RedirectStandardError '/dev/null'
        Start-Sleep -Seconds 1
        $jobs = @(
            Start-ThreadJob { & wrk -t1 -c8 "-d$($using:seconds)s" "http://127.0.0.1:$($using:longPort)/static/logo.png" }
            Start-ThreadJob { & wrk -t1 -c2 "-d$($using:seconds)s" -H 'Connection: close' "http://127.0.0.1:$($using:shortPort)/" }
        )
        $jobs | Wait-Job | Receive-Job | Where-Object { $_ -match 'Requests/sec' } | ForEach-Object { Write-Host "  wrk: $_" }
        $jobs | Remove-Job
        Start-Sleep -Seconds 2          # libpcap delivers up to 1 s late
    } finally {
        if ($dump -and -not $dump.HasExited) { & kill -INT $dump.Id; $dump.WaitForExit() }
        $long, $short | Stop-LabServer
    }
}
$n = Get-PacketCount $large
if ($n -lt $MinPackets) { throw "The capture has $n packets, fewer than ${MinPackets}: the machine was too slow to record enough." }
$quarter = [long][math]::Floor($n / 4)
& editcap -r $large $small "1-$quarter"
if ($LASTEXITCODE -ne 0) { throw 'editcap failed' }
$sizes = [ordered]@{ small = $small; large = $large }
Write-Host ("Captures: {0:N0} packets ({1:N0} MB) and the first quarter, {2:N0} packets" -f $n, ((Get-Item $large).Length / 1MB), $quarter)

# ---- 2. whole processes -----------------------------------------------------------------------
function Measure-Run([string]$Exe, [string[]]$Arguments) {
    # best wall time of $Rounds runs, and the largest peak resident set size (GNU time)
    $best = [double]::MaxValue; $rss = 0
    $timeFile = Join-Path $OutFolder 'time.txt'
    for ($i = 0; $i -lt $Rounds; $i++) {
        & /usr/bin/time -f '%e %M' -o $timeFile $Exe @Arguments > /dev/null 2>&1
        if ($LASTEXITCODE -ne 0) { throw "$Exe $($Arguments -join ' ') failed ($LASTEXITCODE)" }
        $t, $m = (Get-Content $timeFile | Select-Object -Last 1) -split ' '
        $best = [math]::Min($best, [double]::Parse($t, [cultureinfo]::InvariantCulture))
        $rss = [math]::Max($rss, [long]$m)
    }
    [pscustomobject]@{ Seconds = $best; PeakMB = [math]::Round($rss / 1024, 1) }
}

function Ours([string]$Pipeline, [string]$File) {
    @($pwshPre + @('-NoProfile', '-NonInteractive', '-Command', "Import-Module '$ModulePath'; `$f = '$File'; $Pipeline"))
}

$fields = 'frame.number', 'frame.time_epoch', 'tcp.stream', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'tcp.flags', 'tcp.seq', 'tcp.ack', 'tcp.len', 'tcp.window_size', 'tcp.analysis.flags'
# Each cmdlet writes all its objects; they are discarded with "> $null" (no downstream cmdlet), except for
# Import-TcpCapture, which the issue measures through Measure-Object. "Also" is the same cmdlet through
# "| Measure-Object": PowerShell then binds each object to Measure-Object; that is timed and printed too.
$pairs = @(
    @{ What = 'connections'; Ours = 'Get-TcpConnection -LiteralPath $f > $null'; Also = 'Get-TcpConnection -LiteralPath $f | Measure-Object | Out-Null'; Tshark = @('-q', '-z', 'conv,tcp'); Target = 10 }
    @{ What = 'segments'; Ours = 'Import-TcpCapture -LiteralPath $f | Measure-Object | Out-Null'; Tshark = @('-Y', 'tcp', '-T', 'fields') + @($fields | ForEach-Object { '-e'; $_ }); Target = 3 }
    @{ What = 'http'; Ours = 'Get-HttpExchange -LiteralPath $f > $null'; Also = 'Get-HttpExchange -LiteralPath $f | Measure-Object | Out-Null'; Tshark = @('-Y', 'http', '-T', 'fields', '-e', 'frame.number', '-e', 'http.request.method', '-e', 'http.request.uri', '-e', 'http.response.code'); Target = 5 }
    @{ What = 'expert'; Ours = 'Get-TcpExpertInfo -LiteralPath $f > $null'; Also = 'Get-TcpExpertInfo -LiteralPath $f | Measure-Object | Out-Null'; Tshark = @('-q', '-z', 'expert'); Target = 5 }
)
if ($Only) { $pairs = @($pairs | Where-Object { $_.What -in $Only }) }
$rows = foreach ($p in $pairs) {
    foreach ($size in $sizes.Keys) {
        $file = $sizes[$size]
        $o = Measure-Run $pwshExe (Ours $p.Ours $file)
        $a = if ($p.Also) { Measure-Run $pwshExe (Ours $p.Also $file) }
        $t = Measure-Run 'tshark' (@('-n', '-r', $file) + $p.Tshark)
        $row = [pscustomobject]@{
            What = $p.What; Size = $size; Command = $p.Ours; OursSeconds = $o.Seconds; TsharkSeconds = $t.Seconds
            Ratio = [math]::Round($t.Seconds / [math]::Max(0.001, $o.Seconds), 1); Target = $p.Target
            OursPeakMB = $o.PeakMB; TsharkPeakMB = $t.PeakMB
            MeasureObjectSeconds = $a.Seconds; MeasureObjectPeakMB = $a.PeakMB
            MeasureObjectRatio = if ($a) { [math]::Round($t.Seconds / [math]::Max(0.001, $a.Seconds), 1) }
        }
        Write-Host ("  {0,-12} {1,-5} ours {2,6:0.00} s {3,7:0.0} MB   tshark {4,6:0.00} s {5,7:0.0} MB   {6,5:0.0}x (target {7}x)" -f $row.What, $size, $row.OursSeconds, $row.OursPeakMB, $row.TsharkSeconds, $row.TsharkPeakMB, $row.Ratio, $row.Target)
        if ($a) { Write-Host ("  {0,-18} | Measure-Object {1,6:0.00} s {2,7:0.0} MB   {3,5:0.0}x" -f '', $a.Seconds, $a.PeakMB, $row.MeasureObjectRatio) }
        $row
    }
}

# ---- 3. the core alone ------------------------------------------------------------------------
$benchDll = Join-Path $RepoRoot 'tools/Lab2Tools.Bench/bin/Release/net10.0/Lab2Tools.Bench.dll'
& dotnet build (Join-Path $RepoRoot 'tools/Lab2Tools.Bench/Lab2Tools.Bench.csproj') -c Release --nologo --verbosity quiet | Out-Null
if ($LASTEXITCODE -ne 0) { throw 'building Lab2Tools.Bench failed' }
$core = & dotnet $benchDll $large $Rounds | ForEach-Object {
    $c = $_ -split "`t"
    [pscustomobject]@{ Stage = $c[0]; Frames = [long]$c[1]; Seconds = [double]::Parse($c[2], [cultureinfo]::InvariantCulture); PacketsPerSecond = [long]$c[3]; BytesPerPacket = [long]$c[4] }
}
foreach ($c in $core) { Write-Host ("  core {0,-18} {1,12:N0} packets/s  {2,5} bytes allocated per packet" -f $c.Stage, $c.PacketsPerSecond, $c.BytesPerPacket) }

$growth = foreach ($p in $pairs) {
    $s = $rows | Where-Object { $_.What -eq $p.What -and $_.Size -eq 'small' }
    $l = $rows | Where-Object { $_.What -eq $p.What -and $_.Size -eq 'large' }
    [pscustomobject]@{ What = $p.What; SmallMB = $s.OursPeakMB; LargeMB = $l.OursPeakMB }
}
$result = [pscustomobject]@{ Packets = $n; SmallPackets = $quarter; Rows = $rows; Core = $core; Memory = $growth }
$result | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $OutFolder 'analysis-bench.json')
$fail = @()
foreach ($r in $rows | Where-Object Size -eq 'large') { if ($r.Ratio -lt $r.Target) { $fail += "$($r.What): $($r.Ratio)x < $($r.Target)x" } }
foreach ($r in $rows) { if ($r.OursPeakMB -ge 250) { $fail += "$($r.What) ($($r.Size)): peak $($r.OursPeakMB) MB >= 250 MB" } }
foreach ($c in $core | Where-Object Stage -eq 'read+decode+track') { if ($c.PacketsPerSecond -lt 1000000) { $fail += "core: $($c.PacketsPerSecond) packets/s < 1,000,000" } }
foreach ($g in $growth) { if ($g.LargeMB -gt $g.SmallMB * 1.5) { $fail += "$($g.What): peak memory grows with the file ($($g.SmallMB) MB → $($g.LargeMB) MB)" } }
if ($fail) { Write-Host "Targets missed:`n  $($fail -join "`n  ")" -ForegroundColor Yellow } else { Write-Host 'Every analysis target met.' -ForegroundColor Green }
