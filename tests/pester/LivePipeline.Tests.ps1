# Live capture and capture files go through one frame-to-segment step (Pipeline/FrameToSegment): the same
# segments, and a malformed frame reported the same way (MalformedFrame, the frame number as target).
BeforeAll {
    . $PSScriptRoot/common.ps1
    function Send-MalformedFrame([int]$Port) {
        # An Ethernet frame on lo whose IPv4 total length (10) is below its header length: TCP to the port for
        # libpcap's filter, malformed for any decoder. Sent with a packet socket, as a broken NIC driver might.
        $py = @"
import socket, struct
eth = bytes(12) + b'\x08\x00'
ip = bytes([0x45, 0, 0, 10, 0, 0, 0, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1])
tcp = struct.pack('!HHIIBBHHH', 40000, $Port, 1, 0, 0x50, 0x02, 1024, 0, 0)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('lo', 0))
s.send(eth + ip + tcp)
"@
        & python3 -c $py
        if ($LASTEXITCODE -ne 0) { throw 'python3 could not send the frame' }
    }
}

Describe 'Live capture and files share one frame-to-segment path' -Tag Capture {
    It 'reports a malformed live frame as Import-TcpCapture reports it from the file, and gives the same segments' {
        $port = Get-FreePort
        $server = Start-LabServer -Port $port
        $file = Join-Path $TestDrive 'live.pcap'
        $c = Start-TcpCapture -Path $file -Port $port
        try {
            Start-Sleep -Milliseconds 500
            $null = Invoke-WebRequest "http://127.0.0.1:$port/" -UseBasicParsing
            Send-MalformedFrame $port
            $null = Invoke-WebRequest "http://127.0.0.1:$port/" -UseBasicParsing
            Start-Sleep -Milliseconds 1500
        }
        finally {
            $c | Stop-TcpCapture
            $server | Stop-LabServer
        }
        $live = @($c | Receive-TcpCapture -ErrorVariable liveErrors -ErrorAction SilentlyContinue)
        $fromFile = @(Import-TcpCapture -LiteralPath $file -ErrorVariable fileErrors -ErrorAction SilentlyContinue)

        $c.MalformedFrames | Should -Be 1
        $liveErrors | Should -HaveCount 1
        $fileErrors | Should -HaveCount 1
        $liveErrors[0].FullyQualifiedErrorId | Should -BeLike 'MalformedFrame,*'
        $liveErrors[0].FullyQualifiedErrorId.Split(',')[0] | Should -Be $fileErrors[0].FullyQualifiedErrorId.Split(',')[0]
        $liveErrors[0].CategoryInfo.Category | Should -Be $fileErrors[0].CategoryInfo.Category
        $liveErrors[0].TargetObject | Should -Be $fileErrors[0].TargetObject
        $liveErrors[0].Exception.Message | Should -Be $fileErrors[0].Exception.Message
        $liveErrors[0].Exception.Message | Should -Match 'IPv4 total length 10 is below its header length 20'

        $live.Count | Should -BeGreaterThan 10
        ($live | ForEach-Object { "$($_.Frame) $($_.Stream) $($_.Seq) $($_.Ack) $($_.Len) $($_.WindowSize) $($_.AnalysisText)" }) |
            Should -Be ($fromFile | ForEach-Object { "$($_.Frame) $($_.Stream) $($_.Seq) $($_.Ack) $($_.Len) $($_.WindowSize) $($_.AnalysisText)" })
    }
}
