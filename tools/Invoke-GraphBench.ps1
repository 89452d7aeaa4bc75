<#
.SYNOPSIS
    Graphs a real stream of 100,000+ segments: a 46 MB download on loopback from Start-LabServer by a client
    that asks for a 536-byte MSS (TCP_MAXSEG before connect), captured by tcpdump. It runs in a network
    namespace of its own whose loopback has a 1500-byte MTU and sends every segment on its own
    (gso_max_segs 1; on the host's loopback, GSO would hand tcpdump 64 KB segments). Times Get-TcpStreamGraph for
    each graph type (points discarded with > $null, and as SVG) and prints the SVG sizes. Target: about a second.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [string]$OutFolder,
    [int]$Megabytes = 46,
    [switch]$InNamespace
)
$ErrorActionPreference = 'Stop'
if (-not $InNamespace) {
    $ns = "l2t-graph-bench-$PID"
    & ip netns add $ns
    try {
        & ip -n $ns link set lo up mtu 1500 gso_max_size 1500 gso_max_segs 1
        $exe = [Environment]::ProcessPath
        $pre = @()
        if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $pre += Join-Path $PSHOME 'pwsh.dll' }
        & ip netns exec $ns $exe @pre -NoProfile -NonInteractive -File $PSCommandPath -ModulePath $ModulePath -OutFolder $OutFolder `
            -Megabytes $Megabytes -InNamespace
        if ($LASTEXITCODE -ne 0) { throw "The graph bench failed in namespace $ns ($LASTEXITCODE)." }
    }
    finally { & ip netns del $ns }
    return
}
$null = New-Item -ItemType Directory -Force $OutFolder
$site = Join-Path $OutFolder 'graph-site'
$null = New-Item -ItemType Directory -Force $site
$big = Join-Path $site 'big.bin'
$fs = [IO.File]::Create($big); $fs.SetLength($Megabytes * 1MB); $fs.Dispose()
$pcap = Join-Path $OutFolder 'graph-100k.pcap'
# a relative path without ./ would be taken for a module name, here and in the child processes
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
Import-Module $ModulePath
$port = 5913
$server = Start-LabServer -Port $port -Root $site
$td = $null
try {
    $tdArgs = '-Z', 'root', '-n', '-i', 'lo', '-s', '128', '-B', '65536', '-w', $pcap, "tcp port $port"
    $td = Start-Process tcpdump -ArgumentList $tdArgs -PassThru `
        -RedirectStandardError (Join-Path $OutFolder 'graph-tcpdump.err')
    Start-Sleep -Seconds 2
    # the client advertises MSS 536, so the server sends ~90,000 small segments and the client ~18,000 ACKs
    $sock = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::InterNetwork, [System.Net.Sockets.SocketType]::Stream,
        [System.Net.Sockets.ProtocolType]::Tcp)
    $sock.SetRawSocketOption(6, 2, [BitConverter]::GetBytes([int]536))      # IPPROTO_TCP, TCP_MAXSEG
    $sock.Connect([System.Net.IPAddress]::Loopback, $port)
    $req = [Text.Encoding]::ASCII.GetBytes("GET /big.bin HTTP/1.1`r`nHost: 127.0.0.1:$port`r`n`r`n")
    $null = $sock.Send($req)
    $buf = [byte[]]::new(65536); $total = 0
    while (($n = $sock.Receive($buf)) -gt 0) { $total += $n }
    $sock.Dispose()
    Start-Sleep -Seconds 2
}
finally {
    if ($td) { & kill -INT $td.Id; $td.WaitForExit() }
    $server | Stop-LabServer
}
Write-Host "Received $total bytes; capture $pcap"
$conn = Get-TcpConnection $pcap | Sort-Object Frames -Descending | Select-Object -First 1
$stream = $conn.Stream
Write-Host "Stream $stream has $($conn.Frames) segments"

$results = foreach ($type in 'Stevens', 'TcpTrace', 'Throughput', 'RoundTripTime', 'WindowScaling') {
    $null = Get-TcpStreamGraph $pcap -Stream $stream -Type $type    # warm-up (JIT, file cache)
    $points = (Get-TcpStreamGraph $pcap -Stream $stream -Type $type | Measure-Object).Count
    $t = Measure-Command { Get-TcpStreamGraph $pcap -Stream $stream -Type $type > $null }
    $svg = Join-Path $OutFolder "graph-$($type.ToLowerInvariant()).svg"
    $ts = Measure-Command { $null = Get-TcpStreamGraph $pcap -Stream $stream -Type $type -SvgPath $svg }
    [pscustomobject]@{
        Type = $type; Segments = $conn.Frames; Points = $points
        Seconds = [math]::Round($t.TotalSeconds, 2); SvgSeconds = [math]::Round($ts.TotalSeconds, 2)
        SvgKB = [math]::Round((Get-Item $svg).Length / 1KB)
    }
}
$results | Format-Table -AutoSize | Out-String | Write-Host
$results | ConvertTo-Json | Set-Content (Join-Path $OutFolder 'graph-bench.json')
Remove-Item $big
