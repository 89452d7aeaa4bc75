BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Every capture-reading cmdlet on damaged captures' -Tag Robustness {
    BeforeAll {
        # damaged copies of a real capture: truncated at many points, bits flipped, the file header broken
        $src = [IO.File]::ReadAllBytes((Join-Path $DataDir 'http-visit.pcap'))
        $rng = [Random]::new(42)
        $cases = [System.Collections.Generic.List[string]]::new()
        foreach ($cut in 10, 24, 30, 40, 100, 1000, 5000, 20000, 100000, ($src.Length - 7)) {
            $f = Join-Path $TestDrive "cut-$cut.pcap"
            [IO.File]::WriteAllBytes($f, $src[0..($cut - 1)]); $cases.Add($f)
        }
        foreach ($i in 1..12) {
            $d = [byte[]]$src.Clone()
            foreach ($j in 1..8) { $at = $rng.Next(24, $d.Length); $d[$at] = $d[$at] -bxor (1 -shl $rng.Next(8)) }
            $f = Join-Path $TestDrive "flip-$i.pcap"
            [IO.File]::WriteAllBytes($f, $d); $cases.Add($f)
        }
        $d = [byte[]]$src.Clone(); $d[0] = 0x42; $f = Join-Path $TestDrive 'magic.pcap'; [IO.File]::WriteAllBytes($f, $d); $cases.Add($f)
        $d = [byte[]]$src.Clone(); [BitConverter]::GetBytes([uint32]4294967280).CopyTo($d, 24 + 8); $f = Join-Path $TestDrive 'caplen.pcap'; [IO.File]::WriteAllBytes($f, $d); $cases.Add($f)
        $known = 'MalformedFrame', 'CaptureFileTruncated', 'CaptureFileCorrupt', 'NotACaptureFile', 'CaptureFileUnsupported', 'CaptureFileReadFailed'
        $commands = @(
            @{ Name = 'Import-TcpCapture' }, @{ Name = 'Get-TcpConnection' }, @{ Name = 'Get-TcpHandshake' }, @{ Name = 'Get-TcpTeardown' }
            @{ Name = 'Get-TcpStateTimeline' }, @{ Name = 'Get-TcpExpertInfo' }, @{ Name = 'Get-TcpStream' }, @{ Name = 'Get-HttpExchange' }
            @{ Name = 'Export-HttpObject'; Extra = @{ Destination = (Join-Path $TestDrive 'objects'); WhatIf = $true } }
            @{ Name = 'Test-LabCapture' }, @{ Name = 'Show-TcpFlow' }
            @{ Name = 'Export-LabReport'; Extra = @{ Destination = (Join-Path $TestDrive 'report') } }
        )
    }

    It 'never throws, and reports damage only with the documented error ids' {
        $ran = 0
        foreach ($case in $cases) {
            foreach ($cmd in $commands) {
                $extra = if ($cmd.Extra) { $cmd.Extra } else { @{} }
                $errs = $null
                $threw = $null
                try { $null = & $cmd.Name -LiteralPath $case @extra -ErrorAction SilentlyContinue -ErrorVariable errs 6>$null } catch { $threw = $_ }
                $threw | Should -BeNullOrEmpty -Because "$($cmd.Name) on $case"
                foreach ($e in $errs) { ($e.FullyQualifiedErrorId -split ',')[0] | Should -BeIn $known -Because "$($cmd.Name) on $case" }
                $ran++
            }
        }
        $ran | Should -Be ($cases.Count * $commands.Count)
    }

    It 'returns every frame before a cut, then says the file is truncated' {
        $whole = @(Import-TcpCapture (Join-Path $DataDir 'http-visit.pcap'))
        $cut = Join-Path $TestDrive 'cut-100000.pcap'
        $part = @(Import-TcpCapture -LiteralPath $cut -ErrorAction SilentlyContinue -ErrorVariable err)
        $part.Count | Should -BeGreaterThan 0
        $part.Count | Should -BeLessThan $whole.Count
        for ($i = 0; $i -lt $part.Count; $i++) { $part[$i].SeqRaw | Should -Be $whole[$i].SeqRaw }
        $err[-1].FullyQualifiedErrorId | Should -BeLike 'CaptureFileTruncated,*'
        $tshark = @(& tshark -n -r $cut -T fields -e frame.number 2>$null)
        $part.Count | Should -Be $tshark.Count                       # tshark reads the same frames before the cut
    }
}
