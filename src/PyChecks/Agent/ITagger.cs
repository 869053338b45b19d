using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>
/// Answers the <c>tagger</c> built-in module (<c>tagger.tag(entity_id, cardinality)</c>): the tags of an entity such as
/// <c>container_id://…</c>. Register an implementation (<c>services.AddSingleton&lt;ITagger, MyTagger&gt;()</c>) or set
/// <see cref="AgentServices.Tagger"/>; the default knows no entity.
/// </summary>
/// <remarks>Called on the check's thread with the GIL held: answer from memory, do not block.</remarks>
[Experimental("PYCHECKS002")]
public interface ITagger
{
    /// <summary>The tags of <paramref name="entityId"/>; empty when it is unknown.</summary>
    IReadOnlyList<string> Tag(string entityId, TagCardinality cardinality);
}
