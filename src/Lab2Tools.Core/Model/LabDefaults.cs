namespace Lab2Tools.Model;

/// <summary>The lab's fixed choices, in one place.</summary>
public static class LabDefaults
{
    /// <summary>The lab server's port: Flask's development server's default, the port of the seed report.</summary>
    public const int Port = 5000;
}
