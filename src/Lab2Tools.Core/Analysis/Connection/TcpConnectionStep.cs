using System.Net;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis;

/// <summary>
/// One segment of an opening or a close, with relative and raw numbers and what it means. The handshake's and the
/// teardown's steps are each a type of their own (<see cref="TcpHandshakeStep"/>, <see cref="TcpTeardownStep"/>)
/// with these members.
/// </summary>
public abstract class TcpConnectionStep
{
    public int Step { get; init; }
    /// <summary>SYN, SYN-ACK, ACK; FIN, ACK or RST.</summary>
    public string Name { get; init; } = "";
    public long Frame { get; init; }
    public DateTime Time { get; init; }
    public string From => Units.Text(FromEndPoint);
    public string To => Units.Text(ToEndPoint);
    internal IPEndPoint FromEndPoint { get; init; } = null!;
    internal IPEndPoint ToEndPoint { get; init; } = null!;
    public string Flags { get; init; } = "";
    public uint Seq { get; init; }
    public uint Ack { get; init; }
    public uint SeqRaw { get; init; }
    public uint AckRaw { get; init; }
    public string Explanation { get; init; } = "";
    /// <summary>One line: "1. SYN     frame 1      127.0.0.1:48496 → 127.0.0.1:5000  Seq=0 Ack=0" ("帧 1" in Chinese).</summary>
    public override string ToString() => Text.ShapeText.Table.Format("Step.Line", Step, Name, Frame, From, To, Seq, Ack);
}
