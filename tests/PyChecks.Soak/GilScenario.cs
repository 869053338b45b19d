namespace PyChecks.Soak;

internal static class GilScenario
{
    public static void Run(SoakArguments arguments, Verdict verdict) => throw new NotImplementedException();
}
