BeforeDiscovery {
    . $PSScriptRoot/common.ps1
}

BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Lab = Join-Path $DataDir 'chromium-lab.pcap'
    $script:Remote = Join-Path $DataDir 'zeek/traces/tcp/retransmit-fast009.pcap'

    function Invoke-InCulture([string]$Culture, [scriptblock]$Script) {
        $previous = [System.Threading.Thread]::CurrentThread.CurrentUICulture
        [System.Threading.Thread]::CurrentThread.CurrentUICulture = $Culture
        try { & $Script } finally { [System.Threading.Thread]::CurrentThread.CurrentUICulture = $previous }
    }
}

Describe 'What the report, the teardown steps and the checks say, on real captures' -Tag Lab {
    It 'Export-LabReport names client and server of a capture that is not on loopback (<Culture>)' -ForEach @(
        @{ Culture = 'en-US'; Says = 'The client 10.0.88.85 opens stream 0 from port 50368 to the server 192.168.0.27, port 80.'
            Scaled = 'No window scaling was agreed'; Never = 'loopback|now scaled' }
        @{ Culture = 'zh-CN'; Says = '客户端 10.0.88.85 从端口 50368 向服务器 192.168.0.27 的端口 80 建立流 0。'
            Scaled = '双方没有协商窗口缩放'; Never = '回环|已经缩放' }
    ) {
        $syn = (tshark -n -r $Remote -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields -e ip.src -e ip.dst -e tcp.srcport 2>$null) -split "`t"
        $Says | Should -BeLike "*$($syn[0])*$($syn[2])*$($syn[1])*"
        $dest = Join-Path $TestDrive $Culture
        Export-LabReport -Path $Remote -Destination $dest -Culture $Culture | Out-Null
        $md = Get-Content (Join-Path $dest 'report.md') -Raw
        $section2 = [regex]::Match($md, '(?ms)^## 2\..*?(?=^## 3\.)').Value
        $section2 | Should -BeLike "*$Says*"
        $section2 | Should -BeLike "*$Scaled*"
        $section2 | Should -Not -Match $Never
    }

    It 'Get-TcpTeardown gives the Len of a FIN that carries data, so that Seq + Len + 1 = the next Ack (<Culture>)' -ForEach @(
        @{ Culture = 'en-US'; Words = 'FIN with Seq 74171 and Len 22118' }
        @{ Culture = 'zh-CN'; Words = '发送 FIN，Seq 74171，Len 22118' }
    ) {
        $f = (tshark -n -r $Lab -Y 'frame.number == 135' -T fields -e tcp.seq -e tcp.len 2>$null) -split "`t"
        $ack = [long](tshark -n -r $Lab -Y 'frame.number == 136' -T fields -e tcp.ack 2>$null)
        [long]$f[0] + [long]$f[1] + 1 | Should -Be $ack
        $t = Invoke-InCulture $Culture { Get-TcpTeardown -Path $Lab -Stream 7 }
        $t.Steps[0].Frame | Should -Be 135
        $t.Steps[0].Explanation | Should -BeLike "*$Words*"
        $t.Steps[0].Explanation | Should -BeLike "*Seq + Len + 1 = $ack*"
        ($t | Format-List | Out-String -Width 200) | Should -Match "Len $($f[1])"
    }

    It 'Get-TcpTeardown counts DataAfterFirstFin on a connection that ended with a reset' {
        $t = Get-TcpTeardown -Path $Lab -Stream 6
        $t.Kind | Should -Be 'Reset'
        $rows = tshark -n -r $Lab -Y 'tcp.stream == 6' -T fields -e frame.number -e tcp.srcport -e tcp.len -e tcp.flags.fin 2>$null |
            ForEach-Object { $c = $_ -split "`t"; [pscustomobject]@{ Frame = [long]$c[0]; Port = $c[1]; Len = [long]$c[2]; Fin = $c[3] } }
        $fin = $rows | Where-Object { $_.Fin -in '1', 'True' } | Select-Object -First 1
        $after = ($rows | Where-Object { $_.Frame -gt $fin.Frame -and $_.Port -ne $fin.Port } | Measure-Object Len -Sum).Sum
        $after | Should -BeGreaterThan 0
        $t.DataAfterFirstFin | Should -Be $after
    }

    It 'Test-LabCapture -Check NothingAbnormal on a capture cut with head -c gives one clean sentence (<Culture>)' -ForEach @(
        @{ Culture = 'en-US'; Start = 'The capture file is damaged, which fails the check: '; Read = 'In the frames that were read: ' }
        @{ Culture = 'zh-CN'; Start = '抓包文件已损坏，因此本检查未通过：'; Read = '在已读出的帧中，' }
    ) {
        $cut = Join-Path $TestDrive 'cut.pcap'
        & head -c 30000 (Join-Path $DataDir 'http-visit.pcap') > $cut
        (Get-Item $cut).Length | Should -Be 30000
        $r = Invoke-InCulture $Culture { Test-LabCapture -Path $cut -Check NothingAbnormal -ErrorAction SilentlyContinue }
        $r.Result | Should -Be 'Failed'
        $r.Evidence | Should -BeLike "$Start*$Read*"
        $r.Evidence | Should -Not -Match '[.。][;；]|Found the file'
        $r.Evidence | Should -Match '[.。]$'
        ($r | Format-List | Out-String -Width 400) | Should -BeLike "*$Start*"
    }
}
