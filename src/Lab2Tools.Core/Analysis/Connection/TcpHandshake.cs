using System.Net;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis;

/// <summary>One step of the three-way handshake: SYN, SYN-ACK or ACK.</summary>
public sealed class TcpHandshakeStep : TcpConnectionStep
{
}

/// <summary>The options one side offered in its SYN or SYN-ACK.</summary>
public sealed class TcpSynOptions
{
    public int? Mss { get; init; }
    public int? WindowScaleShift { get; init; }
    public int? WindowScaleMultiplier => WindowScaleShift is int s ? 1 << Math.Min(s, 14) : null;
    public bool SackPermitted { get; init; }
    public bool Timestamps { get; init; }
    /// <summary>ECN-setup: SYN with ECE and CWR, or SYN-ACK with ECE.</summary>
    public bool Ecn { get; init; }
    /// <summary>The raw window of the SYN (never scaled).</summary>
    public int Window { get; init; }
    public override string ToString()
    {
        var parts = new List<string>();
        if (Mss != null) parts.Add($"MSS={Mss}");
        if (WindowScaleShift != null) parts.Add($"WS={WindowScaleMultiplier}");
        if (SackPermitted) parts.Add("SACK_PERM");
        if (Timestamps) parts.Add("TS");
        if (Ecn) parts.Add("ECN");
        return string.Join(" ", parts);
    }
}

public enum HandshakeVerdict
{
    /// <summary>SYN, SYN-ACK, ACK.</summary>
    Complete,
    /// <summary>Completed, but the SYN had to be sent more than once.</summary>
    SynRetransmitted,
    /// <summary>The server answered the SYN with RST: nothing listens on that port.</summary>
    Rejected,
    /// <summary>SYN(s) with no answer in the capture.</summary>
    NoAnswer,
    /// <summary>SYN and SYN-ACK, but no ACK from the client in the capture.</summary>
    FinalAckMissing,
    /// <summary>The client reset the connection during the handshake.</summary>
    AbortedByClient,
}

/// <summary>The three-way handshake of one connection.</summary>
public sealed class TcpHandshake
{
    public int Stream { get; init; }
    public string Client => Units.Text(ClientEndPoint);
    public string Server => Units.Text(ServerEndPoint);
    internal IPEndPoint ClientEndPoint { get; init; } = null!;
    internal IPEndPoint ServerEndPoint { get; init; } = null!;
    public TcpHandshakeStep Syn { get; init; } = null!;
    public TcpHandshakeStep? SynAck { get; init; }
    public TcpHandshakeStep? Ack { get; init; }
    /// <summary>Frames of SYNs sent again (same ISN).</summary>
    public FrameList SynRetransmissions { get; init; } = FrameList.Empty;
    public FrameList SynAckRetransmissions { get; init; } = FrameList.Empty;
    public uint ClientIsn { get; init; }
    public uint? ServerIsn { get; init; }
    public TcpSynOptions ClientOptions { get; init; } = null!;
    public TcpSynOptions? ServerOptions { get; init; }
    /// <summary>Window scaling is in effect only when both SYN and SYN-ACK carry the option (RFC 7323).</summary>
    public bool WindowScaling { get; init; }
    /// <summary>Multiplier applied to the client's advertised windows (1 when scaling is not in effect).</summary>
    public int ClientWindowMultiplier { get; init; }
    public int ServerWindowMultiplier { get; init; }
    public bool SackPermitted { get; init; }
    public bool Timestamps { get; init; }
    public bool Ecn { get; init; }
    /// <summary>The largest segment the client may send (the server's MSS) and the server may send (the client's MSS).</summary>
    public int? ClientMaxSegment { get; init; }
    public int? ServerMaxSegment { get; init; }
    /// <summary>Wireshark's iRTT: from the (last) SYN to the ACK that completed the handshake.</summary>
    public decimal? InitialRttMs => Units.Milliseconds(InitialRtt);
    internal TimeSpan? InitialRtt { get; init; }
    /// <summary>Complete, SynRetransmitted, Rejected, NoAnswer, FinalAckMissing or AbortedByClient.</summary>
    public string Verdict => VerdictValue.ToString();
    internal HandshakeVerdict VerdictValue { get; init; }
    public string Explanation { get; init; } = "";
    public LineList<TcpHandshakeStep> Steps => new[] { Syn, SynAck, Ack }.Where(s => s != null).Select(s => s!).ToArray();
    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"Stream {Stream}: {Verdict} ({Client} → {Server})";

    /// <summary>The frames of the SYN, SYN-ACK and ACK that were captured, e.g. "1,2,3".</summary>
    public string Frames => string.Join(",", Steps.Select(s => s.Frame));
    /// <summary>
    /// "client options; server options" ("-" when no SYN-ACK was captured), or "both: options" when the SYN and the
    /// SYN-ACK carried the same ones (as on loopback).
    /// </summary>
    public string SynOptions
    {
        get
        {
            string client = ClientOptions.ToString(), server = ServerOptions?.ToString() ?? "-";
            return client == server ? Text.ShapeText.Table.Format("Handshake.SynOptions.Same", client)
                : Text.ShapeText.Table.Format("Handshake.SynOptions", client, server);
        }
    }
    /// <summary>What the two SYNs negotiated, in one line.</summary>
    public string Negotiated => Text.ShapeText.Table.Format("Handshake.Negotiated", OnOff(WindowScaling), ClientWindowMultiplier,
        ServerWindowMultiplier, OnOff(SackPermitted), OnOff(Timestamps), OnOff(Ecn));
    /// <summary>The largest segment each side may send.</summary>
    public string MaxSegment => Text.ShapeText.Table.Format("Handshake.MaxSegment",
        ClientMaxSegment?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?",
        ServerMaxSegment?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?");
    /// <summary>Why each step is there, one line per step ("1. ...").</summary>
    public string StepExplanations => string.Join("\n", Steps.Select(s => $"{s.Step}. {s.Explanation}"));
    private static string OnOff(bool on) => Text.ShapeText.OnOff(on);
}
