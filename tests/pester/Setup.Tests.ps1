# build.ps1's set-up step (tools/SystemPackages.ps1), run with dpkg-query, apt-get, id and sudo replaced by stubs
# on PATH that record their arguments. The real path (a purged machine) is what .ci/run proves.
BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    . (Join-Path $RepoRoot 'tools/SystemPackages.ps1')

    function New-StubBin {
        # A folder of stubs: dpkg-query answers from a state file (unknown packages as the real one does:
        # nothing on stdout, an error, exit 1); apt-get logs and "installs" into the state; id -u says $Uid.
        param([string[]]$Installed, [string[]]$Known = @(), [int]$Uid = 0, [switch]$Sudo, [int]$AptExit = 0)
        $bin = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory $bin
        Set-Content (Join-Path $bin 'installed') ($Installed -join "`n")
        Set-Content (Join-Path $bin 'known') ($Known -join "`n")
        Set-Content (Join-Path $bin 'log') -Value $null
        $stubs = @{
            'dpkg-query' = @'
#!/bin/bash
d=${0%/*}; echo "dpkg-query $*" >> "$d/log"; shift 3; rc=0
for p in "$@"; do
  if /usr/bin/grep -qx "$p" "$d/installed"; then printf '%s\tinstall ok installed\n' "$p"
  elif /usr/bin/grep -qx "$p" "$d/known"; then printf '%s\tunknown ok not-installed\n' "$p"
  else echo "dpkg-query: no packages found matching $p" >&2; rc=1; fi
done
exit $rc
'@
            'apt-get'    = @"
#!/bin/bash
d=`${0%/*}; echo "apt-get `$*" >> "`$d/log"
if [ "`$1" = install ]; then for p in "`$@"; do case "`$p" in -*|install) ;; *) echo "`$p" >> "`$d/installed";; esac; done; fi
exit $AptExit
"@
            'id'         = "#!/bin/bash`necho $Uid`n"
        }
        if ($Sudo) { $stubs['sudo'] = "#!/bin/bash`necho `"sudo `$*`" >> `"`${0%/*}/log`"`nexec `"`$@`"`n" }
        foreach ($name in $stubs.Keys) {
            $f = Join-Path $bin $name
            Set-Content -LiteralPath $f -Value ($stubs[$name] -replace "`r", '') -NoNewline
            & chmod +x $f
        }
        $bin
    }

    function Invoke-WithStubs {
        # Runs Install-SystemPackage with only the stubs on PATH; returns what it said, what it threw and the
        # commands the stubs saw.
        param([string]$Bin, [hashtable]$Arguments)
        $saved = $env:PATH
        $env:PATH = $Bin
        try {
            $said = Install-SystemPackage @Arguments 6>&1 3>&1 | Out-String
            $thrown = $null
        }
        catch { $thrown = $_.Exception.Message }
        finally { $env:PATH = $saved }
        [pscustomobject]@{
            Said   = $said
            Thrown = $thrown
            Calls  = @(Get-Content (Join-Path $Bin 'log') | Where-Object { $_ })
        }
    }

    function New-OsRelease([string]$Id, [string]$Version, [string]$Like = '') {
        $f = Join-Path $TestDrive "os-release-$Id-$Version"
        Set-Content $f "PRETTY_NAME=`"$Id $Version`"`nID=$Id`nVERSION_ID=`"$Version`"`nID_LIKE=$Like"
        $f
    }
    $script:Debian12 = New-OsRelease debian 12
}

Describe 'Install-SystemPackage (build.ps1 set-up)' -Tag Setup {
    It 'as root, installs every missing package, including one dpkg has never heard of, and says so' {
        $bin = New-StubBin -Installed curl -Known tcpdump -Uid 0
        $r = Invoke-WithStubs $bin @{ Package = 'curl', 'tcpdump', 'fonts-wqy-microhei', 'tshark'; OsReleasePath = $Debian12 }
        $r.Thrown | Should -BeNullOrEmpty
        $r.Said | Should -Match 'as root: tcpdump fonts-wqy-microhei tshark'
        $r.Calls | Should -Contain 'apt-get update -qq'
        $r.Calls | Should -Contain 'apt-get install -y -qq --no-install-recommends tcpdump fonts-wqy-microhei tshark'
        $r.Calls | Where-Object { $_ -like 'sudo*' } | Should -BeNullOrEmpty
    }

    It 'does nothing when everything is installed' {
        $bin = New-StubBin -Installed curl, tshark -Uid 0
        $r = Invoke-WithStubs $bin @{ Package = 'curl', 'tshark'; OsReleasePath = $Debian12 }
        $r.Thrown | Should -BeNullOrEmpty
        $r.Calls | Where-Object { $_ -like 'apt-get*' } | Should -BeNullOrEmpty
    }

    It 'as a user with sudo, installs through sudo and says so' {
        $bin = New-StubBin -Installed @() -Uid 1000 -Sudo
        $r = Invoke-WithStubs $bin @{ Package = 'tcpdump', 'tcptrace'; OsReleasePath = $Debian12 }
        $r.Thrown | Should -BeNullOrEmpty
        $r.Said | Should -Match 'with sudo'
        $r.Calls | Should -Contain 'sudo apt-get update -qq'
        $r.Calls | Should -Contain 'sudo apt-get install -y -qq --no-install-recommends tcpdump tcptrace'
    }

    It 'without root or sudo, fails once, naming every missing package in one apt-get line' {
        $bin = New-StubBin -Installed curl -Uid 1000
        $r = Invoke-WithStubs $bin @{ Package = 'curl', 'tshark', 'chromium', 'fonts-wqy-microhei'; OsReleasePath = $Debian12 }
        $r.Thrown | Should -Match 'Missing system packages: tshark, chromium, fonts-wqy-microhei'
        @($r.Thrown -split "`n" | Where-Object { $_ -match 'apt-get install' }) | Should -HaveCount 1
        $r.Thrown | Should -Match 'apt-get install -y --no-install-recommends tshark chromium fonts-wqy-microhei\s'
        $r.Calls | Where-Object { $_ -like 'apt-get*' } | Should -BeNullOrEmpty
    }

    It 'names libpcap0.8t64 on Ubuntu 24.04 and Debian 13, libpcap0.8 on Debian 12 and Ubuntu 22.04' {
        foreach ($case in @(('ubuntu', '24.04', 'libpcap0.8t64'), ('debian', '13', 'libpcap0.8t64'),
                ('debian', '12', 'libpcap0.8'), ('ubuntu', '22.04', 'libpcap0.8'))) {
            $bin = New-StubBin -Installed @() -Uid 0
            $r = Invoke-WithStubs $bin @{ Task = 'Lab'; OsReleasePath = (New-OsRelease $case[0] $case[1] 'debian') }
            $r.Calls | Should -Contain "apt-get install -y -qq --no-install-recommends $($case[2])" -Because "$($case[0]) $($case[1])"
        }
    }

    It 'counts a package with only its configuration left (removed, not purged) as missing' {
        $bin = New-StubBin -Installed @() -Known tshark -Uid 0
        $r = Invoke-WithStubs $bin @{ Package = 'tshark'; OsReleasePath = $Debian12 }
        $r.Calls | Should -Contain 'apt-get install -y -qq --no-install-recommends tshark'
    }

    It 'reports a failed apt-get with the command to run' {
        $bin = New-StubBin -Installed @() -Uid 0 -AptExit 100
        $r = Invoke-WithStubs $bin @{ Package = 'tshark'; OsReleasePath = $Debian12 }
        $r.Thrown | Should -Match 'apt-get update failed \(exit code 100\).*apt-get update && apt-get install -y --no-install-recommends tshark'
    }

    It 'on another distribution, installs nothing and says exactly what to install' {
        $bin = New-StubBin -Installed @() -Uid 0
        $r = Invoke-WithStubs $bin @{ Task = 'Test'; OsReleasePath = (New-OsRelease fedora 41) }
        $r.Calls | Should -BeNullOrEmpty
        $r.Said | Should -Match 'not Debian or Ubuntu'
        $r.Said | Should -Match 'sudo dnf install libpcap wireshark-cli tcpdump curl chromium wqy-microhei-fonts'
    }

    It 'reads each task''s list from tools/system-packages.txt, the list .ci/run purges' {
        Get-SystemPackageList -Task Lab | Should -Be @('libpcap0.8')
        $test = Get-SystemPackageList -Task Test
        $test | Should -Contain 'tshark'
        $test | Should -Contain 'chromium'
        (Get-Content -Raw (Join-Path $RepoRoot '.ci/run')) | Should -Match 'tools/system-packages.txt'
        { Get-SystemPackageList -Task Nope } | Should -Throw '*no line for the task*'
    }
}
