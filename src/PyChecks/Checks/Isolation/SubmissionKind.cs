namespace PyChecks.Checks.Isolation;

/// <summary>The kind byte of one record in a <see cref="MessageType.Submissions"/> frame.</summary>
internal enum SubmissionKind : byte
{
    Metric = 1,
    ServiceCheck = 2,
    HistogramBucket = 3,
    Event = 4,
    Log = 5,
    ExternalTags = 6,
    EventPlatformEvent = 7,
    Commit = 8,
}
