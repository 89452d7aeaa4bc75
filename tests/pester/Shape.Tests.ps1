# Every output type of the module goes through ConvertTo-Json (default depth) and Export-Csv cleanly.
# The objects are made from real captures, a real lab server, a real live capture and a real lab session.

BeforeDiscovery {
    $script:ShapeTypes = @(
        'Lab2Tools.Model.TcpSegment', 'Lab2Tools.Analysis.TcpConnection', 'Lab2Tools.Analysis.TcpHandshake',
        'Lab2Tools.Analysis.TcpTeardown', 'Lab2Tools.Analysis.TcpStateTransition', 'Lab2Tools.Analysis.TcpExpertEvent',
        'Lab2Tools.Analysis.TcpStreamContent', 'Lab2Tools.Analysis.Http.HttpExchange', 'Lab2Tools.Analysis.Graphs.TcpGraphPoint',
        'Lab2Tools.Analysis.Statistics.TcpRttEstimate', 'Lab2Tools.Analysis.Statistics.TcpDirectionStatistics',
        'Lab2Tools.Lab.LabCheckResult', 'Lab2Tools.Lab.LabCaptureGrade', 'Lab2Tools.Analysis.Flow.TcpFlow',
        'Lab2Tools.Analysis.Flow.TcpFlowRow', 'Lab2Tools.Capture.Live.CaptureInterface', 'Lab2Tools.Sockets.TcpSocketEntry',
        'Lab2Tools.Server.LabServer', 'Lab2Tools.Server.RequestLogEntry', 'Lab2Tools.Pipeline.TcpCaptureSession',
        'Lab2Tools.Lab.LabSession'
    )
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Out = Join-Path $TestDrive 'shape'
    $null = New-Item -ItemType Directory $Out
    $chromium = Join-Path $DataDir 'chromium-lab.pcap'
    $loss = Join-Path $DataDir 'loss.pcap'
    $abort = Join-Path $DataDir 'client-abort.pcap'

    # The output types the module declares: OutputType of every cmdlet, and every type a view is selected by.
    $formatXml = [xml](Get-Content -Raw (Join-Path (Split-Path $modulePath) 'Lab2Tools.Format.ps1xml'))
    $script:Declared = @(
        (Get-Command -Module Lab2Tools).OutputType.Type | Where-Object { $_ } | ForEach-Object FullName
        $formatXml.Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName | Where-Object { $_ -notlike '*#ByFile' }
    ) | Where-Object { $_ -like 'Lab2Tools.*' } | Sort-Object -Unique

    # One run of each cmdlet (and the objects inside them that have a view of their own), on real inputs.
    $objects = [System.Collections.Generic.List[object]]::new()
    function Add-Objects { foreach ($o in $input) { $objects.Add($o) } }

    Import-TcpCapture $chromium | Select-Object -First 40 | Add-Objects
    Import-TcpCapture $loss | Where-Object { $_.SackBlocks.Count -or $_.AckRttMs } | Select-Object -First 20 | Add-Objects
    Get-TcpConnection $chromium, $abort | Add-Objects
    Get-TcpHandshake $chromium, (Join-Path $DataDir 'refused.pcap') | Add-Objects
    Get-TcpTeardown $chromium, $abort, (Join-Path $DataDir 'half-close.pcap') | Add-Objects
    Get-TcpStateTimeline $chromium | Add-Objects
    Get-TcpExpertInfo $loss | Select-Object -First 30 | Add-Objects
    Get-TcpStream $chromium | Add-Objects
    Get-HttpExchange $chromium, $abort | Add-Objects
    Get-HttpExchange $chromium -IncludeBody -Stream 0 | Add-Objects
    Get-TcpStreamGraph $loss -Type RoundTripTime | Select-Object -First 20 | Add-Objects
    Get-TcpStreamGraph $loss -Type Stevens | Select-Object -First 20 | Add-Objects
    Get-TcpRttEstimate $loss | Select-Object -First 20 | Add-Objects
    Measure-TcpConnection $chromium | Add-Objects
    Test-LabCapture $chromium, (Join-Path $DataDir 'refused.pcap') | Add-Objects
    Set-Content (Join-Path $Out 'not-a-capture.pcap') 'this is text, not a capture'
    Test-LabCapture (Join-Path $DataDir '*.pcap*'), (Join-Path $Out 'not-a-capture.pcap') -Summary -ErrorAction SilentlyContinue | Add-Objects
    $flow = Show-TcpFlow $chromium -Stream 0 -AsObject
    $flow | Add-Objects
    $flow.Rows | Add-Objects
    Get-CaptureInterface | Add-Objects
    Get-TcpSocketState | Select-Object -First 20 | Add-Objects

    # a real lab server, its request log, a real live capture of a request to it
    $port = Get-FreePort
    $server = Start-LabServer -Port $port -Name shape-test
    $capture = Start-TcpCapture -Port $port -Name shape-test -Path (Join-Path $Out 'live.pcap')
    Start-Sleep -Milliseconds 500
    $null = & curl -s -o /dev/null "http://127.0.0.1:$port/"
    Start-Sleep -Milliseconds 1500
    $server | Add-Objects
    Get-LabServerLog -InputObject $server | Add-Objects
    $capture | Stop-TcpCapture -PassThru | Add-Objects
    Receive-TcpCapture -InputObject $capture | Select-Object -First 5 | Add-Objects
    $server | Stop-LabServer -PassThru | Add-Objects

    # a whole lab session
    $session = Invoke-LabSession -Port 0 -NoRevisit -OutputDirectory (Join-Path $Out 'session')
    $session | Add-Objects
    $script:Session = $session
    $script:Objects = $objects
    $script:ByType = $objects | Group-Object { $_.GetType().FullName } -AsHashTable -AsString
}

Describe 'Objects fit ConvertTo-Json and Export-Csv' -Tag Shape {
    It 'covers every output type the module declares' {
        $missing = $Declared | Where-Object { -not $ByType.ContainsKey($_) }
        $missing | Should -BeNullOrEmpty -Because 'each declared output type must be produced and checked here'
    }

    It '<_>: ConvertTo-Json at its default depth, without error or warning' -ForEach $ShapeTypes {
        $typeName = $_
        $ByType[$typeName] | Should -Not -BeNullOrEmpty
        foreach ($o in $ByType[$typeName]) {
            $warnings = $null
            $json = $o | ConvertTo-Json -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
            $warnings | Should -BeNullOrEmpty -Because "$typeName must serialise within the default depth"
            # no nested .NET object turned into its type name, no TimeSpan's 15 fields
            $json | Should -Not -Match '"System\.|"Ticks":|"TotalMilliseconds":|"AddressFamily":'
        }
    }

    It '<_>: Export-Csv writes no .NET type name' -ForEach $ShapeTypes {
        $typeName = $_
        $csv = Join-Path $Out ($typeName + '.csv')
        $ByType[$typeName] | Export-Csv -LiteralPath $csv
        $bad = foreach ($row in Import-Csv -LiteralPath $csv) {
            foreach ($p in $row.PSObject.Properties) {
                if ($p.Value -match '^(System|Lab2Tools)\.[\w.`\[\]]+$|^System\.') { "$($p.Name) = $($p.Value)" }
            }
        }
        $bad | Select-Object -Unique | Should -BeNullOrEmpty
    }

    It 'the types checked above are every type the module declares' -TestCases @{ Checked = $ShapeTypes } {
        $Declared | Where-Object { $_ -notin $Checked } | Should -BeNullOrEmpty
    }
}

Describe 'A round trip through ConvertTo-Json and ConvertFrom-Json keeps what a grader needs' -Tag Shape {
    It 'grade rows: file, result, counts, failed checks, error' {
        $rows = @($ByType['Lab2Tools.Lab.LabCaptureGrade'])
        $back = @($rows | ConvertTo-Json | ConvertFrom-Json)
        $back.Count | Should -Be $rows.Count
        for ($i = 0; $i -lt $rows.Count; $i++) {
            foreach ($p in 'Path', 'Result', 'Passed', 'Failed', 'NotApplicable', 'FailedChecks', 'ErrorId', 'Error', 'FrameCount') {
                $back[$i].$p | Should -Be $rows[$i].$p -Because "$p of $($rows[$i].Path)"
            }
        }
        $back.Result | Should -Contain 'Unreadable'
    }

    It 'check results: name, result as a name, evidence, frames as an array of numbers' {
        $checks = @($ByType['Lab2Tools.Lab.LabCheckResult'])
        $back = @($checks | ConvertTo-Json | ConvertFrom-Json)
        for ($i = 0; $i -lt $checks.Count; $i++) {
            $back[$i].Name | Should -Be $checks[$i].Name
            $back[$i].Result | Should -Be $checks[$i].Result
            $back[$i].Result | Should -BeIn 'Passed', 'Failed', 'NotApplicable'
            $back[$i].Evidence | Should -Be $checks[$i].Evidence
            @($back[$i].Frames) | Should -Be @($checks[$i].Frames)
        }
    }

    It 'a lab session: path, result, the check tally, the failed checks; it does not throw' {
        $back = $Session | ConvertTo-Json | ConvertFrom-Json
        foreach ($p in 'Path', 'Passed', 'Result', 'ChecksPassed', 'ChecksFailed', 'ChecksNotApplicable', 'FailedChecks',
            'ConnectionCount', 'HttpExchangeCount', 'ServerPort', 'Browser', 'CloseMode', 'DurationSeconds') {
            $back.$p | Should -Be $Session.$p -Because $p
        }
        $back.ChecksPassed + $back.ChecksFailed + $back.ChecksNotApplicable | Should -Be 9
        $back.Browser | Should -Be 'BuiltIn'
    }

    It 'analysis objects: endpoints as text, enums as names, durations as numbers with their unit' {
        $c = ($ByType['Lab2Tools.Analysis.TcpConnection'] | Select-Object -First 1) | ConvertTo-Json | ConvertFrom-Json
        $c.Client | Should -Match '^127\.0\.0\.1:\d+$'
        $c.Server | Should -Be '127.0.0.1:5000'
        $c.RoleSource | Should -Be 'Syn'
        $c.DurationSeconds | Should -BeOfType [double]
        $c.InitialRttMs | Should -BeGreaterThan 0
        $c.ClientToServer.PayloadBytes | Should -BeGreaterThan 0
        $h = ($ByType['Lab2Tools.Analysis.TcpHandshake'] | Select-Object -First 1) | ConvertTo-Json | ConvertFrom-Json
        $h.Verdict | Should -Be 'Complete'
        $h.Steps.Count | Should -Be 3
        $h.Steps[0].From | Should -Be $c.Client
        $h.Steps[0].Name | Should -Be 'SYN'
        $t = ($ByType['Lab2Tools.Analysis.TcpTeardown'] | Select-Object -First 1) | ConvertTo-Json | ConvertFrom-Json
        $t.Kind | Should -BeIn 'FourWay', 'ThreeWay', 'Simultaneous', 'HalfClose', 'Reset', 'Incomplete'
        $t.ActiveCloser | Should -BeIn 'Client', 'Server'
        $x = ($ByType['Lab2Tools.Analysis.Http.HttpExchange'] | Where-Object StatusCode -eq 200 | Select-Object -First 1) | ConvertTo-Json | ConvertFrom-Json
        $x.State | Should -Be 'Complete'
        $x.ResponseHeaders.'Content-Type' | Should -Not -BeNullOrEmpty
        $x.TotalTimeMs | Should -BeGreaterThan 0
        $s = ($ByType['Lab2Tools.Model.TcpSegment'] | Select-Object -First 1) | ConvertTo-Json | ConvertFrom-Json
        $s.SourceEndPoint | Should -Match '^127\.0\.0\.1:\d+$'
        $s.FlagsText | Should -Be 'SYN'
        $s.TimeRelativeSeconds | Should -Be 0
    }

    It 'CSV cells hold the text a reader expects: frames, headers, steps' {
        $csv = Join-Path $Out 'http.csv'
        $ByType['Lab2Tools.Analysis.Http.HttpExchange'] | Where-Object StatusCode -eq 200 | Select-Object -First 1 | Export-Csv $csv
        $row = Import-Csv $csv
        $row.ResponseHeaders | Should -Match '(?m)^Content-Type: '
        $row.ResponseSegmentFrames | Should -Match '^\d+(, \d+)*$'
        $csv = Join-Path $Out 'handshake.csv'
        $ByType['Lab2Tools.Analysis.TcpHandshake'] | Select-Object -First 1 | Export-Csv $csv
        (Import-Csv $csv).Steps | Should -Match '^1\. SYN .*\n2\. SYN-ACK .*\n3\. ACK '
    }
}

Describe 'CSV cells are the same in every culture and read like the figures they are' -Tag Shape {
    It 'every DateTime has an ISO 8601 round-trip twin (<Name>Iso) that gives the same instant back' {
        $checked = 0
        foreach ($o in $Objects) {
            $times = $o.PSObject.Properties | Where-Object {
                $_.Value -is [datetime] -or $_.TypeNameOfValue -eq 'System.DateTime' -or
                    $_.TypeNameOfValue -like 'System.Nullable*System.DateTime,*'
            }
            foreach ($p in $times) {
                if ($p.Name -like '*Iso') { continue }
                $iso = $o.PSObject.Properties[$p.Name + 'Iso']
                $iso | Should -Not -BeNullOrEmpty -Because "$($o.GetType().Name).$($p.Name) needs a culture-invariant twin"
                if ($null -eq $p.Value) { $iso.Value | Should -BeNullOrEmpty; continue }
                $iso.Value | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}(Z|[+-]\d\d:\d\d)?$'
                [datetime]::Parse($iso.Value, [cultureinfo]::InvariantCulture, 'RoundtripKind') | Should -Be $p.Value
                $checked++
            }
        }
        $checked | Should -BeGreaterThan 100
    }

    It 'Export-Csv in de-DE: the ISO cell is unchanged; no time or duration is written as 4.8E-05 or with float noise' {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'de-DE'
            $segments = @(Import-TcpCapture (Join-Path $DataDir 'http-visit.pcap') | Select-Object -First 10)
            $csv = Join-Path $Out 'segments-de.csv'
            $segments | Export-Csv $csv
            $rows = @(Import-Csv $csv)
            for ($i = 0; $i -lt $rows.Count; $i++) {
                $rows[$i].TimeIso | Should -Be $segments[$i].Time.ToString('o', [cultureinfo]::InvariantCulture)
                $rows[$i].TimeRelativeSeconds | Should -Not -Match 'E'
            }
            # frame 2 is 15 microseconds in: the cell is the decimal figure, as tshark writes it (to the capture's precision)
            $rows[1].TimeRelativeSeconds | Should -Be '0,000015'
            $t = Invoke-Tshark -Path (Join-Path $DataDir 'http-visit.pcap') -Filter 'frame.number <= 10' -Field frame.time_relative
            for ($i = 0; $i -lt 10; $i++) { [decimal]$t[$i][0] | Should -Be $segments[$i].TimeRelativeSeconds }
        } finally { [cultureinfo]::CurrentCulture = $saved }
        # every number the module writes to CSV: no exponent, no 17-digit float noise. Not yet the stream graphs' points
        # and the tcptrace statistics (doubles compared with tshark and tcptrace; README says so)
        $notYet = 'Lab2Tools.Analysis.Graphs.TcpGraphPoint', 'Lab2Tools.Analysis.Statistics.TcpRttEstimate',
            'Lab2Tools.Analysis.Statistics.TcpDirectionStatistics'
        foreach ($type in $ByType.Keys | Where-Object { $_ -notin $notYet }) {
            foreach ($row in $ByType[$type] | ConvertTo-Csv | ConvertFrom-Csv) {
                foreach ($p in $row.PSObject.Properties) {
                    $p.Value | Should -Not -Match '^-?\d+(\.\d+)?E[-+]?\d+$' -Because "$type.$($p.Name)"
                    $p.Value | Should -Not -Match '^-?\d+\.\d{10,}$' -Because "$type.$($p.Name)"
                }
            }
        }
    }

    It 'a request or response in one frame reads "frame 4", not "frames 4-4", in English and Chinese' {
        $x = Get-HttpExchange (Join-Path $DataDir 'http-visit.pcap') -Stream 0 | Select-Object -First 1
        $x.RequestFirstFrame | Should -Be $x.RequestFrame
        $x.RequestText | Should -Match "\(frame $($x.RequestFrame), exchange 1 on the connection\)$"
        $x.RequestText | Should -Not -Match 'frames \d+-\d+'
        $multi = Get-HttpExchange (Join-Path $DataDir 'chromium-lab.pcap') |
            Where-Object { $_.ResponseFirstFrame -ne $_.ResponseFrame } | Select-Object -First 1
        $range = "$($multi.ResponseFirstFrame)-$($multi.ResponseFrame)"
        $multi.ResponseText | Should -Match "frames $range; reassembled in $($multi.ResponseFrame)"
        $saved = [cultureinfo]::CurrentUICulture
        try {
            [cultureinfo]::CurrentUICulture = 'zh-CN'
            $x.RequestText | Should -Match "（帧 $($x.RequestFrame)，该连接上的第 1 个请求）$"
            $x.RequestText | Should -Not -Match '帧 \d+-\d+'
        } finally { [cultureinfo]::CurrentUICulture = $saved }
    }
}
