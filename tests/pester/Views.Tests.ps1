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

BeforeAll {
    . $PSScriptRoot/common.ps1
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
