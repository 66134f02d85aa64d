namespace Intune.CommandLine;

/// <summary>
/// What a command's exit code says went wrong, the same for every Intune.Cluster CLI, so scripts
/// can tell "fix your arguments" from "try again later".
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad arguments or configuration; also System.CommandLine's own code for a parse error.</summary>
    public const int Usage = 1;

    /// <summary>The tenant, unit or other thing named does not exist.</summary>
    public const int NotFound = 2;

    /// <summary>Understood but refused in the current state: a conflict, a precondition, a policy (restrictions, limits).</summary>
    public const int Refused = 3;

    /// <summary>A scale unit, the storage or the gateway could not be reached; trying again later may work.</summary>
    public const int Unavailable = 4;

    /// <summary>The work started and part of it failed (a verification, some devices).</summary>
    public const int Failed = 5;

    /// <summary>The line each CLI's <c>--help</c> shows.</summary>
    public const string Help =
        "Exit codes: 0 ok, 1 usage (bad arguments or configuration), 2 not found, 3 refused (conflict, precondition, policy), 4 unavailable (unit, storage or gateway unreachable), 5 failed part-way.";
}
