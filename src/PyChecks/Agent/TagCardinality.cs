using System.Diagnostics.CodeAnalysis;

namespace PyChecks;

/// <summary>How many tags <see cref="ITagger"/> returns for an entity (the <c>tagger</c> module's constants).</summary>
[Experimental("PYCHECKS002")]
public enum TagCardinality
{
    /// <summary><c>tagger.LOW</c>: tags with few values (image, service).</summary>
    Low = 0,

    /// <summary><c>tagger.ORCHESTRATOR</c>: low, plus orchestrator-level tags (pod name).</summary>
    Orchestrator = 1,

    /// <summary><c>tagger.HIGH</c>: every tag, container ids included.</summary>
    High = 2,
}
