BeforeAll {
    . $PSScriptRoot/common.ps1
    $visit = Join-Path $DataDir 'http-visit.pcap'
}

Describe 'Get-TcpConnection' {
    It 'writes one connection per stream, as tshark counts them' {
        $c = @(Get-TcpConnection -Path $visit)
        $streams = @(Invoke-Tshark -Path $visit -Filter tcp -Field tcp.stream | ForEach-Object { $_[0] } | Sort-Object -Unique)
        $c.Count | Should -Be $streams.Count
        $c[0] | Should -BeOfType Lab2Tools.Analysis.TcpConnection
        $c.ConnState | Sort-Object -Unique | Should -Be 'SF'
        $c[0].Client | Should -Not -Match ':5000$'
        $c[0].Server | Should -Match ':5000$'
    }

    It 'gives the same answer for pipeline input as for -Path' {
        $byPath = Get-TcpConnection $visit | ForEach-Object { "$($_.Stream) $($_.ConnState) $($_.History) $($_.Frames)" }
        $byPipe = Import-TcpCapture $visit | Get-TcpConnection | ForEach-Object { "$($_.Stream) $($_.ConnState) $($_.History) $($_.Frames)" }
        $byPipe | Should -Be $byPath
    }

    It 'filters streams with -Stream and analyses each file on its own' {
        @(Get-TcpConnection $visit -Stream 1, 3).Stream | Should -Be @(1, 3)
        $two = @(Get-TcpConnection $visit, (Join-Path $DataDir 'refused.pcap'))
        $two.Count | Should -Be 7
        $two[-1].ConnState | Should -Be 'REJ'
    }

    It 'has a table view with the Zeek state and history' {
        $text = Get-TcpConnection $visit | Format-Table | Out-String -Width 200
        $text | Should -Match 'History'
        $text | Should -Match 'ShADadfF'
    }

    It 'reports a missing file like Import-TcpCapture does' {
        Get-TcpConnection -LiteralPath (Join-Path $TestDrive 'none.pcap') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileNotFound,*'
    }
}

Describe 'Get-TcpHandshake' {
    It 'explains the three steps of the first connection' {
        $h = Get-TcpHandshake $visit -Stream 0
        $h.Verdict | Should -Be 'Complete'
        $h.Steps.Name | Should -Be @('SYN', 'SYN-ACK', 'ACK')
        $h.SynAck.Ack | Should -Be 1
        ($h | Format-List | Out-String -Width 200) | Should -Match 'consumes one sequence number'
    }

    It 'says when the server refused' {
        (Get-TcpHandshake (Join-Path $DataDir 'refused.pcap')).Verdict | Should -Be 'Rejected'
        # no SYN-ACK, so no server MSS: a "?" rather than a blank in the sentence
        (Get-TcpHandshake (Join-Path $DataDir 'refused.pcap')).MaxSegment | Should -Match 'at most \? bytes'
    }

    It 'takes filtered segments from the pipeline' {
        $h = Import-TcpCapture $visit | Where-Object Stream -eq 2 | Get-TcpHandshake
        $h.Stream | Should -Be 2
    }
}

Describe 'Get-TcpTeardown' {
    It 'finds the server-first close of the lab server and the client reset of an abort' {
        (Get-TcpTeardown $visit -Stream 0).ActiveCloser | Should -Be 'Server'
        (Get-TcpTeardown $visit -Stream 0).TimeWaitSide | Should -Be 'Server'
        $r = Get-TcpTeardown (Join-Path $DataDir 'client-abort.pcap')
        $r.Kind | Should -Be 'Reset'
        $r.ResetReason | Should -Be 'ClosedWithDataInFlight'
    }
}

Describe 'Get-TcpStateTimeline' {
    It 'gives the server path of a server-first close, ending in TIME_WAIT then CLOSED' {
        $t = Get-TcpStateTimeline $visit -Stream 0 -Role Server
        ($t.To -join ' ') | Should -Be 'LISTEN SYN_RECEIVED ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT CLOSED'
        $t[-1].Frame | Should -BeNullOrEmpty
    }
}

Describe 'Get-TcpExpertInfo' {
    It 'streams events and filters by severity' {
        $loss = Join-Path $DataDir 'loss.pcap'
        $warn = @(Get-TcpExpertInfo $loss -Severity Warning)
        $warn.Count | Should -BeGreaterThan 0
        $warn.Severity | Sort-Object -Unique | ForEach-Object { $_ | Should -BeIn @('Warning', 'Error') }
        $first = Get-TcpExpertInfo $loss | Select-Object -First 1
        $first | Should -BeOfType Lab2Tools.Analysis.TcpExpertEvent
    }

    It 'counts retransmissions as tshark does' {
        $loss = Join-Path $DataDir 'loss.pcap'
        $ours = @(Get-TcpExpertInfo $loss | Where-Object Field -eq 'tcp.analysis.retransmission').Count
        $theirs = @(Invoke-Tshark -Path $loss -Filter tcp.analysis.retransmission -Field frame.number).Count
        $ours | Should -Be $theirs
        $ours | Should -BeGreaterThan 10
    }

    It 'explains a duplicate ACK with its numbers' {
        $dup = Get-TcpExpertInfo (Join-Path $DataDir 'loss.pcap') | Where-Object Field -eq 'tcp.analysis.duplicate_ack' | Select-Object -First 1
        $dup.Message | Should -Match 'Duplicate ACK \(#\d+\)'
        $dup.Reason | Should -Match "repeats the ACK of frame $($dup.GetSegment().DuplicateAckFrame)"
    }
}

Describe 'Get-TcpStream' {
    It 'follows the first connection as text' {
        $t = Get-TcpStream $visit -Stream 0 -AsText
        $t | Should -BeOfType string
        $t | Should -Match '^GET / HTTP/1.1'
        $t | Should -Match 'HTTP/1.1 200 OK'
    }

    It 'marks bytes missing from the capture' {
        $s = Get-TcpStream (Join-Path $DataDir 'missing-segment.pcap') -Stream 0
        $s.ServerMissingBytes | Should -Be 8192
        $s.Text | Should -Match '\[8192 bytes missing in capture file\]'
    }
}
