namespace PyChecks.Sample;

/// <summary>The sample's check configuration: <c>checks.d</c> and <c>conf.d</c> next to the executable, and one check configured in code.</summary>
internal static class SampleChecks
{
    /// <summary>The sample's <c>checks.d</c>.</summary>
    public static string ChecksDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "checks.d");

    /// <summary>The sample's <c>conf.d</c>.</summary>
    public static string ConfigDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "conf.d");

    /// <summary>Points <paramref name="options"/> at the sample's checks, and adds the <c>http_probe</c> check of <paramref name="healthUrl"/>.</summary>
    public static void Configure(PyChecksOptions options, string healthUrl)
    {
        options.ChecksDirectory = ChecksDirectory;
        options.ConfigDirectory = ConfigDirectory;
        options.Checks.Add(HttpProbe(healthUrl));
    }

    /// <summary>
    /// The <c>http_probe</c> check of a URL. Configured in code rather than in <c>conf.d</c> because the port of the
    /// sample's own endpoint is chosen by the OS at startup.
    /// </summary>
    public static CheckConfig HttpProbe(string url) => new()
    {
        Name = "http_probe",
        Instances =
        [
            new Dictionary<string, object?>
            {
                ["url"] = url,
                ["content_match"] = "\"status\": \"ok\"",
                ["skip_proxy"] = true,
                ["timeout"] = 2L,
                ["min_collection_interval"] = 5L,
                ["tags"] = new List<object?> { "endpoint:health" },
            },
        ],
    };
}
