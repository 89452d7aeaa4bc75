namespace Lab2Tools.Model;

/// <summary>One SACK block (RFC 2018): 32-bit left and right edges, raw and relative to the receiver's view.</summary>
public readonly record struct SackBlock(uint LeftEdge, uint RightEdge, uint LeftEdgeRaw, uint RightEdgeRaw)
{
    public override string ToString() => $"{LeftEdge}-{RightEdge}";
}
