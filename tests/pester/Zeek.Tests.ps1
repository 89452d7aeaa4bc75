BeforeAll {
    . $PSScriptRoot/common.ps1
    $zeekTraces = Join-Path $DataDir 'zeek/traces'
}

Describe 'Get-TcpConnection and Zeek' {
    It 'shows where Zeek splits one tcp.stream into several connections (pop3.pcap from Zeek''s test suite)' {
        # three SYNs with one ISN, each refused: one stream for Wireshark, three REJ connections in Zeek's conn.log
        $c = Get-TcpConnection (Join-Path $zeekTraces 'pop3/pop3.pcap') -Stream 0
        $c.ZeekSplit | Should -BeTrue
        @($c.ZeekConnections).Count | Should -Be 3
        $c.ZeekConnections.StartFrame | Should -Be @(1, 3, 5)
        $c.ZeekConnections.ConnState | Sort-Object -Unique | Should -Be 'REJ'
        $c.ZeekConnections.History | Sort-Object -Unique | Should -Be 'Sr'
        $c.ZeekConnections[0].EndedBy | Should -Be 'reuse'
        $c.ConnState | Should -Be 'REJ'
        $text = $c | Format-List | Out-String -Width 300
        $text | Should -Match 'ZeekConnections +: frame 1: 192\.168\.0\.4:26242 -> 212\.227\.15\.188:110 REJ Sr \(ended by reuse\); frame 3'
    }

    It 'gives one Zeek connection per stream when Zeek does not split it' {
        $all = Get-TcpConnection (Join-Path $DataDir 'http-visit.pcap')
        $all | ForEach-Object { @($_.ZeekConnections).Count } | Sort-Object -Unique | Should -Be 1
        $all | ForEach-Object { $_.ZeekConnections[0].History -eq $_.History } | Sort-Object -Unique | Should -BeTrue
    }

    It 'counts a bad TCP checksum as Zeek does: C, and the packet is not analysed (syn-bad.pcap from Zeek''s test suite)' {
        # Zeek's core.tcp.bad-checksum-syn baseline: history C, conn_state OTH (the SYN never reached the state machine)
        $c = Get-TcpConnection (Join-Path $zeekTraces 'tcp/syn-bad.pcap')
        $c.History | Should -Be 'C'
        $c.ConnState | Should -Be 'OTH'
    }

    It 'keeps the states of a loopback capture, whose TCP checksums are offloaded (never filled in)' {
        # every client and server segment of the lab capture carries only the pseudo-header sum, as Linux leaves it
        $all = Get-TcpConnection (Join-Path $DataDir 'http-visit.pcap')
        $all.History | Where-Object { $_ -cmatch '[Cc]' } | Should -BeNullOrEmpty
        $all | Where-Object { $_.Server -like '*:5000' } | ForEach-Object { $_.ConnState } | Sort-Object -Unique | Should -Be 'SF'
    }

    It 'shows Zeek''s X when a protocol analyzer reaches a limit (FTP, SSH and SMTP traces from Zeek''s test suite)' {
        # scripts.base.protocols.ftp.ftp-max-command-length: a command of 101+ bytes once FTP is confirmed, on port 21
        $ftp = Get-TcpConnection (Join-Path $zeekTraces 'ftp/fake-long-commands.pcap')
        $ftp.History | Should -BeExactly 'ShAdDaXFf'
        # KEXINIT name-lists of 500 and more algorithms, over Zeek's default of 100, on port 22
        $ssh = Get-TcpConnection (Join-Path $zeekTraces 'ssh/kex-quadratic-1000.pcap')
        $ssh.History | Should -BeExactly 'ShADadX'
        # a Subject header of 65,000 bytes of continuation lines in an SMTP message, on port 25 (MIME::max_header_bytes)
        $smtp = Get-TcpConnection (Join-Path $zeekTraces 'smtp/mime-header-size-limit.pcap')
        $smtp.History | Should -BeExactly 'ShAdDaXFf'
        # the same from segments that carry their payload (Import-TcpCapture keeps it)
        (Import-TcpCapture (Join-Path $zeekTraces 'ftp/fake-long-commands.pcap') | Get-TcpConnection).History |
            Should -BeExactly 'ShAdDaXFf'
    }

    It 'attaches no Gnutella analyzer by default, as Zeek registers it for no port' {
        # the btest registers Gnutella for 6346/tcp and lowers its limits; with Zeek's defaults there is no X
        $c = Get-TcpConnection (Join-Path $zeekTraces 'gnutella/max-line.pcapng')
        $c.History | Should -BeExactly 'ShADFf'
    }
}

Describe 'Get-TcpConnection: when Zeek would log nothing, and Zeek''s missed bytes' {
    BeforeAll {
        # Zeek's own trace: headers only, every IPv4 header checksum bad (its baseline was made with zeek -C)
        $fast009 = Join-Path $zeekTraces 'tcp/retransmit-fast009.pcap'
        function Invoke-InCulture([string]$Culture, [scriptblock]$Script) {
            $old = [cultureinfo]::CurrentUICulture
            [cultureinfo]::CurrentUICulture = $Culture
            try { & $Script } finally { [cultureinfo]::CurrentUICulture = $old }
        }
    }

    It 'says where ConnState would be why Zeek logs no connection, and warns once per file' {
        $c = Get-TcpConnection $fast009 -WarningVariable w -WarningAction SilentlyContinue
        $c.ConnState | Should -BeNullOrEmpty
        $c.History | Should -BeNullOrEmpty
        @($c.ZeekConnections).Count | Should -Be 0
        $c.ConnStateDescription | Should -Match '^Zeek would log no connection for this stream'
        $c.ConnStateDescription | Should -Match 'bad IPv4 header checksum.*zeek -C'
        @($w).Count | Should -Be 1
        "$w" | Should -BeLike "*stream(s) 0 of $fast009*ConnStateDescription*"
        $text = $c | Format-List * | Out-String -Width 400
        $text | Should -Match 'ConnStateDescription +: Zeek would log no connection'
        # two files, one warning each; a file Zeek logs every connection of adds none
        $copy = Join-Path $TestDrive 'fast009-copy.pcap'
        Copy-Item $fast009 $copy
        $files = $fast009, $copy, (Join-Path $DataDir 'http-visit.pcap')
        $null = Get-TcpConnection $files -WarningVariable w2 -WarningAction SilentlyContinue
        @($w2).Count | Should -Be 2
        "$($w2[1])" | Should -BeLike "*$copy*"
    }

    It 'says it in Chinese under zh-CN, the conn_state descriptions too' {
        Invoke-InCulture 'zh-CN' {
            $c = Get-TcpConnection $fast009 -WarningVariable w -WarningAction SilentlyContinue
            $c.ConnStateDescription | Should -Match '^Zeek 不会为这个流记录任何连接'
            $c.ConnStateDescription | Should -Match 'IPv4 首部校验和错误'
            "$w" | Should -Match '^Zeek 不会为 .* 中的流 0 记录任何连接'
            $sf = Get-TcpConnection (Join-Path $DataDir 'http-visit.pcap') | Where-Object ConnState -eq 'SF' | Select-Object -First 1
            $sf.ConnStateDescription | Should -Be '连接正常建立，也正常终止。'
        }
        $sf = Get-TcpConnection (Join-Path $DataDir 'http-visit.pcap') | Where-Object ConnState -eq 'SF' | Select-Object -First 1
        $sf.ConnStateDescription | Should -Be 'Normal establishment and termination.'
    }

    It 'gives Zeek''s missed bytes per direction and per Zeek connection (an acknowledged hole in a lab capture)' {
        # missing-segment.pcap is http-visit.pcap without frame 8: 8192 bytes of the page, acknowledged by the client
        $file = Join-Path $DataDir 'missing-segment.pcap'
        $c = Get-TcpConnection $file -Stream 0
        $c.ServerToClient.MissedBytes | Should -Be 8192
        $c.ClientToServer.MissedBytes | Should -Be 0
        $c.ZeekMissedBytes | Should -Be 8192
        $c.ZeekConnections[0].MissedBytes | Should -Be 8192
        $c.History | Should -Match 'g'
        # the capture's view of the same hole
        (Get-TcpStream $file -Stream 0).ServerMissingBytes | Should -Be 8192
        # a stream without a hole misses nothing
        (Get-TcpConnection (Join-Path $DataDir 'http-visit.pcap')).ZeekMissedBytes | Sort-Object -Unique | Should -Be 0
    }
}
