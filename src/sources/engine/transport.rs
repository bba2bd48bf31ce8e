//! The connection to a Docker Engine, bounded: the engine may be a stranger's `tcp://`
//! endpoint. bollard reads a response body whole, however long it is; this transport (a unix
//! socket, TCP or TLS over TCP, one HTTP/1.1 connection per request, as bollard's own) counts the bytes
//! a response carries and fails the request past `MAX_RESPONSE`. The whole request, body
//! included, is bounded in time by the caller (`--timeout`, see `engine::within`).

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bollard::{BollardRequest, Docker};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The most one Engine API response may carry (headers and body). The largest real answers
/// are `/containers/json` of a busy host (~3 KB a container: a few MB for a thousand) and an
/// inspect (~20 KB); 64 MiB is far above both and bounds what a hostile engine can make
/// cbench hold.
pub const MAX_RESPONSE: u64 = 64 * 1024 * 1024;

/// A stream that fails once more than `limit` bytes have been read from it.
struct Limited<S> {
    inner: S,
    read: u64,
    limit: u64,
}

impl<S: AsyncRead + Unpin> AsyncRead for Limited<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        this.read += (buf.filled().len() - before) as u64;
        if this.read > this.limit {
            return Poll::Ready(Err(io::Error::other(format!("the response is over the {} MiB limit", this.limit >> 20))));
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Limited<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Where the engine listens.
#[derive(Clone)]
pub enum Target {
    Unix(PathBuf),
    /// `host:port`
    Tcp(String),
    /// `host:port`, TLS with client authentication, the server checked against the CA.
    Tls {
        addr: String,
        server: rustls_pki_types::ServerName<'static>,
        config: Arc<rustls::ClientConfig>,
    },
}

/// The TLS configuration the docker CLI uses with DOCKER_TLS_VERIFY: the server must be signed
/// by `ca`; cbench shows `cert` with `key`. Err names the file that could not be used.
pub fn tls_config(ca: &Path, cert: &Path, key: &Path) -> Result<Arc<rustls::ClientConfig>, String> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let read = |p: &Path| crate::sources::read::bytes(p, 1024 * 1024, "a TLS file").map_err(|_| format!("cannot read {}", p.display()));
    let certs = |p: &Path| -> Result<Vec<CertificateDer<'static>>, String> {
        let pem = read(p)?;
        let certs: Vec<_> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .map_err(|_| format!("{} is not PEM certificates", p.display()))?;
        if certs.is_empty() { Err(format!("{} holds no certificate", p.display())) } else { Ok(certs) }
    };
    // In the docker CLI's order: the key, the certificate, the CA.
    let private = PrivateKeyDer::from_pem_slice(&read(key)?).map_err(|_| format!("{} is not a PEM private key", key.display()))?;
    let chain = certs(cert)?;
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(certs(ca)?);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_client_auth_cert(chain, private)
        .map_err(|e| format!("{} and {} do not make a client identity: {e}", cert.display(), key.display()))?;
    Ok(Arc::new(config))
}

/// Send `req` on a new connection to `target`, reading at most `limit` bytes back.
async fn send(target: &Target, req: BollardRequest, limit: u64) -> Result<hyper::Response<hyper::body::Incoming>, bollard::errors::Error> {
    // bollard writes absolute URIs (http://host/v1.47/info): the request line gets the path.
    let (mut parts, body) = req.into_parts();
    let host = match target {
        Target::Unix(_) => "localhost".to_string(),
        Target::Tcp(a) | Target::Tls { addr: a, .. } => a.clone(),
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
    parts.uri = path.parse().map_err(|e: http::uri::InvalidUri| io::Error::other(e.to_string()))?;
    parts.headers.insert(http::header::HOST, http::HeaderValue::from_str(&host).map_err(|e| io::Error::other(e.to_string()))?);
    let req = http::Request::from_parts(parts, body);
    match target {
        Target::Unix(path) => exchange(tokio::net::UnixStream::connect(path).await?, req, limit).await,
        Target::Tcp(addr) => exchange(tokio::net::TcpStream::connect(addr).await?, req, limit).await,
        Target::Tls { addr, server, config } => {
            let tcp = tokio::net::TcpStream::connect(addr).await?;
            let tls = tokio_rustls::TlsConnector::from(config.clone()).connect(server.clone(), tcp).await?;
            exchange(tls, req, limit).await
        }
    }
}

async fn exchange<S>(stream: S, req: BollardRequest, limit: u64) -> Result<hyper::Response<hyper::body::Incoming>, bollard::errors::Error>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = hyper_util::rt::TokioIo::new(Limited { inner: stream, read: 0, limit });
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await?;
    tokio::spawn(async move {
        // The connection ends with the response (or fails with it: the request sees why).
        let _ = conn.await;
    });
    Ok(sender.send_request(req).await?)
}

/// A bollard client for `target` whose responses are bounded by `limit` bytes.
pub fn connect(target: Target, timeout_secs: u64, limit: u64) -> Result<Docker, bollard::errors::Error> {
    let target = Arc::new(target);
    Docker::connect_with_custom_transport(
        move |req: BollardRequest| {
            let target = target.clone();
            async move { send(&target, req, limit).await }
        },
        Some("http://localhost"),
        timeout_secs,
        bollard::API_DEFAULT_VERSION,
    )
}
