BeforeAll {
    . $PSScriptRoot/common.ps1
    $sample = Join-Path $DataDir 'http-visit.pcap'
}

Describe 'Import-TcpCapture' {
    Context 'reading real captures' {
        It 'writes one TcpSegment per TCP frame, as many as tshark counts' {
            $segments = Import-TcpCapture -Path $sample
            $segments[0] | Should -BeOfType Lab2Tools.Model.TcpSegment
            $frames = @(Invoke-Tshark -Path $sample -Filter tcp -Field frame.number)
            $segments.Count | Should -Be $frames.Count
        }

        It 'numbers streams and sequence numbers as tshark does (port reuse, non-TCP frames in between)' {
            $file = Join-Path $DataDir 'port-reuse.pcap'
            $expected = Invoke-Tshark -Path $file -Filter tcp -Field frame.number, tcp.stream, tcp.seq, tcp.ack, tcp.window_size
            $actual = @(Import-TcpCapture -LiteralPath $file)
            $actual.Count | Should -Be @($expected).Count
            for ($i = 0; $i -lt $actual.Count; $i++) {
                "$($actual[$i].Frame) $($actual[$i].Stream) $($actual[$i].Seq) $($actual[$i].Ack) $($actual[$i].WindowSize)" |
                    Should -Be ($expected[$i] -join ' ')
            }
        }

        It 'shows the handshake as the seed describes it: SYN Seq=0, SYN-ACK Ack=1, options offered' {
            $hs = Import-TcpCapture $sample | Where-Object Stream -eq 0 | Select-Object -First 3
            $hs[0].FlagsText | Should -Be 'SYN'
            $hs[0].Seq | Should -Be 0
            $hs[0].Mss | Should -BeGreaterThan 0
            $hs[0].SackPermitted | Should -BeTrue
            $hs[0].WindowScaleShift | Should -Not -BeNullOrEmpty
            $hs[1].FlagsText | Should -Be 'SYN, ACK'
            $hs[1].Ack | Should -Be 1
            $hs[2].FlagsText | Should -Be 'ACK'
            $hs[2].WindowSize | Should -Be ($hs[2].WindowSizeValue * $hs[2].WindowSizeScalingFactor)
        }

        It 'reads every link type and format in tests/data' {
            foreach ($f in Get-ChildItem $DataDir -File | Where-Object Extension -in '.pcap', '.pcapng') {
                $n = (Import-TcpCapture -LiteralPath $f.FullName -ErrorAction Stop | Measure-Object).Count
                $n | Should -BeGreaterThan 0 -Because $f.Name
            }
        }

        It 'takes files from the pipeline and expands wildcards' {
            $byPipe = (Get-ChildItem (Join-Path $DataDir 'http-visit.pcap*') | Import-TcpCapture | Measure-Object).Count
            $byWildcard = (Import-TcpCapture -Path (Join-Path $DataDir 'http-visit.pcap*') | Measure-Object).Count
            $byPipe | Should -Be $byWildcard
            $byPipe | Should -Be (2 * (Import-TcpCapture $sample | Measure-Object).Count)
        }

        It 'reads -LiteralPath names with wildcard characters' {
            $odd = Join-Path $TestDrive 'lab[1].pcap'
            Copy-Item -LiteralPath $sample -Destination $odd
            (Import-TcpCapture -LiteralPath $odd | Measure-Object).Count | Should -BeGreaterThan 0
        }

        It 'says with -Verbose what it skipped' {
            $v = Import-TcpCapture (Join-Path $DataDir 'port-reuse.pcap') -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            ($v.Message -join "`n") | Should -Match '2 streams'
            ($v.Message -join "`n") | Should -Match 'non-TCP frames skipped'
            ($v.Message -join "`n") | Should -Match 'protocol 17'
        }

        It 'stops early without reading the rest (Select-Object -First)' {
            $first = Import-TcpCapture $sample | Select-Object -First 1
            $first.Frame | Should -Be 1
        }

        It 'has a packet-list table view' {
            $text = Import-TcpCapture $sample | Select-Object -First 3 | Format-Table | Out-String -Width 200
            $text | Should -Match 'Frame'
            $text | Should -Match '\[SYN\]'
            $text | Should -Match '127\.0\.0\.1:5000'
        }
    }

    Context 'bad input' {
        It 'reports a missing file as ObjectNotFound with the path as target, and writes nothing' {
            $out = Import-TcpCapture -LiteralPath (Join-Path $TestDrive 'nope.pcap') -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileNotFound,*'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -BeLike '*nope.pcap'
            $err[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }

        It 'reports a file that is not a capture once, and writes nothing' {
            $txt = Join-Path $TestDrive 'notes.pcap'
            Set-Content $txt 'these are my lab notes'
            $out = Import-TcpCapture $txt -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'NotACaptureFile,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $err[0].TargetObject | Should -Be $txt
        }

        It 'yields every complete frame of a truncated file, then one error' {
            $bytes = [IO.File]::ReadAllBytes($sample)
            $cut = Join-Path $TestDrive 'cut.pcap'
            [IO.File]::WriteAllBytes($cut, $bytes[0..([int]($bytes.Length * 0.6))])
            $expected = @(& tshark -r $cut -Y tcp -T fields -e frame.number 2>$null).Count
            $out = @(Import-TcpCapture $cut -ErrorVariable err -ErrorAction SilentlyContinue)
            $out.Count | Should -Be $expected
            $out.Count | Should -BeGreaterThan 10
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileTruncated,*'
        }

        It 'reports a malformed frame with its number as target and keeps reading' {
            # Frame 3 of the sample gets a TCP data offset of 2 words (below the 5-word minimum).
            $bytes = [IO.File]::ReadAllBytes($sample)
            $off = 24
            for ($i = 1; $i -lt 3; $i++) { $off += 16 + [BitConverter]::ToInt32($bytes, $off + 8) }
            $tcpStart = $off + 16 + 14 + 20
            $bytes[$tcpStart + 12] = 0x20
            $bad = Join-Path $TestDrive 'bad.pcap'
            [IO.File]::WriteAllBytes($bad, $bytes)
            $out = @(Import-TcpCapture $bad -ErrorVariable err -ErrorAction SilentlyContinue)
            $out.Count | Should -Be ((Import-TcpCapture $sample | Measure-Object).Count - 1)
            $out.Frame | Should -Not -Contain 3
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'MalformedFrame,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $err[0].TargetObject | Should -Be 3
        }

        It 'reads the captures in a folder, and says when a folder has none' {
            $folder = Join-Path $TestDrive 'two-captures'
            $null = New-Item -ItemType Directory -Force $folder
            Copy-Item $sample (Join-Path $folder 'a.pcap')
            Copy-Item $sample (Join-Path $folder 'b.cap')
            Set-Content (Join-Path $folder 'notes.txt') 'not read'
            $out = @(Import-TcpCapture -Path $folder -ErrorVariable err -ErrorAction SilentlyContinue)
            $err | Should -BeNullOrEmpty
            $out.Count | Should -Be (2 * (Import-TcpCapture $sample | Measure-Object).Count)
            ($out.Path | Select-Object -Unique) | Should -Be (Join-Path $folder 'a.pcap'), (Join-Path $folder 'b.cap')
            $empty = New-Item -ItemType Directory -Force (Join-Path $TestDrive 'no-captures')
            Import-TcpCapture -Path $empty -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileNotFound,*'
        }
    }
}
