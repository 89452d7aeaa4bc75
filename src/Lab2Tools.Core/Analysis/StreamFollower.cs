using System.Net;
using System.Text;
using Lab2Tools.Model;

namespace Lab2Tools.Analysis;

public enum FlowDirection { ClientToServer, ServerToClient }

/// <summary>One turn of a followed TCP stream: consecutive bytes one side sent, in sequence order.</summary>
public sealed class TcpStreamChunk
{
    public string Direction => DirectionValue.ToString();
    internal FlowDirection DirectionValue { get; init; }
    public long FirstFrame { get; init; }
    public long LastFrame { get; internal set; }
    /// <summary>The bytes, or empty for a gap marker.</summary>
    internal byte[] Data { get; set; } = Array.Empty<byte>();
    /// <summary>The chunk's bytes (a method, so that Export-Csv and ConvertTo-Json leave them out).</summary>
    public byte[] GetData() => Data;
    public int Length => Data.Length;
    /// <summary>Bytes missing in the capture before this point (Wireshark: "[N bytes missing in capture file]").</summary>
    public long MissingBytes { get; init; }
    public string Text => MissingBytes > 0 ? $"[{MissingBytes} bytes missing in capture file]" : Encoding.Latin1.GetString(Data);
    public override string ToString() => $"{Direction} {(MissingBytes > 0 ? Text : Data.Length + " bytes")}";
}

/// <summary>The payload of one connection, both directions in sequence order (Wireshark's Follow TCP Stream).</summary>
public sealed class TcpStreamContent
{
    public int Stream { get; init; }
    public string Client => ClientEndPoint.ToString();
    public string Server => ServerEndPoint.ToString();
    internal IPEndPoint ClientEndPoint { get; init; } = null!;
    internal IPEndPoint ServerEndPoint { get; init; } = null!;
    public LineList<TcpStreamChunk> Chunks { get; init; } = LineList<TcpStreamChunk>.Empty;
    internal byte[] ClientData { get; init; } = Array.Empty<byte>();
    internal byte[] ServerData { get; init; } = Array.Empty<byte>();
    /// <summary>The client's bytes in order (a method, so that Export-Csv and ConvertTo-Json leave them out).</summary>
    public byte[] GetClientData() => ClientData;
    public byte[] GetServerData() => ServerData;
    public long ClientBytes => ClientData.Length;
    public long ServerBytes => ServerData.Length;
    /// <summary>Missing bytes in both directions.</summary>
    public long MissingBytes => ClientMissingBytes + ServerMissingBytes;
    /// <summary>How many times the talking side changed (the number of chunks).</summary>
    public int Turns => Chunks.Count;
    public long ClientMissingBytes { get; init; }
    public long ServerMissingBytes { get; init; }
    /// <summary>The whole conversation as text (ISO-8859-1), gaps marked as Wireshark marks them.</summary>
    public string Text => string.Concat(Chunks.Select(c => c.Text));
    /// <summary>The capture file it was read from (null for segments that came from no file).</summary>
    public string? Path { get; init; }
    public override string ToString() => $"Stream {Stream}: {ClientData.Length} bytes → , ← {ServerData.Length} bytes";
}

/// <summary>
/// Reassembles each direction of one stream in sequence order: retransmitted bytes are trimmed,
/// out-of-order segments are held until the hole before them is filled, and a hole that the other side
/// acknowledges (the data arrived, the capture missed it) becomes a missing-bytes marker.
/// </summary>
public sealed class StreamFollower
{
    private const int MaxHeldSegments = 4096;
    private readonly Direction[] _dir = { new(), new() };
    private readonly List<TcpStreamChunk> _chunks = new();
    private IPEndPoint? _a;
    private IPEndPoint? _b;
    private string? _path;
    private CaptureSide? _clientSide;
    private TcpStreamChunk? _openChunk;
    private readonly MemoryStream _openData = new();

    /// <summary>True while out-of-order segments wait for the bytes before them.</summary>
    public bool HasHeldData => _dir[0].Held.Count > 0 || _dir[1].Held.Count > 0;

    private sealed class Direction
    {
        public bool Started;
        /// <summary>The first sequence number expected: held segments are ordered by their offset from it.</summary>
        public uint Base;
        public uint Next;
        public readonly SortedDictionary<long, (uint seq, byte[] data, long frame)> Held = new();
        public long HeldCount;

        public void Start(uint next) { Started = true; Base = next; Next = next; }

        /// <summary>Sequence order (offset from Base), then arrival order for equal sequence numbers.</summary>
        public long KeyOf(uint seq) => ((long)(seq - Base) << 20) | (HeldCount++ & 0xFFFFF);
        public readonly MemoryStream All = new();
        public long Missing;
    }

    private readonly bool _keepData;

    /// <summary>A follower that keeps the stream's bytes (for <see cref="Finish"/>).</summary>
    public StreamFollower() : this(keepData: true) { }

    /// <summary>
    /// <paramref name="keepData"/> false: the bytes are only handed to <see cref="OnData"/> as they fall into
    /// place, and not kept.
    /// </summary>
    public StreamFollower(bool keepData) => _keepData = keepData;

    /// <summary>
    /// Called with each piece of a direction in sequence order: (the endpoint that sent it, bytes or null for a gap,
    /// missing byte count, the segment that completed it).
    /// </summary>
    public Action<CaptureSide, byte[]?, long, TcpSegment>? OnData { get; set; }

    /// <summary>Which endpoint, in capture order, sent a segment (before any segment: the first sender).</summary>
    public CaptureSide SideOf(TcpSegment s) =>
        _a == null || (s.SourcePort == _a.Port && s.Source.Equals(_a.Address)) ? CaptureSide.FirstSender : CaptureSide.FirstReceiver;

    private TcpSegment? _current;

    public int Stream { get; private set; } = -1;

    public void Add(TcpSegment s)
    {
        if (_a == null) { _a = s.SourceIpEndPoint; _b = s.DestinationIpEndPoint; Stream = s.Stream; _path = s.Path; }
        _current = s;
        var side = SideOf(s);
        var d = _dir[(int)side];
        bool syn = (s.Flags & TcpFlags.SYN) != 0;
        if (syn && (s.Flags & TcpFlags.ACK) == 0) _clientSide ??= side;
        else if (syn) _clientSide ??= side.Peer();
        if (syn && !d.Started) d.Start(s.SeqRaw + 1);

        // the other side's ACK covering a hole in this side's stream: the bytes were received but not captured
        var o = _dir[(int)side.Peer()];
        if ((s.Flags & TcpFlags.ACK) != 0 && o.Started && (int)(s.AckRaw - o.Next) > 0)
        {
            uint until = s.AckRaw;
            if (o.Held.Count > 0)
            {
                var firstHeld = o.Held.First().Value.seq;
                if ((int)(firstHeld - until) < 0) until = firstHeld;
            }
            if ((int)(until - o.Next) > 0)
            {
                Gap(side.Peer(), until - o.Next, s.Frame);
                o.Next = until;
                Drain(side.Peer());
            }
        }

        if (s.Len > 0 && s.Payload.Length > 0) AddData(s, side, syn);
        // a FIN occupies one sequence number after the data: the peer's ACK of it is not a hole
        if ((s.Flags & TcpFlags.FIN) != 0 && d.Started && s.SeqRaw + (uint)s.Len == d.Next) d.Next++;
    }

    private void AddData(TcpSegment s, CaptureSide side, bool syn)
    {
        var d = _dir[(int)side];
        uint seq = s.SeqRaw;
        var data = s.Payload;
        if (!d.Started) d.Start(seq);
        long rel = (int)(seq - d.Next);                         // long: -int.MinValue does not fit an int (found by fuzzing)
        if (rel < 0)
        {
            long overlap = -rel;
            if (overlap >= data.Length) return;                 // all of it was delivered before
            data = data[(int)overlap..];
            seq = d.Next;
            rel = 0;
        }
        if (rel == 0)
        {
            Deliver(side, data, s.Frame);
            d.Next = seq + (uint)data.Length;
            long rest = s.Len - s.Payload.Length;                // truncated capture (snaplen): the tail is missing
            if (rest > 0)
            {
                Gap(side, rest, s.Frame);
                d.Next += (uint)rest;
            }
            Drain(side);
        }
        else if (d.Held.Count < MaxHeldSegments)
        {
            d.Held[d.KeyOf(seq)] = (seq, data, s.Frame);
        }
    }

    /// <summary>Delivers held segments, lowest sequence first, until the next one lies beyond a hole.</summary>
    private void Drain(CaptureSide side)
    {
        var d = _dir[(int)side];
        while (d.Held.Count > 0)
        {
            var first = d.Held.First();
            var (seq, data, frame) = first.Value;
            long rel = (int)(seq - d.Next);
            if (rel > 0) return;
            d.Held.Remove(first.Key);
            if (-rel >= data.Length) continue;                  // already delivered
            var rest = data[(int)(-rel)..];
            Deliver(side, rest, frame);
            d.Next += (uint)rest.Length;
        }
    }

    private void Deliver(CaptureSide side, byte[] data, long frame)
    {
        OnData?.Invoke(side, data, 0, _current!);
        if (!_keepData) return;
        _dir[(int)side].All.Write(data);
        var dir = Dir(side);
        if (_openChunk != null && _chunks.Count > 0 && _chunks[^1] == _openChunk && _openChunk.DirectionValue == dir)
        {
            _openData.Write(data);                              // appended in place: merging arrays each time was quadratic
            _openChunk.LastFrame = frame;
        }
        else
        {
            CloseChunk();
            _openChunk = new TcpStreamChunk { DirectionValue = dir, FirstFrame = frame, LastFrame = frame };
            _openData.Write(data);
            _chunks.Add(_openChunk);
        }
    }

    /// <summary>Gives the chunk being filled its bytes.</summary>
    private void CloseChunk()
    {
        if (_openChunk == null) return;
        _openChunk.Data = _openData.ToArray();
        _openData.SetLength(0);
        _openChunk = null;
    }

    private void Gap(CaptureSide side, long bytes, long frame)
    {
        OnData?.Invoke(side, null, bytes, _current!);
        _dir[(int)side].Missing += bytes;
        if (!_keepData) return;
        CloseChunk();
        _chunks.Add(new TcpStreamChunk { DirectionValue = Dir(side), FirstFrame = frame, LastFrame = frame, MissingBytes = bytes });
    }

    private FlowDirection Dir(CaptureSide side) =>
        side == (_clientSide ?? CaptureSide.FirstSender) ? FlowDirection.ClientToServer : FlowDirection.ServerToClient;

    /// <summary>Ends the stream: held segments after holes are delivered with missing markers.</summary>
    public TcpStreamContent Finish()
    {
        foreach (var side in new[] { CaptureSide.FirstSender, CaptureSide.FirstReceiver })
        {
            var d = _dir[(int)side];
            while (d.Held.Count > 0)
            {
                var (seq, _, frame) = d.Held.First().Value;
                int rel = (int)(seq - d.Next);
                if (rel > 0) { Gap(side, rel, frame); d.Next = seq; }
                Drain(side);
            }
        }
        CloseChunk();
        // the client sent the SYN (or received the SYN-ACK); without a handshake, the endpoint with the higher port
        var c = _clientSide
            ?? (_a != null && _b != null && _a.Port < _b.Port ? CaptureSide.FirstReceiver : CaptureSide.FirstSender);
        bool clientFirst = c == CaptureSide.FirstSender;
        return new TcpStreamContent
        {
            Stream = Stream,
            Path = _path,
            ClientEndPoint = clientFirst ? _a! : _b!,
            ServerEndPoint = clientFirst ? _b! : _a!,
            Chunks = _chunks,
            ClientData = _dir[(int)c].All.ToArray(),
            ServerData = _dir[(int)c.Peer()].All.ToArray(),
            ClientMissingBytes = _dir[(int)c].Missing,
            ServerMissingBytes = _dir[(int)c.Peer()].Missing,
        };
    }
}
