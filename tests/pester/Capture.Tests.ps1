BeforeAll {
    . $PSScriptRoot/common.ps1
    function Get-Packets([string]$File) {
        # one line per packet: what both captures must agree on (tcpdump writes microseconds, we nanoseconds)
        & tshark -n -r $File -T fields -e frame.len -e frame.cap_len -e tcp.srcport -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags -e frame.time_epoch 2>$null |
            ForEach-Object {
                $f = $_ -split "`t"
                [pscustomobject]@{ Fields = ($f[0..5] -join ' '); Micros = [decimal]$f[6] * 1000000 }
            }
    }
}

AfterAll {
    Get-TcpCapture | Stop-TcpCapture
    Get-LabServer | Stop-LabServer
}

Describe 'Get-CaptureInterface' {
    It 'completes interface names for -Interface' {
        $line = 'Start-TcpCapture -Interface l'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'lo'
    }

    It 'lists loopback with its link type' {
        $lo = Get-CaptureInterface | Where-Object IsLoopback
        $lo.Name | Should -Be 'lo'
        $lo.LinkType | Should -Be 'Ethernet'
    }
}

Describe 'Start-TcpCapture' -Tag Capture {
    BeforeAll {
        $port = Get-FreePort
        $server = Start-LabServer -Port $port
    }
    AfterAll { $server | Stop-LabServer }

    It 'records the same packets as tcpdump, in a file tshark reads, with nanosecond timestamps' {
        $ours = Join-Path $TestDrive 'ours.pcap'
        $theirs = Join-Path $TestDrive 'tcpdump.pcap'
        $td = Start-Process tcpdump -ArgumentList '-Z', 'root', '-U', '-n', '-i', 'lo', '-w', $theirs, "tcp port $port" -PassThru -RedirectStandardError '/dev/null'
        $c = Start-TcpCapture -Port $port -Path $ours -Name same
        Start-Sleep -Milliseconds 1000
        curl -s -o /dev/null -o /dev/null -o /dev/null "http://127.0.0.1:$port/" "http://127.0.0.1:$port/static/logo.png" "http://127.0.0.1:$port/static/audio.ogg"
        Start-Sleep -Milliseconds 2000
        $final = $c | Stop-TcpCapture -PassThru
        $td | Stop-Process; $td.WaitForExit()
        $final.State | Should -Be 'Stopped'
        $final.Packets | Should -BeGreaterThan 20
        $final.KernelDropped + $final.QueueDropped | Should -Be 0
        $a = @(Get-Packets $ours)
        $b = @(Get-Packets $theirs)
        $a.Count | Should -Be $b.Count
        $a.Fields | Should -Be $b.Fields
        # two packet sockets stamp the same packet independently, microseconds apart
        for ($i = 0; $i -lt $a.Count; $i++) { [math]::Abs($a[$i].Micros - $b[$i].Micros) | Should -BeLessOrEqual 1000 }
        (& capinfos -t $ours) -join ' ' | Should -Match 'nanosecond pcap'
        $LASTEXITCODE | Should -Be 0
    }

    It 'hands the pipeline the segments Import-TcpCapture reads from its file' {
        $file = Join-Path $TestDrive 'recv.pcap'
        $c = Start-TcpCapture -Port $port -Path $file -Name recv
        Start-Sleep -Milliseconds 500
        curl -s -o /dev/null "http://127.0.0.1:$port/"
        Start-Sleep -Milliseconds 500
        $c | Stop-TcpCapture
        $live = Receive-TcpCapture -Name recv | ForEach-Object { "$($_.Frame) $($_.Stream) $($_.Seq) $($_.Ack) $($_.Len) $($_.WindowSize) $($_.AnalysisText)" }
        $file = Import-TcpCapture $file | ForEach-Object { "$($_.Frame) $($_.Stream) $($_.Seq) $($_.Ack) $($_.Len) $($_.WindowSize) $($_.AnalysisText)" }
        $live.Count | Should -BeGreaterThan 5
        $live | Should -Be $file
        @(Receive-TcpCapture -Name recv).Count | Should -Be 0   # each segment is received once
    }

    It 'follows a running capture with Receive-TcpCapture -Wait until it stops' {
        $c = Start-TcpCapture -Port $port -Path (Join-Path $TestDrive 'wait.pcap') -DurationSec 3
        $job = Start-ThreadJob { Start-Sleep -Milliseconds 500; curl -s -o /dev/null "http://127.0.0.1:$using:port/" }
        $segs = @(Receive-TcpCapture -InputObject $c -Wait)
        $job | Wait-Job | Remove-Job
        $c.State | Should -Be 'Stopped'
        $segs.Count | Should -Be $c.Packets
        $segs[0].FlagsText | Should -Be 'SYN'
    }

    It 'leaves a valid pcap when stopped in the middle of a transfer' {
        $file = Join-Path $TestDrive 'mid.pcap'
        $c = Start-TcpCapture -Port $port -Path $file
        Start-Sleep -Milliseconds 500
        $slow = Start-Process curl -ArgumentList '-s', '-o', '/dev/null', '--limit-rate', '100k', "http://127.0.0.1:$port/static/audio.ogg" -PassThru
        Start-Sleep -Milliseconds 1200
        $c | Stop-TcpCapture
        $slow | Stop-Process -ErrorAction Ignore
        & tshark -r $file 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
        Import-TcpCapture $file -ErrorVariable err | Out-Null
        $err | Should -BeNullOrEmpty
        (Get-TcpConnection $file).ServerToClient.PayloadBytes | Should -BeGreaterThan 0
    }

    It 'stops by itself after -Count packets and after -DurationSec' {
        $c = Start-TcpCapture -Port $port -Path (Join-Path $TestDrive 'count.pcap') -Count 3
        Start-Sleep -Milliseconds 300
        curl -s -o /dev/null "http://127.0.0.1:$port/"
        $null = $c.Wait([TimeSpan]::FromSeconds(5))
        $c.State | Should -Be 'Stopped'
        $c.Packets | Should -Be 3
        $d = Start-TcpCapture -Port $port -Path (Join-Path $TestDrive 'dur.pcap') -DurationSec 0.5
        $d.Wait([TimeSpan]::FromSeconds(5)) | Should -BeTrue
        $d.State | Should -Be 'Stopped'
    }

    It 'finds captures by name and id and reports unknown ones' {
        $c = Start-TcpCapture -Port $port -Path (Join-Path $TestDrive 'n.pcap') -Name 'named-one'
        (Get-TcpCapture -Name 'named-*').Id | Should -Be $c.Id
        (Get-TcpCapture -Id $c.Id).Name | Should -Be 'named-one'
        Stop-TcpCapture -Id $c.Id -WhatIf
        $c.State | Should -Be 'Running'
        Stop-TcpCapture -Id $c.Id
        $c.State | Should -Be 'Stopped'
        Get-TcpCapture -Id 99999 -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'TcpCaptureNotFound,*'
    }

    It 'gives precise errors for an unknown interface and a bad filter' {
        { Start-TcpCapture -Interface 'no-such-if' -Path (Join-Path $TestDrive 'x.pcap') } | Should -Throw -ErrorId 'CaptureInterfaceNotFound,Lab2Tools.Commands.StartTcpCaptureCommand'
        try { Start-TcpCapture -Filter 'tcp port' -Path (Join-Path $TestDrive 'y.pcap') } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'InvalidCaptureFilter,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'syntax error'
        $err.ErrorDetails.RecommendedAction | Should -Match 'pcap-filter'
    }

    It 'leaves a complete pcap when the module is removed during a capture' {
        $file = Join-Path $TestDrive 'removed.pcap'
        $cmd = "Import-Module '$modulePath'; `$null = Start-TcpCapture -Port $port -Path '$file'; Start-Sleep -Milliseconds 500; curl -s -o /dev/null http://127.0.0.1:$port/static/logo.png; Start-Sleep -Milliseconds 300; Remove-Module Lab2Tools"
        $exe = [Environment]::ProcessPath
        $pre = @()
        if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $pre += Join-Path $PSHOME 'pwsh.dll' }
        & $exe @pre -NoProfile -NonInteractive -Command $cmd
        & tshark -r $file 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
        $t = Get-TcpTeardown $file
        $t.Kind | Should -Not -BeNullOrEmpty      # the whole connection, close included, is in the file
    }
}

Describe 'Nothing lost when a capture is interrupted' -Tag Capture {
    BeforeAll {
        $port = Get-FreePort
        $server = Start-LabServer -Port $port
        function Assert-CompletePcap([string]$File) {
            & tshark -r $File 2>&1 | Out-Null
            $LASTEXITCODE | Should -Be 0
            Import-TcpCapture $File -ErrorVariable err | Out-Null
            $err | Should -BeNullOrEmpty
            (Get-TcpHandshake $File).Verdict | Should -Contain 'Complete'
        }
    }
    AfterAll { $server | Stop-LabServer }

    It 'Ctrl+C on Watch-TcpSegment -Path leaves a complete pcap' {
        $file = Join-Path $TestDrive 'ctrlc.pcap'
        # One command, not a batch: a stopped batch can go on to its next statement on a pool thread
        # after Dispose closed the runspace, which kills the process.
        $iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
        $iss.ImportPSModule([string[]]@($modulePath))
        $ps = [PowerShell]::Create($iss)
        $null = $ps.AddCommand('Watch-TcpSegment').AddParameter('Port', $port).AddParameter('Path', $file)
        $async = $ps.BeginInvoke()
        Start-Sleep -Milliseconds 1500
        curl -s -o /dev/null "http://127.0.0.1:$port/static/logo.png"
        Start-Sleep -Milliseconds 500
        $ps.Stop()              # what Ctrl+C does: StopProcessing
        $null = $async.AsyncWaitHandle.WaitOne(10000)
        $ps.Dispose()
        Assert-CompletePcap $file
    }

    It 'Select-Object -First (a stopped pipeline) leaves a complete pcap' {
        $file = Join-Path $TestDrive 'first.pcap'
        $job = Start-ThreadJob { Start-Sleep -Seconds 1; curl -s -o /dev/null "http://127.0.0.1:$using:port/" }
        $first = Watch-TcpSegment -Port $port -Path $file -DurationSec 15 | Where-Object { $_.FlagsText -match 'FIN' } | Select-Object -First 1
        $job | Wait-Job | Remove-Job
        $first.FlagsText | Should -Match 'FIN'
        & tshark -r $file 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
    }

    It 'the end of pwsh leaves a complete pcap' {
        $file = Join-Path $TestDrive 'exit.pcap'
        $cmd = "Import-Module '$modulePath'; `$null = Start-TcpCapture -Port $port -Path '$file'; Start-Sleep -Milliseconds 500; curl -s -o /dev/null http://127.0.0.1:$port/; Start-Sleep -Milliseconds 300; exit 0"
        $exe = [Environment]::ProcessPath
        $pre = @()
        if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $pre += Join-Path $PSHOME 'pwsh.dll' }
        & $exe @pre -NoProfile -NonInteractive -Command $cmd
        Assert-CompletePcap $file
    }
}

Describe 'Capture under stress' -Tag Capture {
    BeforeAll {
        $port = Get-FreePort
        $server = Start-LabServer -Port $port -Profile KeepAlive
        $exe = [Environment]::ProcessPath
        $pre = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        function Start-Flood([int]$Seconds) {
            # curl fetching the 325 KB audio over and over on keep-alive connections, from two threads
            1..2 | ForEach-Object {
                Start-ThreadJob -ArgumentList $port, $Seconds {
                    param($p, $s)
                    $urls = 1..40 | ForEach-Object { "http://127.0.0.1:$p/static/audio.ogg" }
                    $end = [DateTime]::Now.AddSeconds($s)
                    while ([DateTime]::Now -lt $end) { curl -s -o /dev/null -o /dev/null @urls 2>$null | Out-Null }
                }
            }
        }
    }
    AfterAll { $server | Stop-LabServer }

    It 'stops in the middle of a flood and leaves a complete pcap with honest counts' {
        $file = Join-Path $TestDrive 'flood.pcap'
        $jobs = Start-Flood 6
        Start-Sleep -Milliseconds 500
        $c = Start-TcpCapture -Port $port -Path $file
        Start-Sleep -Seconds 2
        $s = $c | Stop-TcpCapture -PassThru
        $jobs | Stop-Job -PassThru | Remove-Job
        $s.State | Should -Be 'Stopped'
        $s.Packets | Should -BeGreaterThan 1000
        & tshark -r $file 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0
        $n = @(& tshark -n -r $file -T fields -e frame.number 2>$null).Count
        $n | Should -Be $s.Packets                                   # every packet counted is in the file
        Import-TcpCapture $file -ErrorVariable err | Measure-Object | Out-Null
        $err | Should -BeNullOrEmpty
    }

    It 'keeps every packet written before pwsh is killed with SIGKILL' {
        $file = Join-Path $TestDrive 'killed.pcap'
        $ref = Join-Path $TestDrive 'killed-tcpdump.pcap'
        $cmd = "Import-Module '$modulePath'; `$null = Start-TcpCapture -Port $port -Path '$file'; Start-Sleep -Seconds 60"
        $child = Start-Process $exe -ArgumentList ($pre + @('-NoProfile', '-NonInteractive', '-Command', $cmd)) -PassThru
        $dump = Start-Process tcpdump -ArgumentList '-Z', 'root', '-B', '131072', '-n', '-i', 'lo', '-w', $ref, "tcp port $port" -PassThru -RedirectStandardError '/dev/null'
        $deadline = [DateTime]::Now.AddSeconds(20)
        while (-not (Test-Path $file) -and [DateTime]::Now -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Start-Sleep -Seconds 1
        $jobs = Start-Flood 3
        Start-Sleep -Seconds 2
        & kill -9 $child.Id                                          # no clean-up of any kind runs
        $child.WaitForExit()
        $jobs | Wait-Job | Remove-Job
        Start-Sleep -Seconds 2
        $dump | Stop-Process; $dump.WaitForExit()
        & tshark -r $file 2>&1 | Out-Null
        $LASTEXITCODE | Should -Be 0                                 # ends on a record boundary
        Import-TcpCapture $file -ErrorVariable err | Measure-Object | Out-Null
        $err | Should -BeNullOrEmpty
        $ours = @(& tshark -n -r $file -T fields -e tcp.srcport -e tcp.seq_raw -e tcp.len 2>$null)
        $theirs = @(& tshark -n -r $ref -T fields -e tcp.srcport -e tcp.seq_raw -e tcp.len 2>$null)
        $ours.Count | Should -BeGreaterThan 100
        # what was written is intact: every packet in our file is one tcpdump saw too
        $seen = [System.Collections.Generic.HashSet[string]]::new([string[]]$theirs)
        @($ours | Where-Object { -not $seen.Contains($_) }) | Should -BeNullOrEmpty
    }

    It 'reports a full disk and leaves a valid file' {
        $mnt = Join-Path $TestDrive 'small'
        New-Item -ItemType Directory $mnt | Out-Null
        & mount -t tmpfs -o size=2m tmpfs $mnt
        if ($LASTEXITCODE -ne 0) { Set-ItResult -Skipped -Because 'tmpfs cannot be mounted here'; return }
        try {
            $file = Join-Path $mnt 'full.pcap'
            $c = Start-TcpCapture -Port $port -Path $file -Name diskfull
            $jobs = Start-Flood 3
            $deadline = [DateTime]::Now.AddSeconds(15)
            while ($c.State -ne 'Failed' -and [DateTime]::Now -lt $deadline) { Start-Sleep -Milliseconds 200 }
            $jobs | Stop-Job -PassThru | Remove-Job
            $c.State | Should -Be 'Failed'
            $c.Error | Should -Match 'space'
            $c | Stop-TcpCapture -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileWriteFailed,*'
            $err[0].CategoryInfo.Category | Should -Be 'WriteError'
            $err[0].TargetObject | Should -Be $file
            & tshark -r $file 2>&1 | Out-Null
            $LASTEXITCODE | Should -Be 0
            @(& tshark -n -r $file -T fields -e frame.number 2>$null).Count | Should -BeGreaterThan 10
        } finally {
            Get-TcpCapture -Name diskfull -ErrorAction Ignore | Stop-TcpCapture -ErrorAction Ignore
            & umount $mnt
        }
    }
}

Describe 'Watch-TcpSegment' -Tag Capture {
    It 'streams live segments and stops after -Count' {
        $port = Get-FreePort
        $server = Start-LabServer -Port $port
        try {
            $curl = Start-ThreadJob { Start-Sleep -Seconds 1; curl -s -o /dev/null "http://127.0.0.1:$using:port/" }
            $segs = @(Watch-TcpSegment -Port $port -Count 3 -DurationSec 15)
            $segs.Count | Should -Be 3
            $segs[0] | Should -BeOfType Lab2Tools.Model.TcpSegment
            $segs[0].FlagsText | Should -Be 'SYN'
            $segs[1].Ack | Should -Be 1
            $curl | Wait-Job | Remove-Job
        } finally { $server | Stop-LabServer }
    }
}
