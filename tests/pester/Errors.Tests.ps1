BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    # The cmdlets that read capture files, with what else each needs to run.
    $script:fileCmdlets = @(
        @{ Name = 'Import-TcpCapture'; Extra = @{} }
        @{ Name = 'Get-TcpConnection'; Extra = @{} }
        @{ Name = 'Get-TcpHandshake'; Extra = @{} }
        @{ Name = 'Get-TcpTeardown'; Extra = @{} }
        @{ Name = 'Get-TcpStateTimeline'; Extra = @{} }
        @{ Name = 'Get-TcpExpertInfo'; Extra = @{} }
        @{ Name = 'Get-TcpStream'; Extra = @{} }
        @{ Name = 'Get-HttpExchange'; Extra = @{} }
        @{ Name = 'Export-HttpObject'; Extra = @{ Destination = 'objects'; WhatIf = $true } }
        @{ Name = 'Test-LabCapture'; Extra = @{} }
        @{ Name = 'Show-TcpFlow'; Extra = @{} }
        @{ Name = 'Export-LabReport'; Extra = @{ Destination = 'report' } }
    )
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Catalog = @{}
    foreach ($e in [Lab2Tools.Commands.Internal.ErrorCatalog]::Entries) { $Catalog[$e.Id] = $e }

    # The first error a command reports (terminating or not), as an ErrorRecord.
    function Get-FirstError([scriptblock]$Command) {
        $ErrorActionPreference = 'Stop'            # the first error, terminating or not, stops the command
        try { $null = & $Command } catch { return $_ }
        throw "No error from: $Command"
    }

    # An error record must carry the catalogued id, category and advice.
    function Assert-Catalogued($Record, [string]$Id, [object[]]$AdviceArgs = @()) {
        $Record.FullyQualifiedErrorId.Split(',')[0] | Should -Be $Id
        $entry = $Catalog[$Id]
        $entry | Should -Not -BeNullOrEmpty -Because "$Id must be in the catalog"
        $Record.CategoryInfo.Category | Should -Be $entry.Category
        $Record.ErrorDetails.RecommendedAction | Should -Be $entry.Advice($AdviceArgs)
    }

    $script:Bad = Join-Path $TestDrive 'bad'
    $null = New-Item -ItemType Directory $Bad
    # bytes that look like nothing known (a text file gets advice of its own: ErrorsInput.Tests.ps1)
    [IO.File]::WriteAllBytes((Join-Path $Bad 'notes.pcap'), [byte[]](0..63))
    $bytes = [IO.File]::ReadAllBytes((Join-Path $DataDir 'http-visit.pcap'))
    [IO.File]::WriteAllBytes((Join-Path $Bad 'cut.pcap'), $bytes[0..2999])
    $null = New-Item -ItemType Directory (Join-Path $Bad 'folder.pcap')
}

Describe 'The error catalog and about_Lab2Tools' -Tag Errors {
    BeforeAll {
        $about = Get-Content -Raw (Join-Path (Split-Path $modulePath) 'en-US/about_Lab2Tools.help.txt')
        $section = ($about -split "(?m)^ERRORS\s*$")[1] -split "(?m)^[A-Z][A-Z ]+$" | Select-Object -First 1
        $script:Documented = [ordered]@{}
        foreach ($m in [regex]::Matches($section, '(?m)^ {4}([A-Z][A-Za-z]+) +([A-Z][A-Za-z]+) {2,}\S')) {
            if ($m.Groups[1].Value -eq 'Id') { continue }
            $Documented[$m.Groups[1].Value] += @($m.Groups[2].Value)
        }
    }

    It 'documents each id once, with one category' {
        $Documented.Count | Should -BeGreaterThan 20
        foreach ($id in $Documented.Keys) { @($Documented[$id]).Count | Should -Be 1 -Because "$id is documented once" }
    }

    It 'has each documented id in the catalog, with the documented category' {
        foreach ($id in $Documented.Keys) {
            $Catalog.ContainsKey($id) | Should -BeTrue -Because "$id is documented"
            "$($Catalog[$id].Category)" | Should -Be $Documented[$id][0] -Because "the category of $id"
        }
    }

    It 'documents every catalogued id' {
        foreach ($id in $Catalog.Keys) { $Documented.Contains($id) | Should -BeTrue -Because "$id is reported by a cmdlet" }
    }

    It 'gives each id one category and one advice' {
        $ids = [Lab2Tools.Commands.Internal.ErrorCatalog]::Entries.Id
        ($ids | Group-Object | Where-Object Count -gt 1).Name | Should -BeNullOrEmpty
        foreach ($e in [Lab2Tools.Commands.Internal.ErrorCatalog]::Entries) {
            $e.AdviceFormat | Should -Not -BeNullOrEmpty
            if ($e.Id -ne 'LabSessionFailed') { "$($e.Category)" | Should -Not -Be 'NotSpecified' -Because "$($e.Id) needs a precise category" }
        }
    }
}

Describe '<Name>: the same file failure gets the same error' -Tag Errors -ForEach $fileCmdlets {
    BeforeAll {
        Push-Location $TestDrive
        $extra = $Extra
    }
    AfterAll { Pop-Location }

    It 'a missing file: CaptureFileNotFound' {
        $e = Get-FirstError { & $Name -Path (Join-Path $Bad 'missing.pcap') @extra }
        Assert-Catalogued $e 'CaptureFileNotFound' "'$Bad'"
        $e = Get-FirstError { & $Name -LiteralPath (Join-Path $Bad 'missing.pcap') @extra }
        Assert-Catalogued $e 'CaptureFileNotFound' "'$Bad'"
    }

    It 'a file that is not a capture: NotACaptureFile, target the file' {
        $e = Get-FirstError { & $Name -LiteralPath (Join-Path $Bad 'notes.pcap') @extra }
        Assert-Catalogued $e 'NotACaptureFile'
        $e.TargetObject | Should -Be (Join-Path $Bad 'notes.pcap')
    }

    It 'a folder without a capture file, by -Path or by -LiteralPath: CaptureFileNotFound, target the folder' {
        $folder = Join-Path $Bad 'folder.pcap'
        foreach ($e in (Get-FirstError { & $Name -Path $folder @extra }), (Get-FirstError { & $Name -LiteralPath $folder @extra })) {
            $e.FullyQualifiedErrorId.Split(',')[0] | Should -Be 'CaptureFileNotFound'
            $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $e.TargetObject | Should -Be $folder
            $e.ErrorDetails.RecommendedAction | Should -BeLike "*Get-ChildItem -LiteralPath '$folder' -Recurse *| $Name"
        }
    }

    It 'a file cut short: CaptureFileTruncated' {
        $e = Get-FirstError { & $Name -LiteralPath (Join-Path $Bad 'cut.pcap') @extra }
        Assert-Catalogued $e 'CaptureFileTruncated' "'$(Join-Path $Bad 'cut.pcap')'", "'$(Join-Path $Bad 'cut-complete.pcapng')'"
    }
}

Describe 'The same lab-server and output failures get the same error from every cmdlet' -Tag Errors {
    It 'a busy port: LabServerPortInUse (ResourceBusy) from Start-LabServer and Invoke-LabSession' {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $l.Start()
        try {
            $port = $l.LocalEndpoint.Port
            $a = Get-FirstError { Start-LabServer -Port $port }
            $b = Get-FirstError { Invoke-LabSession -Port $port -OutputDirectory (Join-Path $TestDrive 'busy') }
            foreach ($e in $a, $b) {
                Assert-Catalogued $e 'LabServerPortInUse' $port
                $e.TargetObject | Should -Be $port
            }
            $a.ErrorDetails.Message | Should -Match "port $port is already in use"
            $b.ErrorDetails.Message | Should -Match "port $port is already in use"
        }
        finally { $l.Stop() }
    }

    It 'a missing site folder: LabServerRootNotFound from Start-LabServer and Invoke-LabSession' {
        $root = Join-Path $TestDrive 'no-site'
        Assert-Catalogued (Get-FirstError { Start-LabServer -Port 0 -Root $root }) 'LabServerRootNotFound'
        Assert-Catalogued (Get-FirstError { Invoke-LabSession -Port 0 -Root $root -OutputDirectory (Join-Path $TestDrive 'x') }) 'LabServerRootNotFound'
    }

    It 'an output that cannot be written: OutputNotWritable from every cmdlet that writes files, naming its parameter' {
        $file = Join-Path $TestDrive 'a-file'
        Set-Content $file 'x'
        $under = Join-Path $file 'sub'                    # a folder inside a file: ENOTDIR, even for root
        $cap = Join-Path $DataDir 'http-visit.pcap'
        Assert-Catalogued (Get-FirstError { Export-LabReport -Path $cap -Destination $under }) 'OutputNotWritable' '-Destination'
        Assert-Catalogued (Get-FirstError { Show-TcpFlow -Path $cap -SvgPath $under }) 'OutputNotWritable' '-SvgPath'
        Assert-Catalogued (Get-FirstError { Export-HttpObject -Path $cap -Destination $under }) 'OutputNotWritable' '-Destination'
        Assert-Catalogued (Get-FirstError { Test-LabCapture -Path $cap -Summary | Export-LabJUnit -Path (Join-Path $under 'j.xml') }) 'OutputNotWritable' '-Path'
        Assert-Catalogued (Get-FirstError { Invoke-LabSession -Port 0 -OutputDirectory $under }) 'OutputNotWritable' '-OutputDirectory'
    }

    It 'an unknown name: LabServerNotFound and TcpCaptureNotFound' {
        Assert-Catalogued (Get-FirstError { Stop-LabServer -Name 'no-such-server' }) 'LabServerNotFound'
        Assert-Catalogued (Get-FirstError { Get-LabServerLog -Name 'no-such-server' }) 'LabServerNotFound'
        Assert-Catalogued (Get-FirstError { Stop-TcpCapture -Name 'no-such-capture' }) 'TcpCaptureNotFound'
        Assert-Catalogued (Get-FirstError { Receive-TcpCapture -Name 'no-such-capture' }) 'TcpCaptureNotFound'
    }

    It 'Test-LabCapture -Summary with -Quiet: SummaryWithQuiet' {
        Assert-Catalogued (Get-FirstError { Test-LabCapture -Path (Join-Path $DataDir 'http-visit.pcap') -Summary -Quiet }) 'SummaryWithQuiet'
    }
}
