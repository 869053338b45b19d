namespace PyChecks.Checks;

/// <summary>Which <see cref="ISender"/> method takes each kind of report, for the router's one deliver loop.</summary>
internal sealed partial class SubmissionRouter
{
    /// <summary>Hands one kind of report to a sender.</summary>
    private interface ISubmit<TReport>
        where TReport : allows ref struct
    {
        static abstract void To(ISender sender, scoped in TReport report);
    }

    /// <summary>Every kind: a struct, so each loop is compiled with its own direct call.</summary>
    private readonly struct Submit :
        ISubmit<MetricSample>,
        ISubmit<ServiceCheckSample>,
        ISubmit<HistogramBucketSample>,
        ISubmit<CheckEvent>,
        ISubmit<CheckLog>,
        ISubmit<ExternalHostTags>,
        ISubmit<EventPlatformEvent>,
        ISubmit<CheckRunSummary>
    {
        public static void To(ISender sender, scoped in MetricSample report) => sender.SubmitMetric(report);

        public static void To(ISender sender, scoped in ServiceCheckSample report) => sender.SubmitServiceCheck(report);

        public static void To(ISender sender, scoped in HistogramBucketSample report) => sender.SubmitHistogramBucket(report);

        public static void To(ISender sender, scoped in CheckEvent report) => sender.SubmitEvent(report);

        public static void To(ISender sender, scoped in CheckLog report) => sender.SubmitLog(report);

        public static void To(ISender sender, scoped in ExternalHostTags report) => sender.SetExternalTags(report);

        public static void To(ISender sender, scoped in EventPlatformEvent report) => sender.SubmitEventPlatformEvent(report);

        public static void To(ISender sender, scoped in CheckRunSummary report) => sender.Commit(report);
    }
}
