BeforeAll {
    . $PSScriptRoot/common.ps1
    $lab = Join-Path $DataDir 'chromium-lab.pcap'
    $site = Join-Path $PSScriptRoot '../../src/Lab2Tools/LabSite'
}

Describe 'Get-HttpExchange' {
    It 'lists the lab as the browser fetched it, with the frames tshark reassembles the responses in' {
        $x = @(Get-HttpExchange -Path $lab)
        $x[0] | Should -BeOfType Lab2Tools.Analysis.Http.HttpExchange
        ($x | Where-Object Uri -eq '/static/logo.png').StatusCode | Should -Be @(200, 304)
        $tsharkFrames = @(Invoke-Tshark -Path $lab -Filter http.response -Field frame.number | ForEach-Object { [long]$_[0] })
        $ours = @($x | Where-Object State -eq Complete | ForEach-Object ResponseFrame)
        $ours | Should -Be $tsharkFrames
    }

    It 'looks headers up case-insensitively and in order' {
        $page = Get-HttpExchange $lab | Select-Object -First 1
        $page.ResponseHeaders['content-type'] | Should -Be $page.ResponseHeaders['Content-Type']
        @($page.RequestHeaders.Keys)[0] | Should -Be 'Host'
    }

    It 'gives the same exchanges for pipeline input' {
        $a = Get-HttpExchange $lab | ForEach-Object { "$($_.Stream) $($_.Uri) $($_.StatusCode)" }
        $b = Import-TcpCapture $lab | Get-HttpExchange | ForEach-Object { "$($_.Stream) $($_.Uri) $($_.StatusCode)" }
        $b | Should -Be $a
    }

    It 'reports the stream that is not HTTP as an error and goes on' {
        $x = @(Get-HttpExchange (Join-Path $DataDir 'curl-http.pcap') -ErrorVariable err -ErrorAction SilentlyContinue)
        $x.Count | Should -BeGreaterThan 10
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NotHttp,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].TargetObject | Should -BeOfType int
        $x.Stream | Should -Not -Contain $err[0].TargetObject
        # the message says why (the parser's reason); the advice names the file, so it runs as written
        $err[0].ErrorDetails.Message | Should -Match 'is not HTTP: '
        $advice = $err[0].ErrorDetails.RecommendedAction
        $advice | Should -Match ([regex]::Escape("-LiteralPath '$(Join-Path $DataDir 'curl-http.pcap')'"))
        $command = [regex]::Match($advice, "Get-TcpStream -LiteralPath .*? -AsText").Value
        @(Invoke-Expression $command).Count | Should -Be 1
    }

    It 'has a table view with method, URI and status' {
        $text = Get-HttpExchange $lab | Format-Table | Out-String -Width 200
        $text | Should -Match '206 PARTIAL CONTENT'
        $text | Should -Match 'Aborted by Client'
    }
}

Describe 'Export-HttpObject' {
    It 'saves the logo byte for byte' {
        $dest = Join-Path $TestDrive 'objects'
        $files = Export-HttpObject -Path $lab -Destination $dest
        $logo = $files | Where-Object Name -eq 'logo.png'
        (Get-FileHash $logo.FullName).Hash | Should -Be (Get-FileHash (Join-Path $site 'logo.png')).Hash
        $files.Name | Should -Contain 'audio.ogg'
        $files.Name | Should -Contain 'index.html'
    }

    It 'writes nothing with -WhatIf' {
        $dest = Join-Path $TestDrive 'whatif'
        Export-HttpObject -Path $lab -Destination $dest -WhatIf
        Test-Path $dest | Should -BeFalse
    }

    It 'adds a number when a name is taken' {
        $dest = Join-Path $TestDrive 'twice'
        $null = Export-HttpObject -Path $lab -Destination $dest
        $second = Export-HttpObject -Path $lab -Destination $dest
        $second.Name | Should -Contain 'logo(1).png'
    }
}
