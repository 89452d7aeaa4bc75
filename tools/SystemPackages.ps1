<#
.SYNOPSIS
    The system packages build.ps1's tasks need, and the step that installs them (dot-sourced by build.ps1).
.DESCRIPTION
    The lists live in tools/system-packages.txt (read by .ci/run too). On Debian and Ubuntu the missing ones
    are installed with apt-get: directly as root, through sudo otherwise; without either, one error names
    every missing package in a single apt-get line. Elsewhere it says what to install.
    tests/pester/Setup.Tests.ps1 runs these functions with dpkg-query, apt-get, id and sudo stubbed on PATH.
#>

function Get-SystemPackageList {
    # The Debian names a task needs, as tools/system-packages.txt lists them.
    param(
        [Parameter(Mandatory)][string]$Task,
        [string]$ListPath = (Join-Path $PSScriptRoot 'system-packages.txt')
    )
    foreach ($line in Get-Content -LiteralPath $ListPath) {
        if ($line -match "^\s*$([regex]::Escape($Task))\s*:(.*)$") { return @(-split $Matches[1]) }
    }
    throw "tools/system-packages.txt has no line for the task '$Task'."
}

function Get-OsRelease {
    # /etc/os-release as a hashtable (ID, ID_LIKE, VERSION_ID, PRETTY_NAME, ...); empty when there is none.
    param([string]$Path = '/etc/os-release')
    $os = @{}
    if (-not (Test-Path -LiteralPath $Path)) { return $os }
    foreach ($line in Get-Content -LiteralPath $Path) {
        if ($line -match '^([A-Z_]+)=(.*)$') { $os[$Matches[1]] = $Matches[2].Trim('"', "'") }
    }
    return $os
}

function Test-DebianLike([hashtable]$OsRelease) {
    $ids = @($OsRelease['ID']) + @(-split "$($OsRelease['ID_LIKE'])")
    return [bool]($ids | Where-Object { $_ -in 'debian', 'ubuntu' })
}

function Resolve-SystemPackageName {
    # Debian names as this release spells them: the 64-bit time_t transition renamed libpcap0.8 to
    # libpcap0.8t64 in Ubuntu 24.04 and Debian 13.
    param([string[]]$Package, [hashtable]$OsRelease)
    $version = 0.0
    $null = [double]::TryParse("$($OsRelease['VERSION_ID'])", [Globalization.NumberStyles]::Float,
        [Globalization.CultureInfo]::InvariantCulture, [ref]$version)
    $t64 = ($OsRelease['ID'] -eq 'ubuntu' -and $version -ge 24.04) -or ($OsRelease['ID'] -eq 'debian' -and $version -ge 13)
    foreach ($p in $Package) { if ($t64 -and $p -eq 'libpcap0.8') { 'libpcap0.8t64' } else { $p } }
}

# What each Debian package is called elsewhere (Fedora/RHEL dnf, Arch pacman, macOS Homebrew, Windows).
$script:PackageEquivalents = @{
    'libpcap0.8'         = @('libpcap', 'libpcap', '(part of macOS)', 'Npcap from https://npcap.com with "Support loopback traffic"')
    'tshark'             = @('wireshark-cli', 'wireshark-cli', 'wireshark', 'Wireshark (with TShark)')
    'wireshark-common'   = @('wireshark-cli', 'wireshark-cli', 'wireshark', 'Wireshark')
    'tcpdump'            = @('tcpdump', 'tcpdump', '(part of macOS)', '(none: the tests that record with tcpdump are Linux-only)')
    'curl'               = @('curl', 'curl', '(part of macOS)', '(part of Windows)')
    'chromium'           = @('chromium', 'chromium', '--cask chromium', 'Chromium or Chrome')
    'fonts-wqy-microhei' = @('wqy-microhei-fonts', 'wqy-microhei', '(macOS has CJK fonts)', '(Windows has CJK fonts)')
    'tcptrace'           = @('(build from source)', 'tcptrace (AUR)', 'tcptrace', '(none)')
    'python3-flask'      = @('python3-flask', 'python-flask', 'flask (pip)', 'flask (pip)')
    'sudo'               = @('sudo', 'sudo', '(part of macOS)', '(none)')
    'wrk'                = @('wrk', 'wrk', 'wrk', '(none)')
    'nginx-light'        = @('nginx', 'nginx', 'nginx', 'nginx')
    'time'               = @('time', 'time', 'gnu-time', '(none)')
}

function Get-ForeignInstallAdvice {
    # Exactly what to install on a system build.ps1 cannot install on.
    param([string[]]$Package, [hashtable]$OsRelease)
    $ids = @($OsRelease['ID']) + @(-split "$($OsRelease['ID_LIKE'])")
    $column, $how = if ($IsWindows) { 3, 'install' }
    elseif ($IsMacOS) { 2, 'brew install' }
    elseif ($ids | Where-Object { $_ -in 'fedora', 'rhel', 'centos' }) { 0, 'sudo dnf install' }
    elseif ($ids | Where-Object { $_ -eq 'arch' }) { 1, 'sudo pacman -S' }
    else { -1, '' }
    if ($column -lt 0) {
        return "This is not Debian or Ubuntu ($($OsRelease['PRETTY_NAME'])), so build.ps1 installs nothing. Install the equivalents of these Debian packages: $($Package -join ', ')."
    }
    $names = foreach ($p in $Package) { $e = $script:PackageEquivalents[$p]; if ($e) { $e[$column] } else { $p } }
    $plain = @($names | Where-Object { $_ -notmatch '^\(' -and $_ -notmatch ' ' } | Select-Object -Unique)
    $other = @($names | Where-Object { $_ -match '^\(' -or $_ -match ' ' } | Select-Object -Unique)
    $text = "This is not Debian or Ubuntu, so build.ps1 installs nothing. Install:"
    if ($plain) { $text += " $how $($plain -join ' ')" + $(if ($other) { ';' } else { '' }) }
    if ($other) { $text += " $($other -join '; ')" }
    return $text
}

function Get-MissingSystemPackage([string[]]$Package) {
    # dpkg-query prints nothing (and fails) for a package it has never heard of: that one is missing too.
    $installed = @{}
    foreach ($line in @(& dpkg-query -W -f '${Package}\t${Status}\n' @Package 2>$null)) {
        $name, $status = "$line" -split "`t", 2
        if ($status -match 'install ok installed') { $installed[$name] = $true }
    }
    @($Package | Where-Object { -not $installed.ContainsKey($_) })
}

function Install-SystemPackage {
    # Installs what is missing of -Task's (or -Package's) packages and says how; throws one error listing
    # every missing package when it cannot.
    param(
        [string]$Task,
        [string[]]$Package,
        [string]$OsReleasePath = '/etc/os-release'
    )
    if ($Task) { $Package = Get-SystemPackageList -Task $Task }
    $os = Get-OsRelease -Path $OsReleasePath
    if (-not $IsLinux -or -not (Test-DebianLike $os)) {
        Write-Warning (Get-ForeignInstallAdvice -Package $Package -OsRelease $os)
        return
    }
    $Package = @(Resolve-SystemPackageName -Package $Package -OsRelease $os)
    $missing = @(Get-MissingSystemPackage $Package)
    if ($missing.Count -eq 0) { return }
    $aptLine = "apt-get update && apt-get install -y --no-install-recommends $($missing -join ' ')"
    $isRoot = "$(& id -u)".Trim() -eq '0'
    if ($isRoot) {
        $prefix = @()
        Write-Host "Installing the missing system packages as root: $($missing -join ' ')" -ForegroundColor Cyan
    }
    elseif (Get-Command sudo -CommandType Application -ErrorAction Ignore) {
        $prefix = @('sudo')
        Write-Host "Installing the missing system packages with sudo (it may ask for your password): $($missing -join ' ')" -ForegroundColor Cyan
    }
    else {
        throw "Missing system packages: $($missing -join ', '). This user is not root and has no sudo; as root, run:`n  $aptLine`nthen run this command again."
    }
    $env:DEBIAN_FRONTEND = 'noninteractive'
    foreach ($aptArgs in @(, @('update', '-qq')) + @(, (@('install', '-y', '-qq', '--no-install-recommends') + $missing))) {
        $cmd = @($prefix) + @('apt-get') + $aptArgs
        Write-Host "> $($cmd -join ' ')" -ForegroundColor DarkGray
        & $cmd[0] @($cmd | Select-Object -Skip 1)
        if ($LASTEXITCODE -ne 0) {
            throw "apt-get $($aptArgs[0]) failed (exit code $LASTEXITCODE) while installing: $($missing -join ' '). Run it yourself: $(if ($prefix) { 'sudo ' })$aptLine"
        }
    }
    $still = @(Get-MissingSystemPackage $missing)
    if ($still) { throw "apt-get finished, but these are still not installed: $($still -join ' '). Run: $aptLine" }
}
