#!/usr/bin/env pwsh
# Records tests/data/keepalive-midstream.pcap: keep-alive connections to the lab server (Start-LabServer -Profile
# KeepAlive) that were opened BEFORE the capture started, as when a student starts Wireshark late while the
# browser keeps its connections open. Connection A makes one request before the capture and five inside it
# (the audio, 200, the logo, 304, 206, HEAD); connection B opens before the capture and makes its two requests
# inside it (200, 404). The tests also cut the file inside the audio's body, as a capture starting mid-message.
# Everything stays on loopback. Needs root (tcpdump) and the built module.
#
#   dotnet pwsh tests/data/recording/record-midstream-keepalive.ps1
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../../../out/Lab2Tools/Lab2Tools.psd1')
$out = Join-Path $PSScriptRoot '../keepalive-midstream.pcap'
$port = 5000
$server = Start-LabServer -Port $port -Profile KeepAlive -IdleTimeoutSec 60 -Name midstream

function Send-Request([System.Net.Sockets.NetworkStream]$s, [string]$head) {
    $bytes = [Text.Encoding]::ASCII.GetBytes($head + "`r`n")
    $s.Write($bytes, 0, $bytes.Length)
    # read the response head, then Content-Length bytes (none for HEAD and 304)
    $buf = [Collections.Generic.List[byte]]::new()
    $one = [byte[]]::new(1)
    while (-not ($buf.Count -ge 4 -and $buf[-4] -eq 13 -and $buf[-3] -eq 10 -and $buf[-2] -eq 13 -and $buf[-1] -eq 10)) {
        if ($s.Read($one, 0, 1) -ne 1) { throw 'closed' }
        $buf.Add($one[0])
    }
    $text = [Text.Encoding]::ASCII.GetString($buf.ToArray())
    $len = if ($head -match '^HEAD' -or $text -match '^HTTP/1.1 304') { 0 } elseif ($text -match 'Content-Length: (\d+)') { [int]$Matches[1] } else { 0 }
    $body = [byte[]]::new([Math]::Max($len, 1))
    $got = 0
    while ($got -lt $len) { $n = $s.Read($body, $got, $len - $got); if ($n -le 0) { throw 'closed' }; $got += $n }
    $text
}

$h = "Host: 127.0.0.1:$port`r`nUser-Agent: Lab2Tools-recording`r`nConnection: keep-alive`r`n"
$a = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port); $sa = $a.GetStream()
$b = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port); $sb = $b.GetStream()
$first = Send-Request $sa "GET / HTTP/1.1`r`n$h"
$etag = [regex]::Match($first, 'ETag: (.*)\r').Groups[1].Value
Start-Sleep -Milliseconds 500

$dump = Start-Process tcpdump -ArgumentList '-Z', 'root', '-U', '-n', '-i', 'lo', '-w', $out, "tcp port $port" -PassThru -RedirectStandardError '/dev/null'
Start-Sleep -Seconds 1
$null = Send-Request $sa "GET /static/audio.ogg HTTP/1.1`r`n$h"
$null = Send-Request $sa "GET /static/logo.png HTTP/1.1`r`n$h"
$null = Send-Request $sa "GET / HTTP/1.1`r`n$($h)If-None-Match: $etag`r`n"
$null = Send-Request $sa "GET /static/audio.ogg HTTP/1.1`r`n$($h)Range: bytes=0-1023`r`n"
$null = Send-Request $sa "HEAD /static/logo.png HTTP/1.1`r`n$h"
$null = Send-Request $sb "GET / HTTP/1.1`r`n$h"
$null = Send-Request $sb "GET /missing.txt HTTP/1.1`r`n$h"
$a.Client.Shutdown('Send'); $b.Client.Shutdown('Send')
Start-Sleep -Milliseconds 500
$a.Dispose(); $b.Dispose()
Start-Sleep -Seconds 2
$dump | Stop-Process; $dump.WaitForExit()
$server | Stop-LabServer
Get-Item $out
