#Requires -Version 7.4
<#
.SYNOPSIS
    Adds "#ByFile" copies of the table views to the assembled format file: the same columns, grouped by Path.
.DESCRIPTION
    A cmdlet given several capture files writes its results with the type name "<type>#ByFile" in front (see
    CaptureFileCmdlet.WriteResult), so that their default table shows one group per capture file. The copies are
    made here, at build time, so that they always have the columns of the view they copy.
#>
param(
    [Parameter(Mandatory)][string]$FormatFile
)
$ErrorActionPreference = 'Stop'
$types = @(
    'Lab2Tools.Model.TcpSegment'
    'Lab2Tools.Analysis.TcpConnection'
    'Lab2Tools.Analysis.TcpHandshake'
    'Lab2Tools.Analysis.TcpTeardown'
    'Lab2Tools.Analysis.TcpStateTransition'
    'Lab2Tools.Analysis.TcpExpertEvent'
    'Lab2Tools.Analysis.TcpStreamContent'
    'Lab2Tools.Analysis.Http.HttpExchange'
    'Lab2Tools.Lab.LabCheckResult'
    'Lab2Tools.Analysis.Graphs.TcpGraphPoint'
    'Lab2Tools.Analysis.Statistics.TcpRttEstimate'
    'Lab2Tools.Analysis.Statistics.TcpDirectionStatistics'
)
$xml = [xml](Get-Content -Raw $FormatFile)
$defs = $xml.Configuration.ViewDefinitions
foreach ($type in $types) {
    $view = @($defs.View | Where-Object { $_.ViewSelectedBy.TypeName -eq $type -and $_.SelectSingleNode('TableControl') }) | Select-Object -First 1
    if (-not $view) { throw "No table view for $type in $FormatFile." }
    $copy = $view.CloneNode($true)
    $copy.Name = "$($view.Name)#ByFile"
    $copy.ViewSelectedBy.TypeName = "$type#ByFile"
    $group = $xml.CreateElement('GroupBy')
    $prop = $xml.CreateElement('PropertyName'); $prop.InnerText = 'Path'; $null = $group.AppendChild($prop)
    # the heading in the user's language ("Capture: <path>", "抓包文件：<path>"): a custom control, as a Label is fixed text
    $control = $xml.CreateElement('CustomControl')
    $control.InnerXml = '<CustomEntries><CustomEntry><CustomItem><Frame><LeftIndent>3</LeftIndent><CustomItem>' +
        '<ExpressionBinding><ScriptBlock>[Lab2Tools.Text.ShapeText]::CaptureHeading($_.Path)</ScriptBlock></ExpressionBinding>' +
        '</CustomItem></Frame></CustomItem></CustomEntry></CustomEntries>'
    $null = $group.AppendChild($control)
    $null = $copy.InsertAfter($group, $copy.SelectSingleNode('ViewSelectedBy'))
    $null = $defs.AppendChild($copy)
}
$xml.Save($FormatFile)
