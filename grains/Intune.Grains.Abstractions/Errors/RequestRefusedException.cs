namespace Intune.Grains.Errors;

/// <summary>
/// The application's refusals, thrown by grains and the admin application layer alike and
/// translated once per front: the Graph REST endpoints answer Graph's error envelope, the admin
/// gRPC services a <c>StatusCode</c>. The message is written for the admin reading it and is shown
/// as it is; nothing else of the exception (type, stack) reaches a client. Orleans-serializable,
/// so a grain's refusal keeps its type and message across the grain call.
/// </summary>
[GenerateSerializer, Alias("intune.RequestRefusedException")]
public abstract class RequestRefusedException(string message) : Exception(message);

/// <summary>
/// Input the operation cannot accept: missing, malformed or out-of-range values, unknown names.
/// REST 400 <c>BadRequest</c>, gRPC <c>InvalidArgument</c>. <see cref="Field"/> names the
/// offending field when one is to blame.
/// </summary>
[GenerateSerializer, Alias("intune.InvalidRequestException")]
public sealed class InvalidRequestException(string message, string? field = null) : RequestRefusedException(message)
{
    [Id(0)]
    public string? Field { get; private set; } = field;
}

/// <summary>
/// The object does not exist in the caller's tenant (another tenant's object is not found either).
/// REST 404 <c>ResourceNotFound</c>, gRPC <c>NotFound</c>.
/// </summary>
[GenerateSerializer, Alias("intune.NotFoundException")]
public sealed class NotFoundException(string message) : RequestRefusedException(message);

/// <summary>
/// A well-formed request the resource's current state refuses (a built-in role, a role still
/// assigned, a tenant not created yet). REST 400 <c>BadRequest</c>, as Intune answers these;
/// gRPC <c>FailedPrecondition</c>.
/// </summary>
[GenerateSerializer, Alias("intune.ConflictException")]
public sealed class ConflictException(string message) : RequestRefusedException(message);

/// <summary>The caller may not do this. REST 403 <c>Forbidden</c>, gRPC <c>PermissionDenied</c>.</summary>
[GenerateSerializer, Alias("intune.ForbiddenException")]
public sealed class ForbiddenException(string message) : RequestRefusedException(message);

/// <summary>
/// Too many requests; retry after <see cref="RetryAfter"/>. REST 429 <c>TooManyRequests</c> with
/// <c>Retry-After</c>, gRPC <c>ResourceExhausted</c>.
/// </summary>
[GenerateSerializer, Alias("intune.ThrottledException")]
public sealed class ThrottledException(string message, TimeSpan retryAfter) : RequestRefusedException(message)
{
    [Id(0)]
    public TimeSpan RetryAfter { get; private set; } = retryAfter;
}

/// <summary>
/// The service cannot serve the request now (a tenant on the move, a unit not answering); retry
/// later. REST 503 <c>serviceNotAvailable</c> with <c>Retry-After</c>, gRPC <c>Unavailable</c>.
/// </summary>
[GenerateSerializer, Alias("intune.UnavailableException")]
public sealed class UnavailableException(string message, TimeSpan retryAfter) : RequestRefusedException(message)
{
    [Id(0)]
    public TimeSpan RetryAfter { get; private set; } = retryAfter;
}
