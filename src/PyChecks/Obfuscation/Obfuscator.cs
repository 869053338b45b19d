namespace PyChecks.Obfuscation;

/// <summary>
/// What <c>datadog_agent</c>'s obfuscation functions answer: SQL statements, SQL execution plans (JSON, PostgreSQL and
/// MySQL) and MongoDB commands, with the Agent's default settings and its messages on failure
/// (<see cref="ObfuscationException"/>). One instance serves the process, as in the Agent.
/// </summary>
internal sealed class Obfuscator
{
    private readonly JsonObfuscator _execPlan;
    private readonly JsonObfuscator _execPlanNormalize;
    private readonly JsonObfuscator _mongo;

    public Obfuscator()
    {
        _execPlan = new JsonObfuscator(ObfuscationKeys.ExecPlanObfuscateKeepValues, ObfuscationKeys.ExecPlanSqlValues, Sql);
        _execPlanNormalize = new JsonObfuscator(ObfuscationKeys.ExecPlanNormalizeKeepValues, ObfuscationKeys.ExecPlanSqlValues, Sql);
        _mongo = new JsonObfuscator(ObfuscationKeys.MongoKeepValues, [], Sql);
    }

    /// <summary>The obfuscator every check of the process shares.</summary>
    public static Obfuscator Shared { get; } = new();

    /// <summary>The SQL obfuscator, also used for the SQL inside execution plans.</summary>
    public SqlObfuscator Sql { get; } = new();

    /// <summary>
    /// <c>obfuscate_sql(query, options)</c>: the obfuscated query, or with <c>return_json_metadata</c> the JSON of
    /// the query and its metadata. Bad options fail with Go's message, as in the Agent.
    /// </summary>
    public string ObfuscateSql(string query, string optionsJson)
    {
        var options = SqlObfuscationOptionsReader.Read(optionsJson, out string? optionsError);
        var result = Sql.Obfuscate(query, options); // the obfuscation's error comes first, as in the Agent
        if (optionsError is not null)
        {
            throw new ObfuscationException(optionsError);
        }

        return options.ReturnJsonMetadata ? result.ToJson() : result.Query;
    }

    /// <summary><c>obfuscate_sql_exec_plan(plan, normalize)</c>: normalizing also drops costs and row estimates.</summary>
    public string ObfuscateSqlExecPlan(string plan, bool normalize)
    {
        string result = (normalize ? _execPlanNormalize : _execPlan).Obfuscate(plan, out string? error);
        return error is null ? result : throw new ObfuscationException(error);
    }

    /// <summary><c>obfuscate_mongodb_string(command)</c>: invalid JSON is obfuscated as far as it reads, then <c>...</c>.</summary>
    public string ObfuscateMongoDbString(string command)
    {
        if (command.Length == 0)
        {
            throw new ObfuscationException("Empty MongoDB command");
        }

        string result = _mongo.Obfuscate(command, out _);
        return result.Length > 0 ? result : throw new ObfuscationException("Failed to obfuscate MongoDB command");
    }
}
