<#
.SYNOPSIS
    Builds MAML help (en-US/Lab2Tools.dll-Help.xml) from docs/en-US/<Cmdlet>.md and the cmdlets' own metadata.
.DESCRIPTION
    platyPS is not available from the registries this project uses, so this script does its job for the
    sections the project writes: SYNOPSIS, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES,
    RELATED LINKS. Syntax, parameter types, positions, pipeline input and aliases come from Get-Command on
    the built module, so they cannot drift from the code. Run in its own process (it imports the module).
#>
param(
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$DocsPath,
    [Parameter(Mandatory)][string]$OutFile,
    # A translation (docs/zh-CN) names the English pages here: a cmdlet whose page is not translated yet gets the
    # English page (with a warning) rather than no help at all; the Pester help tests fail until it is translated.
    [string]$FallbackDocsPath
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$moduleName = [IO.Path]::GetFileNameWithoutExtension($ModulePath)

function Esc([string]$s) { [Security.SecurityElement]::Escape($s) }

function Split-Sections([string]$text, [string]$prefix) {
    $sections = [ordered]@{}
    $current = $null
    foreach ($line in $text -split "`r?`n") {
        if ($line.StartsWith($prefix) -and -not $line.StartsWith($prefix + '#')) {
            $current = $line.Substring($prefix.Length).Trim()
            $sections[$current] = [Collections.Generic.List[string]]::new()
        } elseif ($null -ne $current) {
            $sections[$current].Add($line)
        }
    }
    $sections
}

# Joins a paragraph's lines with a space, except between two Chinese characters or next to full-width punctuation:
# Chinese puts no space between words, so there a line break is no space (a space stays between Chinese and Latin).
function Join-Lines([string[]]$lines) {
    $text = ''
    $han = '[\u3400-\u9FFF]'; $punct = '[\u3000-\u303F\uFF00-\uFFEF]'
    foreach ($l in $lines) {
        if ($text -eq '') { $text = $l; continue }
        $tight = ($text -match "$han$" -and $l -match "^$han") -or $text -match "$punct$" -or $l -match "^$punct"
        $text += if ($tight) { $l } else { ' ' + $l }
    }
    $text.Trim()
}

function Paras([string[]]$lines) {
    $paras = @(); $buf = @()
    foreach ($l in $lines) {
        if ($l.Trim() -eq '') { if ($buf) { $paras += Join-Lines $buf; $buf = @() } } else { $buf += $l.Trim() }
    }
    if ($buf) { $paras += Join-Lines $buf }
    ($paras | ForEach-Object { "<maml:para>$(Esc $_)</maml:para>" }) -join "`n"
}

# Types as PowerShell's own help shows them: [-Port <int>], not Nullable`1[[System.Int32, ...]].
$shortNames = @{
    [int] = 'int'; [long] = 'long'; [string] = 'string'; [double] = 'double'; [bool] = 'bool'; [byte] = 'byte'
    [uint32] = 'uint32'; [timespan] = 'timespan'; [datetime] = 'datetime'; [ipaddress] = 'ipaddress'; [object] = 'Object'
    [scriptblock] = 'scriptblock'; [hashtable] = 'hashtable'
}
function Get-TypeText([type]$t) {
    if ($t -eq [System.Management.Automation.SwitchParameter]) { return 'SwitchParameter' }
    $u = [Nullable]::GetUnderlyingType($t)
    if ($u) { $t = $u }
    if ($t.IsArray) { return (Get-TypeText $t.GetElementType()) + '[]' }
    if ($shortNames.ContainsKey($t)) { return $shortNames[$t] }
    $t.FullName
}

# A parameter's default value: a "Default value: ..." line ("默认值：..." in a Chinese page) in its markdown (for defaults computed at run time),
# else None for a mandatory parameter, else the value a new instance of the cmdlet holds.
function Get-DefaultText($p, $setParam, $doc, $instance) {
    $line = @($doc | Where-Object { $_ -match "^\s*$defaultMarker\s*(.+?)\s*$" }) | Select-Object -First 1
    if ($line) { return ($line -replace "^\s*$defaultMarker\s*", '').Trim() }
    if ($setParam -and $setParam.IsMandatory) { return 'None' }
    if ($p.ParameterType -eq [System.Management.Automation.SwitchParameter]) { return 'False' }
    if (-not $instance) { return 'None' }
    $v = $instance.GetType().GetProperty($p.Name).GetValue($instance)
    if ($null -eq $v) { return 'None' }
    if ($v -is [Array]) { if ($v.Length -eq 0) { return 'None' }; return ($v | ForEach-Object { "$_" }) -join ', ' }
    "$v"
}

$defaultMarker = '(?:Default value:|默认值[:：])'
$common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
$sb = [Text.StringBuilder]::new()
[void]$sb.AppendLine('<?xml version="1.0" encoding="utf-8"?>')
[void]$sb.AppendLine('<helpItems schema="maml" xmlns="http://msh">')
$missing = @(); $untranslated = @()
foreach ($cmd in Get-Command -Module $moduleName -CommandType Cmdlet | Sort-Object Name) {
    $md = Join-Path $DocsPath "$($cmd.Name).md"
    if (-not (Test-Path $md) -and $FallbackDocsPath -and (Test-Path (Join-Path $FallbackDocsPath "$($cmd.Name).md"))) {
        $untranslated += $cmd.Name
        $md = Join-Path $FallbackDocsPath "$($cmd.Name).md"
    }
    if (-not (Test-Path $md)) { $missing += $cmd.Name; continue }
    $s = Split-Sections (Get-Content -Raw -Encoding utf8 $md) '## '
    $verb, $noun = $cmd.Name -split '-', 2
    $paramDocs = if ($s['PARAMETERS']) { Split-Sections ($s['PARAMETERS'] -join "`n") '### ' } else { @{} }
    $instance = try { [Activator]::CreateInstance($cmd.ImplementingType) } catch { $null }
    [void]$sb.AppendLine('<command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">')
    [void]$sb.AppendLine("<command:details><command:name>$($cmd.Name)</command:name><command:verb>$verb</command:verb><command:noun>$noun</command:noun>")
    [void]$sb.AppendLine("<maml:description>$(Paras $s['SYNOPSIS'])</maml:description></command:details>")
    [void]$sb.AppendLine("<maml:description>$(Paras $s['DESCRIPTION'])</maml:description>")

    function ParamXml($p, $setParam) {
        $name = $p.Name
        $doc = @($paramDocs["-$name"])
        $default = Get-DefaultText $p $setParam $doc $instance
        $doc = @($doc | Where-Object { $_ -notmatch "^\s*$defaultMarker" })
        $req = if ($setParam) { $setParam.IsMandatory.ToString().ToLower() } else { 'false' }
        $pos = if ($setParam -and $setParam.Position -ge 0) { $setParam.Position } else { 'named' }
        $pipe = @()
        if ($setParam.ValueFromPipeline) { $pipe += 'ByValue' }
        if ($setParam.ValueFromPipelineByPropertyName) { $pipe += 'ByPropertyName' }
        $pipeText = if ($pipe) { "true ($($pipe -join ', '))" } else { 'false' }
        $wild = [bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
        $type = $p.ParameterType
        $typeName = Get-TypeText $type
        $x = "<command:parameter required=`"$req`" variableLength=`"true`" globbing=`"$($wild.ToString().ToLower())`" pipelineInput=`"$pipeText`" position=`"$pos`" aliases=`"$((@($p.Aliases) -join ', '))`">"
        $x += "<maml:name>$name</maml:name><maml:description>$(if ($doc) { Paras $doc })</maml:description>"
        if ($typeName -ne 'SwitchParameter') {        # a switch shows as [-Quiet], as in PowerShell's own help
            $x += "<command:parameterValue required=`"$req`" variableLength=`"false`">$(Esc $typeName)</command:parameterValue>"
        }
        $x += "<dev:type><maml:name>$(Esc $typeName)</maml:name><maml:uri /></dev:type>"
        $x += "<dev:defaultValue>$(Esc $default)</dev:defaultValue></command:parameter>"
        $x
    }

    [void]$sb.AppendLine('<command:syntax>')
    foreach ($set in $cmd.ParameterSets) {
        [void]$sb.AppendLine("<command:syntaxItem><maml:name>$($cmd.Name)</maml:name>")
        foreach ($sp in $set.Parameters | Where-Object { $_.Name -notin $common }) {
            [void]$sb.AppendLine((ParamXml $cmd.Parameters[$sp.Name] $sp))
        }
        [void]$sb.AppendLine('</command:syntaxItem>')
    }
    [void]$sb.AppendLine('</command:syntax>')
    [void]$sb.AppendLine('<command:parameters>')
    foreach ($p in $cmd.Parameters.Values | Where-Object { $_.Name -notin $common }) {
        $setParam = $cmd.ParameterSets.Parameters | Where-Object Name -eq $p.Name | Select-Object -First 1
        [void]$sb.AppendLine((ParamXml $p $setParam))
    }
    [void]$sb.AppendLine('</command:parameters>')

    foreach ($kind in 'INPUTS', 'OUTPUTS') {
        $tag = if ($kind -eq 'INPUTS') { 'inputType' } else { 'returnValue' }
        [void]$sb.AppendLine("<command:$($tag -replace 'Type$','Types' -replace 'returnValue','returnValues')>")
        if ($s[$kind]) {
            $items = Split-Sections ($s[$kind] -join "`n") '### '
            foreach ($k in $items.Keys) {
                [void]$sb.AppendLine("<command:$tag><dev:type><maml:name>$(Esc $k)</maml:name></dev:type><maml:description>$(Paras $items[$k])</maml:description></command:$tag>")
            }
        }
        [void]$sb.AppendLine("</command:$($tag -replace 'Type$','Types' -replace 'returnValue','returnValues')>")
    }
    if ($s['NOTES']) {
        [void]$sb.AppendLine("<maml:alertSet><maml:alert>$(Paras $s['NOTES'])</maml:alert></maml:alertSet>")
    }
    [void]$sb.AppendLine('<command:examples>')
    if ($s['EXAMPLES']) {
        $examples = Split-Sections ($s['EXAMPLES'] -join "`n") '### '
        foreach ($title in $examples.Keys) {
            $lines = $examples[$title]
            $code = @(); $remarks = @(); $inCode = $false
            foreach ($l in $lines) {
                if ($l -match '^```') { $inCode = -not $inCode; continue }
                if ($inCode) { $code += $l } else { $remarks += $l }
            }
            [void]$sb.AppendLine("<command:example><maml:title>-------------------------- $(Esc $title) --------------------------</maml:title>")
            [void]$sb.AppendLine("<dev:code>$(Esc ($code -join "`n"))</dev:code><dev:remarks>$(Paras $remarks)</dev:remarks></command:example>")
        }
    }
    [void]$sb.AppendLine('</command:examples>')
    [void]$sb.AppendLine('<command:relatedLinks>')
    foreach ($l in $s['RELATED LINKS'] | Where-Object { $_.Trim() }) {
        [void]$sb.AppendLine("<maml:navigationLink><maml:linkText>$(Esc $l.Trim())</maml:linkText><maml:uri /></maml:navigationLink>")
    }
    [void]$sb.AppendLine('</command:relatedLinks>')
    [void]$sb.AppendLine('</command:command>')
}
[void]$sb.AppendLine('</helpItems>')
if ($missing) { throw "No help markdown in $DocsPath for: $($missing -join ', ')" }
if ($untranslated) { Write-Warning "Not translated in ${DocsPath}, English help used for: $($untranslated -join ', ')" }
$null = New-Item -ItemType Directory -Force -Path (Split-Path $OutFile)
[IO.File]::WriteAllText($OutFile, $sb.ToString())
([xml]$sb.ToString()) | Out-Null   # must be well-formed
