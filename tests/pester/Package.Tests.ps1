# The module as a package (build.ps1 Package): PowerShell's own PSResourceGet installs it from a folder
# repository into a fresh user's module path, and a new pwsh imports it from there, without the source.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Version = (Get-Module Lab2Tools).Version
    $script:Nupkg = Join-Path $PSScriptRoot "../../out/packages/Lab2Tools.$Version.nupkg"
    if (-not (Test-Path -LiteralPath $Nupkg)) { throw "No ${Nupkg}: run 'dotnet pwsh ./build.ps1 Package' (build.ps1 Test does)." }
    $script:Repo = Join-Path $TestDrive 'repo'
    $null = New-Item -ItemType Directory $Repo, (Join-Path $TestDrive 'home')
    Copy-Item -LiteralPath $Nupkg $Repo

    function Invoke-FreshPwsh([string]$Command) {
        # A new pwsh for a user whose home is empty: no module path but the default, no registered repository.
        $saved = @{ HOME = $env:HOME; PSModulePath = $env:PSModulePath; XDG_DATA_HOME = $env:XDG_DATA_HOME
            XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME; XDG_CACHE_HOME = $env:XDG_CACHE_HOME; LAB2TOOLS_MODULE = $env:LAB2TOOLS_MODULE }
        foreach ($k in @($saved.Keys)) { Set-Item "env:$k" $null }
        $env:HOME = Join-Path $TestDrive 'home'
        try {
            $exe = [Environment]::ProcessPath
            $pre = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
            $out = & $exe @pre -NoProfile -NonInteractive -Command "`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'; $Command" 2>&1
            if ($LASTEXITCODE -ne 0) { throw "pwsh failed ($LASTEXITCODE): $($out -join "`n")" }
        }
        finally { foreach ($k in $saved.Keys) { Set-Item "env:$k" $saved[$k] } }
        $json = $out | Where-Object { "$_" -match '^[\[{]' } | Select-Object -Last 1
        if (-not $json) { throw "No JSON from pwsh: $($out -join "`n")" }
        $json | ConvertFrom-Json
    }
}

Describe 'The installable package' -Tag Package {
    It 'installs with Register-PSResourceRepository and Install-PSResource from a folder' {
        $r = Invoke-FreshPwsh @"
Register-PSResourceRepository -Name local -Uri '$Repo' -Trusted
Install-PSResource Lab2Tools -Repository local
Get-InstalledPSResource Lab2Tools | Select-Object Name, @{ n = 'Version'; e = { "`$(`$_.Version)" } }, InstalledLocation | ConvertTo-Json -Compress
"@
        $r.Name | Should -Be 'Lab2Tools'
        $r.Version | Should -Be "$Version"
        $r.InstalledLocation | Should -BeLike "$TestDrive/home/*"
    }

    It 'imports in a new pwsh by name, with every cmdlet, the views, the help, the lab site and the sample' {
        $expected = @((Get-Module Lab2Tools).ExportedCmdlets.Keys | Sort-Object)
        $r = Invoke-FreshPwsh @'
Import-Module Lab2Tools
$m = Get-Module Lab2Tools
$h = Get-Help Import-TcpCapture -Full
[pscustomobject]@{
    Base = $m.ModuleBase
    Cmdlets = @($m.ExportedCmdlets.Keys | Sort-Object)
    Views = @((Get-FormatData -TypeName Lab2Tools.Model.TcpSegment).FormatViewDefinition.Name)
    Synopsis = "$($h.Synopsis)"
    Examples = @($h.Examples.Example).Count
    About = @(Get-Help about_Lab2Tools).Count
    Site = @(Get-ChildItem (Join-Path $m.ModuleBase 'LabSite') -Name | Sort-Object)
    Sample = Test-Path (Join-Path $m.ModuleBase 'Samples/lab2-chromium.pcap')
} | ConvertTo-Json -Compress
'@
        $r.Base | Should -BeLike "$TestDrive/home/*"
        $r.Cmdlets | Should -Be $expected
        $r.Views | Should -Not -BeNullOrEmpty
        $r.Synopsis | Should -Not -BeNullOrEmpty
        $r.Synopsis | Should -Not -Match '^Import-TcpCapture'   # the MAML synopsis, not the generated one
        $r.Examples | Should -BeGreaterThan 0
        $r.About | Should -Be 1
        $r.Site | Should -Be @('audio.ogg', 'index.html', 'logo.png')
        $r.Sample | Should -BeTrue
    }

    It 'shows its help in Chinese under zh-CN and zh-SG, in English under en-US' {
        foreach ($culture in 'zh-CN', 'zh-SG', 'en-US') {
            $r = Invoke-FreshPwsh @"
[cultureinfo]::CurrentUICulture = '$culture'
Import-Module Lab2Tools
[pscustomobject]@{ Synopsis = "`$((Get-Help Get-TcpHandshake).Synopsis)"; About = (Get-Help about_Lab2Tools | Out-String) } | ConvertTo-Json -Compress
"@
            if ($culture -eq 'en-US') {
                $r.Synopsis | Should -Match '^Shows the three-way handshake'
                $r.About | Should -Not -Match '\p{IsCJKUnifiedIdeographs}'
            } else {
                $r.Synopsis | Should -Match '三次握手' -Because "$culture gets the Chinese help"
                $r.About | Should -Match '三次握手'
            }
        }
    }

    It 'reads and checks the bundled sample exactly as the built module does' {
        $sample = Join-Path (Get-Module Lab2Tools).ModuleBase 'Samples/lab2-chromium.pcap'
        $frames = @(Import-TcpCapture -LiteralPath $sample).Count
        $checks = @(Test-LabCapture -LiteralPath $sample | ForEach-Object { "$($_.Name)=$($_.Result)" })
        $r = Invoke-FreshPwsh @'
Import-Module Lab2Tools
$sample = Join-Path (Get-Module Lab2Tools).ModuleBase 'Samples/lab2-chromium.pcap'
[pscustomobject]@{
    Frames = @(Import-TcpCapture -LiteralPath $sample).Count
    Checks = @(Test-LabCapture -LiteralPath $sample | ForEach-Object { "$($_.Name)=$($_.Result)" })
} | ConvertTo-Json -Compress
'@
        $frames | Should -BeGreaterThan 100
        $r.Frames | Should -Be $frames
        $r.Checks | Should -Be $checks
        $r.Checks | Should -Contain 'Handshake=Passed'
    }
}

Describe 'The installable package in Chinese' -Tag Package, Chinese {
    It 'carries the zh-Hans satellites: under zh-CN an error is Chinese, with the id it has in English' {
        $r = Invoke-FreshPwsh @"
if (-not (Get-PSResourceRepository -Name local -ErrorAction SilentlyContinue)) {
    Register-PSResourceRepository -Name local -Uri '$Repo' -Trusted
}
if (-not (Get-InstalledPSResource Lab2Tools -ErrorAction SilentlyContinue)) { Install-PSResource Lab2Tools -Repository local }
Import-Module Lab2Tools
[cultureinfo]::CurrentUICulture = 'zh-CN'
try { Import-TcpCapture -Path 'nothing-here.pcap' } catch { `$e = `$_ }
[pscustomobject]@{
    Id = `$e.FullyQualifiedErrorId.Split(',')[0]
    Message = `$e.ErrorDetails.Message
    Advice = `$e.ErrorDetails.RecommendedAction
    Satellites = @(Get-ChildItem (Join-Path (Get-Module Lab2Tools).ModuleBase 'zh-Hans') -Name | Sort-Object)
} | ConvertTo-Json -Compress
"@
        $r.Id | Should -Be 'CaptureFileNotFound'
        $r.Message | Should -Match '找不到'
        $r.Advice | Should -Match 'Get-ChildItem -LiteralPath .+ -Include \*\.pcap, \*\.pcapng, \*\.cap'
        $r.Advice | Should -Match '\p{IsCJKUnifiedIdeographs}'
        $r.Satellites | Should -Contain 'Lab2Tools.resources.dll'
    }
}
