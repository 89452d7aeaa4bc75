BeforeAll {
    . $PSScriptRoot/common.ps1
    function Get-Completion([string]$Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
    }
}

Describe 'Tab completion of lab servers' -Tag Completion {
    BeforeAll {
        $script:servers = @(
            Start-LabServer -Port 0 -Name 'completion alpha'
            Start-LabServer -Port 0 -Name 'completion-beta'
        )
    }
    AfterAll { $servers | Stop-LabServer }

    It 'completes -Name of <Command> with the servers'' names (quoted when needed), not file names' -ForEach @(
        @{ Command = 'Stop-LabServer' }, @{ Command = 'Get-LabServer' }, @{ Command = 'Get-LabServerLog' }
    ) {
        $m = Get-Completion "$Command -Name completion"
        $m.CompletionText | Should -Be @("'completion alpha'", 'completion-beta')
        $m.ToolTip[1] | Should -Match ([regex]::Escape($servers[1].Url))
        Get-Completion "$Command -Name tests" | Should -BeNullOrEmpty          # ./tests exists: no file names
    }

    It 'completes -Id with the servers'' ids' {
        $m = Get-Completion 'Stop-LabServer -Id '
        $m.CompletionText | Should -Contain "$($servers[0].Id)"
        $m.CompletionText | Should -Contain "$($servers[1].Id)"
    }
}

Describe 'Tab completion of captures' -Tag Completion, Capture {
    BeforeAll {
        $script:cap = Start-TcpCapture -Name 'completion-capture' -Port (Get-FreePort) -Path (Join-Path $TestDrive 'c.pcap')
    }
    AfterAll { $cap | Stop-TcpCapture }

    It 'completes -Name and -Id of <Command>' -ForEach @(
        @{ Command = 'Stop-TcpCapture' }, @{ Command = 'Receive-TcpCapture' }, @{ Command = 'Get-TcpCapture' }
    ) {
        (Get-Completion "$Command -Name completion-").CompletionText | Should -Be 'completion-capture'
        (Get-Completion "$Command -Id ").CompletionText | Should -Contain "$($cap.Id)"
    }
}

Describe 'Tab completion of stream numbers' -Tag Completion {
    It 'completes -Stream of <Command> with the file''s streams once a file is given' -ForEach @(
        @{ Command = 'Get-TcpHandshake' }, @{ Command = 'Get-TcpConnection' }, @{ Command = 'Get-HttpExchange' },
        @{ Command = 'Show-TcpFlow' }, @{ Command = 'Get-TcpStream' }
    ) {
        $file = Join-Path $DataDir 'http-visit.pcap'
        $m = Get-Completion "$Command -Path '$file' -Stream "
        $expected = (Get-TcpConnection -Path $file).Stream | ForEach-Object { "$_" }
        $m.CompletionText | Should -Be $expected
        $c = Get-TcpConnection -Path $file -Stream 2
        $m[2].ToolTip | Should -Match ([regex]::Escape("$($c.Client)"))
    }

    It 'completes from a wildcard -Path, a -LiteralPath and a path relative to the current location' {
        Push-Location $DataDir
        try {
            (Get-Completion 'Get-TcpTeardown -LiteralPath keepalive.pcap -Stream ').CompletionText | Should -Be '0'
            (Get-Completion 'Get-TcpTeardown ./http-visit.pcap -Stream 1').CompletionText | Should -Be '1'
        }
        finally { Pop-Location }
    }

    It 'offers nothing (and no file names) without a file' {
        Get-Completion 'Get-TcpHandshake -Stream ' | Should -BeNullOrEmpty
    }
}
