using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace PyChecks.Benchmarks.Quick;

/// <summary>One benchmark method measured by the quick mode: the method itself, invoked on a thread of its own.</summary>
internal sealed class QuickCase
{
    private QuickCase(string name, Action invoke, int operationsPerInvoke)
    {
        Name = name;
        Invoke = invoke;
        OperationsPerInvoke = operationsPerInvoke;
    }

    /// <summary>The benchmark method's name.</summary>
    public string Name { get; }

    /// <summary>One invocation of the method.</summary>
    public Action Invoke { get; }

    /// <summary>The operations one invocation performs (the method's <see cref="BenchmarkAttribute.OperationsPerInvoke"/>).</summary>
    public int OperationsPerInvoke { get; }

    /// <summary>The benchmark method <paramref name="method"/> of <paramref name="instance"/>, whose set-up has run.</summary>
    public static QuickCase Of(object instance, string method)
    {
        var info = instance.GetType().GetMethod(method, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"{instance.GetType().Name} has no method {method}");
        var attribute = info.GetCustomAttribute<BenchmarkAttribute>()
            ?? throw new InvalidOperationException($"{instance.GetType().Name}.{method} is not a benchmark");
        Action invoke;
        if (info.ReturnType == typeof(void))
        {
            invoke = info.CreateDelegate<Action>(instance);
        }
        else
        {
            // A typed delegate keeps reflection's cost out of the timed region.
            var typed = Delegate.CreateDelegate(typeof(Func<>).MakeGenericType(info.ReturnType), instance, info);
            var discard = typeof(QuickCase).GetMethod(nameof(Discard), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(info.ReturnType);
            invoke = (Action)discard.Invoke(null, [typed])!;
        }

        return new QuickCase(method, invoke, attribute.OperationsPerInvoke);
    }

    private static Action Discard<T>(Func<T> function) => () => _ = function();
}
