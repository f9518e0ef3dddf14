using System.Net;
using Paddock.Core.References;

namespace Paddock.Core.Tests;

public sealed class NetworkPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("10.0.0.1")]
    [InlineData("172.16.5.4")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("100.64.0.1")]
    [InlineData("192.0.2.2")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    [InlineData("::127.0.0.1")]
    [InlineData("2001:db8::1")]
    public void Internal_addresses_are_refused(string address)
    {
        Assert.True(NetworkPolicy.IsInternal(IPAddress.Parse(address)));
        Assert.NotNull(NetworkPolicy.PublicOnly.Refusal("host", IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.Null(NetworkPolicy.PublicOnly.Refusal("example.com", IPAddress.Parse(address)));

    [Fact]
    public void This_machines_own_addresses_are_refused_like_loopback()
    {
        var own = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address).ToList();
        Assert.NotEmpty(own);
        Assert.All(own, a => Assert.NotNull(NetworkPolicy.PublicOnly.Refusal("myself", a)));
    }

    [Fact]
    public void The_allow_list_opens_chosen_internal_hosts_only()
    {
        var policy = new NetworkPolicy(["images.internal", "10.1.2.3"], allowPrivateNetworks: false);
        Assert.Null(policy.Refusal("images.internal", IPAddress.Parse("10.9.9.9")));
        Assert.Null(policy.Refusal("other", IPAddress.Parse("10.1.2.3")));
        Assert.NotNull(policy.Refusal("other", IPAddress.Parse("10.1.2.4")));
    }
}
