# Capture privileges and libpcap, tested instead of assumed: the three cmdlets that capture are run in processes
# that lack the capabilities or cannot load libpcap. Each must give the same error id, category and advice, the
# advice must work when followed, and reading files must still work.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Dotnet = (Get-Item ([Environment]::ProcessPath)).ResolveLinkTarget($true)?.FullName ?? [Environment]::ProcessPath
    $script:Sample = Join-Path $DataDir 'http-visit.pcap'
    $script:SampleFrames = @(Import-TcpCapture -LiteralPath $Sample).Count

    # A copy of pwsh and of the module that any user can read (the NuGet cache under /root is not).
    $script:Shared = Join-Path $TestDrive 'shared'
    $null = New-Item -ItemType Directory $Shared
    Copy-Item -Recurse $PSHOME (Join-Path $Shared 'pwsh')
    Copy-Item -Recurse (Get-Module Lab2Tools).ModuleBase (Join-Path $Shared 'Lab2Tools')
    Copy-Item $Sample (Join-Path $Shared 'sample.pcap')
    $null = New-Item -ItemType Directory (Join-Path $Shared 'home'), (Join-Path $Shared 'work')
    & chmod -R a+rX $TestDrive
    & chmod 1777 (Join-Path $Shared 'home') (Join-Path $Shared 'work')

    # Runs the three capturing cmdlets, then reads a file; prints one JSON document of what each did.
    $script:Probe = @'
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module '{0}/Lab2Tools/Lab2Tools.psd1'
$work = Join-Path '{0}/work' ([guid]::NewGuid().ToString('n'))
$null = New-Item -ItemType Directory $work
$errors = foreach ($name in 'Start-TcpCapture', 'Watch-TcpSegment', 'Invoke-LabSession') {
    try {
        switch ($name) {
            'Start-TcpCapture' { Get-TcpCapture | Stop-TcpCapture; Start-TcpCapture -Path "$work/c.pcap" -Port 9 | Stop-TcpCapture }
            'Watch-TcpSegment' { Watch-TcpSegment -Port 9 -DurationSec 0.5 | Out-Null }
            'Invoke-LabSession' { $null = Invoke-LabSession -Port 0 -OutputDirectory "$work/lab" }
        }
        [pscustomobject]@{ Command = $name; Id = ''; Category = ''; Target = ''; Advice = '' }
    }
    catch {
        [pscustomobject]@{ Command = $name; Id = $_.FullyQualifiedErrorId.Split(',')[0]; Category = "$($_.CategoryInfo.Category)"
            Target = "$($_.TargetObject)"; Advice = "$($_.ErrorDetails.RecommendedAction)" }
    }
}
$read = @(Import-TcpCapture -LiteralPath '{0}/sample.pcap').Count
[pscustomobject]@{ Errors = @($errors); Read = $read } | ConvertTo-Json -Depth 4 -Compress
'@.Replace('{0}', $Shared)

    function Invoke-Probe([string[]]$Prefix) {
        # $Prefix: the command that sets up the process (setpriv, unshare); the probe runs under it.
        $script = Join-Path $Shared "probe-$([guid]::NewGuid().ToString('n')).ps1"
        Set-Content -LiteralPath $script -Value $Probe
        & chmod a+r $script
        $saved = @{ HOME = $env:HOME; PSModulePath = $env:PSModulePath; DOTNET_CLI_HOME = $env:DOTNET_CLI_HOME }
        $env:HOME = Join-Path $Shared 'home'; $env:DOTNET_CLI_HOME = $env:HOME; $env:PSModulePath = $null
        try {
            $all = @($Prefix) + @($Dotnet, (Join-Path $Shared 'pwsh/pwsh.dll'), '-NoProfile', '-NonInteractive', '-File', $script)
            $out = & $all[0] @($all | Select-Object -Skip 1) 2>&1
        }
        finally { foreach ($k in $saved.Keys) { Set-Item "env:$k" $saved[$k] } }
        $json = $out | Where-Object { "$_" -like '{*' } | Select-Object -Last 1
        if (-not $json) { throw "The probe printed no result: $($out -join "`n")" }
        $json | ConvertFrom-Json
    }

    $script:AsNobody = @('setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--')
}

AfterAll {
    # Whatever happened, the binary gets no capabilities from these tests.
    if ("$(& getcap $Dotnet)" -match 'cap_net') { & setcap -r $Dotnet }
}

Describe 'Capturing without the capture capabilities' -Tag Capture, Privileges {
    It 'as root with CAP_NET_RAW and CAP_NET_ADMIN dropped: the same id, category and advice from all three; files still read' {
        $r = Invoke-Probe @('setpriv', '--inh-caps=-all', '--bounding-set=-net_raw,-net_admin', '--')
        $r.Read | Should -Be $SampleFrames
        $r.Errors | Should -HaveCount 3
        foreach ($e in $r.Errors) {
            $e.Id | Should -Be 'CapturePermissionDenied' -Because $e.Command
            $e.Category | Should -Be 'PermissionDenied' -Because $e.Command
            $e.Target | Should -Be 'lo' -Because $e.Command
        }
        @($r.Errors.Advice | Select-Object -Unique) | Should -HaveCount 1
        $r.Errors[0].Advice | Should -Match 'bounding set'
        $r.Errors[0].Advice | Should -Match 'cap-add=NET_RAW'
    }

    It 'as a user: the advice''s exact setcap line, followed, lets all three capture; undone, they fail again' {
        (& getcap $Dotnet) | Should -BeNullOrEmpty -Because 'the test starts from a binary without capabilities'
        $before = Invoke-Probe $AsNobody
        $before.Read | Should -Be $SampleFrames
        foreach ($e in $before.Errors) {
            $e.Id | Should -Be 'CapturePermissionDenied' -Because $e.Command
            $e.Category | Should -Be 'PermissionDenied'
        }
        @($before.Errors.Advice | Select-Object -Unique) | Should -HaveCount 1
        $advice = $before.Errors[0].Advice
        $advice | Should -Match ([regex]::Escape("sudo setcap cap_net_raw,cap_net_admin=eip $Dotnet"))
        $line = [regex]::Match($advice, 'sudo setcap cap_net_raw,cap_net_admin=eip \S+').Value
        $undo = [regex]::Match($advice, 'sudo setcap -r \S+$').Value
        $undo | Should -Not -BeNullOrEmpty -Because 'the advice ends with the line that undoes it'
        try {
            & bash -c $line
            $LASTEXITCODE | Should -Be 0 -Because "the advice's line '$line' runs"
            $after = Invoke-Probe $AsNobody
            foreach ($e in $after.Errors) { $e.Id | Should -BeNullOrEmpty -Because "$($e.Command) can capture after '$line' ($($e.Advice))" }
        }
        finally {
            & bash -c $undo
        }
        (& getcap $Dotnet) | Should -BeNullOrEmpty -Because "the advice's undo line '$undo' removes the capabilities"
        (Invoke-Probe $AsNobody).Errors[0].Id | Should -Be 'CapturePermissionDenied'
    }
}

Describe 'Capturing where libpcap cannot be loaded' -Tag Capture, Privileges {
    It 'gives LibPcapNotFound from all three, with one install line for this system; files still read' {
        $lib = (Get-Item '/usr/lib/x86_64-linux-gnu/libpcap.so.0.8', '/usr/lib/aarch64-linux-gnu/libpcap.so.0.8' -ErrorAction Ignore |
                Select-Object -First 1).ResolveLinkTarget($true).FullName
        $lib | Should -Not -BeNullOrEmpty
        # A private mount namespace in which libpcap's file is /dev/null: dlopen fails as it does where it is not installed.
        $r = Invoke-Probe @('unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', "mount --bind /dev/null $lib && exec `"`$@`"", 'sh')
        $r.Read | Should -Be $SampleFrames
        foreach ($e in $r.Errors) {
            $e.Id | Should -Be 'LibPcapNotFound' -Because $e.Command
            $e.Category | Should -Be 'NotInstalled' -Because $e.Command
            $e.Target | Should -Be 'libpcap'
        }
        @($r.Errors.Advice | Select-Object -Unique) | Should -HaveCount 1
        $r.Errors[0].Advice | Should -Match '^Install libpcap: apt-get install libpcap0\.8(t64)?$'
    }
}
