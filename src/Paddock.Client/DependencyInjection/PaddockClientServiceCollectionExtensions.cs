using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Paddock.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="PaddockClient"/> with dependency injection, its connections managed by <see cref="IHttpClientFactory"/>.</summary>
public static class PaddockClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="PaddockClient"/> (transient; cheap to create) over the named <see cref="HttpClient"/>
    /// <see cref="PaddockClient.HttpClientName"/>. Set <see cref="PaddockClientOptions.Endpoint"/> and
    /// <see cref="PaddockClientOptions.ApiKey"/> in <paramref name="configure"/> (or bind them from configuration through
    /// <c>services.Configure&lt;PaddockClientOptions&gt;</c>). <see cref="PaddockClientOptions.HttpClient"/> and
    /// <see cref="PaddockClientOptions.Transport"/> are not used here: add handlers through the returned builder.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the endpoint, key and other options.</param>
    /// <returns>The builder of the client's <see cref="HttpClient"/>, to add handlers or configure the primary handler.</returns>
    public static IHttpClientBuilder AddPaddockClient(this IServiceCollection services, Action<PaddockClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<PaddockClientOptions>().Configure(configure);
        // Generation and event streams outlive HttpClient's 100-second default; the client times each try itself.
        var builder = services.AddHttpClient(PaddockClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddTransient(provider =>
        {
            var options = provider.GetRequiredService<IOptions<PaddockClientOptions>>().Value;
            var endpoint = options.Endpoint ?? throw new InvalidOperationException("PaddockClientOptions.Endpoint is not set: set it in AddPaddockClient(options => options.Endpoint = new Uri(\"http://localhost:5080\")).");
            if (string.IsNullOrWhiteSpace(options.ApiKey)) throw new InvalidOperationException("PaddockClientOptions.ApiKey is not set: set it in AddPaddockClient(options => options.ApiKey = ...).");
            var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(PaddockClient.HttpClientName);
            return new PaddockClient(endpoint, options.ApiKey, options, http);
        });
        return builder;
    }
}
