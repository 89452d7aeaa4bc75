BeforeDiscovery {
    # -Skip conditions are evaluated at discovery: they need common.ps1's $Chromium here
    . $PSScriptRoot/common.ps1
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $site = Join-Path (Split-Path $modulePath) 'LabSite'
}

AfterAll {
    Get-LabServer | Stop-LabServer
}

Describe 'Start-LabServer with curl' {
    BeforeAll {
        $port = Get-FreePort
        $s = Start-LabServer -Port $port -Name curl-lab
        $base = "http://127.0.0.1:$port"
    }
    AfterAll { $s | Stop-LabServer }

    It 'serves the bundled lab site, Werkzeug-style' {
        $s | Should -BeOfType Lab2Tools.Server.LabServer
        $s.Url | Should -Be "$base/"
        $s.Root | Should -Be $site
        $h = curl -s -D - -o /dev/null "$base/static/logo.png"
        $h[0] | Should -Match '^HTTP/1.1 200 OK'
        ($h -join "`n") | Should -Match 'Connection: close'
        ($h -join "`n") | Should -Match 'Cache-Control: no-cache'
        ($h -join "`n") | Should -Match 'ETag: "[0-9.]+-6764-\d+"'
        ($h -join "`n") | Should -Match 'Content-Type: image/png'
        ($h -join "`n") | Should -Not -Match 'Accept-Ranges'
        curl -s "$base/" | Should -Contain '<audio controls preload="auto" src="/static/audio.ogg"></audio>'
    }

    It 'answers conditional requests with 304 and no entity headers' {
        $etag = ((curl -sI "$base/static/logo.png") -match '^ETag:' -replace '^ETag:\s*', '').Trim()
        $lm = ((curl -sI "$base/static/logo.png") -match '^Last-Modified:' -replace '^Last-Modified:\s*', '').Trim()
        $r = curl -s -D - -o /dev/null -H "If-None-Match: $etag" "$base/static/logo.png"
        $r[0] | Should -Match '304 NOT MODIFIED'
        ($r -join "`n") | Should -Not -Match 'Content-Length|Content-Type|Last-Modified'
        ($r -join "`n") | Should -Match 'ETag'
        (curl -s -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $lm" "$base/static/logo.png") | Should -Be 304
        (curl -s -o /dev/null -w '%{http_code}' -H 'If-None-Match: "other"' "$base/static/logo.png") | Should -Be 200
    }

    It 'answers one range with 206 and several or impossible ranges with 416' {
        $r = curl -s -D - -o /dev/null -H 'Range: bytes=100-199' "$base/static/audio.ogg"
        $r[0] | Should -Match '206 PARTIAL CONTENT'
        ($r -join "`n") | Should -Match 'Content-Range: bytes 100-199/325222'
        ($r -join "`n") | Should -Match 'Content-Length: 100'
        ($r -join "`n") | Should -Match 'Accept-Ranges: bytes'
        $bytes = curl -s -H 'Range: bytes=0-' "$base/static/audio.ogg" -o (Join-Path $TestDrive 'a.ogg')
        (Get-FileHash (Join-Path $TestDrive 'a.ogg')).Hash | Should -Be (Get-FileHash (Join-Path $site 'audio.ogg')).Hash
        (curl -s -o /dev/null -w '%{http_code}' -H 'Range: bytes=0-9,20-29' "$base/static/audio.ogg") | Should -Be 416
        (curl -s -D - -o /dev/null -H 'Range: bytes=999999-' "$base/static/audio.ogg")[0] | Should -Match '416'
    }

    It 'answers HEAD, 404 and 405' {
        (curl -s -o /dev/null -w '%{http_code} %{size_download}' -I "$base/static/audio.ogg") | Should -Be '200 0'
        (curl -s -o /dev/null -w '%{http_code}' "$base/no-such-file") | Should -Be 404
        $r = curl -s -D - -o /dev/null -X PUT "$base/"
        $r[0] | Should -Match '405'
        ($r -join "`n") | Should -Match 'Allow: GET, HEAD, OPTIONS'
    }

    It 'never serves a file outside its root' {
        $root = Join-Path $TestDrive 'root'
        $null = New-Item -ItemType Directory $root
        'inside' | Set-Content (Join-Path $root 'ok.txt')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $root 'escape.txt') -Target '/etc/hostname'
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $root 'etc') -Target '/etc'
        $p2 = Get-FreePort
        $t = Start-LabServer -Port $p2 -Root $root
        try {
            (curl -s "http://127.0.0.1:$p2/ok.txt") | Should -Be 'inside'
            foreach ($path in '/static/../../../../etc/passwd', '/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd',
                '/..%5c..%5cetc%5cpasswd', '/static/..\..\etc\passwd', '/escape.txt', '/etc/passwd', '/%2fetc%2fpasswd') {
                (curl -s -o /dev/null -w '%{http_code}' --path-as-is "http://127.0.0.1:$p2$path") | Should -Be 404 -Because $path
            }
            (curl -s -o /dev/null -w '%{http_code}' --path-as-is "http://127.0.0.1:$p2/a%00b") | Should -Be 400
        } finally { $t | Stop-LabServer }
    }

    It 'survives bad requests and keeps answering' {
        $send = {
            param([byte[]]$bytes, [int]$wait = 3000)
            $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port)
            $st = $c.GetStream(); $st.ReadTimeout = $wait
            try { $st.Write($bytes, 0, $bytes.Length) } catch { }
            $buf = [byte[]]::new(4096); $n = 0
            try { $n = $st.Read($buf, 0, $buf.Length) } catch { }
            $c.Dispose()
            [Text.Encoding]::ASCII.GetString($buf, 0, $n)
        }
        (& $send ([Text.Encoding]::ASCII.GetBytes("GET /$('a' * 9000) HTTP/1.1`r`n`r`n"))) | Should -Match '^HTTP/1.1 414'
        (& $send ([Text.Encoding]::ASCII.GetBytes("GET / HTTP/1.1`r`n" + ("X-A: $('b' * 100)`r`n" * 400) + "`r`n"))) | Should -Match '^HTTP/1.1 431'
        (& $send ([Text.Encoding]::ASCII.GetBytes("GET / HTTP/2.0`r`n`r`n"))) | Should -Match '^HTTP/1.1 505'
        (& $send ([Text.Encoding]::ASCII.GetBytes("G(T / HTTP/1.1`r`n`r`n"))) | Should -Match '^HTTP/1.1 400'
        (& $send ([byte[]](0x16, 0x03, 0x01, 0, 0xa5, 13, 10, 13, 10))) | Should -Match '^HTTP/1.1 400'
        (& $send ([Text.Encoding]::ASCII.GetBytes("GET /`0 HTTP/1.1`r`n`r`n"))) | Should -Match '^HTTP/1.1 400'
        (curl -s -o /dev/null -w '%{http_code}' "$base/") | Should -Be 200
    }

    It 'cuts off a client that sends its request too slowly' {
        $p3 = Get-FreePort
        $t = Start-LabServer -Port $p3 -HeaderTimeoutSec 1
        try {
            $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $p3)
            $st = $c.GetStream(); $st.ReadTimeout = 5000
            $st.Write([Text.Encoding]::ASCII.GetBytes('GET / HT'), 0, 8)
            $buf = [byte[]]::new(4096)
            $n = $st.Read($buf, 0, 4096)
            [Text.Encoding]::ASCII.GetString($buf, 0, $n) | Should -Match '^HTTP/1.1 408'
            $c.Dispose()
            (curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p3/") | Should -Be 200
        } finally { $t | Stop-LabServer }
    }

    It 'answers 503 beyond -MaxConnections and serves again when they close' {
        $p4 = Get-FreePort
        $t = Start-LabServer -Port $p4 -MaxConnections 2
        try {
            $idle = 1..2 | ForEach-Object { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $p4) }
            Start-Sleep -Milliseconds 300
            (curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p4/") | Should -Be 503
            $idle | ForEach-Object { $_.Dispose() }
            Start-Sleep -Milliseconds 300
            (curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p4/") | Should -Be 200
            $t.RejectedConnections | Should -Be 1
        } finally { $t | Stop-LabServer }
    }

    It 'listens on IPv6 loopback' {
        $p5 = Get-FreePort
        $t = Start-LabServer -Port $p5 -Address ::1
        try {
            $t.Url | Should -Be "http://[::1]:$p5/"
            (curl -s -o /dev/null -w '%{http_code}' "http://[::1]:$p5/static/logo.png") | Should -Be 200
        } finally { $t | Stop-LabServer }
    }

    It 'logs every request with a Werkzeug line' {
        $log = @(Get-LabServerLog -Name curl-lab)
        $log.Count | Should -BeGreaterThan 10
        $log[0] | Should -BeOfType Lab2Tools.Server.RequestLogEntry
        $log[0].LogLine | Should -Match '^127\.0\.0\.1 - - \[\d\d/\w{3}/\d{4} \d\d:\d\d:\d\d\] "GET /static/logo.png HTTP/1.1" 200 -$'
        @(Get-LabServerLog -Name curl-lab -Last 2).Count | Should -Be 2
    }
}

Describe 'Lab server lifecycle' {
    It 'refuses a busy port with ResourceBusy (as Invoke-LabSession does)' {
        $p = Get-FreePort
        $a = Start-LabServer -Port $p
        try {
            { Start-LabServer -Port $p } | Should -Throw -ErrorId 'LabServerPortInUse,Lab2Tools.Commands.StartLabServerCommand'
            try { Start-LabServer -Port $p } catch { $_.CategoryInfo.Category | Should -Be 'ResourceBusy'; $_.TargetObject | Should -Be $p }
        } finally { $a | Stop-LabServer }
    }

    It 'finds servers by name and id, stops them, and frees the port' {
        $p = Get-FreePort
        $a = Start-LabServer -Port $p -Name 'findme'
        (Get-LabServer -Name 'find*').Id | Should -Be $a.Id
        (Get-LabServer -Id $a.Id).Name | Should -Be 'findme'
        Get-LabServer -Id 99999 -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'LabServerNotFound,*'
        Stop-LabServer -Name findme -WhatIf
        (Get-LabServer -Name findme).State | Should -Be 'Running'
        $stopped = Stop-LabServer -Name findme -PassThru
        $stopped.State | Should -Be 'Stopped'
        Get-LabServer -Name findme -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $again = Start-LabServer -Port $p
        $again.State | Should -Be 'Running'
        $again | Stop-LabServer
    }

    It 'starts nothing with -WhatIf' {
        $p = Get-FreePort
        Start-LabServer -Port $p -WhatIf | Should -BeNullOrEmpty
        (curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$p/") | Should -Be '000'
    }

    It 'stops its servers when the module is removed' {
        $p = Get-FreePort
        $cmd = "Import-Module '$modulePath'; `$null = Start-LabServer -Port $p; `$a = curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$p/; Remove-Module Lab2Tools; `$b = curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$p/; `"`$a `$b`""
        $exe = [Environment]::ProcessPath
        $pre = @()
        if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $pre += Join-Path $PSHOME 'pwsh.dll' }
        (& $exe @pre -NoProfile -NonInteractive -Command $cmd) | Should -Be '200 000'
    }
}

Describe 'The server on the wire' -Tag Capture {
    It 'Werkzeug profile: one connection per request, the server sends the first FIN and holds TIME_WAIT' {
        $p = Get-FreePort
        $s = Start-LabServer -Port $p
        # a client that reads until the server's FIN before closing (curl may close as soon as it has
        # Content-Length bytes, which makes the order of the two FINs a race on the wire)
        $pcap = Invoke-CapturedTraffic -Port $p -Path (Join-Path $TestDrive 'w.pcap') -Action {
            foreach ($path in '/', '/static/logo.png') {
                $c = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $p)
                $st = $c.GetStream()
                $req = [Text.Encoding]::ASCII.GetBytes("GET $path HTTP/1.1`r`nHost: lab`r`n`r`n")
                $st.Write($req, 0, $req.Length)
                $buf = [byte[]]::new(65536)
                while ($st.Read($buf, 0, $buf.Length) -gt 0) { }
                $c.Dispose()
            }
        }
        $s | Stop-LabServer
        $t = @(Get-TcpTeardown $pcap)
        $t.Count | Should -Be 2
        $t.ActiveCloser | Sort-Object -Unique | Should -Be 'Server'
        $t.TimeWaitSide | Sort-Object -Unique | Should -Be 'Server'
        $x = @(Get-HttpExchange $pcap)
        $x.Stream | Should -Be @(0, 1)
        # headers and body in separate writes: the response spans several segments
        $x[1].ResponseSegmentFrames.Count | Should -BeGreaterThan 0
        (Get-TcpConnection $pcap).ConnState | Sort-Object -Unique | Should -Be 'SF'
    }

    It 'KeepAlive profile: several requests on one connection' {
        $p = Get-FreePort
        $s = Start-LabServer -Port $p -Profile KeepAlive -IdleTimeoutSec 1
        $pcap = Invoke-CapturedTraffic -Port $p -Path (Join-Path $TestDrive 'k.pcap') -Action {
            curl -s -o /dev/null -o /dev/null -o /dev/null "http://127.0.0.1:$p/" "http://127.0.0.1:$p/static/logo.png" "http://127.0.0.1:$p/static/audio.ogg"
        }
        $s | Stop-LabServer
        $x = @(Get-HttpExchange $pcap)
        $x.Count | Should -Be 3
        ($x.Stream | Sort-Object -Unique).Count | Should -Be 1
        $x.Sequence | Should -Be @(1, 2, 3)
        $x[0].ResponseHeaders['Connection'] | Should -Be 'keep-alive'
    }

    It 'ClientFirst: the client closes first and holds TIME_WAIT' {
        $p = Get-FreePort
        $s = Start-LabServer -Port $p -CloseMode ClientFirst
        $pcap = Invoke-CapturedTraffic -Port $p -Path (Join-Path $TestDrive 'c.pcap') -Action { curl -s -o /dev/null "http://127.0.0.1:$p/" }
        $s | Stop-LabServer
        $t = Get-TcpTeardown $pcap
        $t.ActiveCloser | Should -Be 'Client'
        $t.TimeWaitSide | Should -Be 'Client'
    }

    It 'Abort: the server resets the connection' {
        $p = Get-FreePort
        $s = Start-LabServer -Port $p -CloseMode Abort
        $pcap = Invoke-CapturedTraffic -Port $p -Path (Join-Path $TestDrive 'a.pcap') -Action { curl -s -o /dev/null "http://127.0.0.1:$p/" }
        $s | Stop-LabServer
        $t = Get-TcpTeardown $pcap
        $t.Kind | Should -Be 'Reset'
        $t.ResetBy | Should -Be 'Server'
        (Get-TcpStateTimeline $pcap | Where-Object To -eq TIME_WAIT) | Should -BeNullOrEmpty
    }

    It 'NoDelay: small writes leave as more segments than with Nagle on' {
        $counts = foreach ($nd in $false, $true) {
            $p = Get-FreePort
            $s = Start-LabServer -Port $p -WriteChunkSize 100 -NoDelay:$nd
            $pcap = Invoke-CapturedTraffic -Port $p -Path (Join-Path $TestDrive "n$nd.pcap") -Action { curl -s -o /dev/null "http://127.0.0.1:$p/static/logo.png" }
            $s | Stop-LabServer
            @(Import-TcpCapture $pcap | Where-Object { $_.SourcePort -eq $p -and $_.Len -gt 0 }).Count
        }
        $counts[0] | Should -BeLessThan $counts[1]
    }

    It 'SendBufferSize caps the bytes the server has in flight' {
        $maxInFlight = foreach ($size in 0, 4096) {
            $p = Get-FreePort
            $s = if ($size) { Start-LabServer -Port $p -SendBufferSize $size } else { Start-LabServer -Port $p }
            $pcap = Invoke-CapturedTraffic -Port $p -Path (Join-Path $TestDrive "sb$size.pcap") -Action { curl -s -o /dev/null "http://127.0.0.1:$p/static/audio.ogg" }
            $s | Stop-LabServer
            (Import-TcpCapture $pcap | Where-Object { $_.SourcePort -eq $p -and $_.BytesInFlight } | Measure-Object BytesInFlight -Maximum).Maximum
        }
        # SO_SNDBUF 4096 (the kernel doubles it): far less unacknowledged data than the autotuned default
        $maxInFlight[1] | Should -BeLessOrEqual 16384
        $maxInFlight[1] | Should -BeLessThan $maxInFlight[0]
    }

    It 'ReceiveBufferSize shows in the SYN-ACK; ResponseDelay in the time to first byte' {
        $p = Get-FreePort
        $s = Start-LabServer -Port $p -ReceiveBufferSize 4096 -ResponseDelayMilliseconds 300
        $pcap = Invoke-CapturedTraffic -Port $p -Path (Join-Path $TestDrive 'r.pcap') -Action { curl -s -o /dev/null "http://127.0.0.1:$p/" }
        $s | Stop-LabServer
        $h = Get-TcpHandshake $pcap
        $h.ServerOptions.Window | Should -BeLessOrEqual 8192
        $h.ServerOptions.WindowScaleShift | Should -BeLessThan $h.ClientOptions.WindowScaleShift
        # .NET timers may fire up to a tick (a few ms) early: the delay must show, not to the millisecond
        (Get-HttpExchange $pcap).TimeToFirstByteMs | Should -BeGreaterOrEqual 285
    }
}

Describe 'The lab page in headless Chromium' -Tag Browser {
    It 'loads the page, the logo and the audio, and revalidates them on a reload' -Skip:(-not $Chromium) {
        $p = Get-FreePort
        $s = Start-LabServer -Port $p
        $profileDir = Join-Path $TestDrive 'chromium'
        Invoke-Chromium -Url "http://127.0.0.1:$p/" -Profile $profileDir
        Start-Sleep -Milliseconds 500
        Invoke-Chromium -Url "http://127.0.0.1:$p/" -Profile $profileDir
        Start-Sleep -Milliseconds 500
        $log = @(Get-LabServerLog -InputObject $s)
        $s | Stop-LabServer
        $first = $log | Where-Object Path -eq '/' | Select-Object -First 1
        $first.Status | Should -Be 200
        ($log | Where-Object Path -eq '/static/logo.png').Status | Should -Contain 200
        ($log | Where-Object Path -eq '/static/audio.ogg').Status | Should -Contain 206
        ($log | Where-Object Path -eq '/').Status | Should -Contain 304
        ($log | Where-Object Path -eq '/static/logo.png').Status | Should -Contain 304
        # Werkzeug profile: every request on its own connection
        ($log.ConnectionId | Sort-Object -Unique).Count | Should -Be $log.Count
    }
}
