using LeaderKv.Node.Configuration;
using LeaderKv.Node.Security;

namespace LeaderKv.Cluster.Tests.Security;

/// <summary>The security variables: defaults that keep the seed working, files for secrets, one clear message per mistake.</summary>
public class SecurityConfigurationTests
{
    [Fact]
    public void By_default_there_is_no_secret_no_api_keys_and_the_documented_limits()
    {
        var security = NodeSettings.Parse(new NodeOptions()).Settings!.Security;

        Assert.Null(security.ClusterSecret);
        Assert.Null(security.ApiKeys);
        Assert.False(security.AllowInsecureReplication);
        Assert.Equal(1024, security.MaxKeyBytes);
        Assert.Equal(1024 * 1024, security.MaxValueBytes);
    }

    [Fact]
    public void The_secret_and_api_keys_can_come_from_files_as_docker_secrets_do()
    {
        var directory = Directory.CreateTempSubdirectory("leaderkv-secrets-");
        try
        {
            var secretFile = Path.Combine(directory.FullName, "secret");
            var keysFile = Path.Combine(directory.FullName, "keys");
            File.WriteAllText(secretFile, "0123456789abcdef0123456789abcdef\n");
            File.WriteAllText(keysFile, "# operators\nadmin-key-1:rw\nviewer-key-1:r, viewer-key-2:r\n");

            var security = NodeSettings.Parse(new NodeOptions { ClusterSecretFile = secretFile, ApiKeysFile = keysFile }).Settings!.Security;

            Assert.NotNull(security.ClusterSecret);
            Assert.Equal(3, security.ApiKeys!.Count);
            Assert.Equal(ApiAccess.ReadWrite, security.ApiKeys.Authenticate("admin-key-1"));
            Assert.Equal(ApiAccess.Read, security.ApiKeys.Authenticate("viewer-key-2"));
            Assert.Null(security.ApiKeys.Authenticate("admin-key-2"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Neither_the_secret_nor_the_settings_print_the_secret()
    {
        var settings = NodeSettings.Parse(new NodeOptions { ClusterSecret = "do-not-print-this-secret", ApiKeys = "do-not-print-this-key:rw" }).Settings!;

        Assert.DoesNotContain("do-not-print", settings.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short", null, null, null, null, "CLUSTER_SECRET")]
    [InlineData("0123456789abcdef", "/etc/hostname", null, null, null, "CLUSTER_SECRET")]
    [InlineData(null, "/nonexistent/leaderkv-secret", null, null, null, "CLUSTER_SECRET_FILE")]
    [InlineData(null, null, "key1:admin", null, null, "API_KEYS")]
    [InlineData(null, null, "key1", null, null, "API_KEYS")]
    [InlineData(null, null, "key1:rw,key1:r", null, null, "API_KEYS")]
    [InlineData(null, null, null, "0", null, "MAX_KEY_BYTES")]
    [InlineData(null, null, null, null, "a lot", "MAX_VALUE_BYTES")]
    public void Invalid_security_configuration_is_reported_naming_the_variable(string? secret, string? secretFile, string? keys, string? maxKey, string? maxValue, string variable)
    {
        var result = NodeSettings.Parse(new NodeOptions { ClusterSecret = secret, ClusterSecretFile = secretFile, ApiKeys = keys, MaxKeyBytes = maxKey, MaxValueBytes = maxValue });

        Assert.Null(result.Settings);
        Assert.Contains(result.Errors, error => error.StartsWith(variable, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData(null, false)]
    public void Allow_insecure_replication_reads_as_a_boolean(string? text, bool expected) =>
        Assert.Equal(expected, NodeSettings.Parse(new NodeOptions { AllowInsecureReplication = text }).Settings!.Security.AllowInsecureReplication);

    [Fact]
    public void A_cluster_ca_file_that_is_not_pem_is_reported()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not a certificate");

            var result = NodeSettings.Parse(new NodeOptions { ClusterCaFile = file });

            Assert.Contains(result.Errors, error => error.StartsWith("CLUSTER_CA_FILE", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
