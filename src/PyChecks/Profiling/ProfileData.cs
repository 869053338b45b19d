using System.Runtime.InteropServices;
using PyChecks.Interop;

namespace PyChecks.Profiling;

/// <summary>
/// What a task recorded: the frame table, distinct stacks (root first) with their total weight, the samples in
/// order, and the runs. Mutated by the sampler under the session's lock; read by results under the same lock.
/// </summary>
internal sealed class ProfileData
{
    // Estimated costs, in bytes, of what the data keeps: enough to enforce a memory cap, not an exact account.
    private const int FrameBytes = 160;
    private const int StackBytes = 96;
    private const int SampleBytes = 40;
    private const int RunBytes = 96;

    private readonly Dictionary<(int CodeId, int Line), int> _frameIds = [];
    private readonly Dictionary<int[], int> _stackIds = new(StackComparer.Instance);
    private readonly Dictionary<int[], int>.AlternateLookup<ReadOnlySpan<int>> _stackLookup;
    private int _truncatedFrame = -1;

    public ProfileData() => _stackLookup = _stackIds.GetAlternateLookup<ReadOnlySpan<int>>();

    public List<ProfileFrame> Frames { get; } = [];

    /// <summary>Distinct stacks, frame ids root first.</summary>
    public List<int[]> Stacks { get; } = [];

    /// <summary>Total weight per stack, in ticks.</summary>
    public List<long> StackWeights { get; } = [];

    public List<StackSample> Samples { get; } = [];

    public Dictionary<long, RunRecord> Runs { get; } = [];

    /// <summary>The estimated bytes kept.</summary>
    public long Bytes { get; private set; }

    public long TruncatedSamples { get; private set; }

    public long SampledTicks { get; private set; }

    public void AddRun(RunRecord run)
    {
        Runs[run.RunId] = run;
        Bytes += RunBytes;
    }

    /// <summary>Records one sample.</summary>
    /// <param name="template">The sample, but for its stack id.</param>
    /// <param name="frames">The frames, innermost first.</param>
    /// <param name="truncated">Whether outermost frames were dropped.</param>
    /// <param name="codes">Resolves the frames' code objects.</param>
    /// <param name="scratch">At least <c>frames.Length + 1</c> ints.</param>
    public void Add(StackSample template, ReadOnlySpan<FrameSample> frames, bool truncated, CodeTable codes, Span<int> scratch)
    {
        // Root first: reverse the walk, with the truncation marker standing for the dropped outermost frames.
        int n = 0;
        if (truncated)
        {
            scratch[n++] = TruncatedFrame();
            TruncatedSamples++;
        }

        for (int i = frames.Length - 1; i >= 0; i--)
        {
            scratch[n++] = FrameId(frames[i], codes);
        }

        var key = scratch[..n];
        if (!_stackLookup.TryGetValue(key, out int stackId))
        {
            stackId = Stacks.Count;
            int[] stack = key.ToArray();
            Stacks.Add(stack);
            StackWeights.Add(0);
            _stackIds.Add(stack, stackId);
            Bytes += StackBytes + (4L * n);
        }

        CollectionsMarshal.AsSpan(StackWeights)[stackId] += template.WeightTicks;
        SampledTicks += template.WeightTicks;
        Samples.Add(template with { StackId = stackId });
        Bytes += SampleBytes;
    }

    /// <summary>
    /// Appends what a worker process's task sampled since its previous delta (the host's copy of a forwarded task),
    /// ids unchanged.
    /// </summary>
    /// <exception cref="InvalidDataException">The delta does not continue the data, or refers to a frame or stack it does not have.</exception>
    public void Append(ProfileDelta delta)
    {
        if (delta.FirstFrame != Frames.Count || delta.FirstStack != Stacks.Count || delta.FirstSample != Samples.Count)
        {
            throw new InvalidDataException(
                $"a profile delta starts at frame {delta.FirstFrame}, stack {delta.FirstStack} and sample {delta.FirstSample}, " +
                $"not where the task's data ends ({Frames.Count}, {Stacks.Count}, {Samples.Count})");
        }

        Frames.AddRange(delta.Frames);
        foreach (int[] stack in delta.Stacks)
        {
            foreach (int frame in stack)
            {
                if ((uint)frame >= (uint)Frames.Count)
                {
                    throw new InvalidDataException($"a profile stack refers to frame {frame} of {Frames.Count}");
                }
            }

            Stacks.Add(stack);
            StackWeights.Add(0);
        }

        foreach (var sample in delta.Samples)
        {
            if ((uint)sample.StackId >= (uint)Stacks.Count)
            {
                throw new InvalidDataException($"a profile sample refers to stack {sample.StackId} of {Stacks.Count}");
            }

            CollectionsMarshal.AsSpan(StackWeights)[sample.StackId] += sample.WeightTicks;
            SampledTicks += sample.WeightTicks;
            Samples.Add(sample);
        }

        foreach (var run in delta.RunRecords)
        {
            Runs[run.RunId] = run;
        }
    }

    private int FrameId(FrameSample frame, CodeTable codes)
    {
        if (!_frameIds.TryGetValue((frame.CodeId, frame.Line), out int id))
        {
            var code = codes[frame.CodeId];
            id = Frames.Count;
            Frames.Add(new ProfileFrame { Id = id, Name = code.QualifiedName, File = code.FileName, Line = frame.Line, FirstLine = code.FirstLine });
            _frameIds.Add((frame.CodeId, frame.Line), id);
            Bytes += FrameBytes + (2L * (code.QualifiedName.Length + code.FileName.Length));
        }

        return id;
    }

    private int TruncatedFrame()
    {
        if (_truncatedFrame < 0)
        {
            _truncatedFrame = Frames.Count;
            Frames.Add(new ProfileFrame { Id = _truncatedFrame, Name = ProfileFrame.TruncatedName, File = string.Empty, Line = 0, FirstLine = 0 });
            Bytes += FrameBytes;
        }

        return _truncatedFrame;
    }

    private sealed class StackComparer : IEqualityComparer<int[]>, IAlternateEqualityComparer<ReadOnlySpan<int>, int[]>
    {
        public static readonly StackComparer Instance = new();

        public bool Equals(int[]? x, int[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        public int GetHashCode(int[] obj) => Hash(obj);

        public bool Equals(ReadOnlySpan<int> alternate, int[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<int> alternate) => Hash(alternate);

        public int[] Create(ReadOnlySpan<int> alternate) => alternate.ToArray();

        private static int Hash(ReadOnlySpan<int> stack)
        {
            var hash = default(HashCode);
            hash.AddBytes(MemoryMarshal.AsBytes(stack));
            return hash.ToHashCode();
        }
    }
}
