using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Coputer.Network.Transport;

/// <summary>
/// The server side of the peer transport's TLS: HTTP/2 only, TLS 1.3 only, a client certificate required and
/// accepted only when <see cref="PeerCertificate.Verify"/> authenticates a node id from it.
/// </summary>
public static class PeerListener
{
    /// <summary>Sets up a Kestrel endpoint for peers with <paramref name="certificate"/> as this node's certificate.</summary>
    public static void Configure(ListenOptions listen, X509Certificate2 certificate, PeerTransportOptions options, TimeProvider? time = null)
    {
        var clock = time ?? TimeProvider.System;
        listen.Protocols = HttpProtocols.Http2;
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = certificate,
            SslProtocols = SslProtocols.Tls13,
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            CheckCertificateRevocation = false,
            HandshakeTimeout = options.HandshakeTimeout,
            ClientCertificateValidation = (peer, _, _) => PeerCertificate.Verify(peer, clock.GetUtcNow()).Id is not null,
        });
    }

    /// <summary>
    /// The node id of a client whose certificate the handshake accepted (so it has passed
    /// <see cref="PeerCertificate.Verify"/>); null when there is none.
    /// </summary>
    public static NodeId? AuthenticatedPeer(X509Certificate2? certificate)
    {
        if (certificate?.Extensions[PeerCertificate.ExtensionOid] is not { } extension)
            return null;
        return PeerCertificate.DecodeExtension(extension.RawData) is var (publicKey, _) ? NodeId.FromPublicKey(publicKey) : null;
    }
}
