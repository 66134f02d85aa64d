using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;

namespace Intune.AdminGateway.Tests.Graph;

/// <summary>The real Graph SDK pointed at a test unit's admin port, with a development token as Entra ID would issue it.</summary>
internal static class GraphSdkClient
{
    public static GraphServiceClient For(ScaleUnitTestHost host, string tenantId, string version = "v1.0", params string[] roles) =>
        new(new Bearer(host.AdminToken(tenantId, roles)), $"http://127.0.0.1:{host.AdminPort}/{version}");

    private sealed class Bearer(string token) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            request.Headers.Add("Authorization", $"Bearer {token}");
            return Task.CompletedTask;
        }
    }
}
