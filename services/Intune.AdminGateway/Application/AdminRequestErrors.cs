namespace Intune.AdminGateway.Application;

/// <summary>
/// Input an admin operation cannot accept (missing or out-of-range values, unknown names).
/// Each front translates it: Graph REST answers 400, gRPC <c>InvalidArgument</c>.
/// </summary>
public sealed class AdminInputException(string message) : Exception(message);

/// <summary>
/// A well-formed request the resource's current state refuses (a built-in role, a role still
/// assigned). Graph REST answers 400 as Intune does; gRPC says <c>FailedPrecondition</c>.
/// </summary>
public sealed class AdminPreconditionException(string message) : Exception(message);
