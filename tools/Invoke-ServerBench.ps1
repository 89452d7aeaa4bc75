<#
.SYNOPSIS
    Benchmarks Start-LabServer against Flask (Debian's python3-flask) and nginx (one worker) on the same file,
    with wrk, in one run, and prints requests/s and ratios.
.DESCRIPTION
    Each server runs in its own process; wrk (-t1 -c8 -d<Seconds>s) fetches the bundled logo from each.
    Targets on the project's 2-core machine: the KeepAlive profile at least 65% of nginx, the Werkzeug profile
    at least 10 times Flask. Returns one object per server and exits non-zero when a target is missed.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$RepoRoot,
    [int]$Seconds = 5,
    [string]$OutFolder = (Join-Path $RepoRoot 'out/bench')
)
$ErrorActionPreference = 'Stop'
$null = New-Item -ItemType Directory -Force $OutFolder
$site = Join-Path (Split-Path $ModulePath) 'LabSite'
$path = '/static/logo.png'

function Wait-Port([int]$Port) {
    for ($i = 0; $i -lt 100; $i++) {
        if ((curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$Port$path") -eq '200') { return }
        Start-Sleep -Milliseconds 100
    }
    throw "nothing answers on port $Port"
}

function Invoke-Wrk([int]$Port) {
    $out = & wrk -t1 -c8 "-d$($Seconds)s" "http://127.0.0.1:$Port$path" 2>&1
    $line = $out | Select-String 'Requests/sec:\s+([\d.]+)'
    if (-not $line) { throw "wrk gave no rate for port ${Port}: $out" }
    [double]$line.Matches[0].Groups[1].Value
}

$procs = @()
try {
    # nginx, one worker, keep-alive (its defaults), serving the same folder
    $conf = Join-Path $OutFolder 'nginx.conf'
    @"
worker_processes 1;
daemon off;
user root;
error_log $OutFolder/nginx-error.log;
pid $OutFolder/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    types { image/png png; text/html html; audio/ogg ogg; }
    server { listen 127.0.0.1:5902; location /static/ { alias $site/; } location / { root $site; } }
}
"@ | Set-Content $conf
    $procs += Start-Process nginx -ArgumentList '-c', $conf -PassThru -RedirectStandardError (Join-Path $OutFolder 'nginx.err') -RedirectStandardOutput (Join-Path $OutFolder 'nginx.out')
    # Flask (Werkzeug) as in the seed
    $procs += Start-Process /usr/bin/python3 -ArgumentList (Join-Path $RepoRoot 'tests/data/recording/site_server.py'), '127.0.0.1', '5901', $site -PassThru -RedirectStandardError (Join-Path $OutFolder 'flask.err') -RedirectStandardOutput (Join-Path $OutFolder 'flask.out')
    # Start-LabServer, both profiles, in a pwsh of their own
    $exe = [Environment]::ProcessPath
    $pre = @()
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $pre += Join-Path $PSHOME 'pwsh.dll' }
    $script = "Import-Module '$ModulePath'; `$null = Start-LabServer -Port 5903 -Profile KeepAlive -MaxRequests 1000000; `$null = Start-LabServer -Port 5904; Start-Sleep 3600"
    $procs += Start-Process $exe -ArgumentList ($pre + @('-NoProfile', '-NonInteractive', '-Command', $script)) -PassThru -RedirectStandardError (Join-Path $OutFolder 'lab.err') -RedirectStandardOutput (Join-Path $OutFolder 'lab.out')
    5901..5904 | ForEach-Object { Wait-Port $_ }

    $nginx = Invoke-Wrk 5902
    $flask = Invoke-Wrk 5901
    $keep = Invoke-Wrk 5903
    $werk = Invoke-Wrk 5904
    $rows = @(
        [pscustomobject]@{ Server = 'nginx 1 worker (keep-alive)'; RequestsPerSecond = $nginx; Versus = ''; Target = '' }
        [pscustomobject]@{ Server = 'Flask/Werkzeug dev server'; RequestsPerSecond = $flask; Versus = ''; Target = '' }
        [pscustomobject]@{ Server = 'Start-LabServer -Profile KeepAlive'; RequestsPerSecond = $keep; Versus = '{0:P0} of nginx' -f ($keep / $nginx); Target = if ($keep / $nginx -ge 0.65) { 'met (>= 65%)' } else { 'MISSED (>= 65%)' } }
        [pscustomobject]@{ Server = 'Start-LabServer (Werkzeug profile)'; RequestsPerSecond = $werk; Versus = '{0:N1} x Flask' -f ($werk / $flask); Target = if ($werk / $flask -ge 10) { 'met (>= 10x)' } else { 'MISSED (>= 10x)' } }
    )
    $rows | Format-Table -AutoSize | Out-String | Write-Host
    $rows
}
finally {
    # SIGTERM, not Stop-Process (SIGKILL): nginx's master must take its worker down with it
    foreach ($p in $procs) { if (-not $p.HasExited) { & kill -TERM $p.Id 2>$null; $null = $p.WaitForExit(5000) } }
}
