<#
.SYNOPSIS
    One cmdlet's first run in this (fresh) pwsh process, as the analysis bench's whole-process runs see it: wall time, the
    process's CPU time over the run (all threads, steadier than the clock on a busy machine), GC pauses and collections, and
    bytes allocated. Run it in a new process for each measurement, e.g.
    dotnet pwsh -NoProfile -File tools/Measure-FirstRun.ps1 -ModulePath out/Lab2Tools/Lab2Tools.psd1 -Path capture.pcap
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$Path,
    [string]$Command = 'Get-TcpConnection'
)
$ErrorActionPreference = 'Stop'
Import-Module (Resolve-Path -LiteralPath $ModulePath).ProviderPath
$p = [Diagnostics.Process]::GetCurrentProcess()
$cpu0 = $p.TotalProcessorTime
$pause0 = [GC]::GetTotalPauseDuration()
$gc0 = 0..2 | ForEach-Object { [GC]::CollectionCount($_) }
$alloc0 = [GC]::GetTotalAllocatedBytes()
$sw = [Diagnostics.Stopwatch]::StartNew()
& $Command -LiteralPath $Path > $null
$sw.Stop()
$p.Refresh()
$gc = 0..2 | ForEach-Object { [GC]::CollectionCount($_) - $gc0[$_] }
$load = ((Get-Content /proc/loadavg -ErrorAction Ignore) -split ' ')[0]
'{0}: {1:0.000} s wall, {2:0.000} s CPU, GC pauses {3:0.000} s, collections gen0/1/2 {4}/{5}/{6}, {7:0} MB allocated, load {8}' -f $Command,
    $sw.Elapsed.TotalSeconds, ($p.TotalProcessorTime - $cpu0).TotalSeconds, ([GC]::GetTotalPauseDuration() - $pause0).TotalSeconds,
    $gc[0], $gc[1], $gc[2], (([GC]::GetTotalAllocatedBytes() - $alloc0) / 1MB), $load
