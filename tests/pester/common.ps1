# Dot-sourced by every test file: imports the assembled module (out/Lab2Tools) and sets shared paths.
$modulePath = if ($env:LAB2TOOLS_MODULE) { $env:LAB2TOOLS_MODULE } else { Join-Path $PSScriptRoot '../../out/Lab2Tools/Lab2Tools.psd1' }
if (-not (Get-Module Lab2Tools)) { Import-Module $modulePath -ErrorAction Stop }
$script:DataDir = (Resolve-Path (Join-Path $PSScriptRoot '../data')).Path

# Runs $Script with the UI culture set to $Culture (as $PSUICulture is), and returns what it returns.
function Use-Culture([cultureinfo]$Culture, [scriptblock]$Script) {
    $old = [cultureinfo]::CurrentUICulture
    [cultureinfo]::CurrentUICulture = $Culture
    try { & $Script } finally { [cultureinfo]::CurrentUICulture = $old }
}

function Invoke-Tshark {
    # tshark -T fields over a capture; one array of strings per frame.
    param([string]$Path, [string]$Filter, [string[]]$Field)
    $fieldArgs = foreach ($f in $Field) { '-e'; $f }
    $out = & tshark -n -r $Path -Y $Filter -T fields -E 'separator=/t' @fieldArgs 2>$null
    if ($LASTEXITCODE -ne 0) { throw "tshark failed on $Path" }
    foreach ($line in $out) { , ($line -split "`t") }
}

function Invoke-CapturedTraffic {
    # Records loopback traffic on a port with tcpdump while $Action runs; returns the pcap path.
    param([int]$Port, [scriptblock]$Action, [string]$Path)
    # (no variable here may share a name with the caller's: the action block sees this scope)
    $__tcpdump = Start-Process tcpdump -ArgumentList '-Z', 'root', '-U', '-n', '-i', 'lo', '-w', $Path, "tcp port $Port" -PassThru -RedirectStandardError '/dev/null'
    Start-Sleep -Milliseconds 1000
    try { & $Action } finally {
        Start-Sleep -Milliseconds 2000   # libpcap (TPACKET_V3) hands packets over up to 1 s late
        $__tcpdump | Stop-Process
        $__tcpdump.WaitForExit()
    }
    $Path
}

function Get-FreePort {
    $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop(); $port
}

$script:Chromium = (Get-Command chromium -ErrorAction Ignore).Source
function Invoke-Chromium {
    # Headless Chromium with the flags this machine needs (no background networking); loads a page and exits.
    param([string]$Url, [string]$Profile)
    & $Chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking `
        --disable-component-update --disable-sync "--user-data-dir=$Profile" --virtual-time-budget=4000 --dump-dom $Url 2>$null | Out-Null
}
