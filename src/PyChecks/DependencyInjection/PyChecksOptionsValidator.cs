using Microsoft.Extensions.Options;

namespace PyChecks.DependencyInjection;

/// <summary>Validates <see cref="PyChecksOptions"/> at start: the data annotations on the options, generated at build time.</summary>
[OptionsValidator]
internal sealed partial class PyChecksOptionsValidator : IValidateOptions<PyChecksOptions>
{
}
