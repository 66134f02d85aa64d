using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Intune.Admin.V1;
using Intune.AdminGateway.Audit;
using Intune.AdminGateway.Auth;
using Intune.AdminGateway.Grpc;
using Intune.AdminGateway.Operations;

namespace Intune.AdminGateway.Resources.AuditEvents;

/// <summary><c>intune.admin.v1.AuditEvents</c>: the tenant's audit log, filtered and paged as REST pages it, with its categories and activity types.</summary>
internal sealed class AuditEventsGrpcService(AuditEventService events, AuditLog log) : Admin.V1.AuditEvents.AuditEventsBase, IAdminGrpcService
{
    public static IReadOnlyDictionary<string, GrpcOperation> Operations { get; } = new Dictionary<string, GrpcOperation>
    {
        [nameof(ListAuditEvents)] = AuditEventOperations.List,
        [nameof(GetAuditCategories)] = AuditEventOperations.Categories,
        [nameof(GetAuditActivityTypes)] = AuditEventOperations.ActivityTypes,
    };

    public override async Task<ListAuditEventsResponse> ListAuditEvents(ListAuditEventsRequest request, ServerCallContext context)
    {
        var query = AuditEventODataQuery.Parse(AdminGrpcMessages.Options(
            ("$filter", request.Filter),
            ("$top", request.PageSize <= 0 ? null : request.PageSize.ToString(CultureInfo.InvariantCulture)),
            ("$skiptoken", request.PageToken)));
        var page = await events.ListAsync(context.CallerTenantId(), query);
        var response = new ListAuditEventsResponse { NextPageToken = page.Next?.ToString() ?? string.Empty };
        response.Events.AddRange(page.Events.Select(e =>
        {
            var message = new Admin.V1.AuditEvent
            {
                Id = e.Id.ToString(),
                Activity = e.Activity,
                ActivityDateTime = Timestamp.FromDateTimeOffset(e.ActivityDateTime),
                ActivityType = e.ActivityType,
                ActivityOperationType = e.ActivityOperationType,
                ActivityResult = e.ActivityResult,
                Category = e.Category,
                CorrelationId = e.CorrelationId.ToString(),
                ActorUserPrincipalName = e.Actor.UserPrincipalName ?? string.Empty,
                ActorIpAddress = e.Actor.IpAddress ?? string.Empty,
            };
            message.ResourceIds.AddRange(e.Resources.Select(r => r.ResourceId));
            message.Resources.AddRange(e.Resources.Select(ToMessage));
            return message;
        }));
        return response;
    }

    private static Admin.V1.AuditResource ToMessage(Intune.Grains.Audit.AuditResource resource)
    {
        var message = new Admin.V1.AuditResource { DisplayName = resource.DisplayName, Type = resource.AuditResourceType, ResourceId = resource.ResourceId };
        message.ModifiedProperties.AddRange(resource.ModifiedProperties.Select(p =>
        {
            var property = new Admin.V1.AuditProperty { DisplayName = p.DisplayName };
            if (p.OldValue is not null)
            {
                property.OldValue = p.OldValue;
            }

            if (p.NewValue is not null)
            {
                property.NewValue = p.NewValue;
            }

            return property;
        }));
        return message;
    }

    public override Task<GetAuditCategoriesResponse> GetAuditCategories(GetAuditCategoriesRequest request, ServerCallContext context)
    {
        var response = new GetAuditCategoriesResponse();
        response.Categories.AddRange(AuditLog.Categories);
        return Task.FromResult(response);
    }

    public override async Task<GetAuditActivityTypesResponse> GetAuditActivityTypes(GetAuditActivityTypesRequest request, ServerCallContext context)
    {
        var category = AdminGrpcMessages.Required(request.Category, "category");
        var response = new GetAuditActivityTypesResponse();
        response.ActivityTypes.AddRange(await log.ActivityTypesAsync(context.CallerTenantId(), category));
        return response;
    }

}

