BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    $script:producers = @(
        @{ Name = 'Import-TcpCapture'; Run = { Import-TcpCapture (Join-Path $DataDir 'loss.pcap') | Select-Object -First 300 } }
        @{ Name = 'Get-TcpConnection'; Run = { Get-TcpConnection (Join-Path $DataDir 'chromium-lab.pcap'), (Join-Path $DataDir 'client-abort.pcap') } }
        @{ Name = 'Get-TcpHandshake'; Run = { Get-TcpHandshake (Join-Path $DataDir 'chromium-lab.pcap') } }
        @{ Name = 'Get-TcpTeardown'; Run = { Get-TcpTeardown (Join-Path $DataDir 'chromium-lab.pcap'), (Join-Path $DataDir 'client-abort.pcap') } }
        @{ Name = 'Get-TcpStateTimeline'; Run = { Get-TcpStateTimeline (Join-Path $DataDir 'chromium-lab.pcap') } }
        @{ Name = 'Get-TcpExpertInfo'; Run = { Get-TcpExpertInfo (Join-Path $DataDir 'loss.pcap') | Select-Object -First 200 } }
        @{ Name = 'Get-TcpStream'; Run = { Get-TcpStream (Join-Path $DataDir 'chromium-lab.pcap') } }
        @{ Name = 'Get-HttpExchange'; Run = { Get-HttpExchange (Join-Path $DataDir 'chromium-lab.pcap'), (Join-Path $DataDir 'client-abort.pcap') } }
        @{ Name = 'Test-LabCapture'; Run = { Test-LabCapture (Join-Path $DataDir 'chromium-lab.pcap'), (Join-Path $DataDir 'refused.pcap') } }
        @{ Name = 'Test-LabCapture -Summary'; Run = { Test-LabCapture (Join-Path $DataDir '*.pcap*') -Summary -ErrorAction SilentlyContinue } }
        @{ Name = 'Show-TcpFlow -AsObject'; Run = { (Show-TcpFlow (Join-Path $DataDir 'chromium-lab.pcap') -Stream 0 -AsObject).Rows } }
        @{ Name = 'Get-TcpSocketState'; Run = { Get-TcpSocketState } }
        @{ Name = 'Start-LabServer'; Run = { $s = Start-LabServer -Port 0; $s; $s | Stop-LabServer } }
    )
}

BeforeDiscovery {
    # every default table view (widths for a 120-column console, which leaves 119 to a table), on real captures that
    # hold the long values: IPv6 endpoints, five-digit frame numbers, long evidence and reasons; in English (word
    # wrap), the invariant culture and zh-CN (PowerShell cuts at the edge)
    $ipv6 = Join-Path $DataDir 'zeek/traces/ftp/ipv6.pcap'
    $chromium = Join-Path $DataDir 'chromium-lab.pcap'
    $abort = Join-Path $DataDir 'client-abort.pcap'
    $loss = Join-Path $DataDir 'loss.pcap'
    $script:wide = @(
        @{ Name = 'Import-TcpCapture (IPv6)'; Run = { Import-TcpCapture $ipv6 | Select-Object -First 40 } }
        @{ Name = 'Import-TcpCapture'; Run = { Import-TcpCapture $loss | Select-Object -First 300 } }
        @{ Name = 'Get-TcpConnection (IPv6)'; Run = { Get-TcpConnection $ipv6, (Join-Path $DataDir 'http-visit-ipv6.pcap') } }
        @{ Name = 'Get-TcpHandshake'; Run = { Get-TcpHandshake $chromium, $ipv6, (Join-Path $DataDir 'refused.pcap') } }
        @{ Name = 'Get-TcpTeardown'; Run = { Get-TcpTeardown $chromium, $abort, $ipv6 } }
        @{ Name = 'Get-TcpStateTimeline'; Run = { Get-TcpStateTimeline $chromium, $ipv6 } }
        @{ Name = 'Get-TcpExpertInfo'; Run = { Get-TcpExpertInfo $loss | Select-Object -First 200 } }
        @{ Name = 'Get-TcpStream'; Run = { Get-TcpStream $ipv6 } }
        @{ Name = 'Get-HttpExchange'; Run = { Get-HttpExchange $chromium, $abort } }
        @{ Name = 'Test-LabCapture'; Run = { Test-LabCapture $chromium, (Join-Path $DataDir 'refused.pcap'), $loss } }
        @{ Name = 'Test-LabCapture -Summary'; Run = {
            Test-LabCapture (Join-Path $DataDir '*.pcap*') -Summary -ErrorAction SilentlyContinue } }
        @{ Name = 'Show-TcpFlow -AsObject'; Run = { (Show-TcpFlow $abort -Stream 0 -AsObject).Rows } }
        @{ Name = 'Get-TcpStreamGraph'; Run = { Get-TcpStreamGraph $loss -Type RoundTripTime | Select-Object -First 100 } }
        @{ Name = 'Get-TcpRttEstimate'; Run = { Get-TcpRttEstimate $loss | Select-Object -First 100 } }
        @{ Name = 'Measure-TcpConnection'; Run = { Measure-TcpConnection $chromium } }
        @{ Name = 'Get-TcpSocketState'; Run = { Get-TcpSocketState } }
        @{ Name = 'Start-LabServer'; Run = { $s = Start-LabServer -Port 0; $s; $s | Stop-LabServer } }
    )
    $script:wideCases = foreach ($w in $wide) { foreach ($c in '', 'en-US', 'zh-CN') { @{ Name = $w.Name; Run = $w.Run; Culture = $c } } }
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    # the captures the 'cut inside' cases run on (their Run blocks run here, not at discovery)
    $script:ipv6 = Join-Path $DataDir 'zeek/traces/ftp/ipv6.pcap'
    $script:chromium = Join-Path $DataDir 'chromium-lab.pcap'
    $script:abort = Join-Path $DataDir 'client-abort.pcap'
    $script:loss = Join-Path $DataDir 'loss.pcap'
    $script:FormatXml = [xml](Get-Content -Raw (Join-Path (Split-Path $modulePath) 'Lab2Tools.Format.ps1xml'))
    function Get-ViewLabels([string]$TypeName) {
        $view = @($FormatXml.Configuration.ViewDefinitions.View | Where-Object { $_.ViewSelectedBy.TypeName -eq $TypeName -and $_.SelectSingleNode('TableControl') })[0]
        if (-not $view) { return @() }
        @($view.TableControl.TableHeaders.TableColumnHeader | ForEach-Object { $_.Label })
    }
}

Describe 'Default table views fit a 120-column terminal' -Tag Views {
    It '<Name>: no line over 120 columns, no column dropped or cut short' -ForEach $producers {
        $objects = @(& $Run)
        $objects.Count | Should -BeGreaterThan 0
        $text = $objects | Out-String -Width 120
        $lines = $text -split "`r?`n"
        foreach ($l in $lines) { $l.TrimEnd().Length | Should -BeLessOrEqual 120 -Because "line: $l" }
        $text | Should -Not -Match '…' -Because 'a cell cut short ends in …'
        $type = $objects[0].PSObject.TypeNames[0]
        $labels = Get-ViewLabels $type
        if ($labels.Count -eq 0) { $labels = Get-ViewLabels ($type -replace '#ByFile$', '') }
        $labels.Count | Should -BeGreaterThan 1 -Because "$type has a table view"
        $headers = for ($i = 1; $i -lt $lines.Count; $i++) { if ($lines[$i] -match '^[\s-]+$' -and $lines[$i] -match '---') { $lines[$i - 1] } }
        $headers | Should -Not -BeNullOrEmpty
        foreach ($h in $headers) {
            foreach ($label in $labels) { $h | Should -Match ([regex]::Escape($label)) -Because "the $label column of $type" }
        }
    }

    It 'shows times and durations with their units' {
        $text = Get-TcpConnection (Join-Path $DataDir 'http-visit.pcap') | Out-String -Width 120
        $text | Should -Match '\d\.\d{4} s'
        $text | Should -Match '\d\.\d{3} ms'
        Import-TcpCapture (Join-Path $DataDir 'http-visit.pcap') | Select-Object -First 3 | Out-String -Width 120 | Should -Match 'Time \(s\)'
    }
}

Describe 'Show-TcpFlow fits 120 columns, and uses a wider terminal when told' -Tag Views {
    BeforeAll {
        $script:captures = (Join-Path $DataDir 'chromium-lab.pcap'), (Join-Path $DataDir 'http-visit.pcap'), (Join-Path $DataDir 'client-abort.pcap')
    }

    It 'draws every line of every stream within 120 columns by default, losing no label' {
        foreach ($c in $captures) {
            $lines = @(Show-TcpFlow -Path $c)
            foreach ($l in $lines) { $l.Length | Should -BeLessOrEqual 120 -Because "$c`: $l" }
            $text = $lines -join "`n"
            # every label the flow graph has is drawn in full somewhere (on its arrow or below it)
            foreach ($f in Show-TcpFlow -Path $c -AsObject) {
                foreach ($r in $f.Rows) { $text.Replace("`n", ' ') | Should -Match ([regex]::Escape(($r.Label -split ' ')[0])) }
            }
            foreach ($long in (Show-TcpFlow -Path $c -AsObject).Rows.Label | Where-Object Length -gt 70) {
                ($lines -join ' ') -replace '\s+', ' ' | Should -Match ([regex]::Escape($long -replace '\s+', ' '))
            }
        }
    }

    It 'is wider with -Width 0 (no limit) and within -Width 200' {
        $c = Join-Path $DataDir 'chromium-lab.pcap'
        (Show-TcpFlow -Path $c -Width 0 | Measure-Object Length -Maximum).Maximum | Should -BeGreaterThan 120
        foreach ($l in Show-TcpFlow -Path $c -Width 200) { $l.Length | Should -BeLessOrEqual 200 }
        (Show-TcpFlow -Path $c -Width 200 | Measure-Object Length -Maximum).Maximum | Should -BeGreaterThan 120
    }
}

Describe 'No table cell is cut inside a number, an endpoint or a word at 120 columns' -Tag Views {
    BeforeAll {
        # cells as PowerShell counts them: East Asian wide characters take two
        function Get-CellWidth([string]$s) {
            $wide = '[\u1100-\u115F\u2E80-\u303E\u3040-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE6F\uFF00-\uFF60\uFFE0-\uFFE6]'
            $s.Length + [regex]::Matches($s, $wide).Count
        }
        function Get-TableColumns([string]$TypeName) {
            $view = @($FormatXml.Configuration.ViewDefinitions.View |
                Where-Object { $_.ViewSelectedBy.TypeName -eq $TypeName -and $_.SelectSingleNode('TableControl') })[0]
            $heads = @($view.TableControl.TableHeaders.TableColumnHeader)
            $items = @($view.TableControl.TableRowEntries.TableRowEntry.TableColumnItems.TableColumnItem)
            $fixed = ($heads | Where-Object { $_.Width } | ForEach-Object { [int]$_.Width } | Measure-Object -Sum).Sum
            for ($i = 0; $i -lt $heads.Count; $i++) {
                $prop = if ($items[$i].PropertyName) { $items[$i].PropertyName }
                else { ([regex]::Match($items[$i].ScriptBlock, '\$_\.(\w+)')).Groups[1].Value }
                $width = if ($heads[$i].Width) { [int]$heads[$i].Width } else { 120 - $fixed - $heads.Count }
                [pscustomobject]@{ Property = $prop; Format = $items[$i].FormatString; Width = $width }
            }
        }
    }

    It '<Name> in culture "<Culture>"' -ForEach $wideCases {
        $saved = [cultureinfo]::CurrentCulture, [cultureinfo]::CurrentUICulture
        try {
            [cultureinfo]::CurrentCulture = $Culture; [cultureinfo]::CurrentUICulture = $Culture
            $objects = @(& $Run)
            $objects.Count | Should -BeGreaterThan 0
            $lines = ($objects | Out-String -Width 120) -split "`r?`n"
            foreach ($l in $lines) { Get-CellWidth $l.TrimEnd() | Should -BeLessOrEqual 120 -Because "line: $l" }
            $columns = @(Get-TableColumns ($objects[0].PSObject.TypeNames[0] -replace '#ByFile$', ''))
            $columns.Count | Should -BeGreaterThan 1
            $checked = 0
            foreach ($o in $objects) {
                foreach ($c in $columns) {
                    $v = $o.($c.Property)
                    if ($null -eq $v) { continue }
                    $text = if ($c.Format) { $c.Format -f $v } else { "$v" }
                    # every run of ASCII that fits its column (a number, an endpoint, a word, TIME_WAIT) is on one line
                    foreach ($token in [regex]::Matches($text, '[!-~]+').Value) {
                        $checked++
                        if ($token.Length -gt $c.Width) {
                            # longer than its column: it may break, but only after a colon, slash, comma ...
                            $rest = $token
                            while ($rest.Length -gt 0) {
                                $k = [Math]::Min($rest.Length, $c.Width)
                                while ($k -gt 0 -and -not $lines.Where({ $_.Contains($rest.Substring(0, $k)) }, 'First').Count) { $k-- }
                                $k | Should -BeGreaterThan 0 -Because "'$token' of $($c.Property) is shown"
                                if ($k -lt $rest.Length) {
                                    $piece = $rest.Substring(0, $k)
                                    ':/,.;-&?=_'.Contains($rest[$k - 1]) | Should -BeTrue -Because (
                                        "'$token' of $($c.Property) breaks after '$piece' ($Name, '$Culture')")
                                }
                                $rest = $rest.Substring($k)
                            }
                            continue
                        }
                        $lines.Where({ $_.Contains($token) }, 'First').Count | Should -Be 1 -Because (
                            "'$token' of $($c.Property) must not be cut ($Name, '$Culture')")
                    }
                }
            }
            $checked | Should -BeGreaterThan 0
        } finally {
            [cultureinfo]::CurrentCulture, [cultureinfo]::CurrentUICulture = $saved
        }
    }

    It 'breaks an IPv6 endpoint longer than its column only after a colon' {
        $c = @(Get-TcpConnection (Join-Path $DataDir 'zeek/traces/ftp/ipv6.pcap'))[0]
        $c.Client.Length | Should -BeGreaterThan 21
        $text = $c | Out-String -Width 120
        $pieces = [Lab2Tools.Text.Cells]::Fit($c.Client, 21) -split "`n"
        $pieces.Count | Should -BeGreaterThan 1
        foreach ($p in $pieces[0..($pieces.Count - 2)]) { $p | Should -Match ':$'; $text | Should -Match ([regex]::Escape($p)) }
        ($pieces -join '') | Should -Be $c.Client
    }

    It 'shows an absent duration as nothing, not a lone unit' {
        $h = Get-TcpHandshake (Join-Path $DataDir 'refused.pcap')
        $h.InitialRttMs | Should -BeNullOrEmpty
        $row = (($h | Out-String -Width 120) -split "`n" | Where-Object { $_ -match '^\s+\d+ ' })[0]
        $row | Should -Not -Match '(^|\s)ms(\s|$)'
        $x = Get-HttpExchange (Join-Path $DataDir 'client-abort.pcap')
        $x | Out-String -Width 120 | Should -Match '\d\.\d{3} ms'
    }
}

Describe 'Chinese sentences say enum values in Chinese and list with 、' -Tag Views {
    BeforeAll {
        $script:chromium = Join-Path $DataDir 'chromium-lab.pcap'
    }

    It 'a reset reason and the zero-window frames in the NothingAbnormal evidence' {
        $zh = Use-Culture 'zh-CN' { (Test-LabCapture $chromium | Where-Object Name -eq NothingAbnormal).Evidence }
        $en = Use-Culture 'en-US' { (Test-LabCapture $chromium | Where-Object Name -eq NothingAbnormal).Evidence }
        $en | Should -Match '\(DataAfterClose\)'
        $en | Should -Match 'frames 52, 56, 184'
        $zh | Should -Match '（关闭后仍收到数据）'
        $zh | Should -Match '帧 52、56、184'
        $zh | Should -Not -Match '[A-Z][a-z]+[A-Z][a-z]+' -Because 'no enum name (DataAfterClose) inside a Chinese sentence'
        $zh | Should -Not -Match '\d, \d'
    }

    It 'a handshake verdict in the Handshake check of a refused connection' {
        $zh = Use-Culture 'zh-CN' { (Test-LabCapture (Join-Path $DataDir 'refused.pcap') | Where-Object Name -eq Handshake).Evidence }
        $en = Use-Culture 'en-US' { (Test-LabCapture (Join-Path $DataDir 'refused.pcap') | Where-Object Name -eq Handshake).Evidence }
        $en | Should -Match 'Rejected'
        $zh | Should -Match '被拒绝 \(RST\)'
        $zh | Should -Not -Match 'Rejected'
    }

    It 'the Chinese report: a reset''s reason and a download''s state in Chinese, status codes listed with 、' {
        $d = Join-Path $TestDrive 'zh-report'
        $null = Export-LabReport -Path $chromium -Culture zh-CN -Destination $d
        $md = Get-ChildItem $d -Filter *.md -Recurse | Select-Object -First 1 | Get-Content -Raw
        $md | Should -Match 'RST（关闭后仍收到数据）'
        $md | Should -Match '共 6 个报文段，被客户端中止。'
        $md | Should -Match '\| 200、304 \|'
        $md | Should -Not -Match 'DataAfterClose|ClosedWithDataInFlight|，(Complete|Aborted)。'
    }

    It 'an HTTP exchange''s state: StateText in Chinese, State stays the enum name' {
        $x = Get-HttpExchange $chromium -Stream 0 | Select-Object -First 1
        $x.State | Should -Be 'Complete'
        Use-Culture 'en-US' { $x.StateText | Should -Be 'Complete' }
        Use-Culture 'zh-CN' { $x.StateText | Should -Be '完整'; $x.State | Should -Be 'Complete' }
        $a = Get-HttpExchange (Join-Path $DataDir 'client-abort.pcap')
        Use-Culture 'zh-CN' { $a.StateText | Should -Be '被客户端中止' }
    }
}

Describe 'AvgSegmentSize: tcptrace''s quirk, said in the help' -Tag Views {
    It 'is one byte short when the bytes divide evenly, and both help pages say why' {
        $d = Measure-TcpConnection (Join-Path $DataDir 'chromium-lab.pcap') | Where-Object { $_.Stream -eq 0 -and $_.Direction -eq 'a2b' }
        $d.ActualDataBytes % $d.ActualDataPackets | Should -Be 0
        $d.AvgSegmentSize | Should -Be ($d.ActualDataBytes / $d.ActualDataPackets - 1)
        $help = (Get-Help Measure-TcpConnection -Full | Out-String) -replace '\s+', ' '
        $help | Should -Match 'AvgSegmentSize copies tcptrace''s arithmetic.*plus 0\.001'
        $zh = Get-Content -Raw -Encoding utf8 (Join-Path $PSScriptRoot '../../docs/zh-CN/Measure-TcpConnection.md')
        $zh | Should -Match 'AvgSegmentSize 照搬了 tcptrace 的算法'
        $zh | Should -Match '0\.001'
    }
}

Describe 'A list view labels each value with the property that holds it' -Tag Views {
    # a student who reads "Why : ..." in Format-List and types $h.Why must get the value, not silence
    It '<Name>: every label of Format-List is a property of the object' -ForEach $producers {
        $objects = @(& $Run | Select-Object -First 3)
        $objects.Count | Should -BeGreaterThan 0
        foreach ($o in $objects) {
            $names = @($o.PSObject.Properties.Name)
            $labels = ($o | Format-List | Out-String -Width 200) -split "`n" |
                Where-Object { $_ -match '^(\S+)\s*: ' } | ForEach-Object { $Matches[1] }
            @($labels).Count | Should -BeGreaterThan 0
            foreach ($l in $labels) { $names | Should -Contain $l -Because "Format-List of $($o.GetType().Name) shows '$l'" }
        }
    }
}

Describe 'A table of several capture files heads each file''s group in the user''s language' -Tag Views {
    It 'says Capture: in English and 抓包文件： in Chinese, with the path' {
        $two = (Join-Path $DataDir 'refused.pcap'), (Join-Path $DataDir 'http-visit.pcap')
        $en = Use-Culture 'en-US' { Get-TcpConnection $two | Out-String -Width 120 }
        $zh = Use-Culture 'zh-CN' { Get-TcpConnection $two | Out-String -Width 120 }
        foreach ($f in $two) {
            $en | Should -Match ([regex]::Escape("Capture: $f"))
            $zh | Should -Match ([regex]::Escape("抓包文件：$f"))
        }
    }
}
