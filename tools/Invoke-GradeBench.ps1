#Requires -Version 7.4
<#
.SYNOPSIS
    Grades a class of 300 lab captures with Test-LabCapture -Summary, one file at a time (-ThrottleLimit 1) and
    on every core (the default), and prints files/s for each and the speed-up.
.DESCRIPTION
    The class is made of the repository's real lab captures (the Chromium lab session and the recorded lab
    visit in each of its link types and formats), copied round-robin under 300 students' names into
    <OutFolder>/class. One warm-up pass first (JIT, file cache), then -Rounds rounds of each, alternating; the best
    time of each is kept. Both must give the same grade rows.
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$RepoRoot,
    [Parameter(Mandatory)][string]$OutFolder,
    [int]$Files = 300,
    [int]$Rounds = 3
)
$ErrorActionPreference = 'Stop'
# a relative path without ./ would be taken for a module name, here and in the child processes
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath
Import-Module $ModulePath
$data = Join-Path $RepoRoot 'tests/data'
$sources = @(Get-ChildItem $data -File | Where-Object { $_.Name -like 'chromium-lab.pcap' -or $_.Name -like 'http-visit*.pcap*' } | Sort-Object Name)
if ($sources.Count -eq 0) { throw "No lab captures in $data." }
$class = Join-Path $OutFolder 'class'
if (Test-Path $class) { Remove-Item -Recurse -Force $class }
$null = New-Item -ItemType Directory -Force $class
for ($i = 0; $i -lt $Files; $i++) {
    $src = $sources[$i % $sources.Count]
    Copy-Item $src.FullName (Join-Path $class ('student-{0:d3}{1}' -f ($i + 1), $src.Extension))
}
$bytes = (Get-ChildItem $class -File | Measure-Object Length -Sum).Sum
Write-Host ("Grading bench: {0} lab captures ({1:N1} MB, {2} different recordings), {3} processor(s)" -f $Files, ($bytes / 1MB), $sources.Count, [Environment]::ProcessorCount) -ForegroundColor Cyan

$glob = Join-Path $class 'student-*'
$props = 'Path', 'Result', 'Passed', 'Failed', 'NotApplicable', 'FailedChecks', 'FrameCount', 'ErrorId'
$null = Test-LabCapture -Path $glob -Summary                                        # warm-up
$best = @{ 1 = [double]::MaxValue; 0 = [double]::MaxValue }
$cpu = @{ 1 = 0.0; 0 = 0.0 }
$me = [Diagnostics.Process]::GetCurrentProcess()
$rows = @{}
for ($r = 0; $r -lt $Rounds; $r++) {
    foreach ($limit in 1, 0) {
        $splat = @{ Path = $glob; Summary = $true }
        if ($limit -gt 0) { $splat.ThrottleLimit = $limit }
        $me.Refresh(); $cpu0 = $me.TotalProcessorTime.TotalSeconds
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $out = @(Test-LabCapture @splat)
        $sw.Stop()
        $me.Refresh(); $used = $me.TotalProcessorTime.TotalSeconds - $cpu0
        if ($out.Count -ne $Files) { throw "Expected $Files rows, got $($out.Count)." }
        if ($sw.Elapsed.TotalSeconds -lt $best[$limit]) { $best[$limit] = $sw.Elapsed.TotalSeconds; $cpu[$limit] = $used }
        $rows[$limit] = $out | Select-Object $props | ConvertTo-Json -Compress
    }
}
if ($rows[1] -ne $rows[0]) { throw 'Sequential and parallel grading gave different rows.' }
$seq = $Files / $best[1]
$par = $Files / $best[0]
$result = [ordered]@{
    Files = $Files; MB = [Math]::Round($bytes / 1MB, 1); Processors = [Environment]::ProcessorCount
    SequentialSeconds = [Math]::Round($best[1], 2); SequentialFilesPerSecond = [Math]::Round($seq, 1)
    ParallelSeconds = [Math]::Round($best[0], 2); ParallelFilesPerSecond = [Math]::Round($par, 1)
    SpeedUp = [Math]::Round($par / $seq, 2)
    SequentialCoresUsed = [Math]::Round($cpu[1] / $best[1], 2); ParallelCoresUsed = [Math]::Round($cpu[0] / $best[0], 2)
    LoadAverage = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0..2] -join ' ' } else { '' }
}
$result | ConvertTo-Json | Set-Content (Join-Path $OutFolder 'grade-bench.json')
Write-Host ("  -ThrottleLimit 1 : {0,6:N2} s  {1,7:N1} files/s   {2:N2} cores busy" -f $best[1], $seq, $result.SequentialCoresUsed)
Write-Host ("  default ({0})     : {1,6:N2} s  {2,7:N1} files/s   {3:N2} cores busy   speed-up {4:N2}x" -f [Environment]::ProcessorCount, $best[0], $par,
    $result.ParallelCoresUsed, ($par / $seq))
Write-Host "  load average during the run: $($result.LoadAverage) (other work on the machine slows both)"
[pscustomobject]$result
