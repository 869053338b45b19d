namespace PyChecks.Tool.Checks;

/// <summary>Where the <c>check</c> command looks for checks and configurations when its options do not say.</summary>
/// <param name="ConfigDirectoryText">The default configuration folder, as the usage text names it.</param>
/// <param name="ChecksDirectoryText">The default checks folder, as the usage text names it.</param>
/// <param name="Configure">Sets the options' defaults (folders, checks configured in code) before the arguments apply.</param>
internal sealed record CheckDefaults(string ConfigDirectoryText, string ChecksDirectoryText, Action<PyChecksOptions>? Configure)
{
    /// <summary>The tool's: <c>./conf.d</c> and <c>./checks.d</c>, when the current folder has them.</summary>
    public static CheckDefaults CurrentFolder { get; } = new("./conf.d", "./checks.d", options =>
    {
        options.ConfigDirectory = Directory.Exists("conf.d") ? Path.GetFullPath("conf.d") : null;
        options.ChecksDirectory = Directory.Exists("checks.d") ? Path.GetFullPath("checks.d") : null;
    });
}
