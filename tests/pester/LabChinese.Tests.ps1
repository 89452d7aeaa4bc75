BeforeDiscovery {
    . $PSScriptRoot/common.ps1
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Cap = Join-Path $DataDir 'chromium-lab.pcap'

    function Get-Report([string]$Culture, [string]$Name) {
        $dest = Join-Path $TestDrive $Name
        $files = Export-LabReport -Path $Cap -Destination $dest -Culture $Culture
        [pscustomobject]@{
            Folder = $dest
            Files = @($files.Name | Sort-Object)
            Markdown = Get-Content (Join-Path $dest 'report.md') -Raw
            Html = Get-Content (Join-Path $dest 'report.html') -Raw
        }
    }

    # The text that the analysis objects carry (handshake, teardown and timeline explanations, reset reasons):
    # the Analysis area writes them, in the culture the objects were made in. The report shows them as they are,
    # so the scan for English leaves out exactly these strings, as the objects give them under zh-CN.
    function Get-AnalysisText([string]$Culture) {
        $previous = [System.Threading.Thread]::CurrentThread.CurrentUICulture
        [System.Threading.Thread]::CurrentThread.CurrentUICulture = $Culture
        try {
            $t = Get-TcpTeardown -Path $Cap
            @($t.Explanation; $t.Steps.Explanation; $t.ResetReason; (Get-TcpHandshake -Path $Cap).Explanation
                (Get-TcpStateTimeline -Path $Cap).Cause) | Where-Object { $_ } | Sort-Object Length -Descending -Unique
        }
        finally { [System.Threading.Thread]::CurrentThread.CurrentUICulture = $previous }
    }

    # A run of three or more Latin words outside code spans, after protocol tokens in capitals (SYN, ACK,
    # TIME_WAIT, PARTIAL CONTENT) and the analysis objects' own text are taken out.
    function Find-EnglishRun([string]$Text, [string[]]$Allowed) {
        foreach ($a in $Allowed) { $Text = $Text.Replace($a, ' ') }
        $Text = $Text -replace '`[^`\n]*`', ' '
        $Text = $Text -replace '\b[A-Z][A-Z0-9_]+\b', ' '
        [regex]::Matches($Text, "\b[A-Za-z][A-Za-z'-]+(?:[ ,]+[A-Za-z][A-Za-z'-]+){2,}") | ForEach-Object Value
    }

    # every figure of a text (frames, ports, sequence numbers, byte counts), leaving out when it was generated
    function Get-Numbers([string]$Text) {
        [regex]::Matches(($Text -replace '\d{4}-\d\d-\d\d \d\d:\d\d', ''), '\d+(?:[.,]\d+)*') | ForEach-Object Value | Sort-Object -CaseSensitive
    }

    $script:Zh = Get-Report 'zh-CN' 'zh'
    $script:En = Get-Report 'en-US' 'en'
    $script:Allowed = Get-AnalysisText 'zh-CN'
}

Describe 'Export-LabReport -Culture zh-CN: the report in Chinese' -Tag Lab {
    It 'follows the seed''s order and headings, with its vocabulary' {
        $md = $Zh.Markdown
        $headings = [regex]::Matches($md, '(?m)^## (.+)$') | ForEach-Object { $_.Groups[1].Value }
        $headings[0..5] | Should -Be @('1. 搭建WEB服务器', '2. 三次握手建立连接', '3. 获取HTML页面', '4. 请求解析资源', '5. 四次挥手', '6. 思考')
        foreach ($q in '### 第一次握手', '### 第二次握手', '### 第三次握手', '### 客户端GET请求', '### 服务器响应', '### 请求logo资源',
            '### 请求音频资源', '### 是否可以使用“两报文握手”建立连接？', '### 为什么要四次挥手？',
            '### 四次挥手发送最后一个确认报文后，为什么要等待2MSL后才进入关闭状态？') {
            $md | Should -Match ([regex]::Escape($q))
        }
        foreach ($term in '三次握手', '四次挥手', '序列号', '确认号', '窗口', '报文段', '重组', 'TIME_WAIT', '2MSL') { $md | Should -Match $term }
    }

    It 'answers the three questions with this capture''s evidence' {
        $h = Get-TcpHandshake -Path $Cap | Where-Object Stream -eq 0
        $Zh.Markdown | Should -Match "在本次抓包中（流 0）：客户端的 ISN $($h.ClientIsn) 由帧 $($h.SynAck.Frame) 中的 SYN-ACK 确认"
        $Zh.Markdown | Should -Match '在本次抓包中（流 \d+，四次挥手）：服务器在帧 \d+ 发送第一个 FIN'
        $Zh.Markdown | Should -Match '在本次抓包中，由主动关闭方进入 TIME_WAIT'
    }

    It 'has no English sentence in the Markdown (outside code spans, protocol tokens and the analysis objects'' own text)' {
        $rows = $Zh.Markdown -split "`n" | Where-Object { $_ -notmatch '^\| (Host|Connection|sec-|Upgrade|User-Agent|Accept|Sec-|Referer|Range|If-|Cache|Pragma|Origin|Priority)' }
        Find-EnglishRun ($rows -join "`n") $Allowed | Should -BeNullOrEmpty
    }

    It 'has no English sentence in the HTML text either (the figures'' own drawings left aside)' {
        $html = $Zh.Html -replace '(?s)<head>.*?</head>', ' ' -replace '(?s)<svg.*?</svg>', ' ' -replace '(?s)<code>.*?</code>', ' '
        $html = $html -replace '(?s)<tr><td>(Host|Connection|sec-|Upgrade|User-Agent|Accept|Sec-)[^<]*</td>.*?</tr>', ' '
        $text = [System.Net.WebUtility]::HtmlDecode(($html -replace '<[^>]+>', ' '))
        Find-EnglishRun $text $Allowed | Should -BeNullOrEmpty
        $Zh.Html | Should -Match '<html lang="zh-CN">'
        $Zh.Html | Should -Match '三次握手，流 0'      # the diagram titles come from the report's own words
    }

    It 'gives the same figures and frames as the English report' {
        # English numbers the handshake's steps ("Step 1"; Chinese: 第一次握手), writes 2×MSL (Chinese: 2MSL) and
        # repeats the seed's Chinese heading in parentheses; the socket table is read live when each report is
        # written, so it is left out of both
        $enText = ($En.Markdown -replace 'Step \d', '' -replace '(?m)^(#+ .*?) \([^()]*\p{IsCJKUnifiedIdeographs}[^()]*\)$', '$1').Replace('2×MSL', '2MSL')
        $live = '(?s)\n[^\n]*IPGlobalProperties.*?(?=\n## )'
        Get-Numbers ($Zh.Markdown -replace $live, '') | Should -Be (Get-Numbers ($enText -replace $live, ''))
        $Zh.Files | Should -Be $En.Files
        $Zh.Files | Should -Contain 'teardown-stream-7.svg'
    }

    It 'is English for every other culture, and follows the UI culture by default' {
        $fr = Get-Report 'fr-FR' 'fr'
        ($fr.Markdown -replace '\d{4}-\d\d-\d\d \d\d:\d\d', '') | Should -Be ($En.Markdown -replace '\d{4}-\d\d-\d\d \d\d:\d\d', '')
        $previous = [System.Threading.Thread]::CurrentThread.CurrentUICulture
        try {
            [System.Threading.Thread]::CurrentThread.CurrentUICulture = 'zh-SG'
            $null = Export-LabReport -Path $Cap -Destination (Join-Path $TestDrive 'ui')
            Get-Content (Join-Path $TestDrive 'ui/report.md') -Raw | Should -Match '## 2\. 三次握手建立连接'
            # Test-LabCapture checks files on threads of its own: they speak the pipeline's language
            $checks = Test-LabCapture -Path $Cap, $Cap -ThrottleLimit 2
            $checks.Evidence | ForEach-Object { $_ | Should -Match '\p{IsCJKUnifiedIdeographs}' }
            $checks.Name | Select-Object -First 9 | Should -Be ([Lab2Tools.Lab.LabChecks]::Names)
            $checks.ResultText | Select-Object -Unique | Should -Be 'PASS'
        }
        finally { [System.Threading.Thread]::CurrentThread.CurrentUICulture = $previous }
    }

    It 'renders in headless Chromium (network namespace with only loopback) with every character in the CJK font' -Skip:(-not $Chromium) {
        $html = Join-Path $Zh.Folder 'report.html'
        $profileDir = Join-Path $TestDrive 'chrome-zh'
        $flags = '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', "--user-data-dir=$profileDir"
        $dom = unshare -n -- $Chromium @flags --dump-dom "file://$html" 2>$null | Out-String
        $dom | Should -Match '<h2 id="2-the-three-way-handshake">2\. 三次握手建立连接</h2>'
        $png = Join-Path $TestDrive 'report-zh.png'
        unshare -n -- $Chromium @flags --window-size=1280,4000 "--screenshot=$png" "file://$html" 2>$null | Out-Null
        (Get-Item $png).Length | Should -BeGreaterThan 100KB
        if ($env:LAB2TOOLS_KEEP_SCREENSHOT) { Copy-Item $png $env:LAB2TOOLS_KEEP_SCREENSHOT }
        # No missing glyph: every character of the page (text and diagrams) is in one of the page's fonts that is
        # installed, DejaVu Sans or WenQuanYi Micro Hei, and every Chinese character is in WenQuanYi Micro Hei.
        $covered = @{}
        foreach ($family in 'DejaVu Sans', 'WenQuanYi Micro Hei') {
            $file = fc-match -f '%{file}' $family
            $charset = fc-query --index=0 --format '%{charset}' $file
            $ranges = foreach ($r in $charset -split ' ') {
                $lo, $hi = $r -split '-'
                , @([Convert]::ToInt32($lo, 16), [Convert]::ToInt32($(if ($hi) { $hi } else { $lo }), 16))
            }
            $covered[$family] = $ranges
        }
        function Test-Covered($ranges, [int]$c) { foreach ($r in $ranges) { if ($c -ge $r[0] -and $c -le $r[1]) { return $true } }; $false }
        $text = [System.Net.WebUtility]::HtmlDecode(((Get-Content $html -Raw) -replace '(?s)<style>.*?</style>', '' -replace '<[^>]+>', ' '))
        $chars = $text.ToCharArray() | Where-Object { [int]$_ -gt 0x7e -and -not [char]::IsWhiteSpace($_) } | Sort-Object -Unique
        $chars.Count | Should -BeGreaterThan 100
        $missing = $chars | Where-Object { -not (Test-Covered $covered['DejaVu Sans'] ([int]$_)) -and -not (Test-Covered $covered['WenQuanYi Micro Hei'] ([int]$_)) }
        $missing | Should -BeNullOrEmpty
        $cjk = $chars | Where-Object { [int]$_ -ge 0x4e00 -and [int]$_ -le 0x9fff }
        $cjk | Where-Object { -not (Test-Covered $covered['WenQuanYi Micro Hei'] ([int]$_)) } | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-LabSession -Culture zh-CN' -Tag Capture, Lab {
    BeforeAll {
        $dir = Join-Path $TestDrive 'session-zh'
        $s = Invoke-LabSession -Port 0 -OutputDirectory $dir -Culture zh-CN -NoRevisit
    }

    It 'writes the summary and the checks'' evidence in Chinese, with the same check names and results' {
        $s.Culture | Should -Be 'zh-CN'
        $text = $s | Out-String -Width 200
        $text | Should -Match '实验 2 会话：\d+ 条 TCP 连接'
        foreach ($c in $s.GetChecks()) { $text | Should -Match "\[$($c.ResultText)\] $($c.Name)" }
        $s.GetChecks().Evidence | ForEach-Object { $_ | Should -Match '\p{IsCJKUnifiedIdeographs}' }
    }

    It 'exports its report in Chinese by default, and in English when asked' {
        $null = $s | Export-LabReport
        Get-Content (Join-Path $dir 'report.md') -Raw | Should -Match '## 5\. 四次挥手'
        $null = $s | Export-LabReport -Culture en-US -Destination (Join-Path $TestDrive 'session-en')
        $english = Get-Content (Join-Path $TestDrive 'session-en/report.md') -Raw
        $english | Should -Match '## 5\. The four-way teardown'
        $english | Should -Match 'Lab checks: \*\*\d+ of 9 checks passed'
    }
}
