using System.Management.Automation;

namespace Lab2Tools.Commands.Internal;

/// <summary>
/// Selects session-like objects (lab servers, captures) by -Name (wildcards), -Id or from the pipeline, and
/// writes an ObjectNotFound error for a name or id that matches nothing.
/// </summary>
public abstract class SelectionCmdlet<T> : PSCmdlet where T : class
{
    protected const string NameSet = "Name";
    protected const string IdSet = "Id";
    protected const string InputSet = "InputObject";

    /// <summary>Names; wildcards allowed.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SessionObjectCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Ids.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SessionObjectCompleter))]
    public int[] Id { get; set; } = Array.Empty<int>();

    /// <summary>Objects from the pipeline.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputSet, ValueFromPipeline = true)]
    public T[] InputObject { get; set; } = Array.Empty<T>();

    protected abstract IEnumerable<T> All { get; }
    protected abstract string NameOf(T item);
    protected abstract int IdOf(T item);
    /// <summary>e.g. "LabServerNotFound": the error for a name or id that matches nothing (its messages: .Id and .Name).</summary>
    protected abstract string NotFoundErrorId { get; }

    protected IEnumerable<T> Selected()
    {
        if (ParameterSetName == InputSet)
        {
            foreach (var s in InputObject) yield return s;
            yield break;
        }
        if (ParameterSetName == IdSet)
        {
            foreach (int id in Id)
            {
                var s = All.FirstOrDefault(x => IdOf(x) == id);
                if (s == null) NotFound("Id", id);
                else yield return s;
            }
            yield break;
        }
        if (Name == null || Name.Length == 0)
        {
            foreach (var s in All) yield return s;
            yield break;
        }
        foreach (var n in Name)
        {
            var pattern = WildcardPattern.Get(n, WildcardOptions.IgnoreCase);
            var found = All.Where(s => pattern.IsMatch(NameOf(s))).ToList();
            if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(n)) NotFound("Name", n);
            foreach (var s in found) yield return s;
        }
    }

    private void NotFound(string by, object target) =>
        WriteError(Errors.RaiseAs(NotFoundErrorId, $"{NotFoundErrorId}.{by}", m => new ItemNotFoundException(m), target, target));
}
