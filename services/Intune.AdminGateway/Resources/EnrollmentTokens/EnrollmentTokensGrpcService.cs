using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.Admin.V1;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;
using Intune.Grains.Errors;
using Intune.Grains.Tenants;

namespace Intune.AdminGateway.Resources.EnrollmentTokens;

/// <summary><c>intune.admin.v1.EnrollmentTokens</c>: create and list; the secret appears only in the answer to create.</summary>
internal sealed class EnrollmentTokensGrpcService(EnrollmentTokenService tokens, AuditRecorder audit) : Admin.V1.EnrollmentTokens.EnrollmentTokensBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(CreateEnrollmentToken)] = EnrollmentTokenOperations.Create,
        [nameof(ListEnrollmentTokens)] = EnrollmentTokenOperations.List,
    };

    public override async Task<EnrollmentToken> CreateEnrollmentToken(CreateEnrollmentTokenRequest request, ServerCallContext context)
    {
        if (request.LifetimeHours is < 1 or > 8760)
        {
            throw new InvalidRequestException("lifetime_hours must be between 1 and 8760 (one year).", "lifetime_hours");
        }

        if (request.MaximumUses < 0)
        {
            throw new InvalidRequestException("maximum_uses must be 0 (unlimited) or positive.", "maximum_uses");
        }

        var created = await tokens.CreateAsync(context.CallerTenantId(), TimeSpan.FromHours(request.LifetimeHours), request.MaximumUses == 0 ? null : request.MaximumUses, audit);
        return ToMessage(created);
    }

    public override async Task<ListEnrollmentTokensResponse> ListEnrollmentTokens(ListEnrollmentTokensRequest request, ServerCallContext context)
    {
        var response = new ListEnrollmentTokensResponse();
        response.Tokens.AddRange((await tokens.ListExistingAsync(context.CallerTenantId())).Select(ToMessage));
        return response;
    }

    private static EnrollmentToken ToMessage(EnrollmentTokenInfo token) => new()
    {
        TokenId = token.TokenId,
        Token = token.Token ?? string.Empty,
        ExpiresDateTime = Timestamp.FromDateTimeOffset(token.ExpiresDateTime),
        MaximumUses = token.MaximumUses ?? 0,
        Uses = token.Uses,
        Revoked = token.Revoked,
    };
}

/// <summary><c>intune.admin.v1.EnrollmentTokenAdministration</c>: revocation.</summary>
internal sealed class EnrollmentTokenAdministrationGrpcService(EnrollmentTokenService tokens, AuditRecorder audit)
    : EnrollmentTokenAdministration.EnrollmentTokenAdministrationBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(RevokeEnrollmentToken)] = EnrollmentTokenOperations.Revoke,
    };

    public override async Task<Empty> RevokeEnrollmentToken(RevokeEnrollmentTokenRequest request, ServerCallContext context)
    {
        await tokens.RevokeAsync(context.CallerTenantId(), AdminGrpcMessages.Required(request.TokenId, "token_id"), audit);
        return new Empty();
    }
}
