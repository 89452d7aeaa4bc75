<#
.SYNOPSIS
    Runs the Pester tests against the assembled module, in this (fresh) process, and writes a JSON summary.
#>
param(
    [Parameter(Mandatory)][string]$PesterPath,
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$TestPath,
    [Parameter(Mandatory)][string]$ResultPath,
    [Parameter(Mandatory)][string]$SummaryPath,
    [string]$Tag,
    [string]$ExcludeTag
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$env:LAB2TOOLS_MODULE = $ModulePath
$c = New-PesterConfiguration
$c.Run.Path = $TestPath
$c.Run.PassThru = $true
$c.Output.Verbosity = 'Detailed'
$c.TestResult.Enabled = $true
$c.TestResult.OutputFormat = 'JUnitXml'
$c.TestResult.OutputPath = $ResultPath
if ($Tag) { $c.Filter.Tag = $Tag -split ',' }
if ($ExcludeTag) { $c.Filter.ExcludeTag = $ExcludeTag -split ',' }
$r = Invoke-Pester -Configuration $c
# Containers that failed to run (e.g. a syntax error) count as failures.
$failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount
@{ Passed = $r.PassedCount; Failed = $failed; Skipped = $r.SkippedCount } | ConvertTo-Json | Set-Content $SummaryPath
if ($failed -gt 0) { exit 1 }
