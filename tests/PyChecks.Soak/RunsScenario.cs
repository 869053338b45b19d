namespace PyChecks.Soak;

internal static class RunsScenario
{
    public static void Run(SoakArguments arguments, Verdict verdict) => throw new NotImplementedException();
}
