using System.Management.Automation;

namespace Lab2Tools.Commands.Internal;

/// <summary>Builds ErrorRecords with a stable id, a precise category, the failing thing as target and a recommended action.</summary>
internal static class Errors
{
    public static ErrorRecord Create(Exception exception, string errorId, ErrorCategory category, object? target, string? recommendedAction = null, string? message = null)
    {
        var record = new ErrorRecord(exception, errorId, category, target);
        if (recommendedAction != null || message != null)
            record.ErrorDetails = new ErrorDetails(message ?? exception.Message) { RecommendedAction = recommendedAction ?? string.Empty };
        return record;
    }

    public static ErrorRecord Create(string message, string errorId, ErrorCategory category, object? target, string? recommendedAction = null) =>
        Create(new InvalidOperationException(message), errorId, category, target, recommendedAction, message);
}
