# The cmdlets' words in two languages: every error message, recommended action, warning and verbose line
# comes from Internal/ErrorText.resx or CmdletText.resx. Under zh-CN they are Chinese; the id, the category
# and the target are the same as under en-US, and so are the figures.

BeforeDiscovery {
    . $PSScriptRoot/common.ps1
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Cjk = '\p{IsCJKUnifiedIdeographs}'
    $script:ZhCN = [cultureinfo]'zh-CN'
    $script:EnUS = [cultureinfo]'en-US'

    # The first error a command reports (terminating or not).
    function Get-FirstError([scriptblock]$Command) {
        $ErrorActionPreference = 'Stop'
        try { $null = & $Command } catch { return $_ }
        throw "No error from: $Command"
    }

    function Get-ErrorIn([cultureinfo]$Culture, [scriptblock]$Command) {
        Use-Culture $Culture { Get-FirstError $Command }
    }

    $script:Bad = Join-Path $TestDrive 'bad'
    $null = New-Item -ItemType Directory $Bad
    Set-Content (Join-Path $Bad 'notes.pcap') 'not a capture'
    $bytes = [IO.File]::ReadAllBytes((Join-Path $DataDir 'http-visit.pcap'))
    [IO.File]::WriteAllBytes((Join-Path $Bad 'cut.pcap'), $bytes[0..2999])
    $null = New-Item -ItemType Directory (Join-Path $Bad 'folder.pcap')
    $file = Join-Path $TestDrive 'a-file'
    Set-Content $file 'x'
    $script:Under = Join-Path $file 'sub'        # a folder inside a file: ENOTDIR, even for root
    # frame 3 of http-visit.pcap with a TCP data offset of 2 words: a malformed frame
    $off = 24
    for ($i = 1; $i -lt 3; $i++) { $off += 16 + [BitConverter]::ToInt32($bytes, $off + 8) }
    $copy = [byte[]]$bytes.Clone()
    $copy[$off + 16 + 14 + 20 + 12] = 0x20
    $script:Malformed = Join-Path $Bad 'malformed.pcap'
    [IO.File]::WriteAllBytes($Malformed, $copy)
}

Describe 'Every catalogued error speaks English and Chinese' -Tag Errors, Chinese {
    BeforeDiscovery {
        $entries = foreach ($e in [Lab2Tools.Commands.Internal.ErrorCatalog]::Entries) { @{ Id = $e.Id } }
    }

    It '<Id>: a message and a recommended action in both languages' -ForEach $entries {
        $entry = [Lab2Tools.Commands.Internal.ErrorCatalog]::Get($Id)
        $en = $entry.MessageFormatsIn($EnUS)
        $zh = $entry.MessageFormatsIn($ZhCN)
        @($en).Count | Should -BeGreaterThan 0 -Because "$Id needs a message"
        @($zh).Count | Should -Be @($en).Count
        foreach ($m in $en) { $m | Should -Not -Match $Cjk }
        foreach ($m in $zh) { $m | Should -Match $Cjk -Because "$Id's message must be Chinese under zh-CN" }
        $adviceEn = $entry.AdviceFormatIn($EnUS)
        $adviceZh = $entry.AdviceFormatIn($ZhCN)
        $adviceEn | Should -Not -BeNullOrEmpty
        if ($adviceEn -ne '{0}') {
            # '{0}': the advice is computed for this system (libpcap, capture privileges): tested below
            $adviceEn | Should -Not -Match $Cjk
            $adviceZh | Should -Match $Cjk -Because "$Id's advice must be Chinese under zh-CN"
        }
    }

    It 'the computed live-capture advice is Chinese under zh-CN and keeps its commands' {
        $type = [Lab2Tools.Commands.Internal.ErrorCatalog].Assembly.GetType('Lab2Tools.Commands.Internal.CaptureAdvice')
        $flags = [Reflection.BindingFlags]'NonPublic, Static'
        foreach ($name in 'Privilege', 'InstallLibPcap') {
            $en = Use-Culture $EnUS { $type.GetMethod($name, $flags).Invoke($null, $null) }
            $zh = Use-Culture $ZhCN { $type.GetMethod($name, $flags).Invoke($null, $null) }
            $en | Should -Not -Match $Cjk
            $zh | Should -Match $Cjk
            # the commands to run are the same words in both languages
            foreach ($command in [regex]::Matches($en, '(sudo )?(setcap|apt-get|dnf) [^;]+?(?=;|$)').Value) {
                $zh | Should -BeLike "*$($command.Trim())*"
            }
        }
    }
}

Describe 'The same failure under zh-CN and en-US' -Tag Errors, Chinese {
    BeforeDiscovery {
        $cases = @(
            @{ Case = 'a -Path that matches nothing'; Id = 'CaptureFileNotFound'
               Run = { Import-TcpCapture -Path (Join-Path $Bad 'missing.pcap') } }
            @{ Case = 'a -LiteralPath that does not exist'; Id = 'CaptureFileNotFound'
               Run = { Get-TcpConnection -LiteralPath (Join-Path $Bad 'missing.pcap') } }
            @{ Case = 'a file that is not a capture'; Id = 'NotACaptureFile'
               Run = { Get-TcpHandshake -LiteralPath (Join-Path $Bad 'notes.pcap') } }
            @{ Case = 'a capture cut short'; Id = 'CaptureFileTruncated'
               Run = { Import-TcpCapture -LiteralPath (Join-Path $Bad 'cut.pcap') } }
            @{ Case = 'a folder without a capture file'; Id = 'CaptureFileNotFound'
               Run = { Test-LabCapture -LiteralPath (Join-Path $Bad 'folder.pcap') } }
            @{ Case = 'a malformed frame'; Id = 'MalformedFrame'
               Run = { Import-TcpCapture -LiteralPath $Malformed } }
            @{ Case = 'a stream that is not HTTP'; Id = 'NotHttp'
               Run = { Get-HttpExchange -LiteralPath (Join-Path $DataDir 'curl-http.pcap') } }
            @{ Case = 'a stream the capture does not have'; Id = 'TcpStreamNotFound'
               Run = { Get-TcpStreamGraph -LiteralPath (Join-Path $DataDir 'http-visit.pcap') -Stream 99 } }
            @{ Case = 'a report that cannot be written'; Id = 'OutputNotWritable'
               Run = { Export-LabReport -LiteralPath (Join-Path $DataDir 'http-visit.pcap') -Destination $Under } }
            @{ Case = 'an SVG that cannot be written'; Id = 'OutputNotWritable'
               Run = { Show-TcpFlow -LiteralPath (Join-Path $DataDir 'http-visit.pcap') -SvgPath $Under } }
            @{ Case = '-Summary with -Quiet'; Id = 'SummaryWithQuiet'
               Run = { Test-LabCapture -LiteralPath (Join-Path $DataDir 'http-visit.pcap') -Summary -Quiet } }
            @{ Case = 'an unknown lab server'; Id = 'LabServerNotFound'; Run = { Stop-LabServer -Name 'no-such-server' } }
            @{ Case = 'an unknown capture id'; Id = 'TcpCaptureNotFound'; Run = { Receive-TcpCapture -Id 987654 } }
            @{ Case = 'a missing site folder'; Id = 'LabServerRootNotFound'
               Run = { Start-LabServer -Port 0 -Root (Join-Path $TestDrive 'no-site') } }
            @{ Case = 'a session folder with an earlier capture'; Id = 'LabOutputExists'
               Run = {
                   $dir = Join-Path $TestDrive 'earlier'
                   $null = New-Item -ItemType Directory -Force $dir
                   Set-Content (Join-Path $dir 'lab2.pcap') 'x'
                   Invoke-LabSession -Port 0 -OutputDirectory $dir
               } }
        )
    }

    It '<Case>: <Id>, Chinese words, the same id, category and target' -ForEach $cases {
        $en = Get-ErrorIn $EnUS $Run
        $zh = Get-ErrorIn $ZhCN $Run
        $en.FullyQualifiedErrorId.Split(',')[0] | Should -Be $Id
        $zh.FullyQualifiedErrorId | Should -Be $en.FullyQualifiedErrorId
        $zh.CategoryInfo.Category | Should -Be $en.CategoryInfo.Category
        "$($zh.TargetObject)" | Should -Be "$($en.TargetObject)"
        $en.ErrorDetails.Message | Should -Not -Match $Cjk
        $en.ErrorDetails.RecommendedAction | Should -Not -Match $Cjk
        $zh.ErrorDetails.Message | Should -Match $Cjk
        $zh.ErrorDetails.RecommendedAction | Should -Match $Cjk
        # the figures in the message (frame numbers, offsets, ports) are the same in both languages
        [regex]::Matches($zh.ErrorDetails.Message, '\d+').Value | Sort-Object |
            Should -Be ([regex]::Matches($en.ErrorDetails.Message, '\d+').Value | Sort-Object)
    }

    It 'a busy port: LabServerPortInUse from Start-LabServer and Invoke-LabSession, in Chinese, advice still a command' {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $l.Start()
        try {
            $port = $l.LocalEndpoint.Port
            $dir = Join-Path $TestDrive 'busy'
            foreach ($run in { Start-LabServer -Port $port }, { Invoke-LabSession -Port $port -OutputDirectory $dir }) {
                $en = Get-ErrorIn $EnUS $run
                $zh = Get-ErrorIn $ZhCN $run
                $zh.FullyQualifiedErrorId | Should -Be $en.FullyQualifiedErrorId
                $zh.FullyQualifiedErrorId | Should -BeLike 'LabServerPortInUse,*'
                $zh.CategoryInfo.Category | Should -Be 'ResourceBusy'
                $zh.TargetObject | Should -Be $port
                $zh.ErrorDetails.Message | Should -Match "端口 $port 已被占用"
                $zh.ErrorDetails.RecommendedAction | Should -BeLike "*ss -ltnp 'sport = :$port'*"
                $zh.ErrorDetails.RecommendedAction | Should -BeLike '*Get-LabServer | Stop-LabServer*'
            }
        }
        finally { $l.Stop() }
    }

    It 'an invalid capture filter: InvalidCaptureFilter, libpcap''s own words quoted in the Chinese message' -Skip:(-not $IsLinux) {
        $path = Join-Path $TestDrive 'filter.pcap'
        $run = { Start-TcpCapture -Path $path -Filter 'tcp port' }
        $en = Get-ErrorIn $EnUS $run
        if ($en.FullyQualifiedErrorId -notlike 'InvalidCaptureFilter,*') {
            Set-ItResult -Skipped -Because "live capture is not possible here ($($en.FullyQualifiedErrorId))"
            return
        }
        $zh = Get-ErrorIn $ZhCN $run
        $zh.FullyQualifiedErrorId | Should -Be $en.FullyQualifiedErrorId
        $zh.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $zh.ErrorDetails.Message | Should -Match "捕获过滤器 'tcp port' 无效"
        $zh.ErrorDetails.RecommendedAction | Should -Match $Cjk
        $zh.ErrorDetails.RecommendedAction | Should -BeLike "*'tcp port 5000'*"
    }
}

Describe 'Warnings and verbose text under zh-CN' -Tag Chinese {
    It 'Get-TcpHandshake warns in Chinese about the streams with no SYN, naming the same streams' {
        $cap = Join-Path $DataDir 'midstream.pcap'
        $en = "$(Use-Culture $EnUS { $null = Get-TcpHandshake $cap -WarningVariable w -WarningAction SilentlyContinue; $w })"
        $zh = "$(Use-Culture $ZhCN { $null = Get-TcpHandshake $cap -WarningVariable w -WarningAction SilentlyContinue; $w })"
        $en | Should -Match '^No handshake'
        $zh | Should -Match '没有三次握手'
        [regex]::Matches($zh, '\d+').Value | Should -Be ([regex]::Matches($en, '\d+').Value)
    }

    It 'Import-TcpCapture -Verbose reports the same counts in Chinese' {
        $cap = Join-Path $DataDir 'http-visit.pcap'
        $en = Use-Culture $EnUS { Import-TcpCapture $cap -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } }
        $zh = Use-Culture $ZhCN { Import-TcpCapture $cap -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } }
        $en[0].Message | Should -Match '^Read \d+ frames'
        $zh[0].Message | Should -Match '读取了 \d+ 帧'
        ([regex]::Matches($zh[0].Message, '\d[\d,]*').Value | Sort-Object) |
            Should -Be ([regex]::Matches($en[0].Message, '\d[\d,]*').Value | Sort-Object)
    }

    It 'English stays the words of any other culture (fr-FR)' {
        $e = Get-ErrorIn ([cultureinfo]'fr-FR') { Import-TcpCapture -Path (Join-Path $Bad 'missing.pcap') }
        $e.ErrorDetails.Message | Should -BeLike 'Cannot find the capture file*'
        $e.ErrorDetails.RecommendedAction | Should -BeLike 'Check the path*'
    }
}
