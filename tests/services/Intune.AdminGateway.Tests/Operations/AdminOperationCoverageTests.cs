using System.Reflection;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Intune.AdminGateway.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Intune.AdminGateway.Tests.Operations;

/// <summary>
/// Every Graph route and every admin gRPC method names its operation: a permission always, and an
/// audit activity exactly when it changes something. A route or method added without one fails here.
/// </summary>
public sealed class AdminOperationCoverageTests(ScaleUnitFixture fixture) : IClassFixture<ScaleUnitFixture>
{
    private static readonly string[] ReadVerbs = ["Get", "List", "Lookup"];

    [Fact]
    public void GraphRoutes_EachDeclareAPermission_AndEachChangeAnAuditActivity()
    {
        var routes = Endpoints().OfType<RouteEndpoint>().Where(e => e.RoutePattern.RawText?.StartsWith("/v1.0", StringComparison.Ordinal) == true || e.RoutePattern.RawText?.StartsWith("/beta", StringComparison.Ordinal) == true).ToList();

        var problems = new List<string>();
        foreach (var route in routes)
        {
            var method = route.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Single() ?? "?";
            var name = $"{method} {route.RoutePattern.RawText}";
            var operation = route.Metadata.GetMetadata<AdminOperation>();
            problems.AddRange(Check(name, operation is null ? [] : [operation], mutating: !HttpMethods.IsGet(method)));
        }

        Assert.True(routes.Count >= 120, $"Expected the whole Graph surface under both roots, found {routes.Count} routes.");
        Assert.Empty(problems);
        // Beta is a superset: every v1.0 route is also served under /beta.
        var beta = routes.Select(r => r.RoutePattern.RawText!).Where(t => t.StartsWith("/beta", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var missingInBeta = routes.Select(r => r.RoutePattern.RawText!).Where(t => t.StartsWith("/v1.0", StringComparison.Ordinal) && !beta.Contains("/beta" + t["/v1.0".Length..])).ToList();
        Assert.Empty(missingInBeta);
    }

    [Fact]
    public void AdminGrpcMethods_EachDeclareAPermission_AndEachChangeAnAuditActivity()
    {
        var methods = AdminServiceDescriptors().SelectMany(s => s.Methods).ToList();
        var bound = Endpoints()
            .Select(e => (Method: e.Metadata.GetMetadata<GrpcMethodMetadata>(), Operation: e.Metadata.GetMetadata<GrpcOperation>()))
            .Where(e => e.Method is not null)
            .GroupBy(e => e.Method!.Method.FullName)
            .ToDictionary(g => g.Key, g => g.First().Operation);

        var problems = new List<string>();
        foreach (var method in methods)
        {
            var fullName = $"/{method.Service.FullName}/{method.Name}";
            if (!bound.TryGetValue(fullName, out var operation))
            {
                problems.Add($"{fullName} is not mapped.");
                continue;
            }

            problems.AddRange(Check(fullName, operation?.Candidates ?? [], mutating: !ReadVerbs.Any(v => method.Name.StartsWith(v, StringComparison.Ordinal))));
        }

        Assert.True(methods.Count >= 60, $"Expected every admin RPC, found {methods.Count}.");
        Assert.Empty(problems);
    }

    private static IEnumerable<string> Check(string name, IReadOnlyList<AdminOperation> operations, bool mutating)
    {
        if (operations.Count == 0)
        {
            yield return $"{name} declares no AdminOperation.";
        }

        foreach (var operation in operations)
        {
            if (string.IsNullOrWhiteSpace(operation.Permission))
            {
                yield return $"{name} ({operation.Name}) names no permission.";
            }

            if (mutating && operation.Audit is null)
            {
                yield return $"{name} ({operation.Name}) changes state but declares no audit activity.";
            }

            if (!mutating && operation.Audit is not null)
            {
                yield return $"{name} ({operation.Name}) is a read but declares audit activity '{operation.Audit.ActivityType}'.";
            }
        }
    }

    private IEnumerable<Endpoint> Endpoints() => fixture.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints;

    /// <summary>The services of every admin proto, from the generated descriptors of <c>intune.admin.v1</c>.</summary>
    private static IEnumerable<Google.Protobuf.Reflection.ServiceDescriptor> AdminServiceDescriptors() =>
        typeof(Admin.V1.ManagedDevices).Assembly.GetTypes()
            .Where(t => t.Namespace == "Intune.Admin.V1" && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => (FileDescriptor)t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!)
            .SelectMany(f => f.Services);
}
