# Dot-sourced by every test file: imports the assembled module (out/Lab2Tools) and sets shared paths.
$modulePath = if ($env:LAB2TOOLS_MODULE) { $env:LAB2TOOLS_MODULE } else { Join-Path $PSScriptRoot '../../out/Lab2Tools/Lab2Tools.psd1' }
if (-not (Get-Module Lab2Tools)) { Import-Module $modulePath -ErrorAction Stop }
$script:DataDir = (Resolve-Path (Join-Path $PSScriptRoot '../data')).Path

function Invoke-Tshark {
    # tshark -T fields over a capture; one array of strings per frame.
    param([string]$Path, [string]$Filter, [string[]]$Field)
    $fieldArgs = foreach ($f in $Field) { '-e'; $f }
    $out = & tshark -n -r $Path -Y $Filter -T fields -E 'separator=/t' @fieldArgs 2>$null
    if ($LASTEXITCODE -ne 0) { throw "tshark failed on $Path" }
    foreach ($line in $out) { , ($line -split "`t") }
}
