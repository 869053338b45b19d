using BenchmarkDotNet.Attributes;
using PyChecks.Checks.Isolation;

namespace PyChecks.Benchmarks;

/// <summary>
/// B8, Python on every core: <see cref="Instances"/> instances of a CPU-bound pure-Python check (it parses a 200 KB
/// OpenMetrics text with <c>str.split</c> and <c>re</c>) all run at once, in process (one interpreter, one GIL) against
/// the same instances spread over two worker processes (<see cref="WorkerProcessOptions.Count"/> = 2), in the same host.
/// One operation is one check run; throughput is its inverse (runs/s), and the speed-up is the ratio of the two.
/// </summary>
/// <remarks>
/// An invocation starts a run of every instance of its kind from the benchmark thread and waits for all of them. In
/// process the runs share the host's two Python threads and its GIL; in Process mode each worker holds half the
/// instances (the pool assigns them in turn) and runs them on its own two Python threads under its own GIL. The text is
/// generated at import, the same bytes on every Python. Target: ≥ 1.8 × the in-process throughput on 2 cores.
/// </remarks>
[Config(typeof(BenchmarkConfig))]
public class PythonOnEveryCore
{
    /// <summary>Instances of each kind, and runs per invocation.</summary>
    public const int Instances = 8;

    /// <summary>The worker processes the Process-mode instances are spread over.</summary>
    public const int WorkerProcesses = 2;

    /// <summary>Samples and families in the generated text, and the sum of the samples' values, as every run must find them.</summary>
    private const double Samples = 2_260, Families = 113, ValueSum = 1_123_754_906.0;

    private const string Source = """
        import re
        from pychecks import AgentCheck

        METHODS = ('GET', 'POST', 'PUT', 'DELETE')
        CODES = ('200', '201', '404', '500', '503')


        def exposition(size):
            # A deterministic OpenMetrics text of at least size bytes: counter families of 20 labelled samples each.
            lines = []
            length = 0
            family = 0
            while length < size:
                name = 'app_http_requests_%d' % family
                block = ['# HELP %s Requests handled, by method, code and path.' % name, '# TYPE %s counter' % name]
                for i in range(20):
                    value = (family * 7919 + i * 104729) % 1000003
                    block.append('%s_total{method="%s",code="%s",path="/api/v%d/items/%d"} %d.%d' % (
                        name, METHODS[i % 4], CODES[i % 5], family % 3, i, value, i % 10))
                for line in block:
                    length += len(line) + 1
                lines.extend(block)
                family += 1
            lines.append('# EOF')
            return '\n'.join(lines) + '\n'


        TEXT = exposition(200 * 1024)
        SAMPLE = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)')
        LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


        def parse(text):
            # Families (name -> type) and samples (name, labels, value) of an OpenMetrics text.
            types = {}
            samples = []
            for line in text.split('\n'):
                if not line:
                    continue
                if line[0] == '#':
                    parts = line.split(' ', 3)
                    if len(parts) == 4 and parts[1] == 'TYPE':
                        types[parts[2]] = parts[3]
                    continue
                match = SAMPLE.match(line)
                labels = dict(LABEL.findall(match.group(2))) if match.group(2) else {}
                samples.append((match.group(1), labels, float(match.group(3))))
            return types, samples


        class B8Check(AgentCheck):
            def check(self, instance):
                types, samples = parse(TEXT)
                self.gauge('b8.samples', len(samples))
                self.gauge('b8.families', len(types))
                self.gauge('b8.value_sum', sum(value for _, _, value in samples))
        """;

    private readonly CountingSender _sender = new();
    private CheckHost? _host;
    private ICheck[] _inProcess = [];
    private ICheck[] _inWorkers = [];
    private CpuSplit? _cpu;
    private long _runs;

    /// <summary>The B8 check module: <see cref="Instances"/> instances in process, then as many in worker processes.</summary>
    internal static CheckModule Module => new("b8", Source, [
        .. Enumerable.Range(0, Instances).Select(static i => Instance(i, "in_process")),
        .. Enumerable.Range(0, Instances).Select(static i => Instance(i, "process"))]);

    /// <summary>Starts a host with two worker processes, loads every instance, and checks what one run of each finds.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var (host, checks) = PythonHost.StartChecks([Module], _sender, [], static o => o.WorkerProcesses.Count = WorkerProcesses);
        _host = host;
        Attach(checks, _sender);
        _cpu = new CpuSplit("B8", () => WorkerProcessSubmission.WorkerPids(host));
        _cpu.Start();
    }

    /// <summary>
    /// Takes the instances of <see cref="Module"/>, loaded by a host with <see cref="WorkerProcesses"/> worker processes
    /// that delivers to <paramref name="sender"/> (before any other Process-mode instance, so that the pool spreads them
    /// evenly), and checks what one run of each finds.
    /// </summary>
    internal void Attach(IReadOnlyList<ICheck> checks, CountingSender sender)
    {
        _inProcess = [.. checks.Take(Instances)];
        _inWorkers = [.. checks.Skip(Instances)];
        if (_inProcess.Any(static c => c is ProcessCheck) || !_inWorkers.All(static c => c is ProcessCheck))
        {
            throw new InvalidOperationException("the B8 instances do not run where their 'isolation' key says");
        }

        foreach (var check in checks)
        {
            double before = sender.Sum;
            var result = PythonHost.RunOnce(check);
            if (result.Metrics != 3 || Math.Abs(sender.Sum - before - (Samples + Families + ValueSum)) > 1)
            {
                throw new InvalidOperationException($"{check.Id}: {result.Metrics} metrics summing to {sender.Sum - before}, not {Samples} samples of {Families} families summing to {ValueSum}");
            }
        }

        var perWorker = _inWorkers.Cast<ProcessCheck>().GroupBy(static c => c.Slot.Index).Select(static g => g.Count()).ToList();
        if (perWorker.Count != WorkerProcesses || perWorker.Any(static n => n != Instances / WorkerProcesses))
        {
            throw new InvalidOperationException($"the instances are spread over the worker processes as [{string.Join(", ", perWorker)}], not evenly");
        }
    }

    /// <summary>Prints the CPU time per run of the host and the workers, and shuts Python and the worker processes down.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _cpu?.Print(_runs, "run");
        _host?.Dispose();
    }

    /// <summary>Every in-process instance once, all at once.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Instances)]
    public int InProcess() => RunAll(_inProcess);

    /// <summary>Every worker-process instance once, all at once.</summary>
    [Benchmark(OperationsPerInvoke = Instances)]
    public int InWorkerProcesses() => RunAll(_inWorkers);

    private int RunAll(ICheck[] checks)
    {
        _runs += checks.Length;
        var runs = new Task<CheckRunResult>[checks.Length];
        for (int i = 0; i < checks.Length; i++)
        {
            runs[i] = checks[i].RunAsync();
        }

        int metrics = 0;
        foreach (var run in runs)
        {
            var result = run.GetAwaiter().GetResult();
            metrics += result.Succeeded ? result.Metrics : throw new InvalidOperationException($"{result.CheckId} failed: {result.Error}");
        }

        return metrics;
    }

    private static Dictionary<string, object?> Instance(int index, string isolation) =>
        new() { ["name"] = $"i{index}", ["isolation"] = isolation };
}
