using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LeaderKv.Cluster.Tests.Security;

/// <summary>
/// A private cluster CA and a server certificate it issued, written to files the way an operator
/// would hand them to nodes: a PKCS#12 for Kestrel and a PEM of the CA for CLUSTER_CA_FILE.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("leaderkv-tls-");

    /// <param name="serverName">The DNS name the server certificate is for; null: 127.0.0.1 and localhost.</param>
    public TestCertificates(string? serverName = null)
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=LeaderKV test cluster CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest($"CN={serverName ?? "127.0.0.1"}", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (serverName is null)
        {
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
        }
        else
        {
            names.AddDnsName(serverName);
        }

        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var issued = serverRequest.Create(ca, now.AddHours(-1), now.AddHours(12), RandomNumberGenerator.GetBytes(12));
        using var server = issued.CopyWithPrivateKey(serverKey);

        Password = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        ServerPfxPath = Path.Combine(_directory.FullName, "server.pfx");
        File.WriteAllBytes(ServerPfxPath, server.Export(X509ContentType.Pkcs12, Password));
        CaPemPath = Path.Combine(_directory.FullName, "ca.pem");
        File.WriteAllText(CaPemPath, ca.ExportCertificatePem());
    }

    public string ServerPfxPath { get; }

    public string Password { get; }

    public string CaPemPath { get; }

    public TestTls ServerTls => new(ServerPfxPath, Password);

    /// <summary>The CA as a node loads it from CLUSTER_CA_FILE.</summary>
    public X509Certificate2Collection LoadCa()
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(CaPemPath);
        return collection;
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
