namespace PyChecks.Obfuscation;

/// <summary>What a byte of JSON was to the <see cref="JsonScanner"/>.</summary>
internal enum JsonScanOp
{
    /// <summary>An uninteresting byte (inside a literal).</summary>
    Continue,

    /// <summary>The first byte of a literal (string, number, true, false, null).</summary>
    BeginLiteral,

    /// <summary>An object begins: <c>{</c>.</summary>
    BeginObject,

    /// <summary>An object key just ended: the <c>:</c>.</summary>
    ObjectKey,

    /// <summary>A value of an object just ended, not the last: the <c>,</c>.</summary>
    ObjectValue,

    /// <summary>An object ends: <c>}</c>.</summary>
    EndObject,

    /// <summary>An array begins: <c>[</c>.</summary>
    BeginArray,

    /// <summary>An element of an array just ended, not the last: the <c>,</c>.</summary>
    ArrayValue,

    /// <summary>An array ends: <c>]</c>.</summary>
    EndArray,

    /// <summary>Whitespace between tokens.</summary>
    SkipSpace,

    /// <summary>The top-level value ended before this byte.</summary>
    End,

    /// <summary>Invalid JSON: <see cref="JsonScanner.Error"/> says why.</summary>
    Error,
}
