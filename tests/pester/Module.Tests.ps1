BeforeDiscovery {
    . $PSScriptRoot/common.ps1
    $script:cmdlets = Get-Command -Module Lab2Tools -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } }
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'The assembled module' {
    It 'has a valid manifest with a real version' {
        $m = Test-ModuleManifest $modulePath
        $m.Version | Should -BeGreaterThan ([version]'0.0')
        $m.ModuleBase | Should -Not -Match 'bin[\\/](Debug|Release)'
    }

    It 'exports exactly the cmdlets its manifest lists' {
        $listed = (Import-PowerShellDataFile $modulePath).CmdletsToExport | Sort-Object
        $exported = (Get-Command -Module Lab2Tools -CommandType Cmdlet).Name | Sort-Object
        $exported | Should -Be $listed
    }

    It 'ships about_Lab2Tools' {
        $about = Get-Help about_Lab2Tools
        ($about | Out-String) | Should -Match 'Wireshark'
    }
}

Describe 'Cmdlet <Name>' -ForEach $cmdlets {
    BeforeAll {
        $cmd = Get-Command $Name
        $help = Get-Help $Name -Full
    }

    It 'uses an approved verb' {
        (Get-Verb).Verb | Should -Contain $cmd.Verb
    }

    It 'declares its output type' {
        $cmd.OutputType.Count | Should -BeGreaterThan 0
    }

    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$Name\s"   # not the auto-generated syntax
        ($help.Description.Text -join ' ') | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples' {
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        foreach ($e in $help.Examples.Example) { $e.Code | Should -Not -BeNullOrEmpty }
    }

    It 'fills in every parameter''s default value, and shows types as PowerShell''s own help does' {
        foreach ($ph in $help.Parameters.Parameter) {
            "$($ph.defaultValue)".Trim() | Should -Not -BeNullOrEmpty -Because "-$($ph.Name) needs a default value"
            "$($ph.type.name)" | Should -Not -Match 'Nullable|System\.(Int32|Int64|String|Boolean|Double)\b' -Because "-$($ph.Name)'s type"
        }
        $syntax = $help.Syntax | Out-String -Width 500
        $syntax | Should -Not -Match 'Nullable`1|\[\[System\.|<SwitchParameter>'
        foreach ($p in $cmd.Parameters.Values | Where-Object { $_.Name -notin $common -and ($_.ParameterType -eq [int] -or $_.ParameterType -eq [Nullable[int]]) }) {
            $syntax | Should -Match ("-$($p.Name)\]? <int>")
        }
    }

    It 'describes every parameter' {
        $params = $cmd.Parameters.Keys | Where-Object { $_ -notin $common }
        foreach ($p in $params) {
            $ph = $help.Parameters.Parameter | Where-Object Name -eq $p
            $ph | Should -Not -BeNullOrEmpty -Because "-$p needs help"
            ($ph.Description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }
}
