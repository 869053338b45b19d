namespace PyChecks.Checks.Isolation;

/// <summary>A worker's answer to a load: the instance's identity, or each loader's reason for refusing it.</summary>
internal sealed record LoadAnswer(CheckIdentityInWorker? Identity, IReadOnlyList<(string Loader, string Error)> Errors);
