#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests and runs Lab2Tools.
.DESCRIPTION
    dotnet pwsh ./build.ps1 Build      assembles the importable module in out/Lab2Tools
    dotnet pwsh ./build.ps1 Test       builds, runs xunit then Pester (fresh pwsh), prints "N passed, N failed, N skipped"
    dotnet pwsh ./build.ps1 Lab        builds and runs the whole lab live (Invoke-LabSession), writes the report
    dotnet pwsh ./build.ps1 Bench      benchmarks: the lab server against Flask and nginx (wrk); capture vs tcpdump
    dotnet pwsh ./build.ps1 Package    builds, then writes out/packages/Lab2Tools.<version>.nupkg (Install-PSResource)
    dotnet pwsh ./build.ps1 Clean      removes build output
    dotnet pwsh ./build.ps1 Deps       installs the system packages the tests need (Debian/Ubuntu: as root or with sudo)
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'UnitTest', 'PesterTest', 'Lab', 'Bench', 'Fuzz', 'Package', 'Clean', 'Deps')]
    [string[]]$Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string]$Configuration = 'Release',

    # Pester tags to run / to leave out.
    [string[]]$Tag,
    [string[]]$ExcludeTag,

    # Fuzz: cases to run and the time limit (whichever comes first), and the random seed.
    [long]$FuzzCases = 100000,
    [int]$FuzzSeconds = 900,
    [int]$FuzzSeed = 1
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'Lab2Tools'
$Results = Join-Path $Out 'TestResults'

# The system packages each task needs (tools/system-packages.txt) and Install-SystemPackage, which installs them.
. (Join-Path $Root 'tools/SystemPackages.ps1')

function Invoke-Native([string]$Exe, [string[]]$Arguments) {
    $shown = "> $Exe $($Arguments -join ' ')" -split "`n" | Select-Object -First 1
    if ($shown.Length -gt 200) { $shown = $shown.Substring(0, 200) + ' ...' }
    Write-Host $shown -ForegroundColor DarkGray
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Exe exited with code $LASTEXITCODE" }
}

function Get-PwshCommand {
    # The pwsh running this script, whether installed or the local dotnet tool (dotnet pwsh.dll).
    $exe = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') {
        return @($exe, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return @($exe)
}

function Invoke-Pwsh([string[]]$Arguments) {
    $cmd = Get-PwshCommand
    $rest = @($cmd | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $Arguments
    Invoke-Native $cmd[0] $rest
}

function Get-NuGetPackagesFolder {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = & dotnet nuget locals global-packages --list
    return ($line -replace '^global-packages:\s*', '').Trim()
}

function Get-PesterModulePath {
    $proj = Join-Path $Root 'tools/deps.proj'
    Invoke-Native dotnet @('restore', $proj, '--verbosity', 'quiet')
    $version = ([xml](Get-Content -Raw $proj)).Project.PropertyGroup.PesterVersion
    $psd1 = Join-Path (Get-NuGetPackagesFolder) "pester/$version/tools/Pester.psd1"
    if (-not (Test-Path $psd1)) { throw "Pester $version was restored but $psd1 is missing." }
    return $psd1
}

function Get-ModuleVersion {
    ([xml](Get-Content -Raw (Join-Path $Root 'Directory.Build.props'))).Project.PropertyGroup.ModuleVersion | Select-Object -First 1
}

function Invoke-Build {
    $publish = Join-Path $Out 'publish'
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/Lab2Tools/Lab2Tools.csproj'), '-c', $Configuration, '-o', $publish, '--nologo', '--verbosity', 'quiet')
    if (Test-Path $ModuleOut) { Remove-Item -Recurse -Force $ModuleOut }
    $null = New-Item -ItemType Directory -Path $ModuleOut
    foreach ($dll in Get-ChildItem $publish -Filter *.dll) {
        if ($dll.Name -in 'System.Management.Automation.dll') { continue }
        Copy-Item $dll.FullName $ModuleOut
    }
    # Translations: each culture's satellite assemblies (e.g. zh-Hans/Lab2Tools.Core.resources.dll) beside the dlls.
    foreach ($culture in Get-ChildItem $publish -Directory | Where-Object { Get-ChildItem $_.FullName -Filter 'Lab2Tools*.resources.dll' }) {
        $target = Join-Path $ModuleOut $culture.Name
        $null = New-Item -ItemType Directory -Force -Path $target
        Copy-Item (Join-Path $culture.FullName 'Lab2Tools*.resources.dll') $target
    }
    Copy-Item (Join-Path $Root 'src/Lab2Tools/Lab2Tools.Format.ps1xml') $ModuleOut
    & (Join-Path $Root 'tools/Add-ByFileViews.ps1') -FormatFile (Join-Path $ModuleOut 'Lab2Tools.Format.ps1xml')
    Copy-Item (Join-Path $Root 'src/Lab2Tools/Lab2Tools.psm1') $ModuleOut
    Copy-Item -Recurse (Join-Path $Root 'src/Lab2Tools/LabSite') (Join-Path $ModuleOut 'LabSite')
    # A real lab capture to try the cmdlets on without capturing: headless Chromium visiting the lab server.
    $null = New-Item -ItemType Directory -Path (Join-Path $ModuleOut 'Samples')
    Copy-Item (Join-Path $Root 'tests/data/chromium-lab.pcap') (Join-Path $ModuleOut 'Samples/lab2-chromium.pcap')
    $manifest = (Get-Content -Raw (Join-Path $Root 'Lab2Tools.psd1')) -replace '\{\{ModuleVersion\}\}', (Get-ModuleVersion)
    Set-Content -Path (Join-Path $ModuleOut 'Lab2Tools.psd1') -Value $manifest -NoNewline
    $help = Join-Path $ModuleOut 'en-US'
    $null = New-Item -ItemType Directory -Force -Path $help
    Copy-Item (Join-Path $Root 'docs/en-US/about_*.help.txt') $help
    Invoke-Pwsh @('-File', (Join-Path $Root 'tools/Build-Help.ps1'), '-ModulePath', (Join-Path $ModuleOut 'Lab2Tools.psd1'),
        '-DocsPath', (Join-Path $Root 'docs/en-US'), '-OutFile', (Join-Path $help 'Lab2Tools.dll-Help.xml'))
    # Chinese help (docs/zh-CN) in zh-CN, and the same files in zh-Hans: PowerShell looks for help in the UI
    # culture's folder, then its parents' (zh-SG -> zh-Hans -> zh), then en-US, so zh-Hans serves zh-SG and zh-Hans.
    $zhHelp = Join-Path $ModuleOut 'zh-CN'
    $null = New-Item -ItemType Directory -Force -Path $zhHelp
    Copy-Item (Join-Path $Root 'docs/zh-CN/about_*.help.txt') $zhHelp
    Invoke-Pwsh @('-File', (Join-Path $Root 'tools/Build-Help.ps1'), '-ModulePath', (Join-Path $ModuleOut 'Lab2Tools.psd1'),
        '-DocsPath', (Join-Path $Root 'docs/zh-CN'), '-FallbackDocsPath', (Join-Path $Root 'docs/en-US'),
        '-OutFile', (Join-Path $zhHelp 'Lab2Tools.dll-Help.xml'))
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $ModuleOut 'zh-Hans')
    Copy-Item (Join-Path $zhHelp '*') (Join-Path $ModuleOut 'zh-Hans')
    $null = Test-ModuleManifest (Join-Path $ModuleOut 'Lab2Tools.psd1')
    Write-Host "Module assembled in $ModuleOut" -ForegroundColor Green
}

$script:Counts = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }

function Invoke-UnitTest {
    $null = New-Item -ItemType Directory -Force -Path $Results
    $trx = Join-Path $Results 'unit.trx'
    if (Test-Path $trx) { Remove-Item $trx }
    $proj = Join-Path $Root 'tests/Lab2Tools.Core.Tests/Lab2Tools.Core.Tests.csproj'
    & dotnet test $proj -c $Configuration --nologo --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal'
    $exit = $LASTEXITCODE
    if (-not (Test-Path $trx)) { throw "dotnet test wrote no results (exit code $exit)." }
    $c = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
    $script:Counts.Passed += [int]$c.passed
    $script:Counts.Failed += [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
    $script:Counts.Skipped += [int]$c.notExecuted
    Write-Host "xunit: $($c.passed) passed, $($c.failed) failed, $($c.notExecuted) skipped"
}

function Invoke-PesterTest {
    $pester = Get-PesterModulePath
    $null = New-Item -ItemType Directory -Force -Path $Results
    $summary = Join-Path $Results 'pester-summary.json'
    if (Test-Path $summary) { Remove-Item $summary }
    $pesterArgs = @('-File', (Join-Path $Root 'tools/PesterTest.ps1'), '-PesterPath', $pester,
        '-ModulePath', (Join-Path $ModuleOut 'Lab2Tools.psd1'), '-TestPath', (Join-Path $Root 'tests/pester'),
        '-ResultPath', (Join-Path $Results 'pester.xml'), '-SummaryPath', $summary)
    if ($Tag) { $pesterArgs += @('-Tag', ($Tag -join ',')) }
    if ($ExcludeTag) { $pesterArgs += @('-ExcludeTag', ($ExcludeTag -join ',')) }
    $cmd = Get-PwshCommand
    & $cmd[0] @(@($cmd | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $pesterArgs)
    if (-not (Test-Path $summary)) { throw "Pester wrote no summary (exit code $LASTEXITCODE)." }
    $s = Get-Content -Raw $summary | ConvertFrom-Json
    $script:Counts.Passed += $s.Passed
    $script:Counts.Failed += $s.Failed
    $script:Counts.Skipped += $s.Skipped
    Write-Host "Pester: $($s.Passed) passed, $($s.Failed) failed, $($s.Skipped) skipped"
}

function Invoke-Lab {
    # The whole lab, live: server, loopback capture, visit and revisit, analysis, checks, report.
    # Capturing needs libpcap and root; the lab's packages are installed when we can.
    Install-SystemPackage -Task Lab
    $labDir = Join-Path $Out "lab/$(Get-Date -Format 'yyyyMMdd-HHmmss')"
    Invoke-Pwsh @('-File', (Join-Path $Root 'tools/Invoke-Lab.ps1'), '-ModulePath', (Join-Path $ModuleOut 'Lab2Tools.psd1'),
        '-OutputDirectory', $labDir)
}

function Invoke-Package {
    # A PSResourceGet package of the assembled module: Publish-PSResource to a folder repository, which
    # is what Install-PSResource reads (README: Install without building).
    $packages = Join-Path $Out 'packages'
    $null = New-Item -ItemType Directory -Force -Path $packages
    Get-ChildItem -LiteralPath $packages -Filter 'Lab2Tools.*.nupkg' | Remove-Item
    $repo = "Lab2ToolsBuild$PID"
    Invoke-Pwsh @('-Command', @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name '$repo' -Uri '$packages' -Trusted
try { Publish-PSResource -Path '$ModuleOut' -Repository '$repo' }
finally { Unregister-PSResourceRepository -Name '$repo' }
"@)
    $nupkg = Join-Path $packages "Lab2Tools.$(Get-ModuleVersion).nupkg"
    if (-not (Test-Path -LiteralPath $nupkg)) { throw "Publish-PSResource wrote no $nupkg." }
    Write-Host "Package written: $nupkg" -ForegroundColor Green
}

function Invoke-Fuzz {
    # Mutation fuzzing of every committed capture through every analysis (tools/Lab2Tools.Fuzz); findings
    # (crashes, hangs, frames lost before the damage) are saved in out/fuzz as .pcap + .txt.
    $proj = Join-Path $Root 'tools/Lab2Tools.Fuzz/Lab2Tools.Fuzz.csproj'
    $bin = Join-Path $Out 'fuzz-bin'
    Invoke-Native dotnet @('build', $proj, '-c', 'Release', '-o', $bin, '--nologo', '--verbosity', 'quiet')
    $dll = Join-Path $bin 'Lab2Tools.Fuzz.dll'
    Invoke-Native dotnet @($dll, '--data', (Join-Path $Root 'tests/data'), '--out', (Join-Path $Out 'fuzz'),
        '--cases', "$FuzzCases", '--seconds', "$FuzzSeconds", '--seed', "$FuzzSeed")
}

function Invoke-Bench {
    Install-SystemPackage -Task Bench
    Invoke-Pwsh @('-File', (Join-Path $Root 'tools/Invoke-ServerBench.ps1'), '-ModulePath', (Join-Path $ModuleOut 'Lab2Tools.psd1'), '-RepoRoot', $Root)
    Invoke-Pwsh @('-File', (Join-Path $Root 'tools/Invoke-CaptureBench.ps1'), '-ModulePath', (Join-Path $ModuleOut 'Lab2Tools.psd1'), '-OutFolder', (Join-Path $Out 'bench'))
    Invoke-Pwsh @('-File', (Join-Path $Root 'tools/Invoke-AnalysisBench.ps1'), '-ModulePath', (Join-Path $ModuleOut 'Lab2Tools.psd1'), '-RepoRoot', $Root, '-OutFolder', (Join-Path $Out 'bench'))
    Invoke-Pwsh @('-File', (Join-Path $Root 'tools/Invoke-GradeBench.ps1'), '-ModulePath', (Join-Path $ModuleOut 'Lab2Tools.psd1'), '-RepoRoot', $Root, '-OutFolder', (Join-Path $Out 'bench'))
    Invoke-Pwsh @('-File', (Join-Path $Root 'tools/Invoke-GraphBench.ps1'), '-ModulePath', (Join-Path $ModuleOut 'Lab2Tools.psd1'),
        '-OutFolder', (Join-Path $Out 'bench'))
}

$ran = @()
foreach ($t in $Task) {
    switch ($t) {
        'Clean' { if (Test-Path $Out) { Remove-Item -Recurse -Force $Out }; Invoke-Native dotnet @('clean', (Join-Path $Root 'Lab2Tools.sln'), '--nologo', '--verbosity', 'quiet') }
        'Deps' { Install-SystemPackage -Task Test }
        'Build' { Invoke-Build }
        'UnitTest' { Invoke-UnitTest; $ran += 'tests' }
        'PesterTest' { Invoke-PesterTest; $ran += 'tests' }
        'Test' {
            Install-SystemPackage -Task Test
            Invoke-Build
            Invoke-Package
            Invoke-UnitTest
            Invoke-PesterTest
            $ran += 'tests'
        }
        'Lab' { Invoke-Build; Invoke-Lab }
        'Bench' { Invoke-Build; Invoke-Bench }
        'Package' { Invoke-Build; Invoke-Package }
        'Fuzz' { Invoke-Fuzz }
    }
}
if ($ran) {
    "$($Counts.Passed) passed, $($Counts.Failed) failed, $($Counts.Skipped) skipped"
    if ($Counts.Failed -gt 0) { exit 1 }
}
