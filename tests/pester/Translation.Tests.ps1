BeforeAll {
    . $PSScriptRoot/common.ps1

    # Runs $Script with the UI culture set to $Name (as $PSUICulture would be), and puts the culture back.
    function Invoke-InCulture([string]$Name, [scriptblock]$Script) {
        $saved = [cultureinfo]::CurrentUICulture
        try {
            [cultureinfo]::CurrentUICulture = $Name
            & $Script
        } finally {
            [cultureinfo]::CurrentUICulture = $saved
        }
    }

    # Every sentence the analysis cmdlets write about a capture: explanations, causes, reasons, flow notes and headings.
    function Get-AnalysisText([string]$Path) {
        foreach ($h in Get-TcpHandshake -Path $Path) { $h.Explanation; $h.Steps.Explanation }
        foreach ($t in Get-TcpTeardown -Path $Path) { $t.Explanation; $t.Steps.Explanation }
        foreach ($s in Get-TcpStateTimeline -Path $Path) { $s.Cause; $s.Explanation }
        (Get-TcpExpertInfo -Path $Path).Reason
        foreach ($f in Show-TcpFlow -Path $Path -AsObject) { $f.Notes }
        Show-TcpFlow -Path $Path -Stream 0 | Select-Object -First 2
    }

    $script:han = '\p{IsCJKUnifiedIdeographs}'
    # three words in a row with lower-case letters: an English sentence (protocol tokens such as SYN-ACK,
    # FIN_WAIT_1, SACK_PERM or "Seq 0" do not make one)
    $script:englishWords = '\b[A-Za-z]*[a-z][A-Za-z]*\b(?:[ ,;:]+\b[A-Za-z]*[a-z][A-Za-z]*\b){2,}'
    function Get-Figures([string]$Text) {
        ([regex]::Matches($Text, '\d+(?:\.\d+)?') | ForEach-Object Value | Sort-Object) -join ' '
    }
}

Describe 'The analyses speak the UI culture' -Tag Translation -ForEach @(
    @{ File = 'http-visit.pcap' }, @{ File = 'client-abort.pcap' }, @{ File = 'half-close.pcap' }, @{ File = 'refused.pcap' }
) {
    BeforeAll {
        $path = Join-Path $DataDir $File
        $en = @(Invoke-InCulture 'en-US' { Get-AnalysisText $path })
        $zh = @(Invoke-InCulture 'zh-CN' { Get-AnalysisText $path })
    }

    It '<File>: under zh-CN every sentence is Chinese, with no English sentence' {
        $zh.Count | Should -BeGreaterThan 5
        $zh.Count | Should -Be $en.Count
        foreach ($z in $zh) {
            $z | Should -Match $han
            $z | Should -Not -MatchExactly $englishWords
        }
        foreach ($e in $en) { $e | Should -Not -Match $han }
    }

    It '<File>: the Chinese carries the same frames and figures as the English' {
        for ($i = 0; $i -lt $en.Count; $i++) {
            Get-Figures $zh[$i] | Should -Be (Get-Figures $en[$i]) -Because "'$($en[$i])' and '$($zh[$i])'"
        }
    }

    It '<File>: zh-SG and zh-Hans say the same as zh-CN' {
        Invoke-InCulture 'zh-SG' { Get-AnalysisText $path } | Should -Be $zh
        Invoke-InCulture 'zh-Hans' { Get-AnalysisText $path } | Should -Be $zh
    }

    It '<File>: fr-FR stays English' {
        Invoke-InCulture 'fr-FR' { Get-AnalysisText $path } | Should -Be $en
    }

    It '<File>: property names, enum values and the Wireshark messages stay English' {
        $t = Invoke-InCulture 'zh-CN' { Get-TcpTeardown -Path $path }
        $t[0].Kind | Should -BeIn ([enum]::GetNames([Lab2Tools.Analysis.TeardownKind]))
        if ($t[0].TimeWaitSide) { $t[0].TimeWaitSide | Should -BeIn 'Client', 'Server', 'Both' }
        if ($t[0].ResetReason) { $t[0].ResetReason | Should -BeIn ([enum]::GetNames([Lab2Tools.Analysis.TcpResetReason])) }
        $x = Invoke-InCulture 'zh-CN' { Get-TcpExpertInfo -Path $path }
        $x.Message | Should -Not -Match $han
        $x.Message | Should -Be (Invoke-InCulture 'en-US' { Get-TcpExpertInfo -Path $path }).Message
    }
}

Describe 'The HTTP problems speak the UI culture' -Tag Translation {
    It 'keeps the error id NotHttp and writes the message in Chinese under zh-CN' {
        $curl = Join-Path $DataDir 'curl-http.pcap'
        $zhErrors = @(Invoke-InCulture 'zh-CN' { Get-HttpExchange -Path $curl -ErrorAction Continue 2>&1 } | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $enErrors = @(Invoke-InCulture 'en-US' { Get-HttpExchange -Path $curl -ErrorAction Continue 2>&1 } | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $zhErrors.Count | Should -Be 1
        $zhErrors[0].FullyQualifiedErrorId | Should -Be $enErrors[0].FullyQualifiedErrorId
        $zhErrors[0].FullyQualifiedErrorId | Should -BeLike 'NotHttp*'
        $zhErrors[0].Exception.Message | Should -Match $han
        $enErrors[0].Exception.Message | Should -Match 'is not HTTP'
    }
}
