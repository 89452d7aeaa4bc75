# Chinese help: docs/zh-CN/<Cmdlet>.md built into zh-CN/ and zh-Hans/Lab2Tools.dll-Help.xml, about_Lab2Tools in
# Chinese, the culture rules of PowerShell's help lookup, and the glossary's terms (docs/zh-CN/glossary.tsv).
# Get-Help reads a module's help file once per session, so every culture is asked in a new pwsh.
BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    $script:cmdlets = Get-Command -Module Lab2Tools -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } }
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:ModuleBase = Split-Path (Resolve-Path $modulePath).Path
    $script:Han = '\p{IsCJKUnifiedIdeographs}'

    function Get-HelpInCulture([string]$Culture, [string[]]$Name = '*') {
        # The cmdlets' help and about_Lab2Tools as a new pwsh shows them with this UI culture ('' = invariant).
        $exe = [Environment]::ProcessPath
        $pre = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $script = @"
`$ErrorActionPreference = 'Stop'
[cultureinfo]::CurrentUICulture = [cultureinfo]::new('$Culture')
Import-Module '$modulePath'
`$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
`$cmdlets = foreach (`$c in Get-Command -Module Lab2Tools -CommandType Cmdlet -Name '$($Name -join "','")') {
    `$h = Get-Help `$c.Name -Full
    [pscustomobject]@{
        Name = `$c.Name
        Synopsis = "`$(`$h.Synopsis)"
        Description = (@(`$h.Description | ForEach-Object Text) -join ' ')
        Parameters = @(foreach (`$p in `$c.Parameters.Keys | Where-Object { `$_ -notin `$common } | Sort-Object) {
            `$ph = `$h.Parameters.Parameter | Where-Object Name -eq `$p
            [pscustomobject]@{ Name = `$p; Text = (@(`$ph.Description | ForEach-Object Text) -join ' ') }
        })
        Examples = @(foreach (`$e in `$h.Examples.Example) {
            [pscustomobject]@{ Title = "`$(`$e.Title)"; Code = "`$(`$e.Code)"; Remarks = (@(`$e.Remarks | ForEach-Object Text) -join ' ') }
        })
    }
}
[pscustomobject]@{ UICulture = "`$PSUICulture"; Cmdlets = @(`$cmdlets); About = (Get-Help about_Lab2Tools | Out-String) } |
    ConvertTo-Json -Depth 6 -Compress
"@
        $out = & $exe @pre -NoProfile -NonInteractive -Command $script 2>&1
        if ($LASTEXITCODE -ne 0) { throw "pwsh ($Culture) failed: $($out -join "`n")" }
        $json = $out | Where-Object { "$_" -match '^\{' } | Select-Object -Last 1
        $r = $json | ConvertFrom-Json
        $r | Add-Member -NotePropertyName ByName -NotePropertyValue (@{}) -PassThru | Out-Null
        foreach ($c in $r.Cmdlets) { $r.ByName[$c.Name] = $c }
        $r
    }

    function Get-MarkdownShape([string]$Path) {
        # What a translation must keep from its English page: the sections, the parameters, the examples' code.
        $text = Get-Content -Raw -Encoding utf8 $Path
        $code = [regex]::Matches($text, '(?ms)^```powershell\r?\n(.*?)^```') | ForEach-Object { $_.Groups[1].Value.TrimEnd() }
        [pscustomobject]@{
            Sections = @([regex]::Matches($text, '(?m)^## (.+?)\s*$') | ForEach-Object { $_.Groups[1].Value })
            Parameters = @([regex]::Matches($text, '(?m)^### (-\w+)\s*$') | ForEach-Object { $_.Groups[1].Value } | Sort-Object)
            Examples = @([regex]::Matches($text, '(?m)^### (?!-)(.+?)\s*$')).Count
            Code = @($code)
        }
    }

    $script:Zh = Get-HelpInCulture 'zh-CN'
    $script:En = Get-HelpInCulture 'en-US'
}

Describe 'Chinese help of <Name>' -Tag Help -ForEach $cmdlets {
    BeforeAll {
        $zhHelp = $Zh.ByName[$Name]
        $enHelp = $En.ByName[$Name]
        $zhPage = Join-Path $Root "docs/zh-CN/$Name.md"
        $enPage = Join-Path $Root "docs/en-US/$Name.md"
    }

    It 'has a page in docs/zh-CN with the sections, parameters and example code of its English page' {
        Test-Path $zhPage | Should -BeTrue -Because "docs/zh-CN/$Name.md translates docs/en-US/$Name.md"
        $zh = Get-MarkdownShape $zhPage
        $en = Get-MarkdownShape $enPage
        $zh.Sections | Should -Be $en.Sections
        $zh.Parameters | Should -Be $en.Parameters -Because 'the Chinese page describes the parameters the English page describes'
        $zh.Examples | Should -Be $en.Examples
        $zh.Code | Should -Be $en.Code -Because "the examples' code is the English page's, unchanged"
    }

    It 'shows a Chinese synopsis and description under zh-CN' {
        $zhHelp.Synopsis | Should -Match $Han
        $zhHelp.Synopsis | Should -Not -Match "^\s*$Name\s"
        $zhHelp.Description | Should -Match $Han
    }

    It 'describes every parameter in Chinese under zh-CN, the parameters of the English help' {
        @($zhHelp.Parameters.Name) | Should -Be @($enHelp.Parameters.Name)
        foreach ($p in $zhHelp.Parameters) { $p.Text | Should -Match $Han -Because "-$($p.Name) needs a Chinese description" }
    }

    It 'has the English help''s examples under zh-CN: as many, the same code, Chinese titles and remarks' {
        @($zhHelp.Examples).Count | Should -BeGreaterOrEqual 1
        @($zhHelp.Examples).Count | Should -Be @($enHelp.Examples).Count
        for ($i = 0; $i -lt @($zhHelp.Examples).Count; $i++) {
            $zhHelp.Examples[$i].Code | Should -Not -BeNullOrEmpty
            $zhHelp.Examples[$i].Code | Should -Be $enHelp.Examples[$i].Code
            $zhHelp.Examples[$i].Title | Should -Match $Han
            $zhHelp.Examples[$i].Remarks | Should -Match $Han
        }
    }

    It 'stays English under en-US' {
        $enHelp.Synopsis | Should -Not -Match $Han
        $enHelp.Description | Should -Not -BeNullOrEmpty
    }
}

Describe 'about_Lab2Tools in Chinese' -Tag Help {
    BeforeAll {
        $enAbout = Get-Content -Raw (Join-Path $ModuleBase 'en-US/about_Lab2Tools.help.txt')
        $zhAbout = Get-Content -Raw -Encoding utf8 (Join-Path $ModuleBase 'zh-CN/about_Lab2Tools.help.txt')
    }

    It 'is built into zh-CN and zh-Hans, and Get-Help shows it under zh-CN' {
        Test-Path (Join-Path $Root 'docs/zh-CN/about_Lab2Tools.help.txt') | Should -BeTrue
        $Zh.About | Should -Match '三次握手'
        $Zh.About | Should -Match 'Wireshark'
        $En.About | Should -Not -Match $Han
        (Get-FileHash (Join-Path $ModuleBase 'zh-Hans/about_Lab2Tools.help.txt')).Hash |
            Should -Be (Get-FileHash (Join-Path $ModuleBase 'zh-CN/about_Lab2Tools.help.txt')).Hash
    }

    It 'lists every error id of the English catalog and names every cmdlet the English one names' {
        $section = ($enAbout -split "(?m)^ERRORS\s*$")[1] -split "(?m)^[A-Z][A-Z ]+$" | Select-Object -First 1
        $ids = [regex]::Matches($section, '(?m)^ {4}([A-Z][A-Za-z]+) +[A-Z][A-Za-z]+ {2,}\S') | ForEach-Object { $_.Groups[1].Value }
        @($ids).Count | Should -BeGreaterThan 30
        foreach ($id in $ids) { $zhAbout | Should -Match "(?m)^ {4}$id +" -Because "the Chinese catalog needs $id" }
        $names = [regex]::Matches($enAbout, '\b[A-Z][a-z]+-(?:Tcp|Http|Lab|Capture)[A-Za-z]*') | ForEach-Object Value | Sort-Object -Unique
        foreach ($n in $names) { $zhAbout | Should -Match "\b$n\b" }
    }
}

Describe 'Which cultures get Chinese help' -Tag Help {
    # PowerShell looks in the UI culture's folder, then its parents' (zh-SG -> zh-Hans -> zh, zh-CN -> zh-Hans),
    # then en-US: zh-CN finds zh-CN/, zh-SG and zh-Hans find zh-Hans/, zh-TW (zh-Hant) and the rest find en-US/.
    It '<Culture> gets <Language> help' -ForEach @(
        @{ Culture = 'zh-SG'; Language = 'Chinese' }
        @{ Culture = 'zh-Hans'; Language = 'Chinese' }
        @{ Culture = 'zh-TW'; Language = 'English' }
        @{ Culture = 'fr-FR'; Language = 'English' }
        @{ Culture = ''; Language = 'English' }
    ) {
        $r = Get-HelpInCulture $Culture -Name 'Get-TcpHandshake', 'Test-LabCapture'
        $r.UICulture | Should -Be $Culture
        foreach ($name in 'Get-TcpHandshake', 'Test-LabCapture') {
            if ($Language -eq 'Chinese') {
                $r.ByName[$name].Synopsis | Should -Be $Zh.ByName[$name].Synopsis
                $r.About | Should -Match '三次握手'
            } else {
                $r.ByName[$name].Synopsis | Should -Be $En.ByName[$name].Synopsis
                $r.About | Should -Not -Match $Han
            }
        }
    }

    It 'a pwsh started with LANG=zh_CN.UTF-8 shows Chinese help' {
        $exe = [Environment]::ProcessPath
        $pre = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $saved = @{ LANG = $env:LANG; LC_ALL = $env:LC_ALL; LC_MESSAGES = $env:LC_MESSAGES }
        try {
            $env:LANG = 'zh_CN.UTF-8'; $env:LC_ALL = $null; $env:LC_MESSAGES = $null
            $out = & $exe @pre -NoProfile -NonInteractive -Command "Import-Module '$modulePath'; `"`$PSUICulture`"; (Get-Help Get-TcpHandshake).Synopsis"
        } finally { foreach ($k in $saved.Keys) { Set-Item "env:$k" $saved[$k] } }
        $out[0] | Should -Be 'zh-CN'
        $out[1] | Should -Be $Zh.ByName['Get-TcpHandshake'].Synopsis
    }

    It 'ships the same help file in zh-CN and zh-Hans' {
        (Get-FileHash (Join-Path $ModuleBase 'zh-Hans/Lab2Tools.dll-Help.xml')).Hash |
            Should -Be (Get-FileHash (Join-Path $ModuleBase 'zh-CN/Lab2Tools.dll-Help.xml')).Hash
    }
}

Describe 'The glossary' -Tag Help {
    BeforeAll {
        $lines = Get-Content -Encoding utf8 (Join-Path $Root 'docs/zh-CN/glossary.tsv') | Where-Object { $_ -and -not $_.StartsWith('#') }
        $script:Header = $lines[0]
        $script:Terms = foreach ($l in $lines | Select-Object -Skip 1) {
            $c = $l -split "`t"
            [pscustomobject]@{
                Line = $l; Columns = $c.Count; English = $c[0]; Chinese = "$($c[1])".Trim()
                Rejected = @(if ($c.Count -ge 4) { $c[3] -split ',' | ForEach-Object Trim | Where-Object { $_ } })
            }
        }
        # Every Chinese text the module shows: the built help (both folders hold the same files) and the zh-Hans resources.
        $script:Texts = @(Get-ChildItem (Join-Path $ModuleBase 'zh-CN') -File) +
            @(Get-ChildItem (Join-Path $Root 'src') -Recurse -Filter '*.zh-Hans.resx')
    }

    It 'has one line per English term, each with a Chinese term' {
        $Header | Should -Be "English`tChinese`tNote`tRejected"
        @($Terms).Count | Should -BeGreaterThan 80
        foreach ($t in $Terms) {
            $t.Columns | Should -BeIn 2, 3, 4 -Because $t.Line
            $t.Chinese | Should -Match $Han -Because $t.Line
        }
        $dupes = $Terms | Group-Object English | Where-Object Count -gt 1 | ForEach-Object Name
        $dupes | Should -BeNullOrEmpty
    }

    It 'rejects no alternative that a chosen term itself contains' {
        $clashes = foreach ($t in $Terms) { foreach ($r in $Terms.Rejected) { if ($t.Chinese.Contains($r)) { "$($t.Chinese) contains $r" } } }
        @($Terms.Rejected).Count | Should -BeGreaterThan 20
        $clashes | Should -BeNullOrEmpty
    }

    It 'is followed by every Chinese help page and zh-Hans resource: no rejected alternative is used' {
        $Texts.Count | Should -BeGreaterThan 2
        $found = foreach ($f in $Texts) {
            $text = Get-Content -Raw -Encoding utf8 $f.FullName
            foreach ($t in $Terms) {
                foreach ($r in $t.Rejected) {
                    if ($text.Contains($r)) { "$($f.Name): '$r' where the glossary says '$($t.Chinese)' ($($t.English))" }
                }
            }
        }
        $found | Should -BeNullOrEmpty
    }

    It 'catches a rejected alternative when one is used' {
        # The check above, on a text that breaks the glossary: it must find what it is meant to find.
        $bad = '客户端发送 SYN，这就是三路握手的第一步，序号为 0。'
        $hits = foreach ($t in $Terms) { foreach ($r in $t.Rejected) { if ($bad.Contains($r)) { $r } } }
        $hits | Should -Be @('三路握手', '序号')
    }
}
