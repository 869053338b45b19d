using PyChecks.Profiling;

namespace PyChecks.Checks.Isolation;

/// <summary>
/// The fields of the profiling messages: the request a host forwards (<see cref="MessageType.ProfileStart"/>), and the
/// deltas a worker sends back (<see cref="MessageType.ProfileProgress"/>, <see cref="MessageType.ProfileDone"/>): state,
/// quality, then the frames, stacks, samples and runs new since the previous delta. Times are <c>Stopwatch</c> ticks:
/// the worker runs on the host's runtime, on the same machine.
/// </summary>
internal static class ProfileMessages
{
    public static void WriteRequest(FrameWriter writer, ValidRequest request)
    {
        writer.WriteString(request.CheckId);
        writer.WriteVarInt(request.Duration.Ticks);
        writer.WriteVarInt(request.Interval.Ticks);
        writer.WriteVarUInt((ulong)request.MaxDepth);
        writer.WriteVarInt(request.MinRunDuration.Ticks);
        writer.WriteVarInt(request.MaxRuns ?? -1);
    }

    /// <exception cref="InvalidDataException">A field is out of the range a host sends.</exception>
    public static ValidRequest ReadRequest(ref FrameReader reader)
    {
        string checkId = reader.ReadRequiredString();
        var duration = TimeSpan.FromTicks(reader.ReadVarInt());
        var interval = TimeSpan.FromTicks(reader.ReadVarInt());
        ulong maxDepth = reader.ReadVarUInt();
        var minRun = TimeSpan.FromTicks(reader.ReadVarInt());
        long maxRuns = reader.ReadVarInt();
        if (interval <= TimeSpan.Zero || maxDepth is < 1 or > ProfileRequest.MaxDepthLimit || minRun < TimeSpan.Zero || maxRuns is 0 or < -1 or > int.MaxValue)
        {
            throw new InvalidDataException("a profile request out of range");
        }

        return new ValidRequest(checkId, duration, interval, (int)maxDepth, minRun, maxRuns < 0 ? null : (int)maxRuns);
    }

    public static void WriteDelta(FrameWriter writer, ProfileDelta delta)
    {
        writer.WriteVarUInt((ulong)delta.State);
        writer.WriteString(delta.Reason);
        writer.WriteVarUInt((ulong)delta.Runs);
        var q = delta.Quality;
        writer.WriteVarUInt((ulong)q.Samples);
        writer.WriteVarUInt((ulong)q.TruncatedSamples);
        writer.WriteVarInt(q.SampledTime.Ticks);
        writer.WriteDouble(q.RequestedHz);
        writer.WriteDouble(q.AchievedHz);
        writer.WriteVarInt(q.GilWaitP50.Ticks);
        writer.WriteVarInt(q.GilWaitP99.Ticks);
        writer.WriteVarInt(q.HoldP50.Ticks);
        writer.WriteVarInt(q.HoldP99.Ticks);

        writer.WriteVarUInt((ulong)delta.FirstFrame);
        writer.WriteVarUInt((ulong)delta.Frames.Length);
        foreach (var frame in delta.Frames)
        {
            writer.WriteString(frame.Name);
            writer.WriteString(frame.File);
            writer.WriteVarInt(frame.Line);
            writer.WriteVarInt(frame.FirstLine);
        }

        writer.WriteVarUInt((ulong)delta.FirstStack);
        writer.WriteVarUInt((ulong)delta.Stacks.Length);
        foreach (int[] stack in delta.Stacks)
        {
            writer.WriteVarUInt((ulong)stack.Length);
            foreach (int frame in stack)
            {
                writer.WriteVarUInt((ulong)frame);
            }
        }

        writer.WriteVarUInt((ulong)delta.FirstSample);
        writer.WriteVarUInt((ulong)delta.Samples.Length);
        foreach (var sample in delta.Samples)
        {
            writer.WriteVarInt(sample.RunId);
            writer.WriteVarUInt((ulong)sample.Sequence);
            writer.WriteVarInt(sample.OffsetTicks);
            writer.WriteVarUInt((ulong)sample.StackId);
            writer.WriteVarInt(sample.WeightTicks);
        }

        writer.WriteVarUInt((ulong)delta.RunRecords.Length);
        foreach (var run in delta.RunRecords)
        {
            writer.WriteVarInt(run.RunId);
            writer.WriteVarUInt(run.ThreadId);
            writer.WriteVarInt(run.AttachedTicks);
            writer.WriteBool(run.DetachedTicks.HasValue);
            writer.WriteVarInt(run.DetachedTicks ?? 0);
        }
    }

    /// <exception cref="InvalidDataException">The frame is cut short or holds a value no worker sends.</exception>
    public static ProfileDelta ReadDelta(ref FrameReader reader)
    {
        ulong state = reader.ReadVarUInt();
        if (state > (ulong)ProfileTaskState.Failed)
        {
            throw new InvalidDataException($"an unknown profile task state {state}");
        }

        string? reason = reader.ReadString();
        int runs = Int(reader.ReadVarUInt());
        var quality = new ProfileQuality
        {
            Samples = Int(reader.ReadVarUInt()),
            TruncatedSamples = Int(reader.ReadVarUInt()),
            SampledTime = TimeSpan.FromTicks(reader.ReadVarInt()),
            RequestedHz = reader.ReadDouble(),
            AchievedHz = reader.ReadDouble(),
            GilWaitP50 = TimeSpan.FromTicks(reader.ReadVarInt()),
            GilWaitP99 = TimeSpan.FromTicks(reader.ReadVarInt()),
            HoldP50 = TimeSpan.FromTicks(reader.ReadVarInt()),
            HoldP99 = TimeSpan.FromTicks(reader.ReadVarInt()),
        };

        int firstFrame = Int(reader.ReadVarUInt());
        var frames = new ProfileFrame[reader.ReadCount()];
        for (int i = 0; i < frames.Length; i++)
        {
            frames[i] = new ProfileFrame
            {
                Id = firstFrame + i,
                Name = reader.ReadRequiredString(),
                File = reader.ReadRequiredString(),
                Line = (int)reader.ReadVarInt(),
                FirstLine = (int)reader.ReadVarInt(),
            };
        }

        int firstStack = Int(reader.ReadVarUInt());
        int[][] stacks = new int[reader.ReadCount()][];
        for (int i = 0; i < stacks.Length; i++)
        {
            int[] stack = new int[reader.ReadCount()];
            for (int f = 0; f < stack.Length; f++)
            {
                stack[f] = Int(reader.ReadVarUInt());
            }

            stacks[i] = stack;
        }

        int firstSample = Int(reader.ReadVarUInt());
        var samples = new StackSample[reader.ReadCount()];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = new StackSample(reader.ReadVarInt(), Int(reader.ReadVarUInt()), reader.ReadVarInt(), Int(reader.ReadVarUInt()), reader.ReadVarInt());
        }

        var records = new RunRecord[reader.ReadCount()];
        for (int i = 0; i < records.Length; i++)
        {
            var run = new RunRecord(reader.ReadVarInt(), reader.ReadVarUInt(), reader.ReadVarInt());
            bool detached = reader.ReadBool();
            long detachedTicks = reader.ReadVarInt();
            run.DetachedTicks = detached ? detachedTicks : null;
            records[i] = run;
        }

        return new ProfileDelta
        {
            State = (ProfileTaskState)state,
            Reason = reason,
            Runs = runs,
            Quality = quality,
            FirstFrame = firstFrame,
            Frames = frames,
            FirstStack = firstStack,
            Stacks = stacks,
            FirstSample = firstSample,
            Samples = samples,
            RunRecords = records,
        };
    }

    private static int Int(ulong value) => value <= int.MaxValue ? (int)value : throw new InvalidDataException($"a profile count or index of {value}, beyond what a task holds");
}
