namespace Lab2Tools.Capture;

/// <summary>
/// Where a live capture hands each frame, on its capture thread, and is told when the capture has ended.
/// The pipeline's <see cref="Pipeline.LiveSegmentSource"/> is the one that decodes and tracks them.
/// </summary>
public interface IFrameSink
{
    void Accept(in CaptureFrame frame, ReadOnlySpan<byte> data);

    /// <summary>The capture has ended: no frame follows.</summary>
    void Complete();
}
