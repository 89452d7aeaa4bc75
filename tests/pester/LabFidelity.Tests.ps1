# Issue 15: the lab shows what the lab asks for (four-way teardown, close modes, NotApplicable, the lab's port by
# evidence, mid-stream HTTP, paths, output folders, Flask-shaped sites).
BeforeDiscovery {
    . $PSScriptRoot/common.ps1
}

BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Invoke-LabSession: the four-way teardown, every time' -Tag Capture, Lab {
    It 'closes every connection in four segments in 10 sessions in a row, agreeing with tshark' {
        foreach ($i in 1..10) {
            $s = Invoke-LabSession -Port 0 -NoRevisit -OutputDirectory (Join-Path $TestDrive "four-$i")
            $s.GetTeardowns().Count | Should -Be 3 -Because "session $i has three connections"
            foreach ($t in $s.GetTeardowns()) {
                $t.Kind | Should -Be FourWay -Because "session $i, stream $($t.Stream): $($t.Explanation)"
                $t.ActiveCloser | Should -Be Server
                $t.TimeWaitSide | Should -Be Server
                # tshark: the four steps are four frames, the first FIN from the server, then a bare ACK
                $fins = @(Invoke-Tshark -Path $s.Path -Filter "tcp.stream == $($t.Stream) && tcp.flags.fin == 1" -Field frame.number, tcp.srcport, tcp.nxtseq |
                        ForEach-Object { , @([long]$_[0], [int]$_[1], [long]$_[2]) })
                $fins.Count | Should -Be 2
                $fins[0][1] | Should -Be $s.ServerPort
                # the bare ACK that acknowledges the server's FIN (its next sequence number), before the client's FIN;
                # the client may also send a bare ACK of earlier data in between
                $filter = "tcp.stream == $($t.Stream) && tcp.flags == 0x010 && tcp.ack == $($fins[0][2]) && " +
                    "frame.number > $($fins[0][0]) && frame.number < $($fins[1][0])"
                $bareAck = @(Invoke-Tshark -Path $s.Path -Filter $filter -Field frame.number | ForEach-Object { [long]$_[0] })
                $bareAck.Count | Should -Be 1 -Because 'the client acknowledges the FIN on its own before sending its FIN'
                $t.Steps.Frame[0..2] | Should -Be @($fins[0][0], $bareAck[0], $fins[1][0])
            }
            ($s.GetChecks() | Where-Object Name -eq Teardown).Evidence | Should -Match '3 four-way and 0 three-way'
        }
    }

    It 'walks through a four-way close in section 5 of the report' {
        $s = Invoke-LabSession -Port 0 -NoRevisit -OutputDirectory (Join-Path $TestDrive 'report')
        $files = $s | Export-LabReport
        $md = Get-Content ($files | Where-Object Name -eq 'report.md').FullName -Raw
        $section = ($md -split '(?m)^## ')[5..5] -join ''
        $section | Should -Match '^5\. The four-way teardown'
        $section | Should -Match '3 FourWay'
        $section | Should -Match '\(FourWay\) is shown step by step'
        ([regex]::Matches($section, '(?m)^\| [1-4] \|')).Count | Should -Be 4
    }
}

Describe 'Invoke-LabSession: every profile, close mode and visitor does what its name says' -Tag Capture, Lab {
    It '<Profile> <CloseMode> with the built-in visitor' -TestCases @(
        @{ Profile = 'Werkzeug'; CloseMode = 'ServerFirst' }, @{ Profile = 'Werkzeug'; CloseMode = 'ClientFirst' }, @{ Profile = 'Werkzeug'; CloseMode = 'Abort' }
        @{ Profile = 'KeepAlive'; CloseMode = 'ServerFirst' }, @{ Profile = 'KeepAlive'; CloseMode = 'ClientFirst' }, @{ Profile = 'KeepAlive'; CloseMode = 'Abort' }
    ) {
        $s = Invoke-LabSession -Port 0 -ServerProfile $Profile -CloseMode $CloseMode -OutputDirectory (Join-Path $TestDrive "$Profile-$CloseMode")
        $s.GetFetches().Count | Should -Be 6
        $s.GetFetches() | Where-Object Error | ForEach-Object { "$($_.Url): $($_.Error)" } | Should -BeNullOrEmpty
        $s.GetFetches() | ForEach-Object { $_.BodyBytes -gt 0 -or $_.StatusCode -eq 304 | Should -BeTrue }
        $s.GetTeardowns().Count | Should -Be 6
        $s.GetHttpExchanges() | ForEach-Object { $_.ResponseHeaders['Connection'] | Should -Be $(if ($Profile -eq 'Werkzeug') { 'close' } else { 'keep-alive' }) }
        $tw = @($s.GetSocketStates() | Where-Object State -eq 'TIME_WAIT')
        switch ($CloseMode) {
            'ServerFirst' {
                $s.GetTeardowns() | ForEach-Object { "$($_.Kind) $($_.ActiveCloser) $($_.TimeWaitSide)" } | Sort-Object -Unique | Should -Be 'FourWay Server Server'
                $s.GetFetches().ClosedFirstBy | Sort-Object -Unique | Should -Be 'Server'
                $tw.Count | Should -Be 6
                $tw.LocalPort | Sort-Object -Unique | Should -Be $s.ServerPort
            }
            'ClientFirst' {
                $s.GetTeardowns() | ForEach-Object { "$($_.Kind) $($_.ActiveCloser) $($_.TimeWaitSide)" } | Sort-Object -Unique | Should -Be 'FourWay Client Client'
                $s.GetFetches().ClosedFirstBy | Sort-Object -Unique | Should -Be 'Client'
                $tw.Count | Should -Be 6
                $tw.RemotePort | Sort-Object -Unique | Should -Be $s.ServerPort
                # tshark: the first FIN of every stream comes from the client
                Invoke-Tshark -Path $s.Path -Filter 'tcp.flags.fin == 1' -Field tcp.stream, tcp.srcport | Group-Object { $_[0] } |
                    ForEach-Object { [int]$_.Group[0][1] | Should -Not -Be $s.ServerPort }
            }
            'Abort' {
                $s.GetTeardowns() | ForEach-Object { "$($_.Kind) $($_.ResetBy)" } | Sort-Object -Unique | Should -Be 'Reset Server'
                $tw.Count | Should -Be 0
                @(Invoke-Tshark -Path $s.Path -Filter 'tcp.flags.fin == 1' -Field frame.number).Count | Should -Be 0
                @(Invoke-Tshark -Path $s.Path -Filter "tcp.flags.reset == 1 && tcp.srcport == $($s.ServerPort)" -Field tcp.stream | ForEach-Object { $_[0] } | Sort-Object -Unique).Count | Should -Be 6
            }
        }
    }
}

Describe 'A three-way close is still recognised and explained' -Tag Lab {
    It 'explains the three-way closes of a Chromium capture that has no four-way one' {
        # the recorded Chromium lab without its two four-way closes (streams 7 and 9)
        $three = Join-Path $TestDrive 'chromium-three-way.pcap'
        & tshark -r (Join-Path $DataDir 'chromium-lab.pcap') -Y 'tcp.stream != 7 && tcp.stream != 9' -w $three 2>$null
        $LASTEXITCODE | Should -Be 0
        $kinds = Get-TcpTeardown $three | Group-Object Kind -AsHashTable -AsString
        $kinds.Keys | Should -Not -Contain 'FourWay'
        $kinds['ThreeWay'].Count | Should -Be 8
        (Test-LabCapture $three -Check Teardown).Evidence | Should -Match 'ThreeWay .*0 four-way and 8 three-way'
        $md = Get-Content ((Export-LabReport -Path $three -Destination (Join-Path $TestDrive 'three-report') -Format Markdown) |
                Where-Object Name -eq 'report.md').FullName -Raw
        $section = ($md -split '(?m)^## ')[5]
        $section | Should -Match '^5\. The four-way teardown'
        $section | Should -Match '8 ThreeWay'
        $section | Should -Match 'a three-way close is shown'
        $section | Should -Match 'travel together in frame \d+ \(FIN, ACK\)'
    }
}

Describe 'Test-LabCapture on a capture with other traffic and with nothing to check' -Tag Capture, Lab {
    BeforeAll {
        # A loopback capture with no port filter, as Wireshark makes on Windows: the lab server visited with curl
        # (page, logo, audio with a range, a revalidation), 12 curl requests to another local server, and UDP.
        $labPort = Get-FreePort
        $otherPort = Get-FreePort
        $other = Join-Path $TestDrive 'other-site'
        $null = New-Item -ItemType Directory $other
        Set-Content (Join-Path $other 'data.json') '{"ok": true}'
        $py = Start-Process python3 -ArgumentList '-m', 'http.server', '--bind', '127.0.0.1', '--directory', $other, $otherPort -PassThru -RedirectStandardError (Join-Path $TestDrive 'py.err') -RedirectStandardOutput (Join-Path $TestDrive 'py.out')
        $srv = Start-LabServer -Port $labPort -Name fidelity-lab
        foreach ($i in 1..50) { & curl -s -o /dev/null "http://127.0.0.1:$otherPort/data.json"; if ($LASTEXITCODE -eq 0) { break }; Start-Sleep -Milliseconds 100 }
        $mixed = Join-Path $TestDrive 'mixed.pcap'
        $udpOnly = Join-Path $TestDrive 'udp-only.pcap'
        $dump = Start-Process tcpdump -ArgumentList '-Z', 'root', '-U', '-n', '-i', 'lo', '-w', $mixed, "tcp port $labPort or tcp port $otherPort or udp port 9" -PassThru -RedirectStandardError '/dev/null'
        $dumpUdp = Start-Process tcpdump -ArgumentList '-Z', 'root', '-U', '-n', '-i', 'lo', '-w', $udpOnly, 'udp port 9' -PassThru -RedirectStandardError '/dev/null'
        Start-Sleep -Milliseconds 1500
        try {
            $base = "http://127.0.0.1:$labPort"
            $etag = (& curl -s -D - -o /dev/null "$base/" | Select-String '^ETag: (.*)$').Matches[0].Groups[1].Value.Trim()
            & curl -s -o /dev/null "$base/static/logo.png"
            & curl -s -o /dev/null -H 'Range: bytes=0-' "$base/static/audio.ogg"
            & curl -s -o /dev/null -H "If-None-Match: $etag" "$base/"
            foreach ($i in 1..12) { & curl -s -o /dev/null "http://127.0.0.1:$otherPort/data.json" }
            $udp = [System.Net.Sockets.UdpClient]::new()
            foreach ($i in 1..5) { $null = $udp.Send([byte[]](1, 2, 3), 3, '127.0.0.1', 9) }
            $udp.Dispose()
        }
        finally {
            Start-Sleep -Milliseconds 2500
            $dump, $dumpUdp | Stop-Process
            $dump.WaitForExit(); $dumpUdp.WaitForExit()
            $srv | Stop-LabServer
            $py | Stop-Process
        }
    }

    It 'finds the lab server by the port that answered GET / with HTML, not the busiest port, and says why' {
        # the other server had more connections (tshark agrees): the old busiest-port rule would have picked it
        $synPorts = Invoke-Tshark -Path $mixed -Filter 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -Field tcp.dstport | ForEach-Object { [int]$_[0] } | Group-Object -NoElement
        ($synPorts | Where-Object Name -eq "$otherPort").Count | Should -Be 12
        ($synPorts | Where-Object Name -eq "$labPort").Count | Should -Be 4
        @(Invoke-Tshark -Path $mixed -Filter "http.response.code == 200 && tcp.srcport == $otherPort" -Field frame.number).Count | Should -Be 12
        $r = Test-LabCapture $mixed -Verbose 4>&1
        $verbose = $r | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $checks = $r | Where-Object { $_ -is [Lab2Tools.Lab.LabCheckResult] }
        $checks.ServerPort | Sort-Object -Unique | Should -Be $labPort
        $checks[0].ServerPortReason | Should -Match "port $labPort answered GET / with the page \(frame \d+\)"
        "$verbose" | Should -Match "the lab server's port is $labPort"
        ($checks | Where-Object Name -in 'Handshake', 'SynConsumesSequenceNumber', 'NotModified', 'PartialContent', 'Teardown', 'FinConsumesSequenceNumber').Result |
            Sort-Object -Unique | Should -Be 'Passed'
        ($checks | Out-String -Width 200) | Should -Match "PASS\s+$labPort\s+Handshake"
    }

    It 'looks at the port given with -Port instead' {
        $checks = Test-LabCapture $mixed -Port $otherPort
        $checks.ServerPort | Sort-Object -Unique | Should -Be $otherPort
        $checks[0].ServerPortReason | Should -Be 'given with -Port'
        ($checks | Where-Object Name -eq 'PageReassembled').Result | Should -Be 'Failed'
    }

    It 'passes nothing on a UDP-only capture: every check is NotApplicable, shown as N/A' {
        (Import-TcpCapture $udpOnly | Measure-Object).Count | Should -Be 0
        @(Invoke-Tshark -Path $udpOnly -Filter 'udp' -Field frame.number).Count | Should -Be 5
        $checks = Test-LabCapture $udpOnly
        $checks.Count | Should -Be 9
        $checks.Result | Sort-Object -Unique | Should -Be 'NotApplicable'
        $checks.Passed | Sort-Object -Unique | Should -BeFalse
        ($checks | Where-Object Name -eq NothingAbnormal).Evidence | Should -Match 'No TCP connection to port 5000 .*nothing to check'
        ($checks | Out-String -Width 200) | Should -Match 'N/A\s+5000\s+NothingAbnormal'
        $checks[0].ToString() | Should -Match '^N/A Handshake'
    }

    It '-Quiet says false when a check had nothing to check, and warns which' {
        Test-LabCapture $udpOnly -Quiet -WarningVariable w -WarningAction SilentlyContinue | Should -BeFalse
        "$w" | Should -Match 'nothing to check for Handshake, .*NothingAbnormal'
        Test-LabCapture (Join-Path $DataDir 'chromium-lab.pcap') -Quiet -WarningVariable w2 | Should -BeTrue
        $w2 | Should -BeNullOrEmpty
    }

    It 'shows N/A in the report, with the tally' {
        $md = Get-Content ((Export-LabReport -Path $udpOnly -Destination (Join-Path $TestDrive 'udp-report') -Format Markdown) | Where-Object Name -eq 'report.md').FullName -Raw
        $md | Should -Match '0 of 9 checks passed, 9 not applicable'
        $md | Should -Match '\| NothingAbnormal \| N/A \|'
        $md | Should -Match 'neither a pass nor a fail'
    }
}

Describe 'NotApplicable in a lab session' -Tag Capture, Lab {
    It 'counts and shows the checks with nothing to check in the summary (a page that fits in one segment)' {
        # KeepAlive sends the head and the small page in one segment: nothing to reassemble
        $s = Invoke-LabSession -Port 0 -ServerProfile KeepAlive -CloseMode ClientFirst -OutputDirectory (Join-Path $TestDrive 'na-session')
        $page = $s.GetChecks() | Where-Object Name -eq PageReassembled
        $page.Result | Should -Be NotApplicable
        $page.Evidence | Should -Match 'came whole in frame \d+: nothing to reassemble'
        $s.Passed | Should -BeFalse
        $text = $s | Out-String -Width 200
        $text | Should -Match 'checks passed, (1 failed, )?1 not applicable'
        $text | Should -Match '\[N/A\] PageReassembled'
        "$s" | Should -Match '1 not applicable'
    }
}

Describe 'Show-TcpFlow -SvgPath with a file name and several streams' -Tag Lab {
    It 'writes name-stream-N.svg beside the name, and no folder of that name' {
        Push-Location $TestDrive
        try {
            $files = Show-TcpFlow -Path (Join-Path $DataDir 'http-visit.pcap') -SvgPath one.svg -Verbose 4>&1
            $fi = $files | Where-Object { $_ -is [IO.FileInfo] }
            $streams = @(Get-TcpConnection (Join-Path $DataDir 'http-visit.pcap')).Stream
            $fi.Name | Should -Be ($streams | ForEach-Object { "one-stream-$_.svg" })
            $fi | ForEach-Object { $_.DirectoryName | Should -Be $TestDrive.ToString(); [xml](Get-Content $_.FullName -Raw) | Should -Not -BeNullOrEmpty }
            Test-Path (Join-Path $TestDrive 'one.svg') | Should -BeFalse
            "$($files | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })" | Should -Match 'one file each beside'
            (Show-TcpFlow -Path (Join-Path $DataDir 'http-visit.pcap') -Stream 0 -SvgPath single.svg).FullName | Should -Be (Join-Path $TestDrive 'single.svg')
            (Show-TcpFlow -Path (Join-Path $DataDir 'http-visit.pcap') -SvgPath figs).Directory.Name | Sort-Object -Unique | Should -Be 'figs'
        }
        finally { Pop-Location }
    }
}

Describe 'Paths: no match is an error, brackets through -LiteralPath, gzip-compressed captures' -Tag Lab {
    BeforeAll {
        $bracketed = Join-Path $TestDrive 'Zhang San [lab2].pcap'
        Copy-Item -LiteralPath (Join-Path $DataDir 'http-visit.pcap') -Destination $bracketed
    }

    It '<_> -Path with brackets gives CaptureFileNotFound naming -LiteralPath, and -LiteralPath reads the file' -ForEach @(
        'Import-TcpCapture', 'Get-TcpConnection', 'Get-TcpHandshake', 'Get-TcpTeardown', 'Get-TcpStateTimeline', 'Get-TcpExpertInfo',
        'Get-TcpStream', 'Get-HttpExchange', 'Test-LabCapture', 'Export-LabReport', 'Show-TcpFlow', 'Export-HttpObject') {
        $extra = @{}
        if ($_ -eq 'Export-HttpObject') { $extra.Destination = Join-Path $TestDrive "objects-$_" }
        if ($_ -eq 'Export-LabReport') { $extra.Destination = Join-Path $TestDrive "report-$_" }
        Push-Location $TestDrive
        try {
            $out = & $_ -Path './Zhang San [lab2].pcap' @extra -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike "CaptureFileNotFound,*$($_ -replace '-', '')*"
            $err[0].CategoryInfo.Category | Should -Be ObjectNotFound
            $err[0].TargetObject | Should -Be './Zhang San [lab2].pcap'
            $err[0].ErrorDetails.RecommendedAction | Should -Match "-LiteralPath './Zhang San \[lab2\].pcap'"
            if ($extra.Count) { $extra.Destination = Join-Path $TestDrive "literal-$_" }
            @(& $_ -LiteralPath './Zhang San [lab2].pcap' @extra -ErrorAction Stop).Count | Should -BeGreaterThan 0
            # a pattern that matches nothing at all: the same error, as Get-Content gives
            { & $_ -Path './nothing-here-*.pcap' @extra -ErrorAction Stop } | Should -Throw -ErrorId "CaptureFileNotFound,*"
        }
        finally { Pop-Location }
    }

    It 'reads <Name> like the uncompressed file, as tshark does' -TestCases @(
        @{ Name = 'http-visit.pcap.gz'; Source = 'http-visit.pcap' }, @{ Name = 'http-visit.pcapng.gz'; Source = 'http-visit.pcapng' }
    ) {
        $gz = Join-Path $TestDrive $Name
        $src = Join-Path $DataDir $Source
        & sh -c "gzip -c '$src' > '$gz'"
        [IO.File]::ReadAllBytes($gz)[0..1] | Should -Be @(0x1F, 0x8B)
        $plain = Import-TcpCapture $src
        $fromGz = Import-TcpCapture $gz
        $fromGz.Count | Should -Be $plain.Count
        ($fromGz | ForEach-Object { "$($_.Frame) $($_.Stream) $($_.Seq) $($_.Ack) $($_.Len)" }) | Should -Be ($plain | ForEach-Object { "$($_.Frame) $($_.Stream) $($_.Seq) $($_.Ack) $($_.Len)" })
        $tshark = Invoke-Tshark -Path $gz -Filter 'tcp' -Field frame.number, tcp.seq, tcp.len | ForEach-Object { "$($_[0]) $($_[1]) $($_[2])" }
        ($fromGz | ForEach-Object { "$($_.Frame) $($_.Seq) $($_.Len)" }) | Should -Be $tshark
        (Get-HttpExchange $gz).Uri | Should -Be (Get-HttpExchange $src).Uri
        (Test-LabCapture $gz).Result | Should -Be (Test-LabCapture $src).Result
    }

    It 'reports damaged gzip data as CaptureFileCorrupt after the frames before it' {
        $bytes = [IO.File]::ReadAllBytes((Join-Path $TestDrive 'http-visit.pcap.gz'))
        for ($i = [int]($bytes.Length / 2); $i -lt $bytes.Length - 8; $i++) { $bytes[$i] = 0xFF }
        $bad = Join-Path $TestDrive 'damaged.pcap.gz'
        [IO.File]::WriteAllBytes($bad, $bytes)
        $segs = Import-TcpCapture $bad -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileCorrupt,*'
        $err[0].Exception.Message | Should -Match 'gzip-compressed data is damaged'
        @($segs).Count | Should -BeGreaterThan 0
    }
}

Describe 'Invoke-LabSession output folders' -Tag Capture, Lab {
    It 'leaves no folder behind when it fails (a busy port), given or default' {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $l.Start()
        try {
            $port = $l.LocalEndpoint.Port
            $dir = Join-Path $TestDrive 'busy/deeper'
            { Invoke-LabSession -Port $port -OutputDirectory $dir } | Should -Throw -ErrorId 'LabServerPortInUse,*'
            Test-Path (Join-Path $TestDrive 'busy') | Should -BeFalse
            $plain = Join-Path $TestDrive 'plain'
            $null = New-Item -ItemType Directory $plain
            Push-Location $plain
            try { { Invoke-LabSession -Port $port } | Should -Throw -ErrorId 'LabServerPortInUse,*' }
            finally { Pop-Location }
            Get-ChildItem $plain | Should -BeNullOrEmpty
        }
        finally { $l.Stop() }
    }

    It 'does not replace an earlier capture without -Force, and does with it' {
        $dir = Join-Path $TestDrive 'again'
        $first = Invoke-LabSession -Port 0 -NoRevisit -OutputDirectory $dir
        $before = Get-FileHash $first.Path
        $err = { Invoke-LabSession -Port 0 -NoRevisit -OutputDirectory $dir } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'LabOutputExists,*'
        $err.CategoryInfo.Category | Should -Be ResourceExists
        $err.TargetObject | Should -Be $first.Path
        $err.ErrorDetails.RecommendedAction | Should -Match '-Force'
        (Get-FileHash $first.Path).Hash | Should -Be $before.Hash
        Get-LabServer | Where-Object State -eq Running | Where-Object Port -ne 0 | Should -BeNullOrEmpty
        $second = Invoke-LabSession -Port 0 -NoRevisit -OutputDirectory $dir -Force
        $second.Path | Should -Be $first.Path
        (Get-FileHash $second.Path).Hash | Should -Not -Be $before.Hash
    }

    It 'does nothing with -WhatIf' {
        $dir = Join-Path $TestDrive 'whatif'
        $port = Get-FreePort
        Invoke-LabSession -Port $port -OutputDirectory $dir -WhatIf | Should -BeNullOrEmpty
        Test-Path $dir | Should -BeFalse
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $port)
        { $l.Start() } | Should -Not -Throw
        $l.Stop()
    }

    It 'leaves no untracked folder in a git checkout by default' {
        $repo = Join-Path $TestDrive 'checkout'
        $null = New-Item -ItemType Directory (Join-Path $repo 'sub')
        # a checkout is a folder holding .git (git itself need not be installed: the module looks for the folder)
        if (Get-Command git -ErrorAction Ignore) { & git -C $repo init -q } else { $null = New-Item -ItemType Directory (Join-Path $repo '.git') }
        $before = @(Get-ChildItem -LiteralPath $repo -Recurse -Force -Name | Where-Object { $_ -notlike '.git*' })
        Push-Location (Join-Path $repo 'sub')
        try { $s = Invoke-LabSession -Port 0 -NoRevisit -Verbose 4>&1 }
        finally { Pop-Location }
        $session = $s | Where-Object { $_ -is [Lab2Tools.Lab.LabSession] }
        try {
            @(Get-ChildItem -LiteralPath $repo -Recurse -Force -Name | Where-Object { $_ -notlike '.git*' }) | Should -Be $before
            $session.OutputDirectory | Should -BeLike (Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'Lab2Tools/sessions/lab2-session-*')
            Test-Path $session.Path | Should -BeTrue
            "$($s | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })" | Should -Match 'inside the git checkout'
        }
        finally { Remove-Item -LiteralPath $session.OutputDirectory -Recurse -Force }
    }
}

Describe 'A capture that starts after the handshake (keep-alive connections opened before it)' -Tag Lab {
    BeforeAll {
        # recorded by tests/data/recording/record-midstream-keepalive.ps1
        $recording = Join-Path $DataDir 'keepalive-midstream.pcap'
        function Get-TsharkExchange([string]$Path) {
            # one line per response (request frame or 0, response frame, code, method, uri) and per unanswered request
            $req = @{}
            foreach ($r in Invoke-Tshark -Path $Path -Filter 'http.request' -Field frame.number, http.request.method, http.request.uri) { $req[$r[0]] = $r }
            $answered = @{}
            foreach ($r in Invoke-Tshark -Path $Path -Filter 'http.response' -Field frame.number, http.response.code, http.request_in) {
                if ($r[2]) { $answered[$r[2]] = $true; $q = $req[$r[2]]; "$($r[2]) $($r[0]) $($r[1]) $($q[1]) $($q[2])" }
                else { "0 $($r[0]) $($r[1])  " }
            }
            foreach ($k in $req.Keys) { if (-not $answered[$k]) { "$k  $($req[$k][1]) $($req[$k][2])" } }
        }
        function Get-OurExchange([string]$Path) {
            Get-HttpExchange $Path | ForEach-Object {
                if ($_.StatusCode) { "$($_.RequestFrame) $($_.ResponseFrame) $($_.StatusCode) $($_.Method) $($_.Uri)" } else { "$($_.RequestFrame)  $($_.Method) $($_.Uri)" }
            }
        }
    }

    It 'finds every exchange tshark finds in the recording, with the same method, URI, status and frames' {
        (Get-TcpConnection $recording).Count | Should -Be 2
        Get-TcpHandshake $recording -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        $expected = @(Get-TsharkExchange $recording | Sort-Object)
        $expected.Count | Should -Be 7
        @(Get-OurExchange $recording | Sort-Object) | Should -Be $expected
        (Get-HttpExchange $recording).State | Sort-Object -Unique | Should -Be 'Complete'
    }

    It 'agrees with tshark when the capture starts at frame <_> (between messages, between a request and its response, inside a body)' -ForEach 1, 3, 10, 33, 40 {
        $cut = Join-Path $TestDrive "cut-$_.pcap"
        & editcap -r $recording $cut "$_-100000" 2>$null
        $LASTEXITCODE | Should -Be 0
        $expected = @(Get-TsharkExchange $cut | Sort-Object)
        @(Get-OurExchange $cut | Sort-Object) | Should -Be $expected
        Get-HttpExchange $cut | Where-Object RequestFrame -eq 0 | ForEach-Object { $_.State | Should -Be RequestNotCaptured }
    }

    It 'says which streams have no handshake or no teardown in the capture' {
        $null = Get-TcpHandshake $recording -WarningVariable w -WarningAction SilentlyContinue
        "$w" | Should -Match 'No handshake in the capture for stream\(s\) 0, 1: no SYN was captured'
        $cut = Join-Path $TestDrive 'no-end.pcap'
        & editcap -r $recording $cut '1-46' 2>$null
        $t = Get-TcpTeardown $cut -WarningVariable w2 -WarningAction SilentlyContinue
        $t | Should -BeNullOrEmpty
        "$w2" | Should -Match 'No teardown in the capture for stream\(s\) 0, 1: no FIN or RST'
        $null = Get-TcpHandshake (Join-Path $DataDir 'http-visit.pcap') -WarningVariable w3
        $w3 | Should -BeNullOrEmpty
        $null = Get-TcpTeardown $recording -WarningVariable w4
        $w4 | Should -BeNullOrEmpty
    }
}

Describe 'Start-LabServer -Root on a Flask-shaped folder answers as Flask does (Debian python3-flask)' -Tag Server {
    BeforeAll {
        $site = Join-Path (Split-Path $DataDir) '../src/Lab2Tools/LabSite'
        function New-FlaskProject([string]$Path, [switch]$Template) {
            $null = New-Item -ItemType Directory (Join-Path $Path 'static/css') -Force
            Copy-Item (Join-Path $site 'logo.png'), (Join-Path $site 'audio.ogg') (Join-Path $Path 'static')
            Set-Content (Join-Path $Path 'static/css/site.css') 'body { color: #222; }' -NoNewline
            $html = (Get-Content (Join-Path $site 'index.html') -Raw) -replace '"/static/logo.png"', '"{{ url_for(''static'', filename=''logo.png'') }}"'
            if ($Template) {
                $null = New-Item -ItemType Directory (Join-Path $Path 'templates') -Force
                # CRLF line ends and a final newline: Jinja gives LF and drops the last one
                [IO.File]::WriteAllText((Join-Path $Path 'templates/index.html'), ($html -replace "`n", "`r`n"))
            }
            else { [IO.File]::WriteAllText((Join-Path $Path 'index.html'), ($html -replace '\{\{[^}]*\}\}', '/static/logo.png')) }
        }
        function Invoke-Probe([string]$Base, [string]$Method, [string]$Path, [string[]]$Header) {
            $body = [IO.Path]::GetTempFileName()
            try {
                $args = @('-s', '--http1.1', '-D', '-', '-o', $body)
                if ($Method -eq 'HEAD') { $args += '--head' }
                foreach ($h in $Header) { $args += @('-H', $h) }
                $lines = & curl @args "$Base$Path"
                $status = [int](($lines[0] -split ' ')[1])
                $h = @{}
                foreach ($l in $lines | Select-Object -Skip 1) { if ($l -match '^([^:]+):\s*(.*?)\s*$') { $h[$Matches[1].ToLowerInvariant()] = $Matches[2] } }
                # with --head curl writes the head to the body file too: a HEAD response has no body to compare
                $bytes = [IO.File]::ReadAllBytes($body)
                $hash = if ($Method -eq 'HEAD') { '' } else { [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($bytes)) }
                [pscustomobject]@{
                    Status = $status; ETag = $h['etag']; LastModified = $h['last-modified']; ContentRange = $h['content-range']
                    ContentType = $h['content-type']; ContentLength = $h['content-length']; Body = $hash; Bytes = $bytes.Length
                }
            }
            finally { Remove-Item $body }
        }
        function Compare-WithFlask([string]$Project) {
            $flaskPort = Get-FreePort
            $labPort = Get-FreePort
            $py = Start-Process /usr/bin/python3 -ArgumentList (Join-Path $PSScriptRoot 'flask_project.py'), '127.0.0.1', $flaskPort, $Project -PassThru `
                -RedirectStandardError (Join-Path $TestDrive "flask-$flaskPort.err") -RedirectStandardOutput (Join-Path $TestDrive "flask-$flaskPort.out")
            $srv = Start-LabServer -Port $labPort -Root $Project
            try {
                foreach ($i in 1..100) { & curl -s -o /dev/null "http://127.0.0.1:$flaskPort/static/css/site.css"; if ($LASTEXITCODE -eq 0) { break }; Start-Sleep -Milliseconds 100 }
                $flaskEtag = (Invoke-Probe "http://127.0.0.1:$flaskPort" GET /static/logo.png).ETag
                $lm = (Invoke-Probe "http://127.0.0.1:$flaskPort" GET /static/logo.png).LastModified
                $probes = @(
                    @('GET', '/', @()), @('HEAD', '/', @()), @('GET', '/', @('Range: bytes=0-99')), @('GET', '/?x=1', @()),
                    @('GET', '/static/logo.png', @()), @('HEAD', '/static/logo.png', @()), @('GET', '/static/css/site.css', @()),
                    @('GET', '/static/logo.png', @("If-None-Match: $flaskEtag")), @('HEAD', '/static/logo.png', @("If-None-Match: $flaskEtag")),
                    @('GET', '/static/logo.png', @("If-Modified-Since: $lm")), @('GET', '/static/logo.png', @('If-None-Match: "other"')),
                    @('GET', '/static/audio.ogg', @('Range: bytes=0-99')), @('GET', '/static/audio.ogg', @('Range: bytes=100-')),
                    @('GET', '/static/audio.ogg', @('Range: bytes=-500')), @('HEAD', '/static/audio.ogg', @('Range: bytes=0-')),
                    @('GET', '/static/audio.ogg', @('Range: bytes=99999999-')), @('GET', '/static/audio.ogg', @('Range: bytes=0-1,5-9')),
                    @('HEAD', '/static/audio.ogg', @('Range: bytes=99999999-')),
                    @('GET', '/static/missing.png', @()), @('HEAD', '/static/missing.png', @()), @('GET', '/logo.png', @()), @('GET', '/static/', @()),
                    @('GET', '/templates/index.html', @()), @('GET', '/static/../templates/index.html', @())
                )
                foreach ($p in $probes) {
                    $f = Invoke-Probe "http://127.0.0.1:$flaskPort" $p[0] $p[1] $p[2]
                    $l = Invoke-Probe "http://127.0.0.1:$labPort" $p[0] $p[1] $p[2]
                    [pscustomobject]@{ Probe = "$($p[0]) $($p[1]) $($p[2] -join '; ')"; Flask = $f; Lab = $l }
                }
            }
            finally {
                $srv | Stop-LabServer
                $py | Stop-Process
            }
        }
    }

    It 'answers like Flask for <Name> (status, ETag, Last-Modified, Content-Range, Content-Type, Content-Length, body)' -TestCases @(
        @{ Name = 'templates/index.html + static/'; Template = $true }, @{ Name = 'index.html + static/'; Template = $false }
    ) {
        $project = Join-Path $TestDrive ("flask-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-FlaskProject $project -Template:$Template
        $results = @(Compare-WithFlask $project)
        $results.Count | Should -Be 24
        $seen = @{}
        foreach ($r in $results) {
            foreach ($field in 'Status', 'ETag', 'LastModified', 'ContentRange', 'ContentType', 'ContentLength', 'Body') {
                $r.Lab.$field | Should -Be $r.Flask.$field -Because "$($r.Probe): $field"
            }
            $seen[$r.Flask.Status] = $true
        }
        foreach ($code in 200, 206, 304, 404, 416) { $seen.ContainsKey($code) | Should -BeTrue -Because "the probes cover $code" }
        # the page came whole and the logo's URL was filled in
        $page = $results | Where-Object Probe -eq 'GET / '
        $page.Lab.Bytes | Should -BeGreaterThan 1000
    }

    It 'still serves the bundled flat site (resources at /static/<name> and /<name>)' {
        $port = Get-FreePort
        $srv = Start-LabServer -Port $port
        try {
            (Invoke-Probe "http://127.0.0.1:$port" GET /static/logo.png).Status | Should -Be 200
            (Invoke-Probe "http://127.0.0.1:$port" GET /logo.png).Status | Should -Be 200
            (Invoke-Probe "http://127.0.0.1:$port" GET /).ETag | Should -Not -BeNullOrEmpty
        }
        finally { $srv | Stop-LabServer }
    }
}

Describe 'Invoke-LabSession -Browser Chromium: the close modes' -Tag Capture, Lab -Skip:(-not $Chromium) {
    It 'ClientFirst: Chromium closes every connection first and holds TIME_WAIT (<Profile>)' -TestCases @(@{ Profile = 'Werkzeug' }, @{ Profile = 'KeepAlive' }) {
        $s = Invoke-LabSession -Port 0 -Browser Chromium -ServerProfile $Profile -CloseMode ClientFirst -NoRevisit -OutputDirectory (Join-Path $TestDrive "chr-cf-$Profile")
        $s.GetTeardowns().Count | Should -BeGreaterThan 0
        $s.GetTeardowns() | ForEach-Object { "$($_.ActiveCloser) $($_.TimeWaitSide)" } | Sort-Object -Unique | Should -Be 'Client Client'
        ($s.GetSocketStates() | Where-Object State -eq 'TIME_WAIT').RemotePort | Sort-Object -Unique | Should -Be $s.ServerPort
    }

    It 'Abort: the server resets every connection' {
        $s = Invoke-LabSession -Port 0 -Browser Chromium -CloseMode Abort -NoRevisit -OutputDirectory (Join-Path $TestDrive 'chr-abort')
        $s.GetTeardowns() | ForEach-Object { "$($_.Kind) $($_.ResetBy)" } | Sort-Object -Unique | Should -Be 'Reset Server'
        @($s.GetSocketStates() | Where-Object State -eq 'TIME_WAIT').Count | Should -Be 0
    }

    It 'ServerFirst: the server closes first (Chromium may close a connection whose response it has read), and every close is named' {
        $s = Invoke-LabSession -Port 0 -Browser Chromium -NoRevisit -OutputDirectory (Join-Path $TestDrive 'chr-sf')
        $server = @($s.GetTeardowns() | Where-Object ActiveCloser -eq Server)
        $server.Count | Should -BeGreaterThan ($s.GetTeardowns().Count / 2)
        $server | ForEach-Object { $_.TimeWaitSide | Should -Be Server }
        $s.GetTeardowns().Kind | ForEach-Object { $_ | Should -BeIn @('FourWay', 'ThreeWay') }
        $text = $s | Out-String -Width 200
        foreach ($t in $s.GetTeardowns()) { $text | Should -Match "$($t.ActiveCloser.ToString().ToLowerInvariant()) $(if ($t.Kind -eq 'FourWay') { '4' } else { '3' })-way" }
    }
}
