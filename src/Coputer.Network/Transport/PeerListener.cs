using System.Collections.Concurrent;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Coputer.Network.Transport;

/// <summary>
/// The server side of the peer transport's TLS: HTTP/2 only, TLS 1.3 only, a client certificate required and
/// accepted only when <see cref="PeerCertificate.Verify"/> authenticates a node id from it, and at most
/// <see cref="PeerTransportOptions.MaxConnectionsPerPeer"/> connections open per node id.
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
        var open = new ConcurrentDictionary<NodeId, int>();
        int cap = Math.Max(options.MaxConnectionsPerPeer, 1);
        // After the handshake, so the count is per authenticated node, not per address: many nodes may share one.
        listen.Use(next => async connection =>
        {
            if (AuthenticatedPeer(connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate) is not { } peer)
            {
                await next(connection);
                return;
            }
            if (open.AddOrUpdate(peer, 1, (_, n) => n + 1) > cap)
            {
                Release(open, peer);
                connection.Abort(new ConnectionAbortedException($"more than {cap} connections from one peer"));
                return;
            }
            try
            {
                await next(connection);
            }
            finally
            {
                Release(open, peer);
            }
        });
    }

    private static void Release(ConcurrentDictionary<NodeId, int> open, NodeId peer)
    {
        while (true)
        {
            int n = open[peer];
            if (n <= 1 ? open.TryRemove(new KeyValuePair<NodeId, int>(peer, n)) : open.TryUpdate(peer, n - 1, n))
                return;
        }
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
