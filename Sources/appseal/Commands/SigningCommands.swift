import AndroidPackage
import Foundation

/// `appseal sign` and `appseal verify`: APK v1/v2/v3 and AAB v1 signing, and our own verifier.
let signCommand = Command(
    name: "sign",
    abstract: "Sign an APK (v1/v2/v3, chosen from minSdk as apksigner does) or an AAB (v1, as jarsigner does).",
    discussion: """
    Existing signatures are removed; untouched entries are copied without recompression and
    stored entries are aligned (4 bytes, stored .so files on 16 KiB) in the same pass.
    The key comes from a PKCS#12 keystore (--keystore, password from --keystore-password-file,
    --keystore-password env:NAME or a prompt on a terminal) or from --key F.pk8 --cert F.pem.
    Default schemes: v1 when minSdk < 24, v2 and v3 always; app bundles get v1 only.
    """,
    arguments: [CommandArgument(name: "app", help: "The .apk or .aab to sign (never modified).")],
    options: [
        .value("keystore", "file.p12", help: "PKCS#12 keystore with the signing key and certificate chain."),
        .value("alias", "name", help: "Keystore entry to use (by friendly name); default: the only key in it."),
        .value("keystore-password-file", "file", help: "Read the keystore password from the first line of this file."),
        .value("keystore-password", "env:NAME", help: "Read the keystore password from environment variable NAME."),
        .value("key", "file.pk8", help: "Unencrypted PKCS#8 private key (DER or PEM), with --cert."),
        .value("cert", "file.pem", help: "Certificate (chain) for --key, PEM or DER."),
        .value("out", "path", help: "Where to write the signed app (default: <name>-signed.<ext> beside it)."),
        .value("min-sdk", "level", help: "Treat the app's minSdkVersion as this (default: read from the manifest)."),
        .value("v1", "on|off", help: "Force JAR signing on or off."),
        .value("v2", "on|off", help: "Force APK Signature Scheme v2 on or off."),
        .value("v3", "on|off", help: "Force APK Signature Scheme v3 on or off."),
        .value("signer-name", "name", help: "Base name of the META-INF signature files (default: alias or key file name)."),
        .value("align", "mode", help: "16k (default: 4 bytes, stored .so on 16 KiB), 4k (.so on 4 KiB), apksigner (keep the input's alignment, byte-for-byte like apksigner), none."),
        .flag("json", help: "Print what was done as JSON."),
    ],
    run: { invocation in try runSign(invocation) }
)

let verifyCommand = Command(
    name: "verify",
    abstract: "Verify an APK's v1/v2/v3 signatures (or an AAB's v1) the way Android checks them.",
    discussion: """
    Checks every scheme present: digests, signatures, certificates, stripping protection and
    that all schemes name the same signer. Exit 0 when verified, 4 when not (every reason is
    printed), 3 when the file is not a readable archive.
    """,
    arguments: [CommandArgument(name: "app", help: "The .apk or .aab to verify.")],
    options: [.flag("json", help: "Print the full report as JSON.")],
    run: { invocation in
        let path = try invocation.requiredArgument("app")
        let report = try ApkVerifier.verify(path: path)
        // The sealed blob check (BuildCommands.swift) adds to the output and can fail the verification.
        return try reportVerification(report, path: path, invocation: invocation)
    }
)

extension ApkSigningError: ReportableError {
    var exitCode: ExitCode {
        switch self {
        case .io: return .internalError
        case .cancelled: return .failed
        default: return .invalidInput
        }
    }

    var message: String { description }
}

private func runSign(_ invocation: Invocation) throws -> ExitCode {
    let input = try invocation.requiredArgument("app")
    let format = PackageFormat.guess(path: input)
    let output = invocation.value("out") ?? defaultOutputPath(input)
    guard URL(fileURLWithPath: output).standardizedFileURL.path != URL(fileURLWithPath: input).standardizedFileURL.path else {
        throw UsageError(message: "--out must differ from the input; appseal never modifies the input")
    }
    let (identity, defaultSignerName) = try loadIdentity(invocation)

    var options = ApkSigningOptions(format: format)
    if invocation.value("min-sdk") != nil {
        options.minSdk = try invocation.integer("min-sdk", default: 1, in: 1...10_000)
    }
    options.alignment = try alignment(invocation.choice("align", default: "16k", allowed: ["16k", "4k", "apksigner", "none"]))
    options.v1SignerName = invocation.value("signer-name") ?? defaultSignerName
    let overrides = try [SignatureScheme.v1, .v2, .v3].compactMap { scheme -> (SignatureScheme, Bool)? in
        guard invocation.value(scheme.name) != nil else { return nil }
        return (scheme, try invocation.choice(scheme.name, default: "on", allowed: ["on", "off"]) == "on")
    }
    if !overrides.isEmpty {
        options.schemes = try schemesWithOverrides(input: input, format: format, minSdk: options.minSdk, overrides: overrides)
    }
    let result = try ApkSigner.sign(input: input, output: output, identity: identity, options: options)
    if invocation.flag("json") {
        try Output.json(result)
    } else {
        let schemes = result.schemes.map(\.name).joined(separator: "+")
        Output.out("""
        signed \(input) -> \(output)
          schemes: \(schemes)\(result.format == .aab ? " (app bundle)" : " (minSdk \(result.minSdk))"), \(result.signatureAlgorithm)\(result.v1DigestAlgorithm.map { ", v1 digests \($0 == .sha1 ? "SHA-1" : "SHA-256")" } ?? "")
          signer: \(identity.subjectDescription)
          entries: \(result.entriesCopied) copied, \(result.entriesRealigned) realigned, \(result.entriesStripped.count) old signature/directory entries removed

        """)
    }
    return .ok
}

/// The defaults for the app, with the schemes named on the command line turned on or off.
private func schemesWithOverrides(input: String, format: PackageFormat, minSdk: Int?,
                                  overrides: [(SignatureScheme, Bool)]) throws -> Set<SignatureScheme> {
    let level = try minSdk ?? ApkSigner.minSdk(of: input, format: format)
    var schemes = ApkSigningOptions.defaultSchemes(minSdk: level, format: format)
    for (scheme, enabled) in overrides {
        if enabled { schemes.insert(scheme) } else { schemes.remove(scheme) }
    }
    return schemes
}

private func alignment(_ name: String) -> ApkAlignment {
    switch name {
    case "4k": return .align(nativeLibraryPageSize: 4096)
    case "apksigner": return .apksignerCompatible
    case "none": return .none
    default: return .default
    }
}

private func defaultOutputPath(_ input: String) -> String {
    let url = URL(fileURLWithPath: input)
    let ext = url.pathExtension.isEmpty ? "apk" : url.pathExtension
    return url.deletingPathExtension().path + "-signed." + ext
}

private func loadIdentity(_ invocation: Invocation) throws -> (SigningIdentity, String) {
    let keyFile = invocation.value("key")
    let certificateFile = invocation.value("cert")
    let keystore = invocation.value("keystore")
    switch (keystore, keyFile, certificateFile) {
    case let (nil, key?, certificate?):
        let name = URL(fileURLWithPath: key).deletingPathExtension().lastPathComponent
        return (try SigningIdentity.load(keyFile: key, certificateFile: certificate), name)
    case let (keystore?, nil, nil):
        try SigningIdentity.checkKeystoreFormat(path: keystore)
        let password = try KeystorePassword.read(invocation, keystore: keystore)
        let loaded = try SigningIdentity.load(pkcs12: keystore, password: password, alias: invocation.value("alias"))
        let name = invocation.value("alias") ?? loaded.alias ?? "CERT"
        return (loaded.identity, name)
    case (nil, nil, nil):
        throw UsageError(message: "a signing key is needed: --keystore F.p12, or --key F.pk8 --cert F.pem")
    case (_?, _, _):
        throw UsageError(message: "use either --keystore or --key/--cert, not both")
    default:
        throw UsageError(message: "--key and --cert go together")
    }
}

/// Where the keystore password comes from: a file, an environment variable, or a prompt on
/// the terminal with echo off. Never from a bare argument (it would show in `ps` and shell history).
enum KeystorePassword {
    static func read(_ invocation: Invocation, keystore: String) throws -> String {
        if let file = invocation.value("keystore-password-file") {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw UsageError(message: "cannot read --keystore-password-file \(file)")
            }
            let text = String(decoding: data, as: UTF8.self)
            return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        }
        if let reference = invocation.value("keystore-password") {
            guard reference.hasPrefix("env:"), reference.count > 4 else {
                throw UsageError(message: "--keystore-password takes env:NAME (a password on the command line would be visible to other users); use --keystore-password-file for a file")
            }
            let name = String(reference.dropFirst(4))
            guard let value = invocation.environment[name] else {
                throw UsageError(message: "--keystore-password env:\(name): the environment variable \(name) is not set")
            }
            return value
        }
        guard Output.stdinIsTerminal else {
            throw UsageError(message: "the keystore password is needed: --keystore-password-file F or --keystore-password env:NAME (no terminal to prompt on)")
        }
        return try prompt("Password for \(keystore): ")
    }

    /// Reads one line from the terminal with echo turned off, restoring the terminal afterwards.
    static func prompt(_ text: String) throws -> String {
        let tty = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard tty >= 0 else { throw UsageError(message: "cannot open the terminal to ask for the keystore password") }
        defer { close(tty) }
        var saved = termios()
        guard tcgetattr(tty, &saved) == 0 else { throw UsageError(message: "cannot read the terminal settings") }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        _ = text.withCString { Foundation.write(tty, $0, strlen($0)) }
        tcsetattr(tty, TCSAFLUSH, &silent)
        defer {
            tcsetattr(tty, TCSAFLUSH, &saved)
            _ = Foundation.write(tty, "\n", 1)
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while Foundation.read(tty, &byte, 1) == 1, byte != 0x0A, byte != 0x0D { bytes.append(byte) }
        defer { bytes.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) } }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The human-readable form of a verification report.
enum VerificationText {
    static func render(_ report: VerificationReport) -> String {
        var lines: [String] = []
        lines.append("\(report.path): \(report.verified ? "verified" : "NOT verified")")
        if let minSdk = report.minSdk { lines.append("  minSdk \(minSdk)\(report.targetSdk.map { ", targetSdk \($0)" } ?? "")") }
        for scheme in report.schemes where scheme.present || scheme.required {
            var state: String
            if !scheme.present { state = "missing" } else if !scheme.checked { state = "present, not checked" }
            else { state = scheme.verified ? "verified" : "FAILED" }
            if scheme.required { state += " (required)" }
            lines.append("  \(scheme.scheme): \(state)")
            for signer in scheme.signers {
                lines.append("    signer: \(signer.subject) [\(signer.key)] sha256 \(signer.certificateSHA256)")
            }
            if !scheme.digestsChecked.isEmpty { lines.append("    digests: \(scheme.digestsChecked.joined(separator: ", "))") }
        }
        if let match = report.signersMatchAcrossSchemes {
            lines.append("  same signer in every scheme: \(match ? "yes" : "NO")")
        }
        for error in report.errors { lines.append("  error: \(error)") }
        for warning in report.warnings { lines.append("  warning: \(warning)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension SigningIdentity {
    var subjectDescription: String {
        "\(subject) [\(certificate.publicKey)] certificate SHA-256 \(certificateSHA256)"
    }
}
