namespace PyChecks.Checks.Isolation;

/// <summary>The type byte in front of a configuration value in a frame.</summary>
internal enum ValueTag : byte
{
    Null = 0,
    False = 1,
    True = 2,
    Integer = 3,
    BigInteger = 4,
    Double = 5,
    String = 6,
    List = 7,
    Map = 8,
}
