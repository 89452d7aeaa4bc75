BeforeDiscovery {
    # -Skip conditions are evaluated at discovery: they need common.ps1's $Chromium here
    . $PSScriptRoot/common.ps1
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $visit = Join-Path $DataDir 'http-visit.pcap'
    $loss = Join-Path $DataDir 'loss.pcap'
}

Describe 'Get-TcpStreamGraph' -Tag Graph {
    It 'writes the points of each graph type, with readable JSON and CSV' {
        foreach ($type in 'Stevens', 'TcpTrace', 'Throughput', 'RoundTripTime', 'WindowScaling') {
            $p = @(Get-TcpStreamGraph $loss -Stream 0 -Type $type)
            $p.Count | Should -BeGreaterThan 100 -Because "$type has points"
            $p[0] | Should -BeOfType Lab2Tools.Analysis.Graphs.TcpGraphPoint
            ($p.Graph | Sort-Object -Unique) | Should -Be $type
        }
        $json = Get-TcpStreamGraph $visit -Stream 0 -Type TcpTrace | Select-Object -First 1 | ConvertTo-Json -Compress
        $json | Should -Match '"Graph":"TcpTrace"'
        $json | Should -Match '"Series":"[A-Za-z]+"'
        $json | Should -Match '"Source":"127\.0\.0\.1:5000"'
        $json | Should -Match '"TimeSeconds":'
        $csv = Get-TcpStreamGraph $visit -Stream 0 | ConvertTo-Csv | Select-Object -Skip 1 -First 1
        $csv | Should -Match '"Stevens","Sequence"'
    }

    It 'gives the sequence number of each segment of the graphed direction, as tshark shows it' {
        $p = @(Get-TcpStreamGraph $visit -Stream 0 -Direction ClientToServer)
        $t = @(Invoke-Tshark -Path $visit -Filter 'tcp.stream == 0 && tcp.srcport != 5000' -Field frame.number, tcp.seq)
        $p.Count | Should -Be $t.Count
        for ($i = 0; $i -lt $t.Count; $i++) {
            "$($p[$i].Frame) $($p[$i].Value)" | Should -Be "$($t[$i][0]) $($t[$i][1])"
        }
    }

    It 'takes segments from the pipeline like -Path' {
        $a = Get-TcpStreamGraph $visit -Type WindowScaling | ForEach-Object { "$($_.Stream) $($_.Series) $($_.Frame) $($_.Value)" }
        $b = Import-TcpCapture $visit | Get-TcpStreamGraph -Type WindowScaling |
            ForEach-Object { "$($_.Stream) $($_.Series) $($_.Frame) $($_.Value)" }
        $b | Should -Be $a
    }

    It 'writes SVG files with axes, series and a legend' {
        $dir = Join-Path $TestDrive 'graphs'
        $files = @(Get-TcpStreamGraph $visit -Type TcpTrace -SvgPath $dir)
        $files.Count | Should -Be 6
        $files[0] | Should -BeOfType System.IO.FileInfo
        $files[0].Name | Should -Be 'tcptrace-stream-0.svg'
        [xml]$svg = Get-Content $files[0].FullName -Raw
        $svg.svg.g.class | Should -Contain 'legend'
        $one = Get-TcpStreamGraph $loss -Stream 0 -Type WindowScaling -SvgPath (Join-Path $TestDrive 'w.svg')
        $one.Name | Should -Be 'w.svg'
        (Get-Content $one.FullName -Raw) | Should -Match 'data-series="ReceiveWindow"'
    }

    It 'has a table view' {
        $out = Get-TcpStreamGraph $visit -Stream 0 -Type TcpTrace | Select-Object -First 3 | Out-String
        $out | Should -Match 'Series'
        $out | Should -Match 'TimeSeconds'
    }

    It 'reports a stream that is not in the capture as TcpStreamNotFound' {
        $r = Get-TcpStreamGraph $visit -Stream 99 -ErrorVariable e -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Match '^TcpStreamNotFound,'
        $e[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e[0].ErrorDetails.RecommendedAction | Should -Match 'Get-TcpConnection'
        $e[0].ErrorDetails.Message | Should -Match '\b99\b'
    }

    It 'reports an SVG path it cannot write as OutputNotWritable, as every file-writing cmdlet does' {
        $file = Join-Path $TestDrive 'plain-file'
        Set-Content $file 'x'
        Get-TcpStreamGraph $visit -SvgPath $file -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Match '^Output(NotWritable|AccessDenied),'
        $e[0].CategoryInfo.Category | Should -Be 'WriteError'
        $e[0].TargetObject | Should -Be $file
    }
}

Describe 'Get-TcpRttEstimate' -Tag Graph {
    It 'gives RFC 6298 estimates from tshark''s ack_rtt' {
        $rows = @(Get-TcpRttEstimate $visit -Stream 0)
        $t = @(Invoke-Tshark -Path $visit -Filter 'tcp.stream == 0 && tcp.analysis.ack_rtt' -Field frame.number, tcp.analysis.ack_rtt)
        $rows.Count | Should -Be $t.Count
        $rows[0].Sample | Should -Be 1
        $rows[0].EstimatedRttMilliseconds | Should -Be $rows[0].SampleRttMilliseconds
        $rows[0].DevRttMilliseconds | Should -Be ($rows[0].SampleRttMilliseconds / 2)
        $rows[0].RtoMilliseconds | Should -Be 1000
        for ($i = 0; $i -lt $t.Count; $i++) {
            $rows[$i].AckFrame | Should -Be ([long]$t[$i][0])
            [math]::Abs($rows[$i].SampleRttMilliseconds - [double]$t[$i][1] * 1000) | Should -BeLessThan 0.001
        }
        (Get-TcpRttEstimate $visit -Stream 0 -MinimumRtoMilliseconds 0 -ClockGranularityMilliseconds 0)[0].RtoMilliseconds |
            Should -Be (3 * $rows[0].SampleRttMilliseconds)
        ($rows | Out-String -Width 200) | Should -Match 'EstimatedRTT\(ms\)'
    }
}

Describe 'Export-LabReport: TCP dynamics' -Tag Graph {
    BeforeAll {
        $out = Join-Path $TestDrive 'report'
        $files = Export-LabReport -Path (Join-Path $DataDir 'chromium-lab.pcap') -Destination $out
        $md = Get-Content (Join-Path $out 'report.md') -Raw
        $html = Join-Path $out 'report.html'
    }

    It 'adds the audio transfer''s time-sequence and window-scaling graphs and the page''s RTT table' {
        $files.Name | Should -Contain 'tcptrace-stream-2.svg'
        $files.Name | Should -Contain 'windowscaling-stream-2.svg'
        $md | Should -Match '## 8\. TCP dynamics'
        $md | Should -Match 'The receive window (shrinks|never falls)'
        $md | Should -Match '(Slow start:|No clear slow start)'
        $md | Should -Match '(Zero window in frame|No zero window)'
        $rtt = @(Get-TcpRttEstimate (Join-Path $DataDir 'chromium-lab.pcap') -Stream 0)
        $row = $rtt[0]
        $md | Should -Match ("\| $([regex]::Escape($row.Sender)) \| 1 \| $($row.SegmentFrame) \| $($row.AckFrame) \| " +
            $row.SampleRttMilliseconds.ToString('0.000', [cultureinfo]::InvariantCulture))
    }

    It 'renders in headless Chromium (in a network namespace with only loopback) with axes, series and legend' -Skip:(-not $Chromium) {
        $profileDir = Join-Path $TestDrive 'chrome-graphs'
        $flags = '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', "--user-data-dir=$profileDir"
        $dom = unshare -n -- $Chromium @flags --dump-dom "file://$html" 2>$null | Out-String
        $dom | Should -Match '<h2 id="8-tcp-dynamics[^"]*">8\. TCP dynamics'
        $graphs = [regex]::Matches($dom, '(?s)<svg [^>]*class="tcp-graph"[^>]*data-graph="(\w+)".*?</svg>')
        $graphs.Count | Should -Be 2
        ($graphs | ForEach-Object { $_.Groups[1].Value }) | Should -Be @('TcpTrace', 'WindowScaling')
        foreach ($g in $graphs) {
            $svg = $g.Value
            $svg | Should -Match '<g class="axis x-axis">'
            $svg | Should -Match '<g class="axis y-axis">'
            $svg | Should -Match 'class="axis-title"[^>]*>Time since the connection'
            ([regex]::Matches($svg, '<text class="tick"')).Count | Should -BeGreaterThan 6
            $svg | Should -Match '<g class="series" data-series="\w+" data-points="[1-9]'
            $svg | Should -Match '<g class="legend">'
        }
        $dom | Should -Match '<th>EstimatedRTT \(ms\)</th>'
        $png = Join-Path $TestDrive 'graphs.png'
        unshare -n -- $Chromium @flags --window-size=1280,9000 "--screenshot=$png" "file://$html" 2>$null | Out-Null
        (Get-Item $png).Length | Should -BeGreaterThan 100KB
        if ($env:LAB2TOOLS_KEEP_SCREENSHOT) { Copy-Item $png $env:LAB2TOOLS_KEEP_SCREENSHOT }
    }
}

Describe 'Measure-TcpConnection' -Tag Graph {
    It 'gives tcptrace''s long report, one object per connection and direction' {
        $m = @(Measure-TcpConnection $loss)
        $m.Count | Should -Be 4
        $m[0] | Should -BeOfType Lab2Tools.Analysis.Statistics.TcpDirectionStatistics
        ($m.Direction -join ',') | Should -Be 'a2b,b2a,a2b,b2a'
        $csv = @(tcptrace -l -r -n --csv $loss 2>$null | Where-Object { $_ -and -not $_.StartsWith('#') })
        $head = $csv[0] -split ',' | ForEach-Object { $_.Trim() }
        $row = $csv[1] -split ',' | ForEach-Object { $_.Trim() }
        $col = { param($n) $row[[array]::IndexOf($head, $n)] }
        $m[1].RetransmittedDataPackets | Should -Be ([long](& $col 'rexmt_data_pkts_b2a'))
        $m[1].UniqueBytesSent | Should -Be ([long](& $col 'unique_bytes_sent_b2a'))
        $m[0].SackPacketsSent | Should -Be ([long](& $col 'sack_pkts_sent_a2b'))
        $m[0].DuplicateAcks | Should -Be ([long](& $col 'duplicate_acks_a2b'))
        $m[1].RttSamples | Should -Be ([long](& $col 'RTT_samples_b2a'))
        $m[0].MssRequested | Should -Be 1460
    }

    It 'gives readable JSON and takes segments from the pipeline like -Path' {
        $json = Measure-TcpConnection $visit -Stream 0 | Select-Object -First 1 | ConvertTo-Json -Compress
        $json | Should -Match '"Direction":"a2b"'
        $json | Should -Match '"Source":"127\.0\.0\.1:48496"'
        $json | Should -Match '"MssRequested":65495'
        $json | Should -Match '"RttAvgMilliseconds":'
        $a = Measure-TcpConnection $visit | ForEach-Object { "$($_.Stream) $($_.Direction) $($_.UniqueBytesSent) $($_.RttSamples)" }
        $b = Import-TcpCapture $visit | Measure-TcpConnection | ForEach-Object { "$($_.Stream) $($_.Direction) $($_.UniqueBytesSent) $($_.RttSamples)" }
        $b | Should -Be $a
        (Measure-TcpConnection $visit -Stream 0 | Out-String -Width 200) | Should -Match 'RttAvg\(ms\)'
    }
}

Describe 'Get-TcpStreamGraph -SvgPath with several streams' -Tag Graph {
    It 'writes name-stream-N.svg beside a .svg name, as Show-TcpFlow does, and never a folder named .svg' {
        $visit = Join-Path $DataDir 'http-visit.pcap'
        $streams = @(Get-TcpConnection -LiteralPath $visit).Stream
        $streams.Count | Should -BeGreaterThan 1
        $target = Join-Path $TestDrive 'one.svg'
        $files = @(Get-TcpStreamGraph -LiteralPath $visit -Type Stevens -SvgPath $target)
        Test-Path -LiteralPath $target | Should -BeFalse
        $files.Name | Should -Be @($streams | ForEach-Object { "one-stream-$_.svg" })
        $files | ForEach-Object { $_.Length | Should -BeGreaterThan 500; $_.DirectoryName | Should -Be $TestDrive }
    }
}
