# Bad input, as a newcomer gives it: a -Stream the file does not have, a folder, a file that is not a capture, a
# capture cut short. Each gets one clear error (a stable id, a precise category, the failing thing as target) whose
# recommended action works: where it is a command, these tests run it and read what it made.

BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    # every cmdlet with -Stream, found in the module (a new one is covered without editing this list)
    $script:streamCmdlets = foreach ($c in Get-Command -Module Lab2Tools -CommandType Cmdlet) {
        if (-not $c.Parameters.ContainsKey('Stream')) { continue }
        $extra = switch ($c.Name) {
            'Export-HttpObject' { @{ Destination = 'objects'; WhatIf = $true } }
            default { @{} }
        }
        @{ Name = $c.Name; Extra = $extra }
    }
    # the file-reading cmdlets, as in Errors.Tests.ps1
    $script:fileCmdlets = foreach ($c in Get-Command -Module Lab2Tools -CommandType Cmdlet) {
        if (-not $c.Parameters.ContainsKey('LiteralPath')) { continue }
        $extra = switch ($c.Name) {
            'Export-HttpObject' { @{ Destination = 'objects'; WhatIf = $true } }
            'Export-LabReport' { @{ Destination = 'report' } }
            default { @{} }
        }
        @{ Name = $c.Name; Extra = $extra }
    }
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Cjk = '\p{IsCJKUnifiedIdeographs}'
    $script:Visit = Join-Path $DataDir 'http-visit.pcap'
    $script:VisitNg = Join-Path $DataDir 'http-visit.pcapng'

    # Runs a command; returns its output and its errors (non-terminating ones collected, a terminating one caught).
    function Invoke-Collecting([scriptblock]$Command) {
        # the runner (tools/PesterTest.ps1) sets Stop, which would end the command at its first non-terminating error
        $ErrorActionPreference = 'Continue'
        $errors = [Collections.Generic.List[object]]::new()
        $objects = [Collections.Generic.List[object]]::new()
        try {
            & $Command 2>&1 | ForEach-Object {
                if ($_ -is [Management.Automation.ErrorRecord]) { $errors.Add($_) } else { $objects.Add($_) }
            }
        }
        catch { $errors.Add($_) }
        [pscustomobject]@{ Output = $objects.ToArray(); Errors = $errors.ToArray() }
    }

    # The command at the end of a recommended action (after its last colon), as the user would copy it.
    function Get-AdvisedCommand([string]$Advice, [string]$Verb) {
        $m = [regex]::Match($Advice, "(?:^|[:：]\s*)($Verb\b.*)$")
        $m.Success | Should -BeTrue -Because "the advice '$Advice' ends with a $Verb command"
        $m.Groups[1].Value
    }

    $script:Work = Join-Path $TestDrive 'work'
    $null = New-Item -ItemType Directory $Work
    Push-Location $Work
}

AfterAll { Pop-Location }

Describe '<Name> -Stream: a stream the file does not have is TcpStreamNotFound' -Tag Errors -ForEach $streamCmdlets {
    BeforeAll { $extra = $Extra }

    It 'one non-terminating error per file, naming the streams and the file; the existing stream is still analysed' {
        $r = Invoke-Collecting { & $Name -LiteralPath $Visit, $VisitNg -Stream 0, 98, 99 @extra }
        $r.Errors.Count | Should -Be 2
        $files = $Visit, $VisitNg
        for ($i = 0; $i -lt 2; $i++) {
            $e = $r.Errors[$i]
            $e.FullyQualifiedErrorId | Should -Be "TcpStreamNotFound,$((Get-Command $Name).ImplementingType.FullName)"
            $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            @($e.TargetObject) | Should -Be 98, 99
            $e.ErrorDetails.Message | Should -BeLike "'$($files[$i])' has no TCP stream 98, 99: its TCP streams are numbered 0 to 5."
            $e.ErrorDetails.RecommendedAction | Should -BeLike "*Get-TcpConnection -LiteralPath '$($files[$i])'"
        }
        if ($Name -notin 'Export-HttpObject', 'Get-TcpRttEstimate') { $r.Output.Count | Should -BeGreaterThan 0 }
    }

    It 'no error when every stream exists' {
        (Invoke-Collecting { & $Name -LiteralPath $Visit -Stream 0, 5 @extra }).Errors | Should -BeNullOrEmpty
    }

    It 'the advice, run as it is, lists the streams that exist' {
        $e = (Invoke-Collecting { & $Name -LiteralPath $Visit -Stream 42 @extra }).Errors[0]
        $listed = Invoke-Expression (Get-AdvisedCommand $e.ErrorDetails.RecommendedAction 'Get-TcpConnection')
        $listed.Stream | Should -Be (0..5)
    }

    It 'is Chinese under zh-CN, with the same id, category and target' {
        $zh = Use-Culture 'zh-CN' { (Invoke-Collecting { & $Name -LiteralPath $Visit -Stream 99 @extra }).Errors[0] }
        $zh.FullyQualifiedErrorId | Should -BeLike 'TcpStreamNotFound,*'
        $zh.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        @($zh.TargetObject) | Should -Be 99
        $zh.ErrorDetails.Message | Should -Match $Cjk
        $zh.ErrorDetails.Message | Should -Match '\b99\b.*\b0 到 5'
        $zh.ErrorDetails.RecommendedAction | Should -Match $Cjk
        $zh.ErrorDetails.RecommendedAction | Should -BeLike "*Get-TcpConnection -LiteralPath '$Visit'"
    }
}

Describe 'TcpStreamNotFound for segments from the pipeline' -Tag Errors {
    It 'names the file they came from, once, and the stream' {
        $r = Invoke-Collecting { Import-TcpCapture $Visit | Where-Object Stream -le 1 | Get-TcpHandshake -Stream 1, 4 }
        $r.Output.Stream | Should -Be 1
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'TcpStreamNotFound,*'
        $r.Errors[0].ErrorDetails.Message | Should -Be "The segments piped in from '$Visit' hold no TCP stream 4."
        @($r.Errors[0].TargetObject) | Should -Be 4
    }

    It 'a file with no TCP segment says so' {
        # the pcap file header of http-visit.pcap and no frame: a whole capture without TCP
        $udp = Join-Path $Work 'no-tcp.pcap'
        [IO.File]::WriteAllBytes($udp, [IO.File]::ReadAllBytes($Visit)[0..23])
        $e = (Invoke-Collecting { Get-TcpConnection -LiteralPath $udp -Stream 0 }).Errors
        $e.Count | Should -Be 1
        $e[0].ErrorDetails.Message | Should -Be "'$udp' has no TCP stream 0: it holds no TCP segment at all."
    }
}

Describe 'A folder stands for the capture files in it' -Tag Errors {
    BeforeAll {
        $script:Class = Join-Path $Work 'class'
        $null = New-Item -ItemType Directory $Class
        Copy-Item $Visit (Join-Path $Class 'alice.pcap')
        Copy-Item $VisitNg (Join-Path $Class 'bob.pcapng')
        Copy-Item (Join-Path $DataDir 'curl-http.pcap') (Join-Path $Class 'carol.cap')
        Set-Content (Join-Path $Class 'README.txt') 'grading notes'
        $null = New-Item -ItemType Directory (Join-Path $Class 'old')
        $script:Explicit = 'alice.pcap', 'bob.pcapng', 'carol.cap' | ForEach-Object { Join-Path $Class $_ }
    }

    It 'Test-LabCapture grades every .pcap, .pcapng and .cap in it, in name order, as if each were named' {
        $byFolder = Test-LabCapture -Path $Class -Summary -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $byFiles = Test-LabCapture -LiteralPath $Explicit -Summary
        $byFolder.Path | Should -Be $Explicit
        ($byFolder | Select-Object Path, Result, Passed, Failed, FailedChecks, Frames | ConvertTo-Json) |
            Should -Be ($byFiles | Select-Object Path, Result, Passed, Failed, FailedChecks, Frames | ConvertTo-Json)
    }

    It '<Name> reads a folder as it reads its files, by -Path and by -LiteralPath' -ForEach $fileCmdlets {
        $extra = $Extra
        $a = Invoke-Collecting { & $Name -LiteralPath $Class @extra }
        $b = Invoke-Collecting { & $Name -LiteralPath $Explicit @extra }
        $c = Invoke-Collecting { & $Name -Path $Class @extra }
        $a.Errors.FullyQualifiedErrorId | Should -Be $b.Errors.FullyQualifiedErrorId
        $a.Output.Count | Should -Be $b.Output.Count
        $c.Output.Count | Should -Be $b.Output.Count
        if ($Name -ne 'Export-HttpObject') { $a.Output.Count | Should -BeGreaterThan 0 }   # -WhatIf writes nothing
    }

    It 'a wildcard that matches a folder reads the captures in it' {
        $n = (Import-TcpCapture -LiteralPath $Explicit | Measure-Object).Count
        (Import-TcpCapture -Path (Join-Path $Work 'cla*') | Measure-Object).Count | Should -Be $n
    }

    It 'a folder without a capture: CaptureFileNotFound, whose advice (run as it is) grades the captures below it' {
        $top = Join-Path $Work 'term'
        foreach ($student in 'dan', 'eve') {
            $null = New-Item -ItemType Directory (Join-Path $top $student)
            Copy-Item $Visit (Join-Path $top "$student/lab2.pcapng")
        }
        foreach ($culture in 'en-US', 'zh-CN') {
            $e = Use-Culture $culture { (Invoke-Collecting { Test-LabCapture -Path $top -Summary }).Errors }
            $e.Count | Should -Be 1
            $e[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileNotFound,*'
            $e[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $e[0].TargetObject | Should -Be $top
            if ($culture -eq 'zh-CN') { $e[0].ErrorDetails.Message | Should -Match $Cjk }
            $rows = Invoke-Expression ((Get-AdvisedCommand $e[0].ErrorDetails.RecommendedAction 'Get-ChildItem') + ' -Summary')
            $rows.Path | Should -Be (Join-Path $top 'dan/lab2.pcapng'), (Join-Path $top 'eve/lab2.pcapng')
            ($rows.ErrorId -join '') | Should -BeNullOrEmpty
            $rows.FrameCount | Should -Be $rows[0].FrameCount, $rows[0].FrameCount
            $rows[0].FrameCount | Should -BeGreaterThan 100
        }
    }

    It 'a missing file: CaptureFileNotFound, whose advice lists the captures of the nearest folder there is' {
        $e = (Invoke-Collecting { Get-TcpHandshake -Path (Join-Path $Class 'no-such/file.pcap') }).Errors[0]
        $e.FullyQualifiedErrorId | Should -BeLike 'CaptureFileNotFound,*'
        $listed = Invoke-Expression (Get-AdvisedCommand $e.ErrorDetails.RecommendedAction 'Get-ChildItem')
        $listed.FullName | Should -Be $Explicit
    }

    It 'a missing file in a folder with no captures: the advice searches the folders below, and finds them' {
        $top = Join-Path $Work 'below'
        New-Item -ItemType Directory (Join-Path $top 'alice') -Force | Out-Null
        Copy-Item (Join-Path $DataDir 'http-visit.pcap') (Join-Path $top 'alice/lab2.pcap')
        $e = (Invoke-Collecting { Get-TcpHandshake -Path (Join-Path $top 'lab2.pcap') }).Errors[0]
        $e.FullyQualifiedErrorId | Should -BeLike 'CaptureFileNotFound,*'
        $e.ErrorDetails.RecommendedAction | Should -Match '-Recurse'
        $listed = Invoke-Expression (Get-AdvisedCommand $e.ErrorDetails.RecommendedAction 'Get-ChildItem')
        $listed.FullName | Should -Be (Join-Path $top 'alice/lab2.pcap')
    }
}

Describe 'A file that is not a capture says what it looks like' -Tag Errors {
    BeforeDiscovery {
        $kinds = @(
            @{ File = 'empty.pcap'; Looks = 'is empty \(0 bytes\)'; Zh = '空文件'
               Make = { param($p) [IO.File]::WriteAllBytes($p, [byte[]]@()) } }
            @{ File = 'page.pcap'; Looks = 'looks like an HTML page'; Zh = 'HTML 网页'
               Make = { param($p) Set-Content $p "`n<!DOCTYPE html>`n<html><head><title>Lab 2</title></head></html>" } }
            @{ File = 'packets.pcap'; Looks = 'looks like a JSON document'; Zh = 'JSON 文档'
               Make = { param($p) Set-Content $p '[ { "_index": "packets", "_source": { "layers": {} } } ]' } }
            @{ File = 'list.pcap'; Looks = 'looks like a text file'; Zh = '文本文件'
               Make = { param($p) Set-Content $p "No.  Time  Source  Destination`n1  0.000  127.0.0.1  127.0.0.1" -Encoding utf8BOM } }
            @{ File = 'export.pcap'; Looks = 'looks like an XML document'; Zh = 'XML 文档'
               Make = { param($p) Set-Content $p '<?xml version="1.0"?><pdml></pdml>' } }
            @{ File = 'pic.pcap'; Looks = 'looks like a PNG image'; Zh = 'PNG 图片'
               Make = { param($p) [IO.File]::WriteAllBytes($p, [byte[]](0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13)) } }
            @{ File = 'page.pcap.gz'; Looks = 'is gzip-compressed, but what it holds .* looks like an HTML page'; Zh = 'gzip'
               Make = {
                   param($p)
                   $fs = [IO.File]::Create($p)
                   $gz = [IO.Compression.GZipStream]::new($fs, [IO.Compression.CompressionMode]::Compress)
                   $b = [Text.Encoding]::UTF8.GetBytes('<html><body>not a capture</body></html>')
                   $gz.Write($b, 0, $b.Length); $gz.Dispose(); $fs.Dispose()
               } }
            @{ File = 'noise.pcap'; Looks = 'is not a pcap or pcapng capture file \(it starts with 0x00010203\)'; Zh = '0x00010203'
               Make = { param($p) [IO.File]::WriteAllBytes($p, [byte[]](0..63)) } }
        )
    }

    It '<File>: NotACaptureFile, the message says it <Looks>, in English and Chinese' -ForEach $kinds {
        $path = Join-Path $Work $File
        & $Make $path
        $en = (Invoke-Collecting { Get-TcpConnection -LiteralPath $path }).Errors
        $zh = Use-Culture 'zh-CN' { (Invoke-Collecting { Get-TcpConnection -LiteralPath $path }).Errors }
        foreach ($e in $en[0], $zh[0]) {
            $e.FullyQualifiedErrorId | Should -BeLike 'NotACaptureFile,*'
            $e.CategoryInfo.Category | Should -Be 'InvalidData'
            $e.TargetObject | Should -Be $path
            $e.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }
        $en[0].ErrorDetails.Message | Should -Match "^'$([regex]::Escape($path))' .*$Looks"
        $zh[0].ErrorDetails.Message | Should -Match $Cjk
        $zh[0].ErrorDetails.Message | Should -Match ([regex]::Escape($Zh))
        # the first bytes stay, as a detail, where there are any
        if ($File -ne 'empty.pcap') { $en[0].ErrorDetails.Message | Should -Match '\(.*0x[0-9A-F]{8}\)\.$' }
    }

    It 'a ZIP archive: the advice (Expand-Archive, run as it is) unpacks a folder that the same command reads' {
        $inside = Join-Path $Work 'zip-src'
        $null = New-Item -ItemType Directory $inside
        Copy-Item $Visit (Join-Path $inside 'lab2.pcap')
        $zip = Join-Path $Work 'submission.pcap'          # a zip handed in under a capture's name
        Compress-Archive -Path (Join-Path $inside 'lab2.pcap') -DestinationPath "$zip.zip"
        Move-Item "$zip.zip" $zip
        $e = (Invoke-Collecting { Test-LabCapture -LiteralPath $zip -Summary }).Errors[0]
        $e.FullyQualifiedErrorId | Should -BeLike 'NotACaptureFile,*'
        $e.ErrorDetails.Message | Should -Match 'looks like a ZIP archive'
        Invoke-Expression (Get-AdvisedCommand $e.ErrorDetails.RecommendedAction 'Expand-Archive')
        $row = Test-LabCapture -LiteralPath (Join-Path $Work 'submission') -Summary -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $row.Path | Should -Be (Join-Path $Work 'submission/lab2.pcap')
        $row.FrameCount | Should -BeGreaterThan 100
    }

    It 'a snoop capture: the advice (editcap, run as it is) converts it to a pcapng the module reads' {
        $snoop = Join-Path $Work 'visit.snoop.pcap'
        & editcap -F snoop $Visit $snoop 2>$null
        $LASTEXITCODE | Should -Be 0
        $e = (Invoke-Collecting { Get-TcpConnection -LiteralPath $snoop }).Errors[0]
        $e.FullyQualifiedErrorId | Should -BeLike 'NotACaptureFile,*'
        $e.ErrorDetails.Message | Should -Match "looks like a capture in Sun's snoop format"
        Invoke-Expression ((Get-AdvisedCommand $e.ErrorDetails.RecommendedAction 'editcap') + ' 2>$null')
        $converted = Join-Path $Work 'visit.snoop-converted.pcapng'
        (Get-TcpConnection -LiteralPath $converted).Stream | Should -Be (Get-TcpConnection -LiteralPath $Visit).Stream
    }
}

Describe 'A capture cut short: the advice saves its complete frames' -Tag Errors {
    It '<_>: editcap, run as it is, writes every frame before the cut to a file read without error' -ForEach @(
        'http-visit.pcap', 'http-visit.pcapng') {
        $bytes = [IO.File]::ReadAllBytes((Join-Path $DataDir $_))
        $cut = Join-Path $Work "cut-$_"
        [IO.File]::WriteAllBytes($cut, $bytes[0..([int]($bytes.Length * 0.6))])
        $before = Invoke-Collecting { Import-TcpCapture -LiteralPath $cut }
        $e = $before.Errors[-1]
        $e.FullyQualifiedErrorId | Should -BeLike 'CaptureFileTruncated,*'
        $e.CategoryInfo.Category | Should -Be 'ReadError'
        $e.TargetObject | Should -Be $cut
        $zh = Use-Culture 'zh-CN' { (Invoke-Collecting { Import-TcpCapture -LiteralPath $cut }).Errors[-1] }
        $zh.ErrorDetails.RecommendedAction | Should -Match $Cjk
        (Get-AdvisedCommand $zh.ErrorDetails.RecommendedAction 'editcap') |
            Should -Be (Get-AdvisedCommand $e.ErrorDetails.RecommendedAction 'editcap')
        Invoke-Expression ((Get-AdvisedCommand $e.ErrorDetails.RecommendedAction 'editcap') + ' 2>$null')
        $complete = Join-Path $Work ("cut-" + [IO.Path]::GetFileNameWithoutExtension($_) + '-complete.pcapng')
        $after = Invoke-Collecting { Import-TcpCapture -LiteralPath $complete }
        $after.Errors | Should -BeNullOrEmpty
        $after.Output.Count | Should -Be $before.Output.Count
        $after.Output.Count | Should -BeGreaterThan 10
    }

    It 'a file cut inside its header: the advice says nothing can be read, and names no command that would fail' {
        $cut = Join-Path $Work 'header-only.pcap'
        [IO.File]::WriteAllBytes($cut, [IO.File]::ReadAllBytes($Visit)[0..15])
        $e = (Invoke-Collecting { Get-TcpConnection -LiteralPath $cut }).Errors[0]
        $e.FullyQualifiedErrorId | Should -BeLike 'CaptureFileTruncated,*'
        $e.ErrorDetails.RecommendedAction | Should -Match 'capture again'
        $e.ErrorDetails.RecommendedAction | Should -Not -Match 'editcap'
    }
}

Describe 'A file to write named by a folder, a folder to write named by a file' -Tag Errors {
    BeforeAll {
        $script:Out = Join-Path $Work 'out'
        $null = New-Item -ItemType Directory $Out
        $script:PlainFile = Join-Path $Work 'plain-file'
        Set-Content $PlainFile 'x'
        function Get-AdvisedPath([string]$Advice) {
            $m = [regex]::Match($Advice, "-Path '((?:[^']|'')+)'$")
            $m.Success | Should -BeTrue -Because "the advice '$Advice' names a file with -Path"
            $m.Groups[1].Value.Replace("''", "'")
        }
    }

    It 'Export-LabJUnit -Path a folder: OutputNotWritable, whose advice (followed) writes the file' {
        $grades = Test-LabCapture -LiteralPath $Visit -Summary
        foreach ($culture in 'en-US', 'zh-CN') {
            $e = Use-Culture $culture { (Invoke-Collecting { $grades | Export-LabJUnit -Path $Out }).Errors }
            $e.Count | Should -Be 1
            $e[0].FullyQualifiedErrorId | Should -BeLike 'OutputNotWritable,*'
            $e[0].CategoryInfo.Category | Should -Be 'WriteError'
            $e[0].TargetObject | Should -Be $Out
            if ($culture -eq 'zh-CN') { $e[0].ErrorDetails.Message | Should -Match $Cjk }
        }
        $file = Get-AdvisedPath $e[0].ErrorDetails.RecommendedAction
        $written = $grades | Export-LabJUnit -Path $file
        $written.FullName | Should -Be (Join-Path $Out 'grades.xml')
        ([xml](Get-Content -Raw $file)).testsuites | Should -Not -BeNullOrEmpty
    }

    It 'Start-TcpCapture -Path a folder: CaptureFileNotWritable before capturing, whose advice (followed) captures' {
        $port = Get-FreePort
        $e = (Invoke-Collecting { Start-TcpCapture -Path $Out -Port $port }).Errors
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -BeLike 'CaptureFileNotWritable,*'
        $e[0].TargetObject | Should -Be $Out
        $file = Get-AdvisedPath $e[0].ErrorDetails.RecommendedAction
        $capture = Start-TcpCapture -Path $file -Port $port
        try { Start-Sleep -Milliseconds 300 } finally { $capture | Stop-TcpCapture | Out-Null }
        $file | Should -Exist
        (Invoke-Collecting { Import-TcpCapture -LiteralPath $file }).Errors | Should -BeNullOrEmpty
    }

    It 'Export-HttpObject -Destination a file: one OutputNotWritable, not one per body' {
        $r = Invoke-Collecting { Export-HttpObject -LiteralPath $Visit -Destination $PlainFile }
        $r.Errors.Count | Should -Be 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'OutputNotWritable,*'
        $r.Errors[0].TargetObject | Should -Be $PlainFile
    }
}
