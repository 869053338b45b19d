namespace PyChecks.Obfuscation;

/// <summary>Obfuscation failed; the message is the Agent's for the same input, raised in Python as a <c>RuntimeError</c>.</summary>
internal sealed class ObfuscationException(string message) : Exception(message);
