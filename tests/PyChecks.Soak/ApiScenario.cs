namespace PyChecks.Soak;

internal static class ApiScenario
{
    public static void Run(SoakArguments arguments, Verdict verdict) => throw new NotImplementedException();
}
