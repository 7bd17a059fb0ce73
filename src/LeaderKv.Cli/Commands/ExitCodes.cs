namespace LeaderKv.Cli.Commands;

/// <summary>Process exit codes, so scripts can tell "the store said no" from "nothing answered".</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The node answered, but not with success: a mismatch, a missing key, a rejected write.</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments, or a node that could not be reached or started.</summary>
    public const int Error = 2;
}
