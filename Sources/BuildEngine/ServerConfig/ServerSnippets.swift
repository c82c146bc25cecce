import Foundation

/// Everything a snippet template needs, computed once.
struct SnippetContext {
    let format: ServerConfigFormat
    let material: ServerConfigMaterial
    let options: ServerConfigOptions
    let generated: Date
    let caPath: String
    let crlPath: String
    let snippetPath: String
    /// Where this run wrote crl.pem, which may differ from `crlPath` (its place on the server).
    let writtenCRLPath: String

    /// A client chain is the leaf plus the bundle; OpenSSL's depth counts the certificates above the leaf.
    var verifyDepth: Int { max(1, material.bundleCertificateCount) }

    var crlNextUpdate: String { ISO8601DateFormatter().string(from: material.crlNextUpdate) }

    var enforcedRules: [String] {
        var rules = [
            "a client certificate is required",
            "it must chain to the CA in \(ServerConfigWriter.caBundleFileName) (\(material.caSubject)) and be within its validity period",
            "it must not be revoked in \(ServerConfigWriter.crlFileName) (next update \(crlNextUpdate); every client is refused once it passes)",
        ]
        if !options.allowedClients.isEmpty {
            let how = format == .envoy ? "subjectAltName URI" : "subject DN, which the appseal CA issues only together with the matching SAN URI"
            rules.append("only these apps, matched by \(how): "
                + options.allowedClients.map(\.uri).joined(separator: ", "))
        }
        return rules
    }

    /// The comment header every format shares, with the format's comment marker.
    func header(placement: [String], reload: [String]) -> String {
        var lines = [
            "appseal server-config (\(format.rawValue)): require and verify client certificates.",
            "Generated \(ISO8601DateFormatter().string(from: generated)) from the workspace CA",
            "  \(material.caSubject)",
            "  SHA-256 \(material.caFingerprintSHA256)",
            "",
            "Where it goes:",
        ]
        lines += placement.map { "  " + $0 }
        lines += ["", "What it enforces (any other client is refused):"]
        lines += enforcedRules.map { "  - " + $0 }
        lines += ["", "After a revocation (`appseal ca revoke SERIAL`):"]
        lines += reload.map { "  " + $0 }
        return lines.map { $0.isEmpty ? "#" : "# " + $0 }.joined(separator: "\n") + "\n"
    }

    /// The numbered steps after a revocation, ending with the server's own reload.
    func reloadSteps(_ reload: String) -> [String] {
        var steps = ["1. appseal ca crl --out \(writtenCRLPath)   (or run this server-config command again)"]
        if writtenCRLPath != crlPath {
            steps.append("2. copy it to \(crlPath) on the server")
        }
        steps.append("\(steps.count + 1). \(reload)")
        return steps
    }
}

/// The three server templates. Each is complete as written: paths are absolute, nothing to fill in
/// except what the comments name (the server's own certificate and backend).
enum ServerSnippets {
    static func nginx(_ context: SnippetContext) -> String {
        var text = context.header(
            placement: [
                "inside the `server { }` block that terminates TLS for your API (the one with",
                "`listen 443 ssl;` and your own ssl_certificate / ssl_certificate_key):",
                "    include \(context.snippetPath);",
                "then check and load it: `nginx -t && nginx -s reload`.",
                "nginx answers a refused client with 400 (no, invalid, expired or revoked",
                "certificate) or 403 (a valid certificate of an app not listed here).",
            ],
            reload: context.reloadSteps("nginx -s reload") + [
                "nginx refuses every client once crl.pem passes its next update (\(context.crlNextUpdate)):",
                "renew it before then with `appseal ca crl`.",
            ])
        text += """

        ssl_verify_client on;
        ssl_client_certificate \(context.caPath);
        ssl_crl \(context.crlPath);
        ssl_verify_depth \(context.verifyDepth);

        """
        if !context.options.allowedClients.isEmpty {
            // `if` with `return` is the documented safe use of `if` in a server block.
            let alternatives = context.options.allowedClients.map { regexEscaped($0.subjectRFC2253) }.joined(separator: "|")
            text += """

            # Only the apps listed above: $ssl_client_s_dn is the verified subject in RFC 2253 form.
            if ($ssl_client_s_dn !~ "^(\(alternatives))$") {
                return 403;
            }

            """
        }
        return text
    }

    static func haproxy(_ context: SnippetContext) -> String {
        let options = context.options
        var text = context.header(
            placement: [
                "a complete frontend: load it after your main file,",
                "    haproxy -f /etc/haproxy/haproxy.cfg -f \(context.snippetPath)",
                "or paste the section into haproxy.cfg. It needs a backend named '\(options.backendName)'",
                "and the server's certificate+key PEM at \(options.serverCertificatePath).",
                "HAProxy refuses an unverified client in the TLS handshake and answers",
                "403 to a valid certificate of an app not listed here.",
            ],
            reload: context.reloadSteps("systemctl reload haproxy   (or start a new haproxy with -sf <old pid>)") + [
                "HAProxy refuses every client once crl.pem passes its next update (\(context.crlNextUpdate)):",
                "renew it before then with `appseal ca crl`.",
            ])
        text += """

        frontend appseal_client_certificates
            mode http
            bind \(options.listen) ssl crt \(options.serverCertificatePath) verify required ca-file \(context.caPath) crl-file \(context.crlPath)

        """
        if !options.allowedClients.isEmpty {
            let subjects = options.allowedClients.map { "\"\($0.subjectRFC2253)\"" }.joined(separator: " ")
            text += """
                # Only the apps listed above: the verified subject in RFC 2253 form.
                http-request deny deny_status 403 unless { ssl_c_s_dn(,0,rfc2253) -m str \(subjects) }

            """
        }
        text += """
            default_backend \(options.backendName)

        """
        return text
    }

    static func envoy(_ context: SnippetContext) -> String {
        let options = context.options
        var text = context.header(
            placement: [
                "the `transport_socket` of the filter chain of your HTTPS listener",
                "(static_resources.listeners[].filter_chains[]); set the server's own",
                "certificate and key paths below if they differ. Envoy refuses a client",
                "without a valid certificate in the TLS handshake.",
            ],
            reload: context.reloadSteps("restart Envoy (hot restart: --restart-epoch N+1); Envoy reads these files at start") + [
                "   unless the validation context is served through SDS from a watched path.",
                "Envoy refuses every client once crl.pem passes its next update (\(context.crlNextUpdate)):",
                "renew it before then with `appseal ca crl`.",
            ])
        text += """
        transport_socket:
          name: envoy.transport_sockets.tls
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
            require_client_certificate: true
            common_tls_context:
              tls_certificates:
              - certificate_chain: { filename: "\(options.serverCertificatePath)" }
                private_key: { filename: "\(options.serverKeyPath)" }
              validation_context:
                trusted_ca: { filename: "\(context.caPath)" }
                crl: { filename: "\(context.crlPath)" }
                # crl.pem is the issuing CA's list, so it covers the client certificate itself.
                only_verify_leaf_cert_crl: true
                max_verify_depth: \(context.verifyDepth)

        """
        if !options.allowedClients.isEmpty {
            text += "        match_typed_subject_alt_names:\n"
            for client in options.allowedClients {
                text += "        - san_type: URI\n          matcher: { exact: \"\(client.uri)\" }\n"
            }
        }
        return text
    }

    /// PCRE metacharacters escaped; identities hold only letters, digits, '.', '_', '-', ',', '=' and ' '.
    static func regexEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "\\^$.|?*+()[]{}".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
