namespace PyChecks.AspNetCore.Json;

/// <summary>The memory figures in <see cref="StatusResponse"/>; <c>GET memory</c> has them all.</summary>
internal sealed record MemorySummary(long NativeInUseBytes, long NativeAllocations, long? PythonAllocatedBlocks, long? PythonTracedBytes);
