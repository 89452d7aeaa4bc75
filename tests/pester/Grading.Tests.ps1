BeforeDiscovery {
    # the cmdlets that read capture files and write one kind of object per file's content
    $FileCommands = @(
        'Import-TcpCapture', 'Get-TcpConnection', 'Get-TcpHandshake', 'Get-TcpTeardown', 'Get-TcpStateTimeline', 'Get-TcpExpertInfo',
        'Get-TcpStream', 'Get-HttpExchange', 'Get-TcpStreamGraph', 'Get-TcpRttEstimate', 'Measure-TcpConnection'
    ) | ForEach-Object { @{ Command = $_ } }
}

BeforeAll {
    . $PSScriptRoot/common.ps1

    # A class folder: real lab captures under students' names, one cut short, one that is not a capture at all,
    # and a name with spaces and brackets (a -Path wildcard must still match it).
    $script:Class = Join-Path $TestDrive 'class'
    $null = New-Item -ItemType Directory $Class
    Copy-Item (Join-Path $DataDir 'chromium-lab.pcap') (Join-Path $Class 'alice.pcap')
    Copy-Item (Join-Path $DataDir 'http-visit.pcapng') (Join-Path $Class 'bob.pcapng')
    Copy-Item (Join-Path $DataDir 'refused.pcap') (Join-Path $Class 'carol.pcap')
    Copy-Item (Join-Path $DataDir 'half-close.pcap') (Join-Path $Class 'dave [v2].pcap')
    $bytes = [IO.File]::ReadAllBytes((Join-Path $DataDir 'http-visit.pcap'))
    [IO.File]::WriteAllBytes((Join-Path $Class 'erin.pcap'), $bytes[0..2999])           # cut inside frame 8
    Set-Content (Join-Path $Class 'frank.pcap') 'my capture is on my other laptop'
    $script:Files = @(Get-ChildItem $Class -Filter *.pcap* | Sort-Object Name)
}

Describe 'Test-LabCapture -Summary: one row per file' -Tag Grading {
    BeforeAll {
        $script:rows = @(Test-LabCapture -Path (Join-Path $Class '*.pcap*') -Summary -ErrorVariable script:errs -ErrorAction SilentlyContinue)
    }

    It 'lists every file the wildcard matched, unreadable ones included, in order' {
        $rows.Count | Should -Be $Files.Count
        $rows.Path | Should -Be $Files.FullName
        $rows | ForEach-Object { $_ | Should -BeOfType Lab2Tools.Lab.LabCaptureGrade }
    }

    It 'counts each file''s checks by their Result, as Test-LabCapture on that file alone gives them' {
        foreach ($row in $rows | Where-Object Result -ne 'Unreadable') {
            $checks = @(Test-LabCapture -LiteralPath $row.Path -ErrorAction SilentlyContinue)
            $checks.Count | Should -Be 9
            $checks.Path | Sort-Object -Unique | Should -Be $row.Path
            $row.Passed | Should -Be @($checks | Where-Object Result -eq Passed).Count
            $row.Failed | Should -Be @($checks | Where-Object Result -eq Failed).Count
            $row.NotApplicable | Should -Be @($checks | Where-Object Result -eq NotApplicable).Count
            ($row.Passed + $row.Failed + $row.NotApplicable) | Should -Be 9
            $row.FailedChecks | Should -Be ((@($checks | Where-Object Result -eq Failed).Name) -join ', ')
            $row.Result | Should -Be $(if ($row.Failed -gt 0) { 'Failed' } elseif ($row.NotApplicable -gt 0) { 'Incomplete' } else { 'Passed' })
        }
        ($rows | Where-Object { $_.Path -like '*alice.pcap' }).Result | Should -Be 'Passed'
        ($rows | Where-Object { $_.Path -like '*carol.pcap' }).FailedChecks | Should -Match 'Handshake'
    }

    It 'gives the unreadable file a row with its error, and writes the same error as every cmdlet does' {
        $frank = $rows | Where-Object { $_.Path -like '*frank.pcap' }
        $frank.Result | Should -Be 'Unreadable'
        $frank.ErrorId | Should -Be 'NotACaptureFile'
        $frank.Error | Should -Match 'not a pcap or pcapng'
        ($frank.Passed + $frank.Failed + $frank.NotApplicable) | Should -Be 0
        $e = $errs | Where-Object { $_.TargetObject -like '*frank.pcap' }
        $e.FullyQualifiedErrorId | Should -Match '^NotACaptureFile,'
        Import-TcpCapture -LiteralPath $frank.Path -ErrorVariable other -ErrorAction SilentlyContinue
        $other[0].FullyQualifiedErrorId.Split(',')[0] | Should -Be 'NotACaptureFile'
        $other[0].CategoryInfo.Category | Should -Be $e.CategoryInfo.Category
    }

    It 'checks a file cut short on the frames before the cut, and says so' {
        $erin = $rows | Where-Object { $_.Path -like '*erin.pcap' }
        $erin.ErrorId | Should -Be 'CaptureFileTruncated'
        $erin.FrameCount | Should -Be 7
        $erin.Passed | Should -BeGreaterThan 0          # the handshake is in the first 7 frames
        $erin.Result | Should -Be 'Failed'
    }

    It 'gives the same rows, in the same order, one file at a time and four at a time' {
        $one = Test-LabCapture -Path (Join-Path $Class '*.pcap*') -Summary -ThrottleLimit 1 -ErrorAction SilentlyContinue
        $four = Test-LabCapture -Path (Join-Path $Class '*.pcap*') -Summary -ThrottleLimit 4 -ErrorAction SilentlyContinue
        $props = 'Path', 'Result', 'Passed', 'Failed', 'NotApplicable', 'FailedChecks', 'FrameCount', 'ErrorId', 'Error'
        ($one | Select-Object $props | ConvertTo-Json) | Should -Be ($four | Select-Object $props | ConvertTo-Json)
    }

    It 'goes straight to Export-Csv: no .NET type names, and Import-Csv gives the rows back' {
        $csv = Join-Path $TestDrive 'grades.csv'
        $rows | Export-Csv $csv
        $back = Import-Csv $csv
        $back.Count | Should -Be $rows.Count
        foreach ($line in $back) {
            foreach ($p in $line.PSObject.Properties) { $p.Value | Should -Not -Match '^System\.' -Because "$($p.Name) of $($line.Path)" }
        }
        $back.Path | Should -Be $rows.Path
        [int[]]$back.Failed | Should -Be $rows.Failed
        $back.FailedChecks | Should -Be $rows.FailedChecks
        $back.ErrorId | Should -Be $rows.ErrorId
    }

    It 'goes through ConvertTo-Json at its default depth without a warning, and back' {
        $json = $rows | ConvertTo-Json -WarningVariable warn -WarningAction SilentlyContinue
        $warn | Should -BeNullOrEmpty
        $back = $json | ConvertFrom-Json
        $back.Path | Should -Be $rows.Path
        $back.Result | Should -Be $rows.Result
        $back.Passed | Should -Be $rows.Passed
        $back.Error | Should -Be $rows.Error
    }

    It 'has a default table with the file, the counts and what failed' {
        $text = $rows | Out-String -Width 120
        $text | Should -Match 'alice\.pcap'
        $text | Should -Match 'NotACaptureFile'
        foreach ($line in $text -split "`n") { $line.TrimEnd().Length | Should -BeLessOrEqual 120 }
    }

    It 'shows progress as files done out of files matched' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$modulePath'; Test-LabCapture -Path '$Class/*.pcap*' -Summary -ErrorAction SilentlyContinue")
            $null = $ps.Invoke()
            $status = @($ps.Streams.Progress | Where-Object Activity -eq 'Checking lab captures' | ForEach-Object StatusDescription)
            $status | Should -Contain "$($Files.Count) of $($Files.Count) files checked"
            $status | ForEach-Object { $_ | Should -Match "^\d+ of $($Files.Count) files checked$" }
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Test-LabCapture -Quiet and the per-check results on several files' -Tag Grading {
    It 'writes one boolean per file, true when the file was read and no check failed' {
        $quiet = @(Test-LabCapture -Path (Join-Path $Class '*.pcap*') -Quiet -ErrorAction SilentlyContinue)
        $rows = @(Test-LabCapture -Path (Join-Path $Class '*.pcap*') -Summary -ErrorAction SilentlyContinue)
        $quiet.Count | Should -Be $Files.Count
        $quiet | Should -Be ($rows | ForEach-Object { $_.Result -eq 'Passed' })
        $quiet | Should -Contain $true
        $quiet | Should -Contain $false
    }

    It 'refuses -Quiet with -Summary' {
        { Test-LabCapture -Path (Join-Path $Class 'alice.pcap') -Quiet -Summary -ErrorAction Stop } |
            Should -Throw -ErrorId 'SummaryWithQuiet,Lab2Tools.Commands.TestLabCaptureCommand'
    }

    It 'gives every check result its file, and groups the default table by file' {
        $paths = (Join-Path $Class 'alice.pcap'), (Join-Path $Class 'bob.pcapng')
        $r = Test-LabCapture -Path $paths
        $r.Count | Should -Be 18
        ($r | Group-Object Path).Count | Should -Be 2
        $text = $r | Out-String -Width 120
        $text | Should -Match ([regex]::Escape("Capture: $($paths[0])"))
        $text | Should -Match ([regex]::Escape("Capture: $($paths[1])"))
        Test-LabCapture -Path $paths[0] | Out-String -Width 120 | Should -Not -Match 'Capture:'
    }

    It 'shows Result as a property that Format-Table can name' {
        $t = Test-LabCapture -Path (Join-Path $Class 'carol.pcap') | Format-Table Result, Name, Evidence | Out-String -Width 200
        $t | Should -Match 'Failed\s+Handshake'
        $t | Should -Match 'Passed\s+'
    }
}

Describe 'Export-LabJUnit' -Tag Grading {
    BeforeAll {
        $script:rows = @(Test-LabCapture -Path (Join-Path $Class '*.pcap*') -Summary -ErrorAction SilentlyContinue)
        $script:xmlPath = Join-Path $TestDrive 'grades.xml'
        $script:written = $rows | Export-LabJUnit -Path $xmlPath -SuiteName 'Lab 2, class A'
    }

    It 'writes the file and returns it' {
        $written | Should -BeOfType System.IO.FileInfo
        $written.FullName | Should -Be $xmlPath
    }

    It 'validates against the JUnit schema that Pester''s own JUnit output follows' {
        $xsd = Join-Path (Get-Module Pester).ModuleBase 'schemas/JUnit4/junit_schema_4.xsd'
        Test-Path $xsd | Should -BeTrue
        $settings = [System.Xml.XmlReaderSettings]::new()
        $settings.ValidationType = [System.Xml.ValidationType]::Schema
        $null = $settings.Schemas.Add($null, $xsd)
        $problems = [System.Collections.Generic.List[string]]::new()
        $settings.add_ValidationEventHandler({ param($s, $e) $problems.Add("$($e.Severity): $($e.Message)") })
        $reader = [System.Xml.XmlReader]::Create($xmlPath, $settings)
        try { while ($reader.Read()) { } } finally { $reader.Dispose() }
        $problems | Should -BeNullOrEmpty
        # and the schema does reject what it should: a testcase without a name
        $bad = Join-Path $TestDrive 'bad.xml'
        (Get-Content -Raw $xmlPath) -replace '<testcase name="Handshake"', '<testcase' | Set-Content $bad
        $reader = [System.Xml.XmlReader]::Create($bad, $settings)
        try { while ($reader.Read()) { } } finally { $reader.Dispose() }
        $problems | Should -Not -BeNullOrEmpty
    }

    It 'is read by Python''s xml.etree: one test case per file and check, failures with their evidence' {
        $py = @'
import json, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
out = {"name": root.get("name"), "suites": []}
for s in root.findall("testsuite"):
    cases = []
    for c in s.findall("testcase"):
        f = c.find("failure"); e = c.find("error")
        cases.append({"name": c.get("name"), "classname": c.get("classname"),
                      "failure": None if f is None else f.get("message"),
                      "error": None if e is None else e.get("type"),
                      "skipped": c.find("skipped") is not None})
    out["suites"].append({"name": s.get("name"), "tests": int(s.get("tests")), "failures": int(s.get("failures")),
                          "errors": int(s.get("errors")), "cases": cases})
print(json.dumps(out))
'@
        $script:pyFile = Join-Path $TestDrive 'read_junit.py'
        Set-Content $pyFile $py
        $parsed = & python3 $pyFile $xmlPath | ConvertFrom-Json
        $LASTEXITCODE | Should -Be 0
        $parsed.name | Should -Be 'Lab 2, class A'
        $parsed.suites.Count | Should -Be $rows.Count
        for ($i = 0; $i -lt $rows.Count; $i++) {
            $row = $rows[$i]; $suite = $parsed.suites[$i]
            $suite.name | Should -Be $row.Path
            $suite.failures | Should -Be $row.Failed
            @($suite.cases | Where-Object failure).Count | Should -Be $row.Failed
            @($suite.cases | Where-Object skipped).Count | Should -Be $row.NotApplicable
            $suite.cases.classname | Sort-Object -Unique | Should -Be $row.Path
            if ($row.ErrorId) {
                $suite.errors | Should -Be 1
                ($suite.cases | Where-Object error).error | Should -Be $row.ErrorId
            }
            $checks = $row.GetChecks()
            $suite.tests | Should -Be ($checks.Count + [int][bool]$row.ErrorId)
            foreach ($c in $checks | Where-Object Result -eq Failed) {
                ($suite.cases | Where-Object name -eq $c.Name).failure | Should -Be $c.Evidence
            }
        }
    }

    It 'supports -WhatIf' {
        $p = Join-Path $TestDrive 'whatif.xml'
        $rows | Export-LabJUnit -Path $p -WhatIf
        Test-Path $p | Should -BeFalse
    }
}

Describe 'Every object read from a file carries its path' -Tag Grading {
    BeforeAll {
        $script:two = (Join-Path $DataDir 'http-visit.pcap'), (Join-Path $DataDir 'keepalive.pcap')
    }

    It '<Command> gives each object the path of its own file, and the same objects as one file at a time' -ForEach ($FileCommands + @{ Command = 'Test-LabCapture' }) {
        $all = @(& $Command -Path $two)
        foreach ($f in $two) {
            $alone = @(& $Command -LiteralPath $f)
            $alone.Count | Should -BeGreaterThan 0
            $alone.Path | Sort-Object -Unique | Should -Be $f
            $mine = @($all | Where-Object Path -eq $f)
            $mine.Count | Should -Be $alone.Count
            if ($alone[0].PSObject.Properties['Stream']) { $mine.Stream | Should -Be $alone.Stream }
        }
        $all.Count | Should -Be (@($all | Where-Object Path -in $two).Count)
    }

    It 'Show-TcpFlow -AsObject gives each flow its file' {
        $flows = Show-TcpFlow -Path $two -AsObject
        ($flows.Path | Sort-Object -Unique) | Should -Be ($two | Sort-Object)
    }

    It 'Show-TcpFlow names each file above its diagrams when there are several, and not for one' {
        $text = Show-TcpFlow -Path $two
        foreach ($f in $two) { $text | Should -Contain "Capture: $f" }
        Show-TcpFlow -Path $two[0] | Should -Not -Contain "Capture: $($two[0])"
    }

    It 'analyses segments piped from several files file by file: stream numbers start again in each' {
        $piped = @(Import-TcpCapture -Path $two | Get-TcpConnection)
        $direct = @(Get-TcpConnection -Path $two)
        $piped.Count | Should -Be $direct.Count
        ($piped | ForEach-Object { "$($_.Path)|$($_.Stream)|$($_.Client)|$($_.Frames)" }) |
            Should -Be ($direct | ForEach-Object { "$($_.Path)|$($_.Stream)|$($_.Client)|$($_.Frames)" })
    }

    It 'groups the default table of <Command> by file when there are several files, and not for one' -ForEach $FileCommands {
        $text = & $Command -Path $two | Out-String -Width 200
        foreach ($f in $two) { $text | Should -Match ([regex]::Escape("Capture: $f")) }
        & $Command -Path $two[0] | Out-String -Width 200 | Should -Not -Match 'Capture:'
    }
}

Describe 'Files written by the module show Mode and Length, as Get-Item''s do' -Tag Grading {
    It '<Command> returns the FileSystem provider''s items' -ForEach @(
        @{ Command = 'Export-LabReport'; Run = { param($d) Export-LabReport -Path (Join-Path $DataDir 'http-visit.pcap') -Destination $d } }
        @{ Command = 'Show-TcpFlow'; Run = { param($d) Show-TcpFlow -Path (Join-Path $DataDir 'http-visit.pcap') -SvgPath $d } }
        @{ Command = 'Export-HttpObject'; Run = { param($d) Export-HttpObject -Path (Join-Path $DataDir 'http-visit.pcap') -Destination $d } }
        @{ Command = 'Export-LabJUnit'; Run = { param($d) Test-LabCapture -Path (Join-Path $DataDir 'http-visit.pcap') -Summary | Export-LabJUnit (Join-Path $d 'j.xml') } }
    ) {
        $dir = Join-Path $TestDrive $Command
        $files = @(& $Run $dir)
        $files.Count | Should -BeGreaterThan 0
        foreach ($f in $files) {
            $f | Should -BeOfType System.IO.FileInfo
            $f.PSParentPath | Should -Not -BeNullOrEmpty
            $line = ($f | Out-String -Width 120) -split "`n" | Where-Object { $_ -match [regex]::Escape($f.Name) + '\s*$' }
            $line | Should -Match ('^-[rwx-]{9}\s.*\s' + $f.Length + '\s')
        }
    }
}

Describe 'Check results go to Export-Csv' -Tag Grading {
    It 'writes frame lists as numbers, not a .NET type name' {
        $csv = Join-Path $TestDrive 'checks.csv'
        $r = Test-LabCapture -Path (Join-Path $DataDir 'chromium-lab.pcap')
        $r | Export-Csv $csv
        $back = Import-Csv $csv
        foreach ($line in $back) {
            foreach ($p in $line.PSObject.Properties) { $p.Value | Should -Not -Match '^System\.' -Because "$($p.Name) of $($line.Name)" }
        }
        $back[0].Frames | Should -Be ($r[0].Frames -join ', ')
        $back[0].Result | Should -Be 'Passed'
        $r[0].Frames[0] | Should -BeOfType [long]
    }
}
